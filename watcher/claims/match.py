"""Matching a claim to registry commitments: aliases (any language), keywords, setting filter.

An alias hit scores 3; each distinct keyword 1, plus 1 when the keyword is also a distinctive
word of the commitment's title. A commitment matches at 2 or more. A hit used as a setting
("during the Trilateral Leaders' Summit", "before the next summit") does not count.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..registry import Commitment
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
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


@dataclass(frozen=True)
class Matcher:
    alias_rx: re.Pattern[str] | None
    alias_ids: dict[str, tuple[str, ...]]
    keyword_rx: dict[str, re.Pattern[str]]
    boosted: dict[str, frozenset[str]]
    order: dict[str, int]

    def match(self, text: str) -> list[str]:
        """Ids of the commitments ``text`` refers to, strongest first."""
        low = fold(text)
        scores: dict[str, int] = {}
        if self.alias_rx is not None:
            for m in self.alias_rx.finditer(low):
                if _is_setting(low, m.start()):
                    continue
                for cid in self.alias_ids.get(m.group(0), ()):
                    scores[cid] = max(scores.get(cid, 0), 3)
        for cid, rx in self.keyword_rx.items():
            if scores.get(cid, 0) >= 3:
                continue
            seen: set[str] = set()
            for m in rx.finditer(low):
                kw = _singular(m.group(0))
                if kw in seen or _is_setting(low, m.start()):
                    continue
                seen.add(kw)
            if seen:
                score = len(seen) + sum(1 for k in seen if k in self.boosted[cid])
                scores[cid] = max(scores.get(cid, 0), score)
        hits = [cid for cid, sc in scores.items() if sc >= 2]
        hits.sort(key=lambda c: (-scores[c], self.order[c]))
        return hits


def _singular(word: str) -> str:
    if word.endswith("es") and word[:-2].endswith(("ss", "sh", "ch", "x")):
        return word[:-2]
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _is_setting(low: str, pos: int) -> bool:
    return bool(_SETTING.search(low, max(0, pos - 60), pos))


def _term_rx(terms: Sequence[str]) -> str:
    parts = []
    for t in sorted(set(terms), key=len, reverse=True):
        esc = re.escape(t)
        if _CJK.search(t):
            parts.append(esc)
        else:
            parts.append(rf"\b{esc}(?:s|es)?\b")
    return "|".join(parts)


@functools.lru_cache(maxsize=64)
def build_matcher(commitments: tuple[Commitment, ...]) -> Matcher:
    alias_ids: dict[str, list[str]] = {}
    keyword_rx: dict[str, re.Pattern[str]] = {}
    boosted: dict[str, frozenset[str]] = {}
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
    alias_rx = re.compile(_term_rx(list(alias_ids))) if alias_ids else None
    # the alias regex may match a plural form: map it back
    full_ids: dict[str, tuple[str, ...]] = {}
    for a, ids in alias_ids.items():
        for form in (a, a + "s", a + "es"):
            full_ids.setdefault(form, tuple(ids))
    order = {c.id: i for i, c in enumerate(commitments)}
    return Matcher(alias_rx, full_ids, keyword_rx, boosted, order)
