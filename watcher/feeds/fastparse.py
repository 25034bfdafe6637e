"""A fast path for :func:`watcher.feeds.parse.parse_feed`: plain RSS 0.9x/2.0, RSS 1.0 (RDF) and Atom 1.0 read with lxml,
giving the same answers feedparser's strict parser gives, or ``None`` so the caller falls back to feedparser.

:func:`parse` returns what ``parse_feed`` reads from feedparser (feed-level ``title``/``title_detail``/
``language``, and per entry ``id``, ``link``, ``title``, ``summary``, ``content``, ``*_parsed`` dates (as
:class:`LazyDate`, parsed when read), ``author``,
``language``) computed by re-playing feedparser's own rules for the elements it knows here (which element wins,
the "first non-empty title" lock, a guid that is a permalink doubling as the link, content copied to the summary,
the HTML guess for ``text/plain`` fields in RSS, the latin-1/cp1252 repairs), using feedparser's own helpers for
dates, URL joining and the HTML guess. Anything else declines: an element in a namespace feedparser does not know,
an element with a feedparser handler not replayed here, markup inside a text field, ``xml:base``, xhtml, base64,
unusual content types, two summaries or two contents in one entry, odd namespace prefixes, an unknown root.

Security: the caller has already converted the body to UTF-8, removed every DOCTYPE/entity declaration and capped
sizes; lxml runs with ``resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False`` and no recovery,
so an undefined entity is an error (then feedparser's path decides), and nothing outside the bytes is read.

This module holds the document rules (which elements may appear where); how one element's value is read is in
:mod:`watcher.feeds._fastfields`.
"""

from __future__ import annotations

import re
from typing import Any

from feedparser.urls import make_safe_absolute_uri
from feedparser.util import FeedParserDict
from lxml import etree

from ._fastfields import (
    _NS,
    LazyDate,
    _attrs,
    _author,
    _Decline,
    _fix,
    _guid,
    _has_handler,
    _leaf,
    _link,
    _name,
    _text_field,
)

__all__ = ["LazyDate", "parse"]

FastFeed = tuple[dict[str, Any], list[dict[str, Any]], str]

_CANON_LOWER = {v.lower() for v in _NS.values() if v}
_ATOM = "http://www.w3.org/2005/atom"
_RSS10 = "http://purl.org/rss/1.0/"
_RSS090 = "http://my.netscape.com/rdf/simple/0.9/"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_RDF_ABOUT = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about"
_XMLNS = re.compile(rb"""xmlns(?::([^\s=/>]+))?\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_BASE_ATTR = re.compile(rb"\bbase\s*=")


# Entry children whose feedparser handlers were checked to touch none of the keys parse_feed reads.
_HARMLESS = frozenset({
    "category", "dc:subject", "enclosure", "media:content", "media:thumbnail", "media:keywords", "media:credit",
    "media:rating", "media:category", "media:restriction", "media:license", "expirationdate", "rights",
    "copyright", "dc:rights", "dc:publisher",
})
# Feed-level (channel / Atom feed) children checked likewise (none sets state that outlives the element).
_FEED_HARMLESS = frozenset({
    "link", "description", "subtitle", "tagline", "rights", "copyright", "dc:rights", "generator", "id", "guid",
    "updated", "published", "pubdate", "lastbuilddate", "dc:date", "modified", "category", "dc:subject", "cloud",
    "managingeditor", "webmaster", "dc:creator", "dc:publisher", "author",
})
# Keys feedparser itself reads or builds structures under: a handler-less element must not write them.
_RESERVED = frozenset({
    "links", "link", "tags", "authors", "author", "author_detail", "contributors", "publisher", "publisher_detail",
    "content", "summary", "summary_detail", "title", "title_detail", "id", "guidislink", "published",
    "published_parsed", "updated", "updated_parsed", "created", "created_parsed", "expired", "expired_parsed",
    "language", "image", "textinput", "cloud", "generator", "generator_detail", "source", "where", "href", "url",
    "name", "email", "subtitle", "subtitle_detail", "rights", "rights_detail", "info", "newlocation", "license",
    "category", "enclosures", "psc_chapters", "entries", "feed", "version", "validity_start", "validity_end",
    *FeedParserDict.keymap,
})
_PUBLISHED = frozenset({"pubdate", "published", "issued", "dcterms:issued"})
_UPDATED = frozenset({"updated", "modified", "lastbuilddate", "dc:date", "dcterms:modified"})
_CREATED = frozenset({"created", "dcterms:created"})
_DATE_KEY = {**dict.fromkeys(_PUBLISHED, "published_parsed"), **dict.fromkeys(_UPDATED, "updated_parsed"),
             **dict.fromkeys(_CREATED, "created_parsed")}
_SUMMARY_DEFAULT = {"description": "text/html", "dc:description": "text/html", "media:description": "text/html",
                    "summary": "text/plain"}
_CONTENT_DEFAULT = {"content:encoded": "text/html", "content": "text/plain"}


def _generic_ok(name: str, el: Any) -> bool:
    """A leaf with no feedparser handler, stored under a key nothing else uses."""
    if len(el) or _has_handler(name):
        return False
    return name.replace(":", "_") not in _RESERVED


def _entry(el: Any, base: str, guess: bool, rdf: bool) -> dict[str, Any]:
    e: dict[str, Any] = {}
    if el.attrib:
        if not rdf or set(el.attrib) != {_RDF_ABOUT}:
            raise _Decline
        if about := el.attrib[_RDF_ABOUT]:
            e["id"] = about
    title_lock = False
    summaries = contents = authors = 0
    for child in el:
        name = _name(child.tag)
        if not name:
            continue
        if name in ("title", "dc:title", "media:title"):
            value, ctype = _text_field(child, "text/plain", guess)
            if not title_lock:
                e["title"], e["title_detail"] = value, {"type": ctype}
            if value and name != "media:title":
                title_lock = True
        elif name in _SUMMARY_DEFAULT:
            summaries += 1
            if summaries > 1:
                raise _Decline
            value, ctype = _text_field(child, _SUMMARY_DEFAULT[name], guess)
            e["summary"], e["summary_detail"] = value, {"type": ctype}
        elif name in _CONTENT_DEFAULT:
            contents += 1
            if contents > 1 or (child.attrib and set(_attrs(child)) - {"type", "src"}):
                raise _Decline
            value, ctype = _text_field(child, _CONTENT_DEFAULT[name], guess)
            e.setdefault("content", []).append({"type": ctype, "value": value})
            e.setdefault("summary", value)  # feedparser copies text/html/plain content to a missing summary
        elif name == "link":
            _link(child, e, base)
        elif name in ("guid", "id"):
            _guid(child, e, base)
        elif name in _DATE_KEY:
            e[_DATE_KEY[name]] = LazyDate(_fix(_leaf(child)))
        elif name in ("author", "dc:creator", "dc:author"):
            authors += 1
            if authors > 1:
                raise _Decline
            e["author"] = _author(child)
        elif name in ("language", "dc:language"):
            e["language"] = _fix(_leaf(child))
        elif name == "source":
            _leaf(child)
            title_lock = False  # feedparser resets its title lock at <source>
        elif name in _HARMLESS:
            if len(child):
                raise _Decline
        elif not _generic_ok(name, child):
            raise _Decline
    return e


def _image(el: Any) -> None:
    for child in el:
        name = _name(child.tag)
        if name and (name not in ("title", "url", "link", "width", "height", "description") or len(child)):
            raise _Decline


def _feed_children(
    el: Any, feed: dict[str, Any], entries: list[dict[str, Any]], base: str, guess: bool, rdf: bool
) -> None:
    title_lock = False
    for child in el:
        name = _name(child.tag)
        if not name:
            continue
        if name in ("item", "entry"):
            title_lock = False
            entries.append(_entry(child, base, guess, rdf))
        elif name in ("title", "dc:title"):
            value, ctype = _text_field(child, "text/plain", guess)
            if not title_lock:
                feed["title"], feed["title_detail"] = value, {"type": ctype}
                title_lock = bool(value)
        elif name in ("language", "dc:language"):
            feed["language"] = _fix(_leaf(child))
        elif name == "image" or (rdf and name == "textinput" and not len(child)):
            _image(child)
            title_lock = False
        elif rdf and name == "items":
            for sub in child.iterdescendants():
                if _name(sub.tag) not in ("", "rdf:seq", "rdf:bag", "rdf:li"):
                    raise _Decline
        elif name in ("author", "managingeditor", "dc:creator") and len(child):
            _author(child)
        elif name in _FEED_HARMLESS:
            if len(child):
                raise _Decline
        elif not _generic_ok(name, child):
            raise _Decline


def _declarations_ok(data: bytes) -> bool:
    """No prefix that feedparser would map onto another namespace's handlers (``xmlns:dc="<Atom URI>"``)."""
    for m in _XMLNS.finditer(data):
        raw = m.group(2) if m.group(2) is not None else m.group(3)
        if b"&" in raw:
            return False
        prefix = (m.group(1) or b"").decode("utf-8", "replace")
        if not prefix:
            continue
        low = raw.decode("utf-8", "replace").lower()
        canon = "" if "backend.userland.com/rss" in low else _NS.get(low)
        if prefix.lower() in _CANON_LOWER and canon != prefix.lower():
            return False
    return True


def parse(data: bytes, baseuri: str, baselang: str | None) -> FastFeed | None:
    """(feeddata, entries, version) as feedparser's strict parser would leave them, or None to fall back.
    ``data`` is the UTF-8 document after ``strip_dtd``, control-character removal and the entry cut."""
    base = make_safe_absolute_uri(baseuri, baseuri) or baseuri
    if not base or (make_safe_absolute_uri(base, base) or base) != base:
        return None
    if _BASE_ATTR.search(data) or b"<!DOCTYPE" in data or b"<!ENTITY" in data or not _declarations_ok(data):
        return None
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                             recover=False, remove_comments=False, strip_cdata=True)
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError):
        return None
    try:
        return _parse_root(root, base, baselang)
    except _Decline:
        return None


def _root_lang(root: Any, feed: dict[str, Any]) -> None:
    lang = root.attrib.get(_XML_LANG, root.attrib.get("lang"))
    if lang:
        feed["language"] = lang.replace("_", "-")


def _parse_root(root: Any, base: str, baselang: str | None) -> FastFeed | None:
    feed: dict[str, Any] = {}
    entries: list[dict[str, Any]] = []
    if baselang:
        feed["language"] = baselang.replace("_", "-")
    name = _name(root.tag)
    versions = {u.lower() for u in root.nsmap.values()} & {_ATOM, _RSS10, _RSS090}
    extra_attrs = {k for k in root.attrib if k not in (_XML_LANG, "lang", "version")}
    if name == "rss":
        if extra_attrs:
            return None
        _root_lang(root, feed)
        channels = [c for c in root if _name(c.tag)]
        if len(channels) != 1 or _name(channels[0].tag) != "channel" or channels[0].attrib:
            return None
        _feed_children(channels[0], feed, entries, base, True, False)
        return feed, entries, "rss"
    if name == "feed":
        if extra_attrs or versions != {_ATOM} or root.tag.split("}")[0][1:].lower() != _ATOM:
            return None
        _root_lang(root, feed)
        _feed_children(root, feed, entries, base, False, False)
        return feed, entries, "atom10"
    if name == "rdf:rdf":
        if root.attrib or len(versions) != 1:
            return None
        version = versions.pop()
        if version == _ATOM or (version == _RSS090 and root.nsmap.get(None, "").lower() != _RSS090):
            return None
        seen_channel = False
        for child in root:
            cname = _name(child.tag)
            if cname == "channel":
                if seen_channel or (child.attrib and set(child.attrib) != {_RDF_ABOUT}):
                    return None
                seen_channel = True
                _feed_children(child, feed, entries, base, True, True)
            elif cname == "item":
                entries.append(_entry(child, base, True, True))
            elif cname == "image" and seen_channel:
                _image(child)
            elif cname:
                return None
        return feed, entries, "rss10" if version == _RSS10 else "rss090"
    return None
