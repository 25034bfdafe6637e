"""Every compiled pattern in ``watcher`` runs in linear time on adversarial input.

The patterns and the inputs are those of ``benchmarks/regex_safety.py`` (collected by walking
the modules, so a pattern added later is checked too). Each pattern reads one input made of
every adversarial kind end to end, at 10 KB and at 100 KB: ten times the input may cost ten
times the CPU time, with a generous margin (30x, plus 20 ms for a busy machine), never the
hundred times a quadratic pattern takes. A pattern over its bound is stopped there, so a
super-linear one fails in seconds.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import regex_safety as rs

SMALL, BIG = 10_000, 100_000


def test_the_patterns_are_found() -> None:
    patterns = rs.collect_patterns()
    names = set(patterns)
    # module globals, patterns inside dicts and tuples, and inside the claim core's fast searches
    for name in ("watcher.claims.clauses.CLAUSE_SPLIT", "watcher.content.text._WS", "watcher.content.relevance._GAP",
                 "watcher.claims.sentences._BOUNDARY", "watcher.claims.lexicon.VERBS['agree']"):
        assert name in names
    assert any(".VERB_FAST." in n for n in names)
    assert len(patterns) > 150


def _cost(pattern: re.Pattern[object], text: str | bytes, abort: float, tries: int = 3) -> float:
    return min(rs.timed(lambda: rs.run_once(pattern, text), abort) for _ in range(tries))


def test_every_pattern_scales_linearly() -> None:
    slow = []
    for name, pattern in sorted(rs.collect_patterns().items()):
        small = _cost(pattern, rs.composite(pattern, SMALL), abort=1.0)
        if small == float("inf"):
            slow.append(f"{name}: over 1 s on 10 KB")
            continue
        big_text = rs.composite(pattern, BIG)
        bound = 30 * small + 0.02
        big = rs.timed(lambda: rs.run_once(pattern, big_text), bound)   # noqa: B023
        if big > bound:   # once more, in case the machine was busy
            big = rs.timed(lambda: rs.run_once(pattern, big_text), bound)  # noqa: B023
        if big > bound:
            slow.append(f"{name}: {small * 1e3:.1f} ms on 10 KB, over {bound * 1e3:.0f} ms on 100 KB")
    assert not slow, "super-linear patterns:\n" + "\n".join(slow)


def test_a_quadratic_pattern_is_caught() -> None:
    """The check itself: a pattern that retries a run of spaces from each of its characters."""
    quadratic = re.compile(r"\s+(?:while|when)\b")
    small = _cost(quadratic, rs.composite(quadratic, SMALL), abort=2.0)
    bound = 30 * small + 0.02
    assert rs.timed(lambda: rs.run_once(quadratic, rs.composite(quadratic, BIG)), bound) > bound


def test_claims_on_a_sentence_with_a_huge_run_of_spaces() -> None:
    """The run of the issue (200,000 spaces took the clause splitter 233 s), of em spaces and of ASCII
    spaces, in a sentence the claim extractor reads clause by clause (stored text from before the
    whitespace was collapsed at extraction, read again by ``watcher replay``)."""
    from watcher.claims import extract_claims

    for space in (" ", "\u2003"):
        text = "South Korea, the United States and Japan agreed" + space * 200_000 + "to launch a secretariat."
        assert rs.timed(lambda text=text: extract_claims(text), 5.0) < 5.0  # type: ignore[misc]
