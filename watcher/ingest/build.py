"""Turn a relevant feed entry (and its linked page, when fetched) into an :class:`Article`.

CPU work that needs no database: page extraction, canonical URL, content hash, simhash
and the article's claims. The poller runs it in its worker processes, beside parsing,
so the main process only does I/O, the diff and the writes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from ..errors import Outcome
from ..types import Article, Entry

SHORT_TEXT = 600          # an entry with less text than this gets its linked page fetched


def analysis_text(a: Article) -> str:
    """The text claims are read from: a document an analyst gave (ingest, seeds) as it is;
    a feed item with its title, which is its own words."""
    if a.doc or not a.title or a.text.startswith(a.title):
        return a.text
    return f"{a.title}\n\n{a.text}"


def same_site(url: str, page_url: str | None) -> bool:
    """``url`` is on the host ``page_url`` was served from (``www.`` aside)."""
    from urllib.parse import urlsplit

    def host(u: str | None) -> str:
        try:
            h = (urlsplit(u or "").hostname or "").lower().rstrip(".")
        except ValueError:
            return ""
        return h[4:] if h.startswith("www.") else h

    return bool(host(url)) and host(url) == host(page_url)


def build_article(source: str, language: str, official: bool, entry: Entry, page: bytes | None,
                  page_url: str | None, fetched_at: dt.datetime, with_claims: bool = True) -> Article:
    """The article for ``entry``; the page's main text replaces a short summary when it says more."""
    from ..content.language import article_language
    from ..content.page import extract_article
    from ..content.text import canonical_url, content_hash, simhash

    text = entry.content or entry.summary
    canon = canonical_url(entry.url) if entry.url else None
    if page:
        extracted = extract_article(page, url=page_url or entry.url)
        if extracted.outcome is Outcome.OK and len(extracted.text) > len(text):
            text = extracted.text
            if extracted.canonical_url and same_site(extracted.canonical_url, page_url or entry.url):
                canon = extracted.canonical_url   # a page's word on its address holds for its own site only
    body = f"{entry.title}\n\n{text}".strip()
    art = Article(source=source, guid=entry.guid, url=entry.url, canonical_url=canon, title=entry.title,
                  text=text, published_at=entry.published_at, language=article_language(entry.language, body, language),
                  official=official, fetched_at=fetched_at, content_hash=content_hash(body), simhash=simhash(body))
    if not with_claims:
        return art
    from ..claims import extract_claims

    published = art.published_at.date() if art.published_at else None
    return dataclasses.replace(art, claims=tuple(extract_claims(analysis_text(art), published=published)))


def build_articles(jobs: list[tuple[str, str, bool, Entry, bytes | None, str | None, dt.datetime, bool]]
                   ) -> list[Article]:
    """:func:`build_article` for each job: one call per source, so one round trip to a worker."""
    return [build_article(*job) for job in jobs]
