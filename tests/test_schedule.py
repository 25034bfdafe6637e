"""When a source is polled next: pure, with the clock and randomness passed in."""

from __future__ import annotations

import datetime as dt

from watcher.schedule import MAX_BACKOFF, is_due, next_check

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
