"""A news page (untrusted HTML) → its main text, title, canonical URL and publication date.

selectolax (lexbor, C) does the parsing: ~30x faster than BeautifulSoup+lxml; BeautifulSoup is the fallback if
selectolax fails on a page. Nothing is executed and the output is plain text. Boilerplate (scripts, styles,
navigation, headers/footers, share buttons, related links, comments, ads) is dropped, then the container with
the most paragraph text is taken as the article body. Expected failures are outcomes, never exceptions.
"""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import email.utils
import json
import re
from dataclasses import dataclass
from typing import Any

from ..errors import Outcome
from .text import canonical_url as _canonical
from .text import clamp_date

__all__ = ["ExtractResult", "MAX_PAGE_BYTES", "extract_article"]

MAX_PAGE_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class ExtractResult:
    """The main text of one page. ``outcome`` is OK, EMPTY_BODY (nothing fetched) or MALFORMED."""

    outcome: Outcome
    text: str = ""
    title: str | None = None
    canonical_url: str | None = None
    published_at: dt.datetime | None = None
    error: str | None = None


# --- decoding ----------------------------------------------------------------------------------------------
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_CT_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9._:-]+)", re.I)
# What browsers actually use for these labels (WHATWG Encoding Standard).
_SUPERSETS = {"euc-kr": "cp949", "ks_c_5601-1987": "cp949", "shift_jis": "cp932", "sjis": "cp932",
              "x-sjis": "cp932", "gb2312": "gb18030", "gbk": "gb18030", "iso-8859-1": "cp1252",
              "latin1": "cp1252", "latin-1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252"}
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def _decode(data: bytes, content_type: str | None) -> str:
    """BOM, then the HTTP charset, then <meta charset>, then UTF-8, then windows-1252 (as browsers do)."""
    for bom, bom_codec in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(bom_codec, "replace")
    m = _CT_CHARSET.search(content_type or "")
    name: str | None = _codec(m.group(1)) if m else None
    if name is None:
        mm = _META_CHARSET.search(data, 0, 4096)
        name = _codec(mm.group(1).decode("ascii", "ignore")) if mm else None
    if name in ("utf-16-le", "utf-16-be", "utf-16", "utf-32"):  # a meta tag cannot really say this
        name = None
    if name:
        return data.decode(name, "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


# --- dates -------------------------------------------------------------------------------------------------
_DATE_META = (
    'meta[property="article:published_time"]', 'meta[name="article:published_time"]',
    'meta[itemprop="datePublished"]', 'meta[property="og:published_time"]', 'meta[name="pubdate"]',
    'meta[name="publishdate"]', 'meta[name="publish-date"]', 'meta[name="parsely-pub-date"]',
    'meta[name="sailthru.date"]', 'meta[name="DC.date.issued"]', 'meta[name="dc.date"]', 'meta[name="date"]',
    'meta[property="article:modified_time"]',
)
_LOOSE_DATE = re.compile(r"(\d{4})[-./](\d{1,2})[-./](\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?")


def parse_date(value: str | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """ISO 8601 / RFC 822 / "YYYY.MM.DD HH:MM" → aware UTC datetime (naive taken as UTC), clamped."""
    if not value:
        return None
    value = value.strip()[:64]
    if not value:
        return None
    parsed: dt.datetime | None = None
    try:
        parsed = dt.datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        try:
            parsed = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            m = _LOOSE_DATE.search(value)
            if m:
                try:
                    y, mo, d, h, mi, sec = (int(g) for g in m.groups(default="0"))
                    parsed = dt.datetime(y, mo, d, h, mi, sec)
                except ValueError:
                    parsed = None
    return clamp_date(parsed, now)


def _jsonld_date(scripts: list[str]) -> str | None:
    def walk(obj: Any, depth: int = 0) -> str | None:
        if depth > 6:
            return None
        if isinstance(obj, dict):
            v = obj.get("datePublished")
            if isinstance(v, str):
                return v
            children: Any = list(obj.values())
        elif isinstance(obj, list):
            children = obj
        else:
            return None
        for child in children[:50]:
            found = walk(child, depth + 1)
            if found:
                return found
        return None

    for raw in scripts[:10]:
        if "datePublished" not in raw or len(raw) > 500_000:
            continue
        try:
            found = walk(json.loads(raw))
        except (ValueError, RecursionError):
            continue
        if found:
            return found
    return None


# --- boilerplate -------------------------------------------------------------------------------------------
_JUNK_TAGS = ("script", "style", "noscript", "template", "iframe", "svg", "math", "form", "nav", "footer",
              "aside", "button", "select", "input", "textarea", "object", "embed", "canvas", "dialog", "header")
_JUNK_WORDS = re.compile(
    r"(?:^|[\s_-])(?:share|sharing|social|sns|related|recommend(?:ed|ation)?s?|comments?|reply|newsletter|"
    r"subscribe|subscription|promo|advert(?:isement)?|ads?|sponsor(?:ed)?|sidebar|breadcrumbs?|nav|navbar|"
    r"navigation|menu|footer|cookie|consent|popup|modal|banner|outbrain|taboola|most-?read|popular|"
    r"trending|tags|tag-list|copyright|print|toolbar|widget)(?:$|[\s_-])",
    re.I,
)
_BODY_SELECTORS = (
    '[itemprop="articleBody"]', "#articleBody", "#article-body", "#articleBodyContents", "#article_body",
    ".article-body", ".article__body", ".articleBody", ".article_body", ".article-content", ".article__content",
    ".story-body", ".entry-content", ".post-content", ".news_body", ".news-body", "#newsct_article",
    "#dic_area", ".article-text", ".content-body",
)
_KEEP_TAGS = frozenset({"html", "body", "main", "article"})
_BOILER_LINE = re.compile(
    r"^(?:advertisement|ad|read more|more|share(?: this(?: article)?)?|related(?: articles| stories| news)?:?|"
    r"click here|sign up|subscribe|copyright.*|©.*|all rights reserved.*|광고|관련기사|무단 ?전재.*|"
    r"저작권자.*|広告|関連記事)$",
    re.I,
)
_WS = re.compile(r"[^\S\n]+")   # every Unicode space (NBSP, U+2003, U+3000 ...) but the line feed


def _clean_lines(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        line = _WS.sub(" ", line).strip()
        if len(line) < 2 or _BOILER_LINE.match(line):
            continue
        if not out or out[-1] != line:
            out.append(line)
    return out


# --- selectolax path ---------------------------------------------------------------------------------------
def _lexbor_extract(text: str, url: str | None, max_chars: int, now: dt.datetime | None) -> ExtractResult:
    from selectolax.lexbor import LexborHTMLParser

    tree = LexborHTMLParser(text)

    def meta(selector: str, attr: str = "content") -> str | None:
        node = tree.css_first(selector)
        value = node.attributes.get(attr) if node is not None else None
        return value.strip() if value and value.strip() else None

    title = meta('meta[property="og:title"]') or meta('meta[name="twitter:title"]')
    if title is None:
        for sel in ("h1", "title"):
            node = tree.css_first(sel)
            if node is not None and node.text(strip=True):
                title = node.text(separator=" ", strip=True)
                break
    canon = meta('link[rel~="canonical"]', "href") or meta('meta[property="og:url"]')
    canonical = _resolve(canon, url)

    date_raw = next((v for v in (meta(s) for s in _DATE_META) if v), None)
    if date_raw is None:
        date_raw = _jsonld_date([n.text() for n in tree.css('script[type="application/ld+json"]')])
    if date_raw is None:
        date_raw = meta('time[itemprop="datePublished"]', "datetime") or meta("article time[datetime]", "datetime")
    published = parse_date(date_raw, now)

    for node in tree.css(",".join(_JUNK_TAGS)):
        node.decompose()
    for node in tree.css("[class],[id],[role]"):
        if node.tag in _KEEP_TAGS:
            continue
        attrs = node.attributes
        label = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        role = (attrs.get("role") or "").lower()
        junk = role in ("navigation", "banner", "contentinfo", "complementary", "dialog") or bool(
            _JUNK_WORDS.search(label)
        )
        if junk and sum(len(p.text()) for p in node.css("p")) < 400:  # never drop a real body by its class
            node.decompose()

    container = None
    for sel in _BODY_SELECTORS:
        container = tree.css_first(sel)
        if container is not None and len(container.text(strip=True)) >= 80:
            break
        container = None
    if container is None:
        articles = tree.css("article")
        if articles:
            container = max(articles, key=lambda a: sum(len(p.text()) for p in a.css("p")))
    if container is None:
        scores: dict[int, tuple[int, Any]] = {}
        for p in tree.css("p"):
            parent = p.parent
            if parent is None:
                continue
            n = len(p.text(strip=True))
            prev = scores.get(parent.mem_id, (0, parent))
            scores[parent.mem_id] = (prev[0] + n, parent)
        if scores:
            container = max(scores.values(), key=lambda s: s[0])[1]
    if container is None:
        container = tree.body
    if container is None:
        return ExtractResult(Outcome.MALFORMED, title=title, canonical_url=canonical, published_at=published,
                             error="no body element")

    paras = [p.text(separator=" ") for p in container.css("p, h2, h3, h4, blockquote, li, pre")
             if p.parent is None or p.parent.tag not in ("li", "blockquote")]
    full = container.text(separator="\n")
    p_lines = _clean_lines(paras)
    full_lines = _clean_lines(full.split("\n"))
    p_size = sum(map(len, p_lines))
    lines = p_lines if p_size >= 0.6 * sum(map(len, full_lines)) else full_lines
    body = "\n\n".join(lines)[:max_chars]
    if not body:
        return ExtractResult(Outcome.MALFORMED, title=title, canonical_url=canonical, published_at=published,
                             error="no main text found")
    return ExtractResult(Outcome.OK, body, title, canonical, published)


def _resolve(href: str | None, base: str | None) -> str | None:
    if not href:
        return None
    full = _canonical(href, base)
    return full if full.startswith(("http://", "https://")) else None


# --- BeautifulSoup fallback --------------------------------------------------------------------------------
def _bs4_extract(text: str, url: str | None, max_chars: int, now: dt.datetime | None) -> ExtractResult:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(text, "lxml")

    def meta(**attrs: Any) -> str | None:
        tag = soup.find("meta", attrs=attrs)
        value = tag.get("content") if tag is not None else None
        return value.strip() if isinstance(value, str) and value.strip() else None

    title = meta(property="og:title")
    if title is None:
        for name in ("h1", "title"):
            tag = soup.find(name)
            if tag is not None and tag.get_text(strip=True):
                title = tag.get_text(" ", strip=True)
                break
    link = soup.find("link", rel="canonical")
    href = link.get("href") if link is not None else None
    canonical = _resolve(href if isinstance(href, str) else meta(property="og:url"), url)
    published = parse_date(meta(property="article:published_time") or meta(itemprop="datePublished"), now)
    for tag in soup(list(_JUNK_TAGS)):
        tag.decompose()
    body_attrs: dict[str, Any] = {"itemprop": "articleBody"}
    container = soup.find(True, attrs=body_attrs) or soup.find("article") or soup.body or soup
    lines = _clean_lines([p.get_text(" ") for p in container.find_all(["p", "h2", "h3", "li"])])
    if not lines:
        lines = _clean_lines(container.get_text("\n").split("\n"))
    body = "\n\n".join(lines)[:max_chars]
    if not body:
        return ExtractResult(Outcome.MALFORMED, title=title, canonical_url=canonical, published_at=published,
                             error="no main text found")
    return ExtractResult(Outcome.OK, body, title, canonical, published)


_CONTROL = bytes(c for c in range(32) if c not in (9, 10, 12, 13))


def _looks_binary(sample: bytes) -> bool:
    """More than 5% C0 control bytes (NUL included) and no UTF-16 BOM: an image, a PDF, random bytes."""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    controls = len(sample) - len(sample.translate(None, _CONTROL))
    return controls > 0.05 * len(sample)


# --- public API --------------------------------------------------------------------------------------------
def extract_article(
    html: bytes | str,
    *,
    url: str | None = None,
    max_chars: int = 200_000,
    content_type: str | None = None,
    max_bytes: int = MAX_PAGE_BYTES,
    now: dt.datetime | None = None,
) -> ExtractResult:
    """Main text of a news page. ``url`` resolves a relative canonical link; ``content_type`` (the HTTP header)
    gives the charset for bytes. Pages over ``max_bytes`` are cut there. Never raises for bad input."""
    if isinstance(html, bytes):
        if not html.strip():
            return ExtractResult(Outcome.EMPTY_BODY, error="empty page")
        data = html[:max_bytes]
        if _looks_binary(data[:4096]):
            return ExtractResult(Outcome.MALFORMED, error="binary content, not HTML")
        text = _decode(data, content_type)
    else:
        if not html.strip():
            return ExtractResult(Outcome.EMPTY_BODY, error="empty page")
        text = html[:max_bytes]
    text = text.replace("\x00", "")
    try:
        return _tidy(_lexbor_extract(text, url, max_chars, now))
    except Exception as exc:  # selectolax failed on this page: the slower parser gets a turn
        first = f"{type(exc).__name__}: {exc}"
    try:
        res = _bs4_extract(text, url, max_chars, now)
    except Exception as exc:
        return ExtractResult(Outcome.MALFORMED, error=f"{first}; fallback: {type(exc).__name__}: {exc}"[:500])
    return _tidy(res)


def _tidy(res: ExtractResult) -> ExtractResult:
    """The title with its whitespace collapsed too (the body's lines already are)."""
    if res.title is None:
        return res
    return dataclasses.replace(res, title=" ".join(res.title.split()) or None)
