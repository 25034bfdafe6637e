"""Feed bytes + response headers → :class:`ParseResult` (RSS 0.9x/1.0/2.0, Atom, CDF via feedparser; JSON Feed).

Hostile input is expected. What this module guarantees:

- feedparser never fetches or opens anything: we drive its parser classes ourselves over the bytes
  (``feedparser.parse`` would ``open()`` a bytes argument that happens to name a file).
- No entity declared in a DTD is ever expanded, and nothing outside the document is read: after the body is
  converted to UTF-8 (feedparser's own charset rules, so every encoding is covered), every DOCTYPE and
  markup declaration in the prolog is cut out with a quote/comment-aware scanner; and the expat reader
  refuses entity declarations and external entity references outright (defusedxml's approach) in case
  anything slipped through. Billion laughs, quadratic blow-up, XXE and external DTDs never reach expat.
- The body is capped (``max_bytes``); a feed with far more entries than ``max_entries`` is cut before
  parsing, so 100k entries cost what ``max_entries`` cost; every text field is capped at ``max_field_chars``.
- Expected failures are outcomes (OK, NOT_A_FEED, MALFORMED, EMPTY_BODY), never exceptions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import time
import xml.sax
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from xml.parsers import expat
from xml.sax.expatreader import ExpatParser

from feedparser.api import LooseFeedParser, StrictFeedParser
from feedparser.encodings import convert_to_utf8
from feedparser.exceptions import CharacterEncodingOverride, NonXMLContentType
from feedparser.urls import make_safe_absolute_uri
from feedparser.util import FeedParserDict

from ..content.text import clamp_date, html_to_text, plain_text
from ..errors import Outcome
from ..types import Entry, ParseResult
from . import fastparse
from .jsonfeed import parse_json_feed as _parse_json
from .jsonfeed import safe_link as _safe_link

__all__ = ["FAST_PATH", "MAX_BODY_BYTES", "parse_feed", "strip_dtd"]

MAX_BODY_BYTES = 20 * 1024 * 1024
Keep = Callable[[str, str, str], bool]   # (title, summary, content) -> build this entry?
FAST_PATH = True  # try watcher.feeds.fastparse (lxml, same answers) before feedparser for plain UTF-8 feeds
_FAST_ENCODINGS = frozenset({"utf-8", "us-ascii"})

# --- DTD stripping -----------------------------------------------------------------------------------------
_WS_RUN = re.compile(rb"[ \t\r\n]*")
_DTD_SPECIAL = re.compile(rb"[\"'\[\]<>]")


def _after(data: bytes, marker: bytes, start: int) -> int:
    j = data.find(marker, start)
    return len(data) if j < 0 else j + len(marker)


def _decl_end(data: bytes, pos: int) -> int:
    """End (exclusive) of the markup declaration ``<!...>`` starting at ``pos``: quoted strings, an internal
    subset ``[...]`` with its comments and PIs are skipped as units. len(data) when it never ends."""
    i, in_subset = pos + 2, False
    while (m := _DTD_SPECIAL.search(data, i)) is not None:
        i = m.start()
        c = data[i]
        if c in (0x22, 0x27):  # a quoted literal
            i = _after(data, bytes((c,)), i + 1)
        elif c in (0x5B, 0x5D):  # [ ]
            in_subset, i = c == 0x5B, i + 1
        elif c == 0x3E:  # >
            i += 1
            if not in_subset:
                return i
        elif data.startswith(b"<!--", i):
            i = _after(data, b"-->", i + 4)
        elif data.startswith(b"<?", i):
            i = _after(data, b"?>", i + 2)
        else:  # "<" of a nested declaration such as <!ENTITY ...>: its quotes are handled above
            i += 1
    return len(data)


def strip_dtd(data: bytes) -> tuple[bytes, int, bool]:
    """Remove every ``<!DOCTYPE ...>`` (with its internal subset) and any other markup declaration from the
    prolog of UTF-8 (or any ASCII-compatible) XML. Comments and PIs stay. Returns (data, offset of the root
    element in the returned data, whether anything was removed). An unterminated declaration swallows the
    rest of the document, as it would for an XML parser."""
    pieces: list[bytes] = []
    keep_from = 0
    pos = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    removed = False
    n = len(data)
    while pos < n:
        ws = _WS_RUN.match(data, pos)
        pos = ws.end() if ws else pos
        if data.startswith(b"<?", pos):
            pos = _after(data, b"?>", pos + 2)
        elif data.startswith(b"<!--", pos):
            pos = _after(data, b"-->", pos + 4)
        elif data.startswith(b"<!", pos) and not data.startswith(b"<![CDATA[", pos):
            pieces.append(data[keep_from:pos])
            pos = _decl_end(data, pos)
            keep_from = pos
            removed = True
        else:
            break
    if not removed:
        return data, pos, False
    head = b"".join(pieces)
    return head + data[keep_from:], len(head) + (pos - keep_from), True


class _DefusedExpatParser(ExpatParser):
    """The SAX expat reader, with entity declarations and external references refused (defusedxml style)."""

    def reset(self) -> None:
        super().reset()
        parser = self._parser  # type: ignore[attr-defined]
        parser.EntityDeclHandler = _refuse_entity
        parser.UnparsedEntityDeclHandler = _refuse_entity
        parser.ExternalEntityRefHandler = _refuse_external
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)


def _refuse_entity(*_args: Any) -> None:
    raise xml.sax.SAXException("entity declarations are not allowed")


def _refuse_external(*_args: Any) -> int:
    raise xml.sax.SAXException("external entities are not allowed")


# --- pre-parse helpers -------------------------------------------------------------------------------------
_CTRL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_ENTRY_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>")
_FEEDISH = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:rss|feed|RDF|channel|item|entry)\b", re.I)
_HTML_ROOT = re.compile(rb"<html\b|<head\b|<body\b", re.I)
_SOFT_BOZO = (CharacterEncodingOverride, NonXMLContentType)


def _cut_entries(data: bytes, max_entries: int) -> tuple[bytes, int]:
    """When the document has more than ``max_entries`` closing item/entry tags, drop the surplus items
    (everything between the max_entries-th and the last closing tag) so the parser never sees them.
    Returns (data, number of entries dropped)."""
    if max_entries < 1 or data.count(b"</") <= max_entries:
        return data, 0
    ends = [m.end() for m in _ENTRY_END.finditer(data)]
    if len(ends) <= max_entries:
        return data, 0
    return data[: ends[max_entries - 1]] + data[ends[-1] :], len(ends) - max_entries


_LATIN_FALLBACKS = frozenset({"windows-1252", "iso-8859-2"})
_EAST_ASIAN = ("cp949", "cp932", "euc-jp", "gb18030", "big5")
_CJK_CHARS = re.compile("[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")


def _east_asian_retry(body: bytes, result: Any, data: bytes) -> bytes:
    """feedparser fell back to a Latin charset (the declared one failed): if the bytes decode cleanly as a
    Korean/Japanese/Chinese charset and hold real CJK text, use that instead of mojibake."""
    if body[:65536].isascii():
        return data
    for codec in _EAST_ASIAN:
        try:
            text = body.decode(codec)
        except UnicodeDecodeError:
            continue
        if len(_CJK_CHARS.findall(text, 0, 65536)) >= 4:
            retry: Any = FeedParserDict(bozo=False, entries=[], feed=FeedParserDict(), headers={})
            converted = convert_to_utf8({"content-type": f"application/xml; charset={codec}"}, body, retry)
            if retry.get("encoding"):
                msg = f"declared charset failed; decoded as {codec}"
                result.update(encoding=retry["encoding"], bozo=True, bozo_exception=CharacterEncodingOverride(msg))
                return bytes(converted)
    return data


def _looks_json(body: bytes, content_type: str) -> bool:
    return "json" in content_type or body[:256].lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{")


# --- public API --------------------------------------------------------------------------------------------
def parse_feed(
    body: bytes,
    *,
    url: str,
    headers: Mapping[str, str] | None = None,
    max_entries: int = 500,
    max_field_chars: int = 200_000,
    max_bytes: int = MAX_BODY_BYTES,
    now: dt.datetime | None = None,
    fast: bool | None = None,
    keep: Keep | None = None,
) -> ParseResult:
    """Parse a fetched feed. ``headers`` are the HTTP response headers (Content-Type for the charset,
    Content-Location / ``url`` for relative links). Never raises for bad input; never does I/O.
    ``fast`` (default: the module's ``FAST_PATH``) lets plain UTF-8 RSS/Atom/RDF go through
    :mod:`watcher.feeds.fastparse`, which gives the same result or declines.

    ``keep(title, summary, content)``, when given, is asked about each entry's text before the rest
    of it (link, id, date, author) is worked out: entries it turns down are only counted
    (``passed_over``). The poller passes the relevance filter here, since most entries of most feeds
    are about something else::

        parse_feed(body, url=url, keep=lambda title, summary, content: "Korea" in title)
    """
    if not body or body.isspace():
        return ParseResult(Outcome.EMPTY_BODY, error="empty body")
    if len(body) > max_bytes:
        return ParseResult(Outcome.MALFORMED, error=f"body too large: {len(body)} bytes > {max_bytes}")
    hdrs = {k.lower(): v for k, v in (headers or {}).items()}
    now = now or dt.datetime.now(dt.UTC)
    try:
        if _looks_json(body, hdrs.get("content-type", "").lower()):
            res = _parse_json(body, url, max_entries, max_field_chars, now)
            if res is not None:
                return res if keep is None else _kept(res, keep)
        use_fast = FAST_PATH if fast is None else fast
        return _parse_xml(body, url, hdrs, max_entries, max_field_chars, now, use_fast, keep)
    except Exception as exc:  # a crash inside a third-party parser on hostile input is still just bad input
        return ParseResult(Outcome.MALFORMED, error=f"parser error: {type(exc).__name__}: {exc}"[:500])


def _parse_xml(
    body: bytes,
    url: str,
    hdrs: dict[str, str],
    max_entries: int,
    max_chars: int,
    now: dt.datetime,
    use_fast: bool = False,
    keep: Keep | None = None,
) -> ParseResult:
    result = FeedParserDict(bozo=False, entries=[], feed=FeedParserDict(), headers={})
    # Only the headers feedparser's charset rules need; an absent Content-Type is not a fault here.
    conv_headers = {k: v for k, v in hdrs.items() if k in ("content-type", "content-language")}
    data = convert_to_utf8(conv_headers, body, result)
    if result.get("encoding") in _LATIN_FALLBACKS:
        data = _east_asian_retry(body, result, data)
    use_strict = bool(result.get("encoding"))
    converted = data
    data, root, _ = strip_dtd(data)
    if use_strict and _CTRL.search(data):  # characters XML forbids (UTF-8 never uses these bytes otherwise)
        data = _CTRL.sub(b"", data)
    data, cut = _cut_entries(data, max_entries)

    contentloc = hdrs.get("content-location", "")
    baseuri = make_safe_absolute_uri(url, contentloc) or make_safe_absolute_uri(url) or url
    baselang = hdrs.get("content-language")
    quick = None
    if use_fast and use_strict and result.get("encoding") in _FAST_ENCODINGS:
        quick = fastparse.parse(data, baseuri, baselang)
    if quick is not None:
        feed, raw_entries, version = quick
    else:
        feed, raw_entries, version = _feedparser_parse(data, result, baseuri, baselang, use_strict)
    bozo_exc = result.get("bozo_exception") if result.get("bozo") else None
    error = f"{type(bozo_exc).__name__}: {bozo_exc}"[:500] if bozo_exc is not None else None
    title = _field_text(feed, "title", max_chars) or None
    language = feed.get("language") or baselang

    skipped = cut + max(0, len(raw_entries) - max_entries)
    kept: list[Entry] = []
    passed_over = 0
    for e in raw_entries[: max(max_entries, 0)]:
        texts = _texts(e, max_chars)
        if keep is not None and not keep(*texts):
            passed_over += 1
            continue
        entry = _entry(e, texts, baseuri, language, now)
        if entry.title or entry.url or entry.guid or entry.summary or entry.content:
            kept.append(entry)
    entries = tuple(kept)
    if entries or raw_entries:
        return ParseResult(Outcome.OK, entries, title, error, skipped, passed_over)
    if _HTML_ROOT.match(data, root) or data[root : root + 5].lower() == b"<html":
        return ParseResult(Outcome.NOT_A_FEED, title=None, error=error or "an HTML page, not a feed")
    if not version and not _FEEDISH.search(converted, 0, 1 << 16):
        return ParseResult(Outcome.NOT_A_FEED, error=error or "no feed element found")
    # A feed with no entries: fine when well-formed, or when its channel could still be read.
    recovered = any(feed.get(k) for k in ("title", "link", "subtitle", "id", "updated"))
    if bozo_exc is None or isinstance(bozo_exc, _SOFT_BOZO) or recovered:
        return ParseResult(Outcome.OK, (), title, error, skipped)
    return ParseResult(Outcome.MALFORMED, title=title, error=error or "no entries could be recovered")


def _feedparser_parse(
    data: bytes, result: Any, baseuri: str, baselang: str | None, use_strict: bool
) -> tuple[Any, list[Any], str]:
    """feedparser's strict parser over the prepared bytes, the loose one when that fails (bozo recorded)."""
    fp: Any = None
    if use_strict:
        fp = StrictFeedParser(baseuri, baselang, "utf-8")
        fp.resolve_relative_uris = False  # we strip HTML to text ourselves: no need to rewrite its links
        fp.sanitize_html = False
        sax = _DefusedExpatParser()
        sax.setFeature(xml.sax.handler.feature_namespaces, 1)
        sax.setFeature(xml.sax.handler.feature_external_ges, 0)
        sax.setContentHandler(fp)
        sax.setErrorHandler(fp)
        source = xml.sax.xmlreader.InputSource()
        source.setByteStream(io.BytesIO(data))
        try:
            sax.parse(source)
        except xml.sax.SAXException as exc:
            result["bozo"] = True
            result["bozo_exception"] = fp.exc or exc
            use_strict = False
    if not use_strict:
        fp = LooseFeedParser(baseuri, baselang, "utf-8", {})
        fp.resolve_relative_uris = False
        fp.sanitize_html = False
        fp.feed(data.decode("utf-8", "replace"))
    return fp.feeddata, fp.entries, result.get("version") or fp.version or ""


def _field_text(d: Mapping[str, Any], key: str, max_chars: int) -> str:
    value = d.get(key)
    if not value or not isinstance(value, str):
        return ""
    detail = d.get(key + "_detail")
    kind = detail.get("type", "") if isinstance(detail, Mapping) else "text/html"
    if "html" in kind:
        return html_to_text(value, max_chars)
    return plain_text(value, max_chars)


def _content_text(contents: Iterable[Any], max_chars: int) -> str:
    parts: list[str] = []
    size = 0
    for c in contents or ():
        if not isinstance(c, Mapping) or not isinstance(c.get("value"), str):
            continue
        kind = c.get("type", "") or ""
        text = html_to_text(c["value"], max_chars) if "html" in kind else plain_text(c["value"], max_chars)
        if text and text not in parts:
            parts.append(text)
            size += len(text) + 1
            if size >= max_chars:
                break
    return " ".join(parts)[:max_chars]


def _struct_date(e: Mapping[str, Any], now: dt.datetime) -> dt.datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        st = e.get(key)
        if isinstance(st, fastparse.LazyDate):
            st = st.parsed()
        if isinstance(st, time.struct_time):
            try:
                return clamp_date(dt.datetime(*st[:6], tzinfo=dt.UTC), now)
            except (ValueError, OverflowError):
                return None
    return None


def _texts(e: Mapping[str, Any], max_chars: int) -> tuple[str, str, str]:
    """An entry's title, summary and content as plain text: what ``keep`` and the filter read."""
    return (_field_text(e, "title", max_chars), _field_text(e, "summary", max_chars),
            _content_text(e.get("content") or (), max_chars))


def _kept(res: ParseResult, keep: Keep) -> ParseResult:
    entries = tuple(e for e in res.entries if keep(e.title, e.summary, e.content))
    return dataclasses.replace(res, entries=entries, passed_over=len(res.entries) - len(entries))


def _entry(e: Mapping[str, Any], texts: tuple[str, str, str], base: str, language: Any,
           now: dt.datetime) -> Entry:
    guid = e.get("id")
    guid = plain_text(guid, 2048) if isinstance(guid, str) and guid.strip() else None
    author = e.get("author")
    lang = e.get("language") or language
    title, summary, content = texts
    return Entry(
        guid=guid,
        url=_safe_link(e.get("link"), base),
        title=title,
        summary=summary,
        content=content,
        published_at=_struct_date(e, now),
        author=plain_text(author, 1000) if isinstance(author, str) and author.strip() else None,
        language=lang if isinstance(lang, str) and lang else None,
    )
