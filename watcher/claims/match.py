"""Matching a claim to registry commitments: aliases (any language), keywords, setting filter.

An alias hit scores 3; each distinct keyword 1, plus 1 when the keyword is also a distinctive
word of the commitment's title. A commitment matches at 2 or more. A hit used as a setting
("during the Trilateral Leaders' Summit", "before the next summit") does not count.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ..commitments.registry import Commitment
from .fastsearch import GatedSearch
from .sentences import fold

# Keywords too common to identify a commitment on their own title.
_GENERIC = frozenset(
    {"north korea", "dprk", "pyongyang", "leaders", "leader", "coordination", "cooperation", "annual",
     "annually", "trilateral", "security", "real time", "framework", "regional", "peace", "dialogue",
     "meeting", "meetings", "data sharing", "people to people", "consult", "consultation", "exercise",
     "drill", "un security council resolutions"}
)
_SETTING = re.compile(
    r"\b(?:during|at|since|after|following|before|ahead of|on the sidelines of|on the margins of|"
    r"on the occasion of|in the run up to|on the eve of)\s+(?:the\s+|this\s+|that\s+|their\s+|a\s+|an\s+|"
    r"last\s+|next\s+|its\s+)?(?:[\w']+\s+){0,3}$"
)
_SETTING_FAST = GatedSearch(_SETTING)  # the same search, tried only where a setting word occurs
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@dataclass(frozen=True)
class Matcher:
    alias_rx: re.Pattern[str] | None
    alias_ids: dict[str, tuple[str, ...]]
    keyword_rx: dict[str, re.Pattern[str]]
    boosted: dict[str, frozenset[str]]
    order: dict[str, int]
    # word -> commitments with a keyword that can start with it; commitments always tried
    keyword_index: dict[str, tuple[str, ...]] = field(default_factory=dict)
    keyword_always: tuple[str, ...] = ()

    def match(self, text: str, focus: str | None = None) -> list[str]:
        """Ids of the commitments ``text`` refers to, strongest first.

        ``focus``: the phrase the claim is about (its object). A commitment found by keywords
        alone needs a distinctive (non-generic) keyword; when that is a single word and the
        only one ("summit" beside "leaders"), it must be in ``focus`` when one is given.
        """
        return self._match(fold(text), focus, False)

    def match_folded(self, low: str, focus: str | None = None) -> list[str]:
        """:meth:`match` of text (and focus) already passed through :func:`fold`."""
        return self._match(low, focus, True)

    def _match(self, low: str, focus: str | None, focus_folded: bool) -> list[str]:
        scores: dict[str, int] = {}
        words = frozenset(_WORD.findall(low))
        settings = _SETTING_FAST.maybe(low, words)  # a setting word anywhere ("during", "at" ...)
        if self.alias_rx is not None:
            for m in self.alias_rx.finditer(low):
                if settings and _is_setting(low, m.start()):
                    continue
                for cid in self.alias_ids.get(m.group(0), ()):
                    scores[cid] = max(scores.get(cid, 0), 3)
        for cid in self._keyword_candidates(words):
            if scores.get(cid, 0) >= 3:
                continue
            seen: set[str] = set()
            for m in self.keyword_rx[cid].finditer(low):
                kw = _singular(m.group(0))
                if kw in seen or (settings and _is_setting(low, m.start())):
                    continue
                seen.add(kw)
            distinctive = [k for k in seen if k not in _GENERIC]
            if not distinctive:
                continue  # "annual" + "meeting", "leaders" + "annual": nothing names this commitment
            if focus is not None and len(distinctive) == 1 and " " not in distinctive[0]:
                if not focus_folded:
                    focus, focus_folded = fold(focus), True
                if not re.search(rf"\b{re.escape(distinctive[0])}(?:s|es)?\b", focus):
                    continue  # one generic-looking word outside what the claim is about
            score = len(seen) + sum(1 for k in seen if k in self.boosted[cid])
            scores[cid] = max(scores.get(cid, 0), score)
        hits = [cid for cid, sc in scores.items() if sc >= 2]
        hits.sort(key=lambda c: (-scores[c], self.order[c]))
        return hits

    def _keyword_candidates(self, words: frozenset[str]) -> list[str]:
        """Commitments whose keyword regex can match a text with these words (a superset), in
        registry order."""
        index = self.keyword_index
        found = set(self.keyword_always)
        for w in index.keys() & words:
            found.update(index[w])
        return sorted(found, key=self.order.__getitem__)


_WORD = re.compile(r"\w+")


def _singular(word: str) -> str:
    if word.endswith("es") and word[:-2].endswith(("ss", "sh", "ch", "x")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _is_setting(low: str, pos: int) -> bool:
    return bool(_SETTING_FAST.search(low, max(0, pos - 60), pos))


def _term_rx(terms: Sequence[str]) -> str:
    """Any of ``terms`` (plain ones as whole words, plural -s / -es allowed; CJK ones anywhere).

    Built as a trie: Python's ``re`` tries alternatives one by one, so a flat alternation of a
    few hundred aliases is slow. At one position the longest term that matches wins, as in the
    flat alternation sorted longest first.
    """
    uniq = sorted(set(terms))
    plain = [t for t in uniq if not _CJK.search(t)]
    cjk = [t for t in uniq if _CJK.search(t)]
    if {t[:1] for t in plain} & {t[:1] for t in cjk}:
        return _flat_term_rx(uniq)  # a plain and a CJK term start alike: keep the plain order
    parts = []
    if plain:
        parts.append(r"\b" + _trie(plain, r"(?:s|es)?\b"))
    if cjk:
        parts.append(_trie(cjk, ""))
    return "|".join(parts)


def _flat_term_rx(terms: Sequence[str]) -> str:
    parts = []
    for t in sorted(set(terms), key=len, reverse=True):
        esc = re.escape(t)
        if _CJK.search(t):
            parts.append(esc)
        else:
            parts.append(rf"\b{esc}(?:s|es)?\b")
    return "|".join(parts)


def _trie(terms: Sequence[str], tail: str) -> str:
    """A regex for ``terms`` each followed by ``tail``; longer terms are tried first."""
    root: dict[str, Any] = {}
    for t in terms:
        node = root
        for ch in t:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict[str, Any]) -> str:
        alts = [re.escape(ch) + emit(node[ch]) for ch in sorted(k for k in node if k)]
        if "" in node:
            alts.append(tail)  # the term ends here: after every longer continuation
        if len(alts) == 1:
            return alts[0]
        return "(?:" + "|".join(alts) + ")"

    return emit(root)


def _first_words(term: str) -> tuple[str, ...] | None:
    """Words a match of ``term`` (as in :func:`_term_rx`) starts with; None when it can start anywhere."""
    if _CJK.search(term):
        return None
    m = _WORD.match(term)
    if m is None:
        return None
    w = m.group(0)
    if m.end() == len(term):
        return (w, w + "s", w + "es")
    return (w,)


@functools.lru_cache(maxsize=64)
def build_matcher(commitments: tuple[Commitment, ...]) -> Matcher:
    alias_ids: dict[str, list[str]] = {}
    keyword_rx: dict[str, re.Pattern[str]] = {}
    boosted: dict[str, frozenset[str]] = {}
    index: dict[str, list[str]] = {}
    always: list[str] = []
    for c in commitments:
        for alias in c.aliases:
            a = fold(alias)
            if len(a) >= 2 and c.id not in alias_ids.setdefault(a, []):
                alias_ids[a].append(c.id)
        kws = [fold(k) for k in c.keywords if fold(k)]
        # a keyword that names the commitment's head (a word of its id) counts double
        id_words = set(c.id.split("_"))
        boosted[c.id] = frozenset(
            _singular(k) for k in kws if k not in _GENERIC and set(_singular(k).split()) <= id_words
        )
        if kws:
            keyword_rx[c.id] = re.compile(_term_rx(kws))
            for k in kws:
                words = _first_words(k)
                if words is None:
                    always.append(c.id)
                    continue
                for w in words:
                    if c.id not in index.setdefault(w, []):
                        index[w].append(c.id)
    alias_rx = re.compile(_term_rx(list(alias_ids))) if alias_ids else None
    # the alias regex may match a plural form: map it back
    full_ids: dict[str, tuple[str, ...]] = {}
    for a, ids in alias_ids.items():
        for form in (a, a + "s", a + "es"):
            full_ids.setdefault(form, tuple(ids))
    order = {c.id: i for i, c in enumerate(commitments)}
    return Matcher(alias_rx, full_ids, keyword_rx, boosted, order,
                   {w: tuple(ids) for w, ids in index.items()}, tuple(dict.fromkeys(always)))
