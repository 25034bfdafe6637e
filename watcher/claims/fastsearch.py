"""Fast exact searches: from literal heads (:class:`HeadSearch`), behind a word gate
(:class:`GatedSearch`), and overlapping literal sets (:class:`LiteralScan`).

Each gives what the plain ``re`` call gives; see :mod:`watcher.claims.fastre` for the reading
of patterns they rely on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import Any

from .fastre import WordAlternation, _charset, _Gate, _starts, _trie, _Unreadable
from .fastre import sre_c as sre_c  # type: ignore[attr-defined]
from .fastre import sre_parse as sre_parse  # type: ignore[attr-defined]


class LiteralScan:
    """Which keys have one of their literals in a text (occurrences may overlap).

    One C-level scan with a trie of every literal: each hit is the longest literal at its
    position, and the literals that are prefixes of it count as found too; the next search
    starts one character later, so overlapping occurrences are found as well.
    """

    def __init__(self, literals: dict[str, Sequence[str]]) -> None:
        keys_of: dict[str, set[str]] = {}
        for key, lits in literals.items():
            for lit in lits:
                if lit:
                    keys_of.setdefault(lit, set()).add(key)
        self._keys: dict[str, frozenset[str]] = {}
        for lit in keys_of:
            found: set[str] = set()
            for other, keys in keys_of.items():
                if lit.startswith(other):
                    found |= keys
            self._keys[lit] = frozenset(found)
        self._rx = re.compile(_trie(sorted(keys_of))) if keys_of else None

    def hits(self, text: str) -> list[tuple[int, frozenset[str]]]:
        """(position, keys) of every hit, in order: the keys of a hit include those of the
        literals that are prefixes of the longest one there."""
        out: list[tuple[int, frozenset[str]]] = []
        rx = self._rx
        if rx is None:
            return out
        keys = self._keys
        m = rx.search(text)
        while m is not None:
            out.append((m.start(), keys[m.group()]))
            m = rx.search(text, m.start() + 1)
        return out

    def keys(self, text: str) -> set[str]:
        out: set[str] = set()
        rx = self._rx
        if rx is None:
            return out
        keys = self._keys
        m = rx.search(text)
        while m is not None:
            out |= keys[m.group()]
            m = rx.search(text, m.start() + 1)
        return out


# ----------------------------------------------------------------- search from literal heads
_HEAD_MAX = 6        # characters: enough to be selective, few enough not to multiply branches
_HEADS_MAX = 4000


def _heads(nodes: list[Any], acc: str, out: set[str]) -> None:
    """Add to ``out`` the literal strings a match of ``nodes`` starts with (through zero-width
    assertions, groups, branches, optional parts and small character sets)."""
    if len(out) > _HEADS_MAX:
        raise _Unreadable("too many heads")
    if not nodes or len(acc) >= _HEAD_MAX:
        out.add(acc)
        return
    op, av = nodes[0]
    rest = nodes[1:]
    if op is sre_c.LITERAL:
        _heads(rest, acc + chr(av), out)
    elif op is sre_c.IN:
        chars = _charset(av)
        if chars is None or len(chars) > 8:
            out.add(acc)
            return
        for ch in chars:
            _heads(rest, acc + ch, out)
    elif op is sre_c.BRANCH:
        for alt in av[1]:
            _heads(list(alt) + rest, acc, out)
    elif op is sre_c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        if add_flags or del_flags:
            raise _Unreadable("inline flags")
        _heads(list(sub) + rest, acc, out)
    elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT) and av[1] is not sre_c.MAXREPEAT \
            and av[1] <= 2:
        lo, hi, sub = av
        for k in range(lo, hi + 1):
            _heads(list(sub) * k + rest, acc, out)
    elif op in (sre_c.AT, sre_c.ASSERT, sre_c.ASSERT_NOT):
        _heads(rest, acc, out)  # zero-width
    else:
        out.add(acc)


class HeadSearch:
    """``pattern.search`` tried only where one of the literal strings its matches start with occurs.

    Python's ``re`` scans fast for a set of literals (a trie) but slowly for an alternation whose
    branches start with ``\\b``. Every match of ``pattern`` starts with one of its heads, so
    trying ``pattern.match`` at each occurrence of a head (overlaps included), left to right,
    gives the match ``pattern.search`` gives. Falls back to ``pattern.search`` when a match could
    start with something else (an open character class, a case-insensitive flag ...).
    """

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        heads: set[str] = set()
        try:
            if pattern.flags & ~re.UNICODE:
                raise _Unreadable("flags")
            _heads(list(sre_parse.parse(pattern.pattern, pattern.flags)), "", heads)
        except (_Unreadable, RecursionError):
            heads = {""}
        self._head_rx = None if "" in heads else re.compile(_trie(sorted(heads)))

    def search(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        end = len(text) if endpos is None else endpos
        head_rx = self._head_rx
        if head_rx is None:
            return self.pattern.search(text, pos, end)
        match = self.pattern.match
        h = head_rx.search(text, pos, end)
        while h is not None:
            q = h.start()
            m = match(text, q, end)
            if m is not None:
                return m
            h = head_rx.search(text, q + 1, end)
        return None

    def match(self, text: str, pos: int = 0, endpos: int | None = None) -> re.Match[str] | None:
        return self.pattern.match(text, pos, len(text) if endpos is None else endpos)


class GatedSearch(HeadSearch):
    """:class:`HeadSearch` behind a check on the words of the text.

    ``search_in(text, words)`` needs ``words`` to hold every word of ``text`` (the words of a
    text that contains ``text`` cut at word boundaries, e.g. a sentence for one of its clauses,
    will do): a match behind ``\\b`` starts with a known first word, so when none of those words
    is there (nor a word with a known prefix, nor a character a match may start with), there is
    no match and no scan is needed.
    """

    def __init__(self, pattern: re.Pattern[str]) -> None:
        super().__init__(pattern)
        try:
            self._gate = _Gate([_starts(pattern)])
        except (_Unreadable, RecursionError):
            self._gate = _Gate(None)

    def maybe(self, text: str, words: frozenset[str]) -> bool:
        return self._gate.maybe(text, words)

    def search_in(self, text: str, words: frozenset[str]) -> re.Match[str] | None:
        return self.search(text) if self._gate.maybe(text, words) else None


def _bounded_heads(nodes: list[Any], acc: str, bounded: bool, out: set[tuple[str, bool]]) -> None:
    """:func:`_heads`, each head with whether a ``\\b`` comes before its first character."""
    if len(out) > _HEADS_MAX:
        raise _Unreadable("too many heads")
    if not nodes or len(acc) >= _HEAD_MAX:
        out.add((acc, bounded))
        return
    op, av = nodes[0]
    rest = nodes[1:]
    if op is sre_c.LITERAL:
        _bounded_heads(rest, acc + chr(av), bounded, out)
    elif op is sre_c.IN:
        chars = _charset(av)
        if chars is None or len(chars) > 8:
            out.add((acc, bounded))
            return
        for ch in chars:
            _bounded_heads(rest, acc + ch, bounded, out)
    elif op is sre_c.BRANCH:
        for alt in av[1]:
            _bounded_heads(list(alt) + rest, acc, bounded, out)
    elif op is sre_c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        if add_flags or del_flags:
            raise _Unreadable("inline flags")
        _bounded_heads(list(sub) + rest, acc, bounded, out)
    elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT) and av[1] is not sre_c.MAXREPEAT \
            and av[1] <= 2:
        lo, hi, sub = av
        for k in range(lo, hi + 1):
            _bounded_heads(list(sub) * k + rest, acc, bounded, out)
    elif op is sre_c.AT:
        _bounded_heads(rest, acc, bounded or (not acc and av is sre_c.AT_BOUNDARY), out)
    elif op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
        _bounded_heads(rest, acc, bounded, out)  # zero-width
    else:
        out.add((acc, bounded))


class HeadAlternation(WordAlternation):
    """:class:`~watcher.claims.fastre.WordAlternation` whose scan looks for the literal heads
    (up to six characters, e.g. "in pri", "to fin") that matches of each group start with,
    rather than for whole first words ("in", "to"): far fewer positions to try in text that
    holds no match.

    Every match of a group starts with one of its heads, so trying, at each occurrence of a head
    (overlaps included, left to right), the groups that have that head or one of its prefixes as
    a head, in the alternation's order, gives the matches of ``finditer`` of the combined pattern.
    Falls back to the word scan when a group has no usable heads.
    """

    def __init__(self, groups: Sequence[tuple[str, re.Pattern[str]]]) -> None:
        super().__init__(groups)
        found: set[tuple[str, bool]] = set()  # (head, whether a word boundary precedes it on its path)
        groups_of: dict[str, set[int]] = {}
        try:
            for i, rx in enumerate(self.patterns):
                if rx.flags & ~re.UNICODE:
                    raise _Unreadable("flags")
                heads: set[tuple[str, bool]] = set()
                _bounded_heads(list(sre_parse.parse(rx.pattern, rx.flags)), "", False, heads)
                if any(not h for h, _b in heads):
                    raise _Unreadable("a match may start anywhere")
                found |= heads
                for h, _b in heads:
                    groups_of.setdefault(h, set()).add(i)
        except (_Unreadable, RecursionError):
            groups_of = {}
        # a head is searched behind \b only when every path to it has one, and no head searched
        # without \b starts with the same character (so that at most one of the two tries hits
        # at any position, and its longest head there, with its prefixes, names every group)
        loose = {h for h, b in found if not b}
        loose_first = {h[0] for h in loose}
        bounded = {h for h, _b in found if h not in loose and h[0] not in loose_first}
        loose = set(groups_of) - bounded
        self._head_groups: dict[str, tuple[int, ...]] = {
            h: tuple(sorted({i for p, idx in groups_of.items() if h.startswith(p) for i in idx})) for h in groups_of
        }
        parts = ([rf"\b(?:{_trie(sorted(bounded))})"] if bounded else []) + ([_trie(sorted(loose))] if loose else [])
        self._head_rx = re.compile("|".join(parts)) if groups_of and self.fast else None
        # ASCII text cannot hold a non-ASCII head: the (much faster) search behind \b alone will do
        self._ascii_rx = self._head_rx
        if self._head_rx is not None and bounded and not any(h[0].isascii() for h in loose):
            self._ascii_rx = re.compile(parts[0])

    def finditer(self, text: str) -> Iterator[tuple[str, re.Match[str]]]:
        head_rx = self._ascii_rx if text.isascii() else self._head_rx
        if head_rx is None:
            yield from super().finditer(text)
            return
        h = head_rx.search(text)
        if h is None:
            return
        patterns, names, head_groups = self.patterns, self.names, self._head_groups
        while h is not None:
            pos = h.start()
            nxt = pos + 1
            for i in head_groups[h.group()]:
                hit = patterns[i].match(text, pos)
                if hit is not None:
                    yield names[i], hit
                    if hit.end() > nxt:
                        nxt = hit.end()
                    break
            h = head_rx.search(text, nxt)
