"""The fetch stage: HTTP with timeouts, caps, conditional GET, redirects by hand and an address policy."""

from __future__ import annotations

from .fetch import ACCEPT_ENCODING, FEED_ACCEPT, Fetcher
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
