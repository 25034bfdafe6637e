"""A document's sentences with the countries and formats each names, and the document's scope (which
trilateral it is about), worked out only when a claim asks for them (pure; used by :mod:`.extract`)."""

from __future__ import annotations

from . import lexicon as lx
from .cjk_extract import doc_scope as cjk_doc_scope
from .clauses import THREE

_Feat = tuple[frozenset[str], bool, bool, bool]


def _features(sent: str) -> _Feat:
    """(countries named, an explicit other format, an explicit US-Japan-ROK format, a third party named)."""
    keys = lx.literal_keys(sent)
    return lx.countries_in(sent, keys), lx.other_format(sent, keys), "USJPKR" in keys, "THIRD" in keys


class DocScope:
    """The sentences of a document, with their features and the document's scope worked out
    only when a claim asks for them (most sentences carry none)."""

    __slots__ = ("text", "sentences", "_feats", "_scope", "_cjk_scope")

    def __init__(self, text: str, sentences: list[tuple[int, int]]) -> None:
        self.text = text
        self.sentences = sentences
        self._feats: list[_Feat | None] = [None] * len(sentences)
        self._scope: str | None = None
        self._cjk_scope: str | None = None

    def cjk_scope(self) -> str:
        """The format a Korean/Japanese text is about (worked out once, when asked)."""
        if self._cjk_scope is None:
            self._cjk_scope = cjk_doc_scope(self.text)
        return self._cjk_scope

    def features(self, i: int) -> _Feat:
        feat = self._feats[i]
        if feat is None:
            s, e = self.sentences[i]
            feat = self._feats[i] = _features(self.text[s:e])
        return feat

    def _ours(self, i: int) -> bool:
        countries, is_other, usjpkr, third = self.features(i)
        return not (is_other and third) and (usjpkr or countries >= THREE)

    def _other(self, i: int) -> bool:
        _countries, is_other, _usjpkr, third = self.features(i)
        return is_other and third

    def scope(self) -> str:
        """"us_jp_kr" when more sentences name the three (or their format) than another format
        with a third party, "other" when fewer, "unknown" on a tie."""
        if self._scope is None:
            self._scope = self._count_scope()
        return self._scope

    def _count_scope(self) -> str:
        # the literals found in the whole text hold those of each sentence (a superset: a
        # longest literal may run past a sentence's end): a sentence can count as "other" only
        # when a third party and another format are among them, as "ours" only when the
        # US-Japan-ROK format or all three countries are
        hits = lx.literal_hits(self.text)
        near: list[set[str]] = [set() for _ in self.sentences]
        j, n_hits = 0, len(hits)
        for i, (s, e) in enumerate(self.sentences):
            while j < n_hits and hits[j][0] < s:
                j += 1
            while j < n_hits and hits[j][0] < e:
                near[i] |= hits[j][1]
                j += 1
        may_other = ["THIRD" in k and "OTHER" in k for k in near]
        may_ours = ["USJPKR" in k or k >= THREE for k in near]
        ours = other = 0
        for i in range(len(self.sentences)):
            if may_other[i] and self._other(i):
                other += 1
            elif may_ours[i] and self._ours(i):
                ours += 1
                if not any(may_other):
                    break  # nothing can count as "other": one is enough
        if ours > other:
            return "us_jp_kr"
        if other > ours:
            return "other"
        return "unknown"
