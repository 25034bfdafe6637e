"""``Retry-After`` (RFC 9110 §10.2.3): delta-seconds or an HTTP-date."""

from __future__ import annotations

import datetime as dt
from email.utils import parsedate_to_datetime


def parse_retry_after(value: str | None, now: dt.datetime) -> float | None:
    """Seconds to wait from ``now``, or None when ``value`` is missing or unparseable.

    ``"120"`` gives 120.0; ``"Wed, 21 Oct 2015 07:28:00 GMT"`` gives the seconds
    from ``now`` to that moment, 0.0 when it has passed. A naive ``now`` is taken as
    UTC. Negative or fractional delta-seconds are not valid and give None. The
    caller clamps the result to its own maximum.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:  # pragma: no cover - older Pythons returned None
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=dt.UTC)
    return max(0.0, (when - now).total_seconds())
