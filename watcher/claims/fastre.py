"""Fast exact equivalent of ``re.finditer`` over a big alternation of named word groups.

Python's ``re`` tries every branch of an alternation at every word boundary, so one pattern
of a few hundred verbs costs tens of microseconds per sentence. :class:`WordAlternation`
reads each group's pattern once (with the standard library's regex parser) and works out
which words a match can start with (for branches behind ``\\b``) and which characters (for
the other branches, e.g. Korean and Japanese literals). At run time only positions starting
with such a word or character are tried, and only with the groups that can match there, in
the alternation's order. The matches are those ``re.finditer`` of the combined pattern gives.

A group whose pattern cannot be read this way (an unbounded repeat at its start, a case-
insensitive flag ...) makes the whole alternation fall back to the combined regex.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Sequence
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_parse  # type: ignore[attr-defined]
from typing import Any

_BUDGET = 200_000


class _Unreadable(Exception):
    pass


def _is_word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


class _Starts:
    """What a group's matches can start with."""

    def __init__(self) -> None:
        self.tokens: set[str] = set()     # exact first word, behind \b
        self.prefixes: set[str] = set()   # first word starts with this, behind \b
        self.chars: set[str] = set()      # first character, anywhere
        self.steps = 0


def _charset(items: Any) -> list[str] | None:
    """The characters of an IN node, or None when it is not a small explicit set."""
    out: list[str] = []
    for op, av in items:
        if op is sre_c.LITERAL:
            out.append(chr(av))
        elif op is sre_c.RANGE and av[1] - av[0] < 64:
            out.extend(chr(c) for c in range(av[0], av[1] + 1))
        else:
            return None
    return out


def _walk(nodes: list[Any], acc: str, boundary: bool, st: _Starts) -> None:
    """Follow ``nodes`` (a continuation) from the start of a match; ``acc`` is the word read so far."""
    st.steps += 1
    if st.steps > _BUDGET:
        raise _Unreadable("too many paths")
    if not nodes:
        if not acc:
            raise _Unreadable("empty match possible")
        st.prefixes.add(acc)  # the pattern may end inside a word: any longer word fits
        return
    op, av = nodes[0]
    rest = nodes[1:]
    if op is sre_c.LITERAL:
        _consume([chr(av)], rest, acc, boundary, st)
    elif op is sre_c.IN:
        chars = _charset(av)
        if chars is None:
            if acc:
                st.prefixes.add(acc)
                return
            raise _Unreadable("open character class at the start")
        _consume(chars, rest, acc, boundary, st)
    elif op is sre_c.BRANCH:
        for alt in av[1]:
            _walk(list(alt) + rest, acc, boundary, st)
    elif op is sre_c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        if add_flags or del_flags:
            raise _Unreadable("inline flags")
        _walk(list(sub) + rest, acc, boundary, st)
    elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
        lo, hi, sub = av
        if hi is sre_c.MAXREPEAT or hi > 4:
            if acc:
                st.prefixes.add(acc)
                return
            raise _Unreadable("open repeat at the start")
        for k in range(lo, hi + 1):
            _walk(list(sub) * k + rest, acc, boundary, st)
    elif op is sre_c.AT:
        if av is sre_c.AT_BOUNDARY:
            if acc:
                st.tokens.add(acc)  # a word was read: the boundary ends it exactly here
                return
            _walk(rest, acc, True, st)
        else:
            _walk(rest, acc, boundary, st)
    elif op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
        _walk(rest, acc, boundary, st)  # zero-width: ignoring it only widens the start set
    else:
        if acc:
            st.prefixes.add(acc)
            return
        raise _Unreadable(f"unsupported node {op}")


def _consume(chars: list[str], rest: list[Any], acc: str, boundary: bool, st: _Starts) -> None:
    for ch in chars:
        if acc:
            if _is_word(ch):
                _walk(rest, acc + ch, boundary, st)
            else:
                st.tokens.add(acc)  # the word ends before a non-word character
        elif boundary and _is_word(ch):
            _walk(rest, ch, boundary, st)
        else:
            st.chars.add(ch)


def _starts(pattern: re.Pattern[str]) -> _Starts:
    if pattern.flags & ~re.UNICODE:
        raise _Unreadable("flags")
    st = _Starts()
    _walk(list(sre_parse.parse(pattern.pattern, pattern.flags)), "", False, st)
    return st


def _trie(words: Sequence[str]) -> str:
    """A regex matching exactly ``words``, as a trie (Python's ``re`` does not factor prefixes)."""
    root: dict[str, Any] = {}
    for w in words:
        node = root
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + emit(node[ch]) for ch in sorted(k for k in node if k)]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


def _word_rx(tokens: Collection[str], prefixes: Sequence[str]) -> re.Pattern[str] | None:
    """Whole words that are in ``tokens`` or start with one of ``prefixes``."""
    parts = []
    if tokens:
        parts.append(rf"\b(?:{_trie(sorted(tokens))})\b")
    if prefixes:
        parts.append(rf"\b(?:{_trie(sorted(prefixes))})\w*")
    return re.compile("|".join(parts)) if parts else None


class WordAlternation:
    """``finditer`` of ``(?P<g0>p0)|(?P<g1>p1)|...``, yielding ``(name, match)`` of the group's own pattern.

    ``match`` is the match of the group's pattern at the same span (its ``start()`` /
    ``end()`` / ``group(0)`` are those of the combined match).
    """

    def __init__(self, groups: Sequence[tuple[str, re.Pattern[str]]]) -> None:
        self.names = tuple(name for name, _ in groups)
        self.patterns = tuple(rx for _, rx in groups)
        self.combined = re.compile("|".join(f"(?P<{n}>{rx.pattern})" for n, rx in groups))
        self.fast = True
        by_token: dict[str, list[int]] = {}
        by_char: dict[str, list[int]] = {}
        prefixes: dict[str, list[int]] = {}
        all_starts: list[_Starts] = []
        try:
            for i, rx in enumerate(self.patterns):
                st = _starts(rx)
                all_starts.append(st)
                for t in st.tokens:
                    by_token.setdefault(t, []).append(i)
                for p in st.prefixes:
                    prefixes.setdefault(p, []).append(i)
                for c in st.chars:
                    by_char.setdefault(c, []).append(i)
        except (_Unreadable, RecursionError):
            self.fast = False
        self._gate = _Gate(all_starts if self.fast else None)
        self._tokens = {t: tuple(v) for t, v in by_token.items()}
        self._chars = {c: tuple(v) for c, v in by_char.items()}
        self._prefixes = tuple((p, tuple(v)) for p, v in prefixes.items())
        self._ascii_chars = any(c.isascii() for c in self._chars)
        self._word_rx = _word_rx(self._tokens, [p for p, _ in self._prefixes])
        self._scan_rx: re.Pattern[str] | None = None
        self._lookup: dict[str, tuple[int, ...]] = {**self._tokens, **self._chars}
        token_chars = {ch for t in self._tokens for ch in t}
        if self.fast and not self._prefixes and not (token_chars & set(self._chars)) and (self._tokens or self._chars):
            parts = [rf"\b(?:{_trie(sorted(self._tokens))})\b"] if self._tokens else []
            if self._chars:
                parts.append("[" + "".join(re.escape(c) for c in sorted(self._chars)) + "]")
            self._scan_rx = re.compile("|".join(parts))
        self._char_rx = re.compile("[" + "".join(re.escape(c) for c in sorted(self._chars)) + "]") if self._chars else None

    def _candidates(self, text: str) -> list[tuple[int, tuple[int, ...]]]:
        tokens = self._tokens
        out: list[tuple[int, tuple[int, ...]]] = []
        if self._word_rx is not None:
            for m in self._word_rx.finditer(text):
                t = m.group()
                idx = tokens.get(t)
                if self._prefixes:
                    extra = [i for p, v in self._prefixes if t.startswith(p) for i in v]
                    if extra:
                        idx = tuple(sorted(set(extra) | set(idx or ())))
                if idx:
                    out.append((m.start(), idx))
        if self._char_rx is not None and (self._ascii_chars or not text.isascii()):
            chars = self._chars
            extra_pos = [(m.start(), chars[m.group()]) for m in self._char_rx.finditer(text)]
            if extra_pos:
                merged: dict[int, set[int]] = {}
                for p, idx in (*out, *extra_pos):
                    merged.setdefault(p, set()).update(idx)
                out = [(p, tuple(sorted(v))) for p, v in sorted(merged.items())]
        return out

    def finditer(self, text: str) -> Iterator[tuple[str, re.Match[str]]]:
        if not self.fast:
            for m in self.combined.finditer(text):
                name = m.lastgroup or ""
                yield name, m
            return
        last = 0
        patterns, names = self.patterns, self.names
        if self._scan_rx is not None:
            # one scan finds the candidate words and characters in order (they cannot overlap)
            lookup = self._lookup
            candidates: Iterable[tuple[int, tuple[int, ...]]] = (
                (m.start(), lookup[m.group()]) for m in self._scan_rx.finditer(text)
            )
        else:
            candidates = self._candidates(text)
        for pos, idx in candidates:
            if pos < last:
                continue
            for i in idx:
                hit = patterns[i].match(text, pos)
                if hit is not None:
                    yield names[i], hit
                    last = hit.end() if hit.end() > pos else pos + 1
                    break

    def maybe(self, text: str, words: frozenset[str]) -> bool:
        """False when ``text`` (whose words are ``words``, or a superset) holds no match."""
        return self._gate.maybe(text, words)

    def present(self, text: str) -> set[str]:
        """Names of the groups whose pattern matches somewhere in ``text`` (overlaps allowed)."""
        if not self.fast:
            return {n for n, rx in zip(self.names, self.patterns, strict=True) if rx.search(text)}
        cands: list[tuple[int, tuple[int, ...]]] = []
        tokens, prefixes = self._tokens, self._prefixes
        if self._word_rx is not None:
            for m in self._word_rx.finditer(text):
                t = m.group()
                idx = tokens.get(t, ())
                if prefixes:
                    idx = idx + tuple(i for p, v in prefixes if t.startswith(p) for i in v)
                if idx:
                    cands.append((m.start(), idx))
        if self._char_rx is not None and (self._ascii_chars or not text.isascii()):
            chars = self._chars
            cands.extend((m.start(), chars[m.group()]) for m in self._char_rx.finditer(text))
        found: set[int] = set()
        patterns = self.patterns
        for pos, idx in cands:
            for i in idx:
                if i not in found and patterns[i].match(text, pos) is not None:
                    found.add(i)
        return {self.names[i] for i in found}

    def search(self, text: str) -> bool:
        """Whether the alternation matches anywhere in ``text``."""
        return next(self.finditer(text), None) is not None

    def first(self, text: str) -> tuple[str, re.Match[str]] | None:
        for found in self.finditer(text):
            return found
        return None


WORD = re.compile(r"\w+")


def words_of(text: str) -> frozenset[str]:
    """The words (``\\w+`` runs) of ``text``: the input of :meth:`GatedSearch.search`."""
    return frozenset(WORD.findall(text))


class _Gate:
    """Whether a text may hold a match, from its words: see :class:`GatedSearch`."""

    def __init__(self, starts: Sequence[_Starts] | None) -> None:
        self.always = starts is None
        tokens: set[str] = set()
        prefixes: set[str] = set()
        chars: set[str] = set()
        for st in starts or ():
            tokens |= st.tokens
            prefixes |= st.prefixes
            chars |= st.chars
        self.tokens = frozenset(tokens)
        # a word starting with one of the prefixes: one C-level scan of the text
        self.prefix_rx = re.compile(rf"\b(?:{_trie(sorted(prefixes))})") if prefixes else None
        self.ascii_chars = any(c.isascii() for c in chars)
        self.char_rx = re.compile("[" + "".join(re.escape(c) for c in sorted(chars)) + "]") if chars else None

    def maybe(self, text: str, words: frozenset[str]) -> bool:
        if self.always or not self.tokens.isdisjoint(words):
            return True
        if self.prefix_rx is not None and self.prefix_rx.search(text) is not None:
            return True
        return (
            self.char_rx is not None and (self.ascii_chars or not text.isascii())
            and self.char_rx.search(text) is not None
        )
