"""What one poll does to its source's row, as a table: the row before × the poll's outcome → the row after.

``watcher.ingest.decide.decide`` is pure, so every case is data: no server, no database, no clock.
"""

from __future__ import annotations

import datetime as dt

import pytest

from watcher.errors import Outcome
from watcher.ingest.decide import Polled, decide
from watcher.ingest.schedule import DISABLE_AFTER, MAX_BACKOFF
from watcher.store import SourceState
from watcher.types import Source, Validators

NOW = dt.datetime(2025, 3, 1, 12, 0, tzinfo=dt.UTC)
EARLIER = NOW - dt.timedelta(days=2)
INTERVAL = 600
SOURCE = Source(name="Yonhap", url="https://example.org/feed", interval=INTERVAL)
OLD = Validators(etag='"v1"', last_modified="Sat, 01 Mar 2025 10:00:00 GMT")
NEW = Validators(etag='"v2"', last_modified="Sat, 01 Mar 2025 11:00:00 GMT")
GONE = "the server answered 410 Gone"
FAILURES = f"{DISABLE_AFTER} consecutive failures; re-enable with `watcher sources enable`"


def before(status: str | None, errors: int, http: int | None = 200) -> SourceState:
    return SourceState(name=SOURCE.name, url=SOURCE.url, enabled=True, validators=OLD, body_hash="h-old",
                       error_count=errors, next_check_at=NOW, last_status=status, disabled_reason=None,
                       muted=False, last_success_at=EARLIER, final_url=None, http_status=http)


def answer(outcome: Outcome, http: int, *, validators: Validators = NEW, retry_after: float | None = None,
           error: str | None = None, body_hash: str | None = None) -> Polled:
    return Polled(outcome, error, responded=True, http_status=http, validators=validators,
                  retry_after=retry_after, body_hash=body_hash)


def no_answer(outcome: Outcome, error: str) -> Polled:
    return Polled(outcome, error)


# (case, row before, the poll) → (status, error_count, seconds to next check, disabled_reason, validators,
#                                  last_success_at, routine)
TABLE = [
    ("ok after ok", before("ok", 0), answer(Outcome.OK, 200, body_hash="h-new"),
     ("ok", 0, INTERVAL, None, NEW, NOW, False)),
    ("ok clears a run of errors", before("timeout", 7), answer(Outcome.OK, 200, body_hash="h-new"),
     ("ok", 0, INTERVAL, None, NEW, NOW, False)),
    ("304 after 304 is routine", before("not_modified", 0, 304), answer(Outcome.NOT_MODIFIED, 304, validators=OLD),
     ("not_modified", 0, INTERVAL, None, OLD, NOW, True)),
    ("304 after ok is not routine", before("ok", 0, 200), answer(Outcome.NOT_MODIFIED, 304, validators=OLD),
     ("not_modified", 0, INTERVAL, None, OLD, NOW, False)),
    ("304 with new validators is not routine", before("not_modified", 0, 304),
     answer(Outcome.NOT_MODIFIED, 304, validators=NEW),
     ("not_modified", 0, INTERVAL, None, NEW, NOW, False)),
    ("304 after an error is not routine", before("not_modified", 2, 304),
     answer(Outcome.NOT_MODIFIED, 304, validators=OLD),
     ("not_modified", 0, INTERVAL, None, OLD, NOW, False)),
    ("same body without validators", before("ok", 0), answer(Outcome.NOT_MODIFIED, 200, validators=Validators()),
     ("not_modified", 0, INTERVAL, None, Validators(), NOW, False)),
    ("first timeout", before("ok", 0), no_answer(Outcome.TIMEOUT, "no answer in 10 s"),
     ("timeout", 1, INTERVAL, None, OLD, EARLIER, False)),
    ("second failure doubles the wait", before("timeout", 1), no_answer(Outcome.CONNECT_ERROR, "refused"),
     ("connect_error", 2, 2 * INTERVAL, None, OLD, EARLIER, False)),
    ("fourth failure", before("http_error", 3), answer(Outcome.HTTP_ERROR, 500, error="HTTP 500"),
     ("http_error", 4, 8 * INTERVAL, None, OLD, EARLIER, False)),
    ("backoff capped at a day", before("http_error", DISABLE_AFTER - 2), answer(Outcome.HTTP_ERROR, 503),
     ("http_error", DISABLE_AFTER - 1, MAX_BACKOFF, None, OLD, EARLIER, False)),
    ("the last failure allowed disables", before("http_error", DISABLE_AFTER - 1), answer(Outcome.HTTP_ERROR, 500),
     ("http_error", DISABLE_AFTER, MAX_BACKOFF, FAILURES, OLD, EARLIER, False)),
    ("410 disables at once", before("ok", 0), answer(Outcome.GONE, 410),
     ("gone", 1, INTERVAL, GONE, OLD, EARLIER, False)),
    ("429 waits its Retry-After", before("ok", 0), answer(Outcome.RATE_LIMITED, 429, retry_after=7200),
     ("rate_limited", 1, 7200, None, OLD, EARLIER, False)),
    ("short Retry-After does not cut the backoff", before("rate_limited", 2),
     answer(Outcome.RATE_LIMITED, 429, retry_after=30),
     ("rate_limited", 3, 4 * INTERVAL, None, OLD, EARLIER, False)),
    ("a page that is not a feed", before("ok", 0), answer(Outcome.NOT_A_FEED, 200, error="an HTML page"),
     ("not_a_feed", 1, INTERVAL, None, OLD, EARLIER, False)),
    ("a bug in our handling", before("ok", 0), no_answer(Outcome.INTERNAL_ERROR, "internal error: KeyError"),
     ("internal_error", 1, INTERVAL, None, OLD, EARLIER, False)),
]


@pytest.mark.parametrize(("row", "polled", "expected"), [t[1:] for t in TABLE], ids=[t[0] for t in TABLE])
def test_the_row_after_a_poll(row: SourceState, polled: Polled,
                              expected: tuple[str, int, float, str | None, Validators, dt.datetime, bool]) -> None:
    after = decide(SOURCE, row, polled, now=NOW, jitter=0.1, rand=lambda: 0.0)
    got = (after.status, after.error_count, (after.next_check_at - NOW).total_seconds(), after.disabled_reason,
           after.validators, after.last_success_at, after.routine)
    assert got == expected
    assert after.name == SOURCE.name and after.polled_at == NOW
    assert after.error == polled.error and after.http_status == polled.http_status


def test_jitter_is_drawn_from_the_dice_passed_in() -> None:
    after = decide(SOURCE, before("ok", 0), answer(Outcome.OK, 200), now=NOW, jitter=0.1, rand=lambda: 1.0)
    assert (after.next_check_at - NOW).total_seconds() == INTERVAL * 1.1


def test_body_hash_is_replaced_only_when_the_poll_has_one() -> None:
    kept = decide(SOURCE, before("ok", 0), no_answer(Outcome.TIMEOUT, "slow"), now=NOW, jitter=0, rand=lambda: 0)
    new = decide(SOURCE, before("ok", 0), answer(Outcome.OK, 200, body_hash="h-new"), now=NOW, jitter=0,
                 rand=lambda: 0)
    assert (kept.body_hash, new.body_hash) == ("h-old", "h-new")


@pytest.mark.parametrize(("outcome", "http"), [(Outcome.OK, 200), (Outcome.HTTP_ERROR, 404)])
def test_only_a_permanent_redirect_moves_the_feed(outcome: Outcome, http: int) -> None:
    moved = Polled(outcome, None, responded=True, http_status=http, final_url="https://example.org/new",
                   permanent_redirect=True)
    passing = Polled(outcome, None, responded=True, http_status=http, final_url="https://example.org/elsewhere")
    row = before("ok", 0)
    assert decide(SOURCE, row, moved, now=NOW, jitter=0, rand=lambda: 0).final_url == "https://example.org/new"
    assert decide(SOURCE, row, passing, now=NOW, jitter=0, rand=lambda: 0).final_url is None


def test_polled_of_a_fetch_carries_what_the_server_said() -> None:
    from watcher.types import FetchResult

    fetch = FetchResult(url=SOURCE.url, outcome=Outcome.RATE_LIMITED, final_url=SOURCE.url, status_code=429,
                        validators=NEW, retry_after=60.0, permanent_redirect=True, error="HTTP 429")
    assert Polled.of(Outcome.RATE_LIMITED, "HTTP 429", fetch) == Polled(
        Outcome.RATE_LIMITED, "HTTP 429", responded=True, http_status=429, validators=NEW, final_url=SOURCE.url,
        permanent_redirect=True, retry_after=60.0)
    assert Polled.of(Outcome.INTERNAL_ERROR, "bug", None, "h") == Polled(Outcome.INTERNAL_ERROR, "bug", body_hash="h")
