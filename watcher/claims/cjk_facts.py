"""Facts of a Korean or Japanese sentence that need no analyser: its format (ours, another
trilateral, bilateral), its actor, its deadline (see :mod:`.cjk`)."""

from __future__ import annotations

import datetime as dt
import re

from .cjk import Lexicon
from .deadlines import find_deadline


def names_three(sent: str, lex: Lexicon) -> bool:
    """The United States, Japan and Korea all named, no third party."""
    named = {code for code, words in lex.countries if any(w in sent for w in words)}
    return {"US", "JP", "KR"} <= named and not named & {"CN", "PH", "AU", "IN"}


def scope_of(sent: str, lex: Lexicon, generic_three: tuple[str, ...] = ()) -> str:
    """"us_jp_kr", "other" or "unknown" for one sentence (two of the three named and no word for
    the three: bilateral, "other")."""
    if any(w in sent for w in lex.trilateral):
        return "us_jp_kr"
    named = {code for code, words in lex.countries if any(w in sent for w in words)}
    if len(named & {"US", "JP", "KR"}) == 2 and not any(w in sent for w in generic_three):
        return "other"
    if any(w in sent for w in lex.other_format) or any(w in sent for w in lex.bilateral):
        return "other"
    return "us_jp_kr" if names_three(sent, lex) else "unknown"


def actor_of(zone: str, lex: Lexicon) -> tuple[str, bool]:
    """(the first government actor named in ``zone``, a non-government actor named first)."""
    best: tuple[int, str] | None = None
    for surface, label in lex.actors:
        p = zone.find(surface)
        if p >= 0 and (best is None or p < best[0]):
            best = (p, label)
    non = min((p for p in (zone.find(w) for w in lex.nongov) if p >= 0), default=-1)
    if non >= 0 and (best is None or non < best[0]):
        return "", True
    return (best[1] if best else ""), False


_CJK_SEASON = (
    (re.compile(r"올여름|올해 여름|今夏|今年の夏|今年夏"), 8, 31),
    (re.compile(r"상반기|上半期|上期"), 6, 30),
    (re.compile(r"연말|올해 말|年末|今年末|年内"), 12, 31),
)
_CJK_MONTH = re.compile(r"(\d{1,2})\s*(?:월|月)\s*(?:까지|말까지|중|までに|まで|中に)")


def deadline_of(sent: str, published: dt.date | None) -> tuple[dt.date | None, str]:
    """A deadline written in Korean or Japanese (연내, 年内, 今夏, 6월까지, 6月までに ...)."""
    if published is None:
        return None, ""
    for rx, month, day in _CJK_SEASON:
        m = rx.search(sent)
        if m:
            return dt.date(published.year, month, day), m.group(0)
    m = _CJK_MONTH.search(sent)
    if m and 1 <= int(m.group(1)) <= 12:
        month = int(m.group(1))
        year = published.year + (1 if month < published.month else 0)
        nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1), m.group(0)
    return find_deadline(sent.lower(), sent, published)


