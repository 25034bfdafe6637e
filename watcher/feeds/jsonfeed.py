"""JSON Feed (https://jsonfeed.org) bytes → :class:`ParseResult`, with the caps of the XML path."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from urllib.parse import urljoin, urlsplit

from ..content.text import PLAIN_ABSOLUTE_URL, clamp_date, html_to_text, plain_text
from ..errors import Outcome
from ..types import Entry, ParseResult

__all__ = ["parse_json_feed", "safe_link"]


def safe_link(link: Any, base: str) -> str | None:
    """An absolute http(s) URL for ``link`` resolved against ``base``, or None."""
    if not link or not isinstance(link, str):
        return None
    if PLAIN_ABSOLUTE_URL.fullmatch(link):   # the common case: urljoin would return it as it is
        return link
    try:
        full = urljoin(base, link.strip()) if base else link.strip()
        scheme = urlsplit(full).scheme.lower()
    except ValueError:
        return None
    return full if scheme in ("http", "https") else None


def _json_date(value: Any, now: dt.datetime) -> dt.datetime | None:
    if not isinstance(value, str) or not value.strip() or len(value) > 64:
        return None
    try:
        return clamp_date(dt.datetime.fromisoformat(value.strip().replace("z", "Z")), now)
    except ValueError:
        return None


def _json_str(value: Any, max_chars: int, html: bool = False) -> str:
    if not isinstance(value, str):
        return ""
    return html_to_text(value, max_chars) if html else plain_text(value, max_chars)


def _json_entry(item: dict[str, Any], base: str, lang: Any, max_chars: int, now: dt.datetime) -> Entry:
    authors = item.get("authors")
    author = item.get("author") or (authors[0] if isinstance(authors, list) and authors else None)
    name = author.get("name") if isinstance(author, dict) else None
    guid = item.get("id")
    lang = item.get("language") if isinstance(item.get("language"), str) else lang
    return Entry(
        guid=str(guid)[:2048] if isinstance(guid, (str, int)) and str(guid) else None,
        url=safe_link(item.get("url"), base) or safe_link(item.get("external_url"), base),
        title=_json_str(item.get("title"), max_chars, html=True),
        summary=_json_str(item.get("summary"), max_chars),
        content=_json_str(item.get("content_html"), max_chars, html=True)
        or _json_str(item.get("content_text"), max_chars),
        published_at=_json_date(item.get("date_published"), now) or _json_date(item.get("date_modified"), now),
        author=plain_text(name, 1000) if isinstance(name, str) and name.strip() else None,
        language=lang or None,
    )


def parse_json_feed(body: bytes, url: str, max_entries: int, max_chars: int, now: dt.datetime) -> ParseResult | None:
    """A JSON Feed, or None when the body is not JSON at all (then the XML path decides)."""
    try:
        doc = json.loads(body)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        if not body.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
            return None
        outcome = Outcome.MALFORMED if b"jsonfeed.org" in body[:4096] else Outcome.NOT_A_FEED
        return ParseResult(outcome, error=f"invalid JSON: {exc}"[:500])
    version = doc.get("version") if isinstance(doc, dict) else None
    if not isinstance(version, str) or "jsonfeed.org/version/" not in version:
        return ParseResult(Outcome.NOT_A_FEED, error="JSON that is not a JSON Feed")
    title = _json_str(doc.get("title"), max_chars) or None
    items = doc.get("items")
    if not isinstance(items, list):
        return ParseResult(Outcome.MALFORMED, title=title, error="JSON Feed without an items array")
    base = safe_link(doc.get("feed_url"), url) or url
    lang = doc.get("language") if isinstance(doc.get("language"), str) else None
    dicts = [item for item in items if isinstance(item, dict)]
    entries = tuple(_json_entry(item, base, lang, max_chars, now) for item in dicts[: max(max_entries, 0)])
    return ParseResult(Outcome.OK, entries, title, None, len(items) - len(entries))
