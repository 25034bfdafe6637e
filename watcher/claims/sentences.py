"""Sentence splitting and text folding (pure, offset-preserving)."""

from __future__ import annotations

import re
import unicodedata

# Abbreviations whose period does not end a sentence (lower-case, without the final dot).
_ABBREV = frozenset(
    ["mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "cmdr", "adm", "sgt", "sen", "rep", "gov", "pres", "st", "no", "vs", "etc", "e.g", "i.e", "inc", "corp", "co", "ltd", "jr", "sr", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "mt", "ft", "dept", "est", "approx", "fig", "vol", "art", "sec", "u.s", "u.n", "u.k", "n.k", "s.k", "r.o.k", "d.p.r.k", "u.s.a", "d.c", "e.u", "p.m", "a.m", "s", "n"]
)
# Dotted acronyms that can still end a sentence ("... ties with the U.S. The talks ...").
_DOTTED_END_OK = frozenset({"u.s", "u.n", "u.k", "d.c", "p.m", "a.m", "e.u", "u.s.a", "n.k", "r.o.k"})
_STARTERS = frozenset(
    ["the", "he", "she", "it", "they", "we", "in", "on", "at", "but", "this", "that", "these", "those", "a", "an", "its", "their", "his", "her", "our", "however", "meanwhile", "also", "after", "before", "during", "earlier", "later", "according", "while", "when", "since", "as", "if"]
)
# "(?<!...)": each pattern is tried from the start of a run of its first class only, not again from every
# character of the run (a run of 100,000 dots or spaces costs linear time, not quadratic)
# A period glued to the next sentence, as scraped pages often have it ("... threats.Seoul's military ..."):
# a boundary when two lower-case letters come before it and a capitalised word after it.
_BOUNDARY = re.compile(
    r"(?<![.!?。！？])[.!?。！？]+[\"'”’)\]」』]*(?=\s|$|[가-힣ぁ-んァ-ン一-龥\"“‘]|(?<=[a-z][a-z]\.)[A-Z][a-z])"
)
_NEXT_START = re.compile(r"(?<!\s)\s*([\"'“‘(\[「『]*)(\S)")
_PARA = re.compile(r"[^\n]+")
_LATIN_WORD = re.compile(r"[A-Za-z]+")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of ``text``; text[start:end] is stripped."""
    out: list[tuple[int, int]] = []
    for para in _PARA.finditer(text):
        p0 = para.start()
        seg = para.group(0)
        start = 0
        for m in _BOUNDARY.finditer(seg):
            end = m.end()
            if not _is_boundary(seg, m.start(), end):
                continue
            _push(out, seg, p0, start, end)
            start = end
        _push(out, seg, p0, start, len(seg))
    return out


def _push(out: list[tuple[int, int]], seg: str, base: int, a: int, b: int) -> None:
    chunk = seg[a:b]
    stripped = chunk.strip()
    if not stripped:
        return
    lead = len(chunk) - len(chunk.lstrip())
    out.append((base + a + lead, base + a + lead + len(stripped)))


def _is_boundary(seg: str, punct_start: int, end: int) -> bool:
    mark = seg[punct_start]
    if mark in "。！？":
        return True
    nxt = _NEXT_START.match(seg, end)
    if nxt is None:
        return True  # end of paragraph
    first = nxt.group(2)
    if mark == ".":
        word = _word_before(seg, punct_start).lstrip("\"'“‘(").lower()
        if word in _ABBREV or (len(word) == 1 and word.isalpha()):
            if word in _DOTTED_END_OK:
                nxt_word = _LATIN_WORD.match(seg, nxt.start(2))
                return bool(nxt_word and nxt_word.group(0).lower() in _STARTERS and first.isupper())
            return False
    return not first.islower()


def _word_before(seg: str, end: int) -> str:
    """The run of non-space characters ending at ``end`` ("" when a space precedes it)."""
    i = end
    while i > 0 and not seg[i - 1].isspace():
        i -= 1
    return seg[i:end]


# ----------------------------------------------------------------- folding
_FOLD_MAP = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": " ", "\u2014": " ",
        "-": " ", "/": " ", "·": " ", "・": " ", "‧": " ", "\u00a0": " ", "(": " ", ")": " ",
    }
)
_ABBREV_SUBS = (  # (a literal every match contains, pattern, replacement), in this order
    ("u.", re.compile(r"\bu\.\s?s\.(?:a\.)?"), "us "),
    ("u.", re.compile(r"\bu\.\s?n\."), "un "),
    ("u.", re.compile(r"\bu\.\s?k\."), "uk "),
    ("r.o.k.", re.compile(r"\br\.o\.k\."), "rok "),
    ("n.", re.compile(r"\bn\.\s?k\."), "north korea "),
    ("s.", re.compile(r"\bs\.\s?korea"), "south korea"),
)
_POSSESSIVE = re.compile(r"'s\b")
_PUNCT_TO_SPACE = str.maketrans(dict.fromkeys("\"',.;:!?", " "))


def fold(text: str) -> str:
    """Lower-case matching form: NFKC, straight quotes, abbreviations unified, punctuation to spaces.

    Not offset-preserving; use it for matching only, never for evidence.
    """
    s = (text if text.isascii() else unicodedata.normalize("NFKC", text)).lower().translate(_FOLD_MAP)
    if "." in s:
        for cue, rx, rep in _ABBREV_SUBS:
            if cue in s:
                s = rx.sub(rep, s)
    if "'s" in s:
        s = _POSSESSIVE.sub("", s)
    return " ".join(s.translate(_PUNCT_TO_SPACE).split())


_LOW_MAP = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-"})


def lower_same_length(text: str) -> str:
    """Lower-case with straight quotes, keeping every offset (characters whose lower form
    changes length are kept as they are)."""
    low = text.lower()
    if len(low) != len(text):
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low.translate(_LOW_MAP)
