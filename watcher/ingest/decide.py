"""What one poll does to its source's row (pure: data in, data out, the time and the dice passed in).

The poller fetches and parses; this module decides, from the row as it was (:class:`SourceState`) and
what the poll came to (:class:`Polled`), the row as it is now (:class:`SourceUpdate`):

- **status**: the poll's :class:`~watcher.errors.Outcome`, with its error text and HTTP status;
- **error_count**: one more on an error outcome, back to 0 on ``ok`` or ``not_modified``;
- **next_check_at**: the interval (plus jitter) after a success, exponential backoff after errors,
  pushed further by a ``Retry-After`` (``watcher.ingest.schedule.next_check``);
- **disabled_reason**: set by a 410 Gone, or by the ``DISABLE_AFTER``-th consecutive failure
  (an analyst re-enables the source with ``watcher sources enable``);
- **validators** (ETag, Last-Modified): replaced by an ``ok`` or ``not_modified`` response's, kept
  otherwise (an error page's validators are not the feed's);
- **body_hash**, **final_url** (moved only by a permanent redirect), **last_success_at**;
- **routine**: the poll changed nothing but the three times (a 304 like the last one), which the
  store writes in its cheaper way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import Outcome
from ..store import SourceState, SourceUpdate
from ..types import FetchResult, Source, Validators
from .schedule import DISABLE_AFTER, next_check

GONE_REASON = "the server answered 410 Gone"


def failures_reason(errors: int) -> str:
    return f"{errors} consecutive failures; re-enable with `watcher sources enable`"


@dataclass(frozen=True)
class Polled:
    """What one poll of one source came to: the outcome, and what the server's response said."""

    outcome: Outcome
    error: str | None = None
    responded: bool = False                 # a fetch was made and these fields come from it
    http_status: int | None = None
    validators: Validators = Validators()   # the response's
    final_url: str | None = None
    permanent_redirect: bool = False
    retry_after: float | None = None
    body_hash: str | None = None            # the body's digest, None when it is not to be kept

    @classmethod
    def of(cls, outcome: Outcome, error: str | None, fetch: FetchResult | None,
           body_hash: str | None = None) -> Polled:
        if fetch is None:
            return cls(outcome, error, body_hash=body_hash)
        return cls(outcome, error, responded=True, http_status=fetch.status_code, validators=fetch.validators,
                   final_url=fetch.final_url, permanent_redirect=fetch.permanent_redirect,
                   retry_after=fetch.retry_after, body_hash=body_hash)


def decide(source: Source, before: SourceState, polled: Polled, *, now: dt.datetime, jitter: float,
           rand: Callable[[], float]) -> SourceUpdate:
    """The source row after this poll (``now`` is when it ended; ``rand`` draws the jitter in [0, 1))."""
    outcome = polled.outcome
    failed = outcome.is_error
    errors = before.error_count + 1 if failed else 0
    disabled = None
    if outcome is Outcome.GONE:
        disabled = GONE_REASON
    elif failed and errors >= DISABLE_AFTER:
        disabled = failures_reason(errors)
    keep = outcome in (Outcome.OK, Outcome.NOT_MODIFIED)
    validators = polled.validators if polled.responded and keep else before.validators
    body_hash = polled.body_hash if polled.body_hash is not None else before.body_hash
    final_url = polled.final_url if polled.responded and polled.permanent_redirect else before.final_url
    routine = (outcome is Outcome.NOT_MODIFIED and before.last_status == outcome.value and before.error_count == 0
               and polled.responded and polled.http_status == 304 and before.http_status == 304
               and validators == before.validators and body_hash == before.body_hash
               and final_url == before.final_url)
    return SourceUpdate(
        name=source.name, polled_at=now, status=outcome.value, error=polled.error,
        http_status=polled.http_status, error_count=errors,
        next_check_at=next_check(now, source.interval, error_count=errors, retry_after=polled.retry_after,
                                 jitter=jitter, rand=rand),
        validators=validators, body_hash=body_hash, last_success_at=before.last_success_at if failed else now,
        final_url=final_url, disabled_reason=disabled, routine=routine)
