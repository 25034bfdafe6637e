"""When a source is polled next: pure, with the clock and randomness passed in."""

from __future__ import annotations

import datetime as dt
import random

from watcher.ingest.schedule import MAX_BACKOFF, is_due, next_check, next_run

NOW = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)


def secs(d: dt.datetime) -> float:
    return (d - NOW).total_seconds()


def test_success_waits_the_interval_plus_jitter() -> None:
    assert secs(next_check(NOW, 1800, rand=lambda: 0.0)) == 1800
    assert secs(next_check(NOW, 1800, jitter=0.1, rand=lambda: 1.0)) == 1980


def test_failures_back_off_exponentially_up_to_a_day() -> None:
    delays = [secs(next_check(NOW, 600, error_count=n, rand=lambda: 0.0)) for n in range(1, 12)]
    assert delays[:4] == [600, 1200, 2400, 4800]
    assert max(delays) == MAX_BACKOFF and delays == sorted(delays)


def test_retry_after_is_honoured_and_capped() -> None:
    assert secs(next_check(NOW, 60, error_count=1, retry_after=120, rand=lambda: 0.0)) == 120
    assert secs(next_check(NOW, 60, retry_after=10**9, rand=lambda: 0.0)) == 7 * 86400


def test_clock_jumping_backwards_starves_no_source() -> None:
    assert not is_due(NOW + dt.timedelta(hours=1), NOW, 1800)
    assert is_due(NOW - dt.timedelta(seconds=1), NOW, 1800) and is_due(None, NOW)
    # the stored time is a year ahead: the clock went back; poll rather than wait a year
    assert is_due(NOW + dt.timedelta(days=365), NOW, 1800)


def at(seconds: float) -> dt.datetime:
    return NOW + dt.timedelta(seconds=seconds)


def test_the_daemon_runs_a_source_when_its_row_says() -> None:
    """next_run(now, next_check_at, interval): the row's time when it is ahead, else an interval on."""
    table = [
        # next_check_at          interval  → next run       why
        (at(63.2),               60,         at(63.2)),     # the poll's own interval and jitter, added once
        (at(0.01),               60,         at(0.01)),     # a moment ahead: wait for it, never skip an interval
        (at(7200),               60,         at(7200)),     # backoff or Retry-After
        (None,                   60,         at(60)),       # nothing recorded (the poll failed to write)
        (at(-5),                 60,         at(60)),       # in the past: a disabled source, looked at again
        (at(86400 * 365),        60,         at(60)),       # a year ahead: the clock went back
    ]
    for next_check_at, interval, expected in table:
        assert next_run(NOW, next_check_at, interval) == expected, (next_check_at, interval)


def test_polls_come_once_an_interval_on_average() -> None:
    """The daemon's loop over a simulated clock: each run polls when due and arms the next run from the
    row; with 10% jitter and a poll of 0.3 s the mean gap is about 1.05 intervals, never the 1.5 of a
    job firing on its own jittered period just before the source is due."""
    rnd = random.Random(7)
    interval, t, row = 60.0, NOW, None
    polls = []
    for _ in range(2000):
        if is_due(row, t, interval):
            polls.append(t)
            t += dt.timedelta(seconds=0.3)
            row = next_check(t, interval, jitter=0.1, rand=rnd.random)
        t = next_run(t, row, interval)
    gaps = [(b - a).total_seconds() / interval for a, b in zip(polls, polls[1:], strict=False)]
    assert len(gaps) == 1999
    assert 1.0 < sum(gaps) / len(gaps) < 1.1
    assert max(gaps) < 1.11
