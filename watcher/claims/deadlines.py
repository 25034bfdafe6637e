"""Deadline phrases ("before the end of the year", "by 2025", "next year") resolved to dates."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from .fastsearch import HeadSearch, LiteralScan

_MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12, "dec": 12,
}
_MONTH_RX = "|".join(sorted(_MONTHS, key=len, reverse=True))
_PART = r"(?P<part>the end of |end of |the first half of |the second half of |early |late |mid-?|the middle of )?"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("this_year", re.compile(
        r"\b(?:(?:before|by|until) (?:the )?end of (?:the |this )?year|by (?:the )?year[- ]end|"
        r"within (?:this|the) year|later this year|(?:before|by) year'?s end)\b|연내|올해 안|年内")),
    ("next_year", re.compile(
        r"\b(?:(?:to|until|in|by|for|before) )?(?P<part>early |late |mid-|the first half of |the end of )?"
        r"next year\b|\bin the new year\b|내년|来年")),
    ("next_month", re.compile(r"\bnext month\b|다음 달|来月")),
    ("month", re.compile(
        rf"\b(?:by|before|until|to|for) {_PART}(?P<month>{_MONTH_RX})\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?,?)?"
        r"(?:\s+(?P<year>20\d\d))?\b")),
    ("year", re.compile(rf"\b(?P<prep>by|before|in|until|to|for) {_PART}(?P<year>20\d\d)\b")),
    ("recurring", re.compile(
        r"\b(?:at least once a year|at least annually|once a year|annually|every year|each year|on an annual "
        r"basis|regularly)\b|매년|연 1회|毎年|年1回")),
    ("event", re.compile(
        r"\b(?:before the next (?:summit|meeting|round)[\w ]{0,12}|when (?:their|the|the three) leaders meet|"
        r"at the next (?:summit|meeting)|by the next (?:summit|meeting))\b")),
    ("indefinite", re.compile(r"\bindefinitely\b|무기한|無期限")),
    ("this_year_plain", re.compile(r"\bthis year\b|올해|今年")),
)


# the same searches, tried only where a literal a match starts with occurs
_FAST = {name: HeadSearch(rx) for name, rx in _PATTERNS}


def _end_of_month(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _part_date(year: int, part: str | None) -> dt.date:
    p = (part or "").strip()
    if p.startswith("early"):
        return dt.date(year, 3, 31)
    if p.startswith("mid") or "first half" in p or "middle" in p:
        return dt.date(year, 6, 30)
    return dt.date(year, 12, 31)


# Per pattern, literals one of which every match contains (None: no cheap cue, always try).
_PATTERN_CUES: dict[str, tuple[str, ...] | None] = {
    "this_year": ("year", "연내", "올해 안", "年内"),
    "next_year": ("next year", "new year", "내년", "来年"),
    "next_month": ("next month", "다음 달", "来月"),
    "month": None,  # _MONTH_WORD: a month name ending a word
    "year": ("20",),
    "recurring": ("annual", "once a year", "every year", "each year", "regularly", "매년", "연 1회", "毎年", "年1回"),
    "event": ("next ", "leaders meet"),
    "indefinite": ("indefinitely", "무기한", "無期限"),
    "this_year_plain": ("this year", "올해", "今年"),
}
_MONTH_WORD = re.compile(rf"(?:\b|mid)(?:{_MONTH_RX})\b")  # "by mid-march", "by midmarch"
_CUE_SCAN = LiteralScan({name: cues for name, cues in _PATTERN_CUES.items() if cues is not None})


def _candidates(low: str) -> set[str]:
    """Names of the patterns that may match ``low`` (one of their cues is there)."""
    found = _CUE_SCAN.keys(low)
    if _MONTH_WORD.search(low) is not None:
        found.add("month")
    return found


_CUES = ("year", "month", "by ", "before", "until", "to ", "for ", "in 20", "annual", "regular", "next",
         "indefinite", "when ", "연", "내년", "매년", "다음", "무기한", "年", "来", "無期限")


def find_deadline(low: str, original: str, published: dt.date | None) -> tuple[dt.date | None, str]:
    """(resolved date or None, the phrase as written) for the first deadline phrase in ``low``.

    ``low`` is the lower-cased sentence with the same offsets as ``original``.
    """
    if not any(cue in low for cue in _CUES):
        return None, ""
    candidates = _candidates(low)
    for name, _ in _PATTERNS:
        if name not in candidates:
            continue
        m = _FAST[name].search(low)
        if not m:
            continue
        text = original[m.start():m.end()].strip()
        year = published.year if published else None
        if name in ("this_year", "this_year_plain"):
            return (dt.date(year, 12, 31) if year else None), text
        if name == "next_year":
            part = m.groupdict().get("part")
            return (_part_date(year + 1, part) if year else None), text
        if name == "next_month":
            if not published:
                return None, text
            y, mo = (published.year + 1, 1) if published.month == 12 else (published.year, published.month + 1)
            return _end_of_month(y, mo), text
        if name == "month":
            month = _MONTHS[m.group("month")]
            if m.group("year"):
                y = int(m.group("year"))
            elif published:
                y = published.year + (1 if month < published.month else 0)
            else:
                return None, text
            return _end_of_month(y, month), text
        if name == "year":
            y = int(m.group("year"))
            if published and y < published.year:
                continue  # "in 2023" in a 2025 article is history, not a deadline
            if m.group("prep") == "before" and not m.group("part"):
                y -= 1
            return _part_date(y, m.group("part")), text
        return None, text
    return None, ""
