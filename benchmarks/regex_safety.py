"""Regex safety: every compiled pattern in ``watcher`` against adversarial input, timed.

The patterns are collected, not listed: every ``watcher`` module is imported and its globals
are walked (into dicts, lists, tuples, sets and the objects and classes ``watcher`` defines),
so a pattern added tomorrow is checked too. Each pattern gets inputs built to make a
backtracking engine work hard:

- whitespace runs: ASCII spaces, U+2003 (em space), NBSP, the ideographic space, and a mix of
  every Unicode space; words separated by 1,000-space runs;
- repeated punctuation (each of ``,;:.!?-'"“”()[]{}<>&#/=_``), all of them mixed, and runs of
  1,000 of each (and of each space) followed by a letter;
- long words (``a``, digits, Hangul, kanji), nested brackets and quotes, unclosed tags,
  comments and entities;
- near misses built from the pattern's own literals: each literal repeated, cut one character
  short, and followed or preceded by a 1,000-character whitespace run.

For each input the pattern runs ``finditer`` to the end, ``match`` and ``fullmatch``. The figure
is the worst input's time scaled to one megabyte; the bound is 1 s per MB (``FAIL`` above it).
A pattern still running after ``--abort`` seconds on one input is stopped (SIGVTALRM: ``re``
checks for signals while it backtracks) and reported as ``FAIL``.

    .venv/bin/python benchmarks/regex_safety.py              # 1 MB inputs
    .venv/bin/python benchmarks/regex_safety.py --size 100000 --top 20

``tests/test_regex_safety.py`` runs the same inputs at 10 KB and 100 KB and fails when a
pattern's time grows much faster than its input.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import re
import signal
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BOUND_PER_MB = 1.0

# every character Python's \s matches that is a space (not a line or paragraph break), and the breaks
UNICODE_SPACES = (
    " \t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u202f\u205f\u3000"
)
BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029"
PUNCT = ",;:.!?-'\"“”()[]{}<>&#/=_"


# --- collecting --------------------------------------------------------------------------------------------
def collect_patterns(package: str = "watcher") -> dict[str, re.Pattern[Any]]:
    """Every distinct compiled pattern reachable from the globals of ``package``'s modules, by a
    readable name (``module.NAME`` or ``module.NAME[key]``)."""
    root = importlib.import_module(package)
    modules = [root] + [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(root.__path__, f"{package}.")
        if not info.name.endswith(".__main__")  # importing it runs the command line
    ]
    found: dict[tuple[Any, int], tuple[str, re.Pattern[Any]]] = {}
    seen: set[int] = set()

    def walk(obj: Any, name: str, depth: int) -> None:
        if isinstance(obj, re.Pattern):
            found.setdefault((obj.pattern, obj.flags), (name, obj))
            return
        if depth > 6 or id(obj) in seen or isinstance(obj, (str, bytes, int, float, bool, type(None))):
            return
        seen.add(id(obj))
        if isinstance(obj, dict):
            for k, v in list(obj.items())[:5000]:
                walk(v, f"{name}[{k!r:.30}]", depth + 1)
        elif isinstance(obj, (list, tuple, set, frozenset)):
            for i, v in enumerate(list(obj)[:5000]):
                walk(v, f"{name}[{i}]", depth + 1)
        elif _ours(obj, package):
            attrs: dict[str, Any] = {}
            if isinstance(obj, type):
                attrs = {k: v for k, v in vars(obj).items() if not k.startswith("__")}
            else:
                attrs = dict(getattr(obj, "__dict__", {}))
                for slot in _slots(type(obj)):
                    if hasattr(obj, slot):
                        attrs[slot] = getattr(obj, slot)
            for k, v in attrs.items():
                walk(v, f"{name}.{k}", depth + 1)

    for mod in modules:
        for k, v in vars(mod).items():
            if k.startswith("__") or isinstance(v, type(mod)):
                continue
            if _ours(v, package) and getattr(v, "__module__", mod.__name__) != mod.__name__ and isinstance(v, type):
                continue  # a class imported from another module: walked where it is defined
            walk(v, f"{mod.__name__}.{k}", 0)
    return {name: pat for name, pat in found.values()}


def _ours(obj: Any, package: str) -> bool:
    mod = obj.__module__ if isinstance(obj, type) else type(obj).__module__
    return isinstance(mod, str) and (mod == package or mod.startswith(f"{package}."))


def _slots(cls: type) -> list[str]:
    out: list[str] = []
    for klass in cls.__mro__:
        slots = vars(klass).get("__slots__", ())
        out.extend([slots] if isinstance(slots, str) else list(slots))
    return out


# --- inputs ------------------------------------------------------------------------------------------------
def literals(pattern: re.Pattern[Any], limit: int = 40) -> list[str]:
    """Runs of literal characters in the pattern (at least two), at most ``limit`` of them."""
    if isinstance(pattern.pattern, bytes):
        return []
    out: list[str] = []

    def walk(nodes: Any) -> None:
        run = ""
        for op, av in nodes:
            if op is sre_c.LITERAL:
                run += chr(av)
                continue
            if len(run) >= 2:
                out.append(run)
            run = ""
            if op is sre_c.BRANCH:
                for alt in av[1]:
                    walk(alt)
            elif op is sre_c.SUBPATTERN:
                walk(av[-1])
            elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, getattr(sre_c, "POSSESSIVE_REPEAT", None)):
                walk(av[2])
            elif op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
                walk(av[1])
            elif op is getattr(sre_c, "ATOMIC_GROUP", None):
                walk(av)
        if len(run) >= 2:
            out.append(run)

    try:
        walk(sre_parse.parse(pattern.pattern, pattern.flags))
    except Exception:  # an unreadable pattern gets the generic inputs only
        return []
    uniq = list(dict.fromkeys(out))
    step = max(1, len(uniq) // limit)
    return uniq[::step][:limit]


def _fill(unit: str, size: int) -> str:
    return (unit * (size // max(1, len(unit)) + 1))[:size]


def generic_inputs(size: int) -> Iterator[tuple[str, str]]:
    yield "ascii spaces", " " * size
    yield "em spaces", "\u2003" * size
    yield "nbsp", "\u00a0" * size
    yield "ideographic spaces", "\u3000" * size
    yield "every unicode space", _fill(UNICODE_SPACES + BREAKS, size)
    yield "words + 1000-space runs", _fill("word, " + " " * 1000, size)
    yield "words + 1000 em-space runs", _fill("and" + "\u2003" * 1000, size)
    yield "newlines", "\n" * size
    yield "blank lines with spaces", _fill(" \n", size)
    for ch in ",;.-'\"(<&":
        yield f"repeated {ch!r}", ch * size
    yield "punctuation mix", _fill(PUNCT, size)
    yield "1000-runs of each punctuation, then a letter", _fill("".join(ch * 1000 + "a" for ch in PUNCT), size)
    yield "1000-runs of each space, then a letter", _fill("".join(c * 1000 + "a" for c in UNICODE_SPACES + BREAKS), size)
    yield "punctuation + spaces", _fill(", ; : . ! ? - ", size)
    yield "long word", "a" * size
    yield "long number", "1" * size
    yield "long hangul", "한" * size
    yield "long kanji", "日" * size
    yield "short words", _fill("a ", size)
    yield "nested brackets", "(" * (size // 2) + ")" * (size // 2)
    yield "nested quotes", _fill("\"'“‘", size)
    yield "unclosed tags", _fill("<a ", size)
    yield "unclosed comment", "<!--" + "-" * (size - 4)
    yield "script starts", _fill("<script", size)
    yield "entity starts", _fill("&#", size)
    yield "url-ish", "http://" + _fill("a.", size - 7)
    yield "date-ish", _fill("2024-1", size)


def literal_inputs(pattern: re.Pattern[Any], size: int) -> Iterator[tuple[str, str]]:
    lits = literals(pattern)
    if not lits:
        return
    yield "literals repeated", _fill(" ".join(lits) + " ", size)
    yield "literals, no spaces", _fill("".join(lits), size)
    yield "literals cut short", _fill(" ".join(lit[:-1] for lit in lits) + " ", size)
    yield "literals + 1000 spaces", _fill("".join(lit + " " * 1000 for lit in lits), size)
    yield "1000 spaces + literals", _fill("".join(" " * 1000 + lit for lit in lits), size)
    yield "comma + spaces + literals", _fill("".join(", " + " " * 200 + lit[:-1] for lit in lits), size)
    yield "each literal repeated", "".join(_fill(lit, size // len(lits) + 1) for lit in lits)[:size]


def inputs_for(pattern: re.Pattern[Any], size: int) -> Iterator[tuple[str, str | bytes]]:
    for label, text in (*generic_inputs(size), *literal_inputs(pattern, size)):
        if isinstance(pattern.pattern, bytes):
            yield label, text.encode("utf-8", "replace")[:size]
        else:
            yield label, text


# --- timing ------------------------------------------------------------------------------------------------
class TooSlow(Exception):
    pass


def _alarm(_sig: int, _frame: Any) -> None:
    raise TooSlow


def run_once(pattern: re.Pattern[Any], text: str | bytes) -> None:
    for _ in pattern.finditer(text):
        pass
    pattern.match(text)
    pattern.fullmatch(text)


def timed(fn: Callable[[], None], abort: float) -> float:
    """CPU seconds ``fn`` took (this thread's, so that other processes on a busy machine do not count),
    or ``inf`` when it was stopped after ``abort`` CPU seconds."""
    old = signal.signal(signal.SIGVTALRM, _alarm)
    signal.setitimer(signal.ITIMER_VIRTUAL, abort)
    t0 = time.thread_time()
    try:
        fn()
    except TooSlow:
        return float("inf")
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, old)
    return time.thread_time() - t0


def composite(pattern: re.Pattern[Any], size: int) -> str | bytes:
    """Every input of :func:`inputs_for`, each cut to an equal share of ``size``, end to end, then a
    run of spaces: one input for a quick check (a pattern quadratic on one kind of input is quadratic
    on this too)."""
    share = size // (sum(1 for _ in inputs_for(pattern, 16)) + 1)
    parts = [text[:share] for _label, text in inputs_for(pattern, share)]
    tail = _fill(UNICODE_SPACES, share)  # and a run at the very end, where nothing follows it
    if isinstance(pattern.pattern, bytes):
        return b"".join(bytes(p) for p in parts) + b" \t" * (share // 2)
    parts.append(tail)
    return "".join(str(p) for p in parts)


def worst(pattern: re.Pattern[Any], size: int, abort: float) -> tuple[float, str]:
    """(the slowest input's seconds, its label)."""
    out = (0.0, "")
    for label, text in inputs_for(pattern, size):
        t = timed(lambda text=text: run_once(pattern, text), abort)  # type: ignore[misc]
        if t > out[0]:
            out = (t, label)
        if t == float("inf"):
            break
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--size", type=int, default=1_000_000, help="characters per input (1,000,000)")
    ap.add_argument("--abort", type=float, default=10.0, help="seconds before one input is stopped (10)")
    ap.add_argument("--top", type=int, default=0, help="print only the N slowest patterns (all)")
    ap.add_argument("--match", default="", help="only patterns whose name contains this")
    args = ap.parse_args(argv)

    patterns = {k: v for k, v in collect_patterns().items() if args.match in k}
    print(f"{len(patterns)} patterns, inputs of {args.size:,} characters, bound {BOUND_PER_MB:g} s per MB",
          flush=True)
    rows = []
    t_all = time.perf_counter()
    for name, pat in sorted(patterns.items()):
        secs, label = worst(pat, args.size, args.abort)
        per_mb = secs * 1_000_000 / args.size
        rows.append((per_mb, name, label))
        if per_mb > BOUND_PER_MB:
            print(f"  FAIL {name}: {per_mb:.3f} s/MB on {label!r}", file=sys.stderr, flush=True)
    rows.sort(reverse=True)
    shown = rows[: args.top] if args.top else rows
    print(f"{'s per MB':>9}  verdict  pattern (worst input)")
    for per_mb, name, label in shown:
        verdict = "ok" if per_mb <= BOUND_PER_MB else "FAIL"
        print(f"{per_mb:9.3f}  {verdict:7}  {name} ({label})")
    failed = sum(1 for r in rows if r[0] > BOUND_PER_MB)
    print(f"{len(rows)} patterns, {failed} over the bound, slowest {rows[0][0]:.3f} s/MB ({rows[0][1]}); "
          f"{time.perf_counter() - t_all:.1f} s in all")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
