"""Frozen dataclasses that flow between the pipeline stages.

Each stage takes and returns these; none of them holds a session, a socket or a
file. Stage-specific types (claims, changes) live beside their pure module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .errors import Outcome
from .storable import clean_fields


@dataclass(frozen=True)
class Source:
    """One feed from sources.toml."""

    name: str
    url: str
    interval: int = 1800          # seconds between polls
    enabled: bool = True
    language: str = "en"
    tags: tuple[str, ...] = ()
    official: bool = False        # a government source: outranks the press in the differ


@dataclass(frozen=True)
class FetchSettings:
    """The [fetch] table of sources.toml."""

    connect_timeout: float = 10.0
    first_byte_timeout: float = 20.0
    total_timeout: float = 60.0
    max_body_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    concurrency: int = 32
    per_host: int = 4
    user_agent: str = "watcher/0.1 (+trilateral commitment monitor)"
    allow_private_hosts: tuple[str, ...] = ()   # hostnames, IPs or CIDRs allowed despite being non-public
    extract_pages: bool = True                  # fetch the linked page when an entry has only a summary
    pages_per_source: int = 8                   # page requests one source may have in flight at once
    max_pages_per_source: int = 50              # pages fetched for one source in one pass
    page_deadline: float = 120.0                # seconds after a pass starts when its page fetches stop
    max_entries: int = 500                      # entries kept per feed per poll
    jitter: float = 0.1                         # fraction of the interval


@dataclass(frozen=True)
class Validators:
    """HTTP cache validators kept on the source row for conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class FetchResult:
    """The outcome of one HTTP fetch. Never raised: always returned."""

    url: str                          # what was asked for
    outcome: Outcome
    final_url: str | None = None      # after redirects
    status_code: int | None = None
    body: bytes | None = None         # decompressed, at most max_body_bytes
    headers: tuple[tuple[str, str], ...] = ()
    validators: Validators = field(default_factory=Validators)
    retry_after: float | None = None  # seconds, from Retry-After
    permanent_redirect: bool = False  # a 301/308 happened on the way
    error: str | None = None          # human-readable reason for an error outcome
    elapsed: float = 0.0

    def header(self, name: str) -> str | None:
        low = name.lower()
        for k, v in self.headers:
            if k.lower() == low:
                return v
        return None


@dataclass(frozen=True)
class Entry:
    """One feed item after parsing (not yet filtered)."""

    guid: str | None
    url: str | None
    title: str
    summary: str                    # plain text
    content: str                    # plain text of the full content, "" when the feed gives none
    published_at: dt.datetime | None
    author: str | None = None
    language: str | None = None

    def __post_init__(self) -> None:   # one bad character costs that character, not the item (watcher.storable)
        clean_fields(self, ("guid", "url", "title", "summary", "content", "author", "language"))


@dataclass(frozen=True)
class ParseResult:
    """A parsed feed: entries plus what went wrong, as values."""

    outcome: Outcome                # OK, NOT_A_FEED, MALFORMED, EMPTY_BODY
    entries: tuple[Entry, ...] = ()
    title: str | None = None
    error: str | None = None        # the bozo reason, kept even when entries were recovered
    skipped: int = 0                # entries dropped by caps
    passed_over: int = 0            # entries left out by the caller's ``keep`` test


@dataclass(frozen=True)
class Relevance:
    """Why an entry is (or is not) about US-Japan-ROK cooperation."""

    relevant: bool
    score: float
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    """What the store keeps for one story from one outlet."""

    source: str                     # source name, or "ingest" / "seed"
    guid: str | None
    url: str | None
    canonical_url: str | None
    title: str
    text: str
    published_at: dt.datetime | None
    language: str | None = None
    doc: str | None = None          # file name for ingested / seed documents
    official: bool = False
    fetched_at: dt.datetime | None = None
    content_hash: str = ""
    simhash: int = 0
    claims: tuple[Any, ...] | None = None   # already extracted (in a worker), or None: extract when stored

    def __post_init__(self) -> None:   # text any database can hold (watcher.storable)
        clean_fields(self, ("source", "guid", "url", "canonical_url", "title", "text", "language", "doc"))


@dataclass(frozen=True)
class PollReport:
    """The summary of one pass (``watcher poll --once --json``)."""

    sources: int
    fetched: int
    not_modified: int
    errors: int
    new_articles: int
    seconds: float            # from the first request to the last write
    changes: int = 0
