"""When to poll a source next (pure: the clock and the random source are passed in).

Success: the source's interval plus up to ``jitter`` of it. Failure: exponential backoff,
``interval * 2**(errors-1)`` capped at a day, with the same jitter. A server's
``Retry-After`` pushes the next check at least that far (capped at a week). After
``DISABLE_AFTER`` consecutive failures, or a 410, the source is disabled until an
analyst re-enables it (``watcher sources enable NAME``).

The daemon runs each source's job at the time :func:`next_run` gives: the ``next_check_at``
the last poll recorded, so the jitter is added once (here) and a job never fires a moment
before the source is due only to skip a whole interval.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

MAX_BACKOFF = 86_400.0
MAX_RETRY_AFTER = 7 * 86_400.0
DISABLE_AFTER = 10


def next_check(now: dt.datetime, interval: float, *, error_count: int = 0, retry_after: float | None = None,
               jitter: float = 0.1, rand: Callable[[], float] = random.random) -> dt.datetime:
    """The time of the next poll after one that ended at ``now``."""
    delay = float(interval)
    if error_count > 0:
        delay = min(interval * 2 ** min(error_count - 1, 20), max(MAX_BACKOFF, interval))
    delay += delay * jitter * rand()
    if retry_after is not None and retry_after > 0:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return now + dt.timedelta(seconds=delay)


def is_due(next_check_at: dt.datetime | None, now: dt.datetime, interval: float = 0.0) -> bool:
    """Due when the time has come, or when the stored time is further ahead than any delay we
    ever set (the clock went backwards): a source is never starved by a clock jump."""
    if next_check_at is None or next_check_at <= now:
        return True
    horizon = max(MAX_BACKOFF, MAX_RETRY_AFTER, interval) * 1.5
    return (next_check_at - now).total_seconds() > horizon


def next_run(now: dt.datetime, next_check_at: dt.datetime | None, interval: float) -> dt.datetime:
    """When the daemon runs a source's job again, after one that ended at ``now``: at the source's
    ``next_check_at`` (which carries its interval, jitter, backoff and ``Retry-After``); an interval
    from now when no later time is recorded (the poll could not record one, or the source is
    disabled and is looked at again then) or when the recorded one is beyond any delay we set (the
    clock went backwards: :func:`is_due`)."""
    if next_check_at is None or is_due(next_check_at, now, interval):
        return now + dt.timedelta(seconds=interval)
    return next_check_at
