"""The fetch stage: HTTP with timeouts, caps, conditional GET, redirects by hand and an address policy.

``Fetcher`` (and aiohttp behind it) is imported on first use, so a command that only
validates a configuration does not pay for the HTTP client.
"""

from __future__ import annotations

from typing import Any

from .policy import AddressPolicy, check_url, classify_ip
from .retry_after import parse_retry_after

__all__ = [
    "ACCEPT_ENCODING",
    "FEED_ACCEPT",
    "AddressPolicy",
    "Fetcher",
    "check_url",
    "classify_ip",
    "parse_retry_after",
]


def __getattr__(name: str) -> Any:
    if name in ("Fetcher", "FEED_ACCEPT", "ACCEPT_ENCODING"):
        from . import fetch

        return getattr(fetch, name)
    raise AttributeError(f"module 'watcher.net' has no attribute {name!r}")
