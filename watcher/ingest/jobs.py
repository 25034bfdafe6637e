"""The CPU-heavy step of one poll, run by the orchestrator in its worker processes (watcher.ingest.workers).

``process_feed`` is top-level and takes and returns only picklable values; it parses the feed and scores every
entry, and sends back only the relevant entries, so little crosses the process boundary. It never raises: a bug
in our handling of one feed comes back as ``Outcome.INTERNAL_ERROR`` with the reason.

No byte-level pre-check skips parsing: the country names can arrive in any charset (UTF-16, EUC-KR, Shift_JIS),
as numeric character references (``&#26085;&#31859;&#38867;``) or double-escaped HTML, so only the decoded,
entity-expanded entry text can prove that an entry is irrelevant. The relevance filter's own substring
pre-check does that per entry in a few microseconds, which leaves parsing as the whole cost.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..content.relevance import relevance
from ..errors import Outcome
from ..feeds.parse import parse_feed
from ..types import Entry, Relevance

__all__ = ["ProcessedFeed", "process_feed"]


@dataclass(frozen=True)
class ProcessedFeed:
    """A parsed feed reduced to what the orchestrator needs: the outcome and the relevant entries."""

    outcome: Outcome
    error: str | None = None
    title: str | None = None
    total_entries: int = 0          # entries in the feed, including those skipped by the cap
    skipped: int = 0                # entries dropped by the cap
    relevant: tuple[tuple[Entry, Relevance], ...] = ()


def process_feed(
    body: bytes, url: str, headers: tuple[tuple[str, str], ...], max_entries: int
) -> ProcessedFeed:
    """parse_feed + relevance on every entry; only the relevant (entry, relevance) pairs come back."""
    try:
        hdrs: dict[str, str] = {}
        for key, value in headers:
            low = key.lower()
            hdrs[low] = f"{hdrs[low]}, {value}" if low in hdrs else value
        scores: dict[tuple[str, str, str], Relevance] = {}

        def keep(title: str, summary: str, content: str) -> bool:
            rel = scores[title, summary, content] = relevance(title, summary, content)
            return rel.relevant

        # Only the entries the filter keeps are built in full (link, id, date): ~1 in 20 here.
        parsed = parse_feed(body, url=url, headers=hdrs, max_entries=max_entries, keep=keep)
        relevant = [(e, scores[e.title, e.summary, e.content]) for e in parsed.entries]
        return ProcessedFeed(
            outcome=parsed.outcome,
            error=parsed.error,
            title=parsed.title,
            total_entries=len(parsed.entries) + parsed.passed_over + parsed.skipped,
            skipped=parsed.skipped,
            relevant=tuple(relevant),
        )
    except Exception as exc:  # a bug of ours: report it for this source, never kill the worker pool
        return ProcessedFeed(Outcome.INTERNAL_ERROR, error=f"{type(exc).__name__}: {exc}"[:500])
