"""How feedparser reads one element's value, replayed on lxml elements for :mod:`watcher.feeds.fastparse`.

Element names as feedparser keys them, attributes, the latin-1/cp1252 text repairs, text fields with their
content types and the HTML guess, links, guids, authors and dates (kept as :class:`LazyDate` until read).
Anything these rules do not cover raises :class:`_Decline`, and the whole document goes to feedparser.
:mod:`watcher.feeds.fastparse` decides which elements a document may contain and where each value goes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from feedparser.datetimes import _parse_date
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urljoin

from ..content.text import PLAIN_ABSOLUTE_URL

_NS = {k.lower(): v for k, v in _FeedParserMixin.namespaces.items()}
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_TYPES = ("text/plain", "text/html")
_AMP_REF = re.compile("&([A-Za-z0-9_]+);")


class LazyDate:
    """A date element's text, parsed (by feedparser's own rules) only when asked: most entries are
    dropped by the relevance filter before anyone reads their date."""

    __slots__ = ("raw",)

    def __init__(self, raw: str) -> None:
        self.raw = raw

    def parsed(self) -> Any:
        """What feedparser stores under ``*_parsed``: a UTC ``time.struct_time`` or None."""
        return _parse_date(self.raw)


def _join(base: str, uri: str) -> str:
    return uri if PLAIN_ABSOLUTE_URL.fullmatch(uri) else _urljoin(base, uri)


looks_like_html: Callable[[str], bool] = _FeedParserMixin.looks_like_html


class _Decline(Exception):
    """The document needs feedparser."""


def _name(tag: Any) -> str:
    """feedparser's name for an element: canonical prefix + ':' + lower-cased local name; '' for comments/PIs."""
    if not isinstance(tag, str):
        return ""
    if tag[0] != "{":
        return tag.lower()
    uri, local = tag[1:].split("}", 1)
    low = uri.lower()
    prefix = "" if "backend.userland.com/rss" in low else _NS.get(low)
    if prefix is None:
        raise _Decline
    return f"{prefix}:{local}".lower() if prefix else local.lower()


def _has_handler(name: str) -> bool:
    key = name.replace(":", "_")
    return hasattr(_FeedParserMixin, "_start_" + key) or hasattr(_FeedParserMixin, "_end_" + key)


def _attrs(el: Any) -> dict[str, str]:
    """Attributes as feedparser keys them (lower-cased names; rel/type values lower-cased). Namespaced → decline."""
    out: dict[str, str] = {}
    for k, v in el.attrib.items():
        if k[0] == "{":
            raise _Decline
        k = k.lower()
        if k in out:
            raise _Decline
        out[k] = v.lower() if k in ("rel", "type") else v
    return out


def _fix(s: str) -> str:
    """feedparser's last steps for text: undo UTF-8 read as latin-1, map cp1252 code points."""
    if not s.isascii():
        try:
            s = s.encode("iso-8859-1").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
        s = s.translate(_cp1252)
    return s


def _leaf(el: Any) -> str:
    if len(el):
        raise _Decline
    return (el.text or "").strip()


def _map_type(t: str) -> str:
    t = t.lower()
    return {"text": "text/plain", "plain": "text/plain", "html": "text/html", "xhtml": "application/xhtml+xml"}.get(t, t)


def _text_field(el: Any, default: str, guess: bool) -> tuple[str, str]:
    """A push_content field (title, description, summary, content): (value, content type)."""
    a = _attrs(el) if el.attrib else {}
    if "mode" in a:
        raise _Decline
    ctype = _map_type(a.get("type", default))
    if ctype not in _TEXT_TYPES:
        raise _Decline
    out = _leaf(el)
    if guess and ctype == "text/plain" and looks_like_html(out):
        ctype = "text/html"
    return _fix(out), ctype


def _link(el: Any, ctx: dict[str, Any], base: str) -> None:
    a = _attrs(el)
    a.setdefault("rel", "alternate")
    a.setdefault("type", "application/atom+xml" if a["rel"] == "self" else "text/html")
    href = a.get("url", a.get("uri", a.get("href")))
    if href:
        a["href"] = href
    if "href" in a:
        if len(el):
            raise _Decline
        if a["rel"] == "alternate" and _map_type(a["type"]) in _HTML_TYPES:
            ctx["link"] = _join(base, a["href"])
        return
    out = _leaf(el)
    if out:
        out = _join(base, out)
    out = _fix(out).replace("&amp;", "&")
    ctx["link"] = _AMP_REF.sub(r"&\g<1>", out)


def _guid(el: Any, ctx: dict[str, Any], base: str) -> None:
    islink = (_attrs(el).get("ispermalink", "true") if el.attrib else "true") == "true"
    out = _leaf(el)
    if out and islink:
        out = _join(base, out)
    out = _fix(out)
    ctx["id"] = out
    if islink:
        ctx.setdefault("link", out)


def _author(el: Any) -> str:
    if not len(el):
        return _fix((el.text or "").strip())
    detail: dict[str, str] = {}
    own = [el.text or ""]
    for child in el:
        own.append(child.tail or "")
        name = _name(child.tag)
        if not name:
            raise _Decline  # a comment inside: keep it simple
        key = {"name": "name", "email": "email", "uri": "href", "url": "href"}.get(name)
        if key is None or key in detail or child.attrib:
            raise _Decline
        value = _leaf(child)
        detail[key] = value
    if detail.get("name") and detail.get("email"):
        return f"{detail['name']} ({detail['email']})"
    return detail.get("name") or detail.get("email") or _fix("".join(own).strip())
