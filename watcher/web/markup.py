"""Untrusted text made safe for a page: search hits marked, claim sentences marked, links checked.

Everything from a feed or a page is escaped here piece by piece before the only tags we add
(``<mark>``) go around it; the result is :class:`markupsafe.Markup` so the template leaves it be.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup, escape

from ..store import search_terms


def terms_pattern(query: str) -> re.Pattern[str] | None:
    """A case-insensitive pattern matching any term of a search query (longest first)."""
    terms = sorted({t for t in search_terms(query or "") if t.strip()}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in terms), re.IGNORECASE)


def highlight(text: str | None, pattern: re.Pattern[str] | None) -> Markup:
    """``text`` escaped, with every match of ``pattern`` wrapped in ``<mark>``."""
    text = text or ""
    if pattern is None:
        return Markup(escape(text))
    out: list[str] = []
    pos = 0
    for m in pattern.finditer(text):
        if m.end() == m.start():
            continue
        out.append(str(escape(text[pos:m.start()])))
        out.append(f"<mark>{escape(m.group(0))}</mark>")
        pos = m.end()
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def snippet(text: str | None, pattern: re.Pattern[str] | None, width: int = 260) -> Markup:
    """A window of ``text`` around its first match (or its start), highlighted."""
    text = " ".join((text or "").split())
    if not text:
        return Markup("")
    m = pattern.search(text) if pattern else None
    start = max(0, (m.start() - width // 3) if m else 0)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < start + 20 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start + width // 2 else end
    piece = highlight(text[start:end], pattern)
    return Markup(("… " if start else "") + piece + (" …" if end < len(text) else ""))


def _locate(text: str, claim: dict[str, Any], after: int = 0) -> tuple[int, int] | None:
    start, end, sentence = int(claim.get("start") or 0), int(claim.get("end") or 0), claim.get("sentence") or ""
    if 0 <= start < end <= len(text) and (not sentence or text[start:end] == sentence):
        return start, end
    if sentence:
        i = text.find(sentence, after)
        if i < 0:
            i = text.find(sentence)
        if i >= 0:
            return i, i + len(sentence)
    return None


def claim_tip(claim: dict[str, Any]) -> str:
    bits = [claim.get("modality") or "", claim.get("action") or ""]
    if claim.get("negated"):
        bits.append("negated")
    what = " · ".join(b for b in bits if b) or "claim"
    about = claim.get("commitment_id")
    return f"Claim: {what}" + (f" — about {about}" if about else "")


def mark_claims(text: str | None, claims: Sequence[dict[str, Any]], evidence: Iterable[str] = ()) -> Markup:
    """The article text escaped, each claim sentence inside ``<mark class="claim">``.

    A claim that is the evidence of a change gets the class ``evidence`` too.

    Claims are placed by their offsets (or found by their sentence when the offsets do
    not fit the text); overlapping claims keep the first.
    """
    text = text or ""
    proof = {" ".join(e.split()) for e in evidence if e}
    located = []
    for c in sorted(claims, key=lambda c: (int(c.get("start") or 0), int(c.get("id") or 0))):
        where = _locate(text, c, 0)
        if where is not None:
            located.append((where[0], where[1], c))
    spans: list[tuple[int, int, dict[str, Any]]] = []
    for start, end, c in sorted(located, key=lambda s: (s[0], s[1])):
        if not spans or start >= spans[-1][1]:
            spans.append((start, end, c))
    out: list[str] = []
    pos = 0
    for start, end, c in spans:
        out.append(str(escape(text[pos:start])))
        cls = "claim about" if c.get("commitment_id") else "claim"
        if " ".join(text[start:end].split()) in proof:
            cls += " evidence"
        out.append(f'<mark class="{cls}" id="claim-{int(c.get("id") or 0)}" data-tip="{escape(claim_tip(c))}">'
                   f"{escape(text[start:end])}</mark>")
        pos = end
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def safe_url(url: str | None) -> str | None:
    """``url`` when it is a plain http(s) address, else None (``javascript:``, ``data:`` ... dropped)."""
    if not url:
        return None
    url = url.strip()
    if any(ord(c) < 32 or c in "\x7f<>\"'`" for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def outlets(values: Iterable[Any] | None) -> str:
    return ", ".join(str(v) for v in values or [])
