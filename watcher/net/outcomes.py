"""The one boundary where aiohttp, OS, timeout and zlib exceptions become :class:`Outcome` values.

Every exception raised while fetching passes through :func:`classify`. What it
recognises becomes ``(Outcome, reason)``; anything else is a bug in our code and is
raised as :class:`~watcher.errors.FetchError` (the orchestrator marks the source
``internal_error``).
"""

from __future__ import annotations

import asyncio
import contextvars
import os
import zlib
from urllib.parse import urlsplit

import aiohttp
from aiohttp import http_exceptions

from ..errors import FetchError, Outcome
from ..types import FetchSettings

CONNECT = "connect"  # waiting for a connection (new, or from the pool)
HEADERS = "headers"  # connected: sending, waiting for the status line and headers
BODY = "body"        # reading the body
FIRST_BYTE = "first_byte"  # the fetch's timer is the response-headers deadline of this hop
TOTAL = "total"            # the fetch's timer is the whole-fetch deadline


class AddressRefused(Exception):
    """Raised inside the connector/resolver when the policy refuses an address; never escapes a fetch."""

    def __init__(self, host: str, ip: str, reason: str, *, connected: bool = False) -> None:
        super().__init__(f"{ip} refused: {reason}")
        self.host = host
        self.ip = ip
        self.reason = reason
        self.connected = connected  # found by the after-connect peer check (the resolver let it through)


class FetchState:
    """How far one fetch got: what a failure interrupted, for naming it."""

    __slots__ = (
        "deadline", "headers", "hop", "limit", "origin", "permanent", "phase", "received", "status", "total_at", "url",
    )

    def __init__(self, url: str) -> None:
        self.origin = url
        self.url = url
        self.hop = 0
        self.phase = CONNECT
        self.status: int | None = None
        self.headers: tuple[tuple[str, str], ...] = ()
        self.received = 0
        self.permanent = False
        self.deadline: asyncio.Timeout | None = None
        self.limit = TOTAL
        self.total_at = 0.0


CURRENT: contextvars.ContextVar[FetchState | None] = contextvars.ContextVar("watcher_fetch_state", default=None)
"""The fetch running in this task, so the connector can mark the moment it has a connection."""


def _host(url: str) -> str:
    try:
        parts = urlsplit(url)
        host = parts.hostname or url
        return f"{host}:{parts.port}" if parts.port else host
    except ValueError:
        return url


def _os_reason(exc: BaseException) -> str:
    os_error = getattr(exc, "os_error", None)
    err = os_error if isinstance(os_error, OSError) else exc
    if isinstance(err, OSError) and err.errno:
        try:
            return os.strerror(err.errno)
        except ValueError:
            pass
    if isinstance(err, OSError) and err.strerror:
        return err.strerror
    text = str(err)
    return text or type(err).__name__


def _payload_reason(exc: aiohttp.ClientPayloadError, received: int) -> str:
    chain: list[BaseException] = []
    cur: BaseException | None = exc
    while cur is not None and len(chain) < 6:
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    for err in chain:
        if isinstance(err, http_exceptions.ContentLengthError):
            return f"body shorter than its Content-Length ({received} bytes received)"
        if isinstance(err, http_exceptions.ContentEncodingError):
            return f"bad compressed body after {received} bytes ({err.message})"
        if isinstance(err, http_exceptions.TransferEncodingError):
            return f"bad chunked encoding after {received} bytes ({err.message})"
        if isinstance(err, zlib.error):
            return f"bad compressed body after {received} bytes"
        if isinstance(err, ConnectionResetError):
            return f"connection reset mid-body after {received} bytes"
    return f"body incomplete after {received} bytes: {exc}"


def short(text: object, limit: int = 160) -> str:
    """One line of at most ``limit`` characters: third-party messages can carry whole payloads."""
    line = " ".join(str(text).split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def classify(exc: Exception, st: FetchState, settings: FetchSettings) -> tuple[Outcome, str]:
    """Map an exception raised during a fetch to ``(outcome, reason)``; raise FetchError for bugs."""
    outcome, reason = _classify(exc, st, settings)
    return outcome, short(reason, 240)


def _classify(exc: Exception, st: FetchState, settings: FetchSettings) -> tuple[Outcome, str]:
    in_body = st.phase == BODY
    where = _host(st.url)
    redirect = f"redirect to {where}" if st.hop else where
    deadline = st.deadline

    if isinstance(exc, AddressRefused):
        if exc.ip == exc.host:
            return Outcome.FORBIDDEN_ADDRESS, f"{redirect} refused: {exc.reason}"
        how = "connected to" if exc.connected else "it resolves to"
        return Outcome.FORBIDDEN_ADDRESS, f"{redirect} refused: {how} {exc.ip}, {exc.reason}"
    if deadline is not None and deadline.expired() and isinstance(exc, TimeoutError):
        if st.limit == FIRST_BYTE:
            if st.phase == CONNECT:
                return Outcome.TIMEOUT, f"no connection to {where} within {settings.first_byte_timeout:g} s"
            return Outcome.TIMEOUT, f"no response headers within {settings.first_byte_timeout:g} s"
        if in_body:
            return Outcome.TIMEOUT, (
                f"body not complete within {settings.total_timeout:g} s ({st.received} bytes received)"
            )
        if st.phase == CONNECT:
            return Outcome.TIMEOUT, f"no connection to {where} before the {settings.total_timeout:g} s deadline"
        return Outcome.TIMEOUT, f"no response headers before the {settings.total_timeout:g} s deadline"
    if isinstance(exc, aiohttp.ConnectionTimeoutError):
        return Outcome.TIMEOUT, f"no connection to {where} within {settings.connect_timeout:g} s"
    if isinstance(exc, aiohttp.SocketTimeoutError):
        if in_body:
            return Outcome.TIMEOUT, (
                f"no body data for {settings.first_byte_timeout:g} s ({st.received} bytes received)"
            )
        return Outcome.TIMEOUT, f"no response headers within {settings.first_byte_timeout:g} s"
    if isinstance(exc, aiohttp.ClientConnectorDNSError):
        return Outcome.CONNECT_ERROR, f"DNS lookup failed for {where}: {_os_reason(exc)}"
    if isinstance(exc, aiohttp.ClientConnectorCertificateError):
        return Outcome.CONNECT_ERROR, f"TLS certificate of {where} rejected: {exc.certificate_error}"
    if isinstance(exc, aiohttp.ClientSSLError):
        return Outcome.CONNECT_ERROR, f"TLS handshake with {where} failed: {_os_reason(exc)}"
    if isinstance(exc, aiohttp.ClientConnectorError):
        return Outcome.CONNECT_ERROR, f"cannot connect to {where}: {_os_reason(exc)}"
    if isinstance(exc, aiohttp.ClientPayloadError):
        return Outcome.PROTOCOL_ERROR, _payload_reason(exc, st.received)
    if isinstance(exc, aiohttp.ServerDisconnectedError):
        if in_body:
            return Outcome.PROTOCOL_ERROR, f"connection closed mid-body after {st.received} bytes"
        return Outcome.CONNECT_ERROR, f"connection closed by {where} before response headers"
    if isinstance(exc, aiohttp.InvalidURL):
        return Outcome.FORBIDDEN_ADDRESS, f"refused URL: {exc}"
    if isinstance(exc, aiohttp.ClientResponseError):  # unparseable status line or headers
        return Outcome.PROTOCOL_ERROR, f"malformed response from {where}: {short(exc.message or exc, 80)}"
    if isinstance(exc, ConnectionResetError | aiohttp.ClientOSError | aiohttp.ClientConnectionError | OSError):
        if in_body:
            return Outcome.PROTOCOL_ERROR, f"connection error mid-body after {st.received} bytes: {_os_reason(exc)}"
        return Outcome.CONNECT_ERROR, f"connection to {where} failed before response headers: {_os_reason(exc)}"
    if isinstance(exc, zlib.error):
        return Outcome.PROTOCOL_ERROR, f"bad compressed body after {st.received} bytes"
    if isinstance(exc, aiohttp.ClientError):
        return Outcome.PROTOCOL_ERROR, f"HTTP client error from {where}: {exc}"
    if isinstance(exc, TimeoutError):
        return Outcome.TIMEOUT, f"timed out talking to {where}"
    raise FetchError(f"unexpected {type(exc).__name__} fetching {st.origin}: {short(exc)}") from exc
