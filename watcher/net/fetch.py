"""The fetch stage: one conditional GET per call, every expected outcome returned as a value.

:class:`Fetcher` owns one aiohttp session. Its guarantees:

* conditional GET from :class:`~watcher.types.Validators`; 304 keeps the old validators
  unless the server sends new ones;
* timeouts: connect (``connect_timeout``, per TCP connect), response headers complete
  within ``first_byte_timeout`` of starting each request (so headers trickled a byte at a
  time are caught too), and a wall-clock deadline on the whole fetch (``total_timeout``,
  redirects included) that also stops a body trickling in. All of it runs on one timer
  per fetch, rescheduled between phases (aiohttp's per-read ``sock_read`` timer is not
  used: it re-arms a timer on every read);
* a cap on the *decompressed* body, read as a stream, so memory stays near the cap even
  for a gzip bomb;
* redirects followed by hand, each hop's URL checked, loops and long chains refused;
* SSRF: the address policy is applied to IP-literal hosts before connecting, to every
  address the resolver returns (aiohttp dials only those, so DNS rebinding cannot slip a
  private address in), and to the peer address of every connection before a request is
  written on it (see :mod:`watcher.net.connector`).

Third-party and OS exceptions are mapped to an :class:`~watcher.errors.Outcome` in one
place, :func:`watcher.net.outcomes.classify`; anything it does not recognise is a bug and is raised as
:class:`~watcher.errors.FetchError`.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import importlib.util
import time
from types import TracebackType

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from ..errors import FetchError, Outcome
from ..types import FetchResult, FetchSettings, Validators
from .connector import GuardedConnector
from .hosts import HostLimits
from .outcomes import BODY, CONNECT, CURRENT, FIRST_BYTE, TOTAL, FetchState, classify
from .policy import AddressPolicy, check_url
from .retry_after import parse_retry_after

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"
)
HAS_BROTLI = any(importlib.util.find_spec(m) is not None for m in ("brotli", "brotlicffi"))
ACCEPT_ENCODING = "gzip, deflate, br" if HAS_BROTLI else "gzip, deflate"

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_PERMANENT = frozenset({301, 308})
_NO_VALIDATORS = Validators()
_TARGET_CACHE_MAX = 16384



class Fetcher:
    """Fetches feed URLs over one pooled aiohttp session. Use as ``async with Fetcher(settings) as f``."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        policy: AddressPolicy | None = None,
        resolver: AbstractResolver | None = None,
        host_limits: HostLimits | None = None,
        priority: bool = False,
    ) -> None:
        """``policy`` defaults to one built from ``settings.allow_private_hosts``; ``resolver`` (the
        system resolver by default) is always wrapped so that only allowed addresses come out of it.
        ``host_limits``, when given, is the per-host limit shared with other fetchers (the poller's
        feeds and article pages keep to ``per_host`` together); with ``priority`` this fetcher's
        requests waiting for a host go before the others'."""
        self.settings = settings
        self._resolver = resolver
        self.policy = policy if policy is not None else AddressPolicy(settings.allow_private_hosts)
        self._session: aiohttp.ClientSession | None = None
        self._slots: asyncio.Semaphore | None = None
        self._hosts = host_limits if host_limits is not None else HostLimits(settings.per_host)
        self._priority = priority
        self._plain_headers = {"Accept": FEED_ACCEPT}

    async def __aenter__(self) -> Fetcher:
        s = self.settings
        connector = GuardedConnector(
            policy=self.policy,
            resolver=self._resolver,
            limit=s.concurrency,
            limit_per_host=0,  # our own per-host semaphore, keyed by host name
            use_dns_cache=True,
            ttl_dns_cache=60,
            keepalive_timeout=30.0,
        )
        timeout = aiohttp.ClientTimeout(total=None, connect=None, sock_connect=s.connect_timeout, sock_read=None)
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=timeout,
            headers={"User-Agent": s.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            cookie_jar=aiohttp.DummyCookieJar(),
            trust_env=False,  # never route through an environment proxy: the policy must see the real peer
            auto_decompress=True,
            raise_for_status=False,
        )
        self._slots = asyncio.Semaphore(s.concurrency)
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def fetch(
        self,
        url: str,
        validators: Validators = _NO_VALIDATORS,
        *,
        max_bytes: int | None = None,
        accept: str = FEED_ACCEPT,
    ) -> FetchResult:
        """GET ``url`` (following redirects) and return what happened. Raises only FetchError, for bugs."""
        if self._session is None:
            raise FetchError("Fetcher.fetch called outside 'async with Fetcher(...)'")
        start = time.monotonic()
        st = FetchState(url)
        cap = self.settings.max_body_bytes if max_bytes is None else max_bytes
        token = CURRENT.set(st)
        try:
            return await self._fetch(st, url, validators, cap, accept, start)
        except Exception as exc:  # the one boundary: expected failures become outcomes
            outcome, reason = classify(exc, st, self.settings)
        finally:
            CURRENT.reset(token)
        return _failed(st, outcome, reason, start)

    async def _fetch(
        self, st: FetchState, url: str, validators: Validators, cap: int, accept: str, start: float
    ) -> FetchResult:
        target = _TARGETS.get(url)
        if target is None:
            target = _parse_target(url)
        if isinstance(target, str):
            return _failed(st, Outcome.FORBIDDEN_ADDRESS, f"refused URL: {target}", start)
        if validators.etag is None and validators.last_modified is None and accept == FEED_ACCEPT:
            headers = self._plain_headers
        else:
            headers = {"Accept": accept}
            if validators.etag is not None:
                headers["If-None-Match"] = validators.etag
            if validators.last_modified is not None:
                headers["If-Modified-Since"] = validators.last_modified
        settings = self.settings
        loop = asyncio.get_running_loop()
        slots = self._slots
        assert slots is not None  # set with the session in __aenter__
        seen: set[str] | None = None  # built on the first redirect only
        async with asyncio.timeout(None) as deadline:
            st.deadline = deadline
            hop = 0
            while True:
                host = target.raw_host or ""
                refused = self.policy.literal_refusal(host)
                if refused is not None:
                    where = f"redirect to {host}" if hop else host
                    return _failed(st, Outcome.FORBIDDEN_ADDRESS, f"{where} refused: {refused}", start)
                async with self._hosts.slot(host, priority=self._priority), slots:
                    now = loop.time()
                    if hop == 0:
                        st.total_at = now + settings.total_timeout
                    headers_at = now + settings.first_byte_timeout
                    if headers_at < st.total_at:
                        deadline.reschedule(headers_at)
                        st.limit = FIRST_BYTE
                    else:
                        deadline.reschedule(st.total_at)
                        st.limit = TOTAL
                    st.phase = CONNECT
                    step = await self._exchange(st, url, target, headers, validators, cap, start)
                if isinstance(step, FetchResult):
                    return step
                status, location = step
                if location is None:
                    return _failed(st, Outcome.PROTOCOL_ERROR, f"HTTP {status} redirect without a Location", start)
                if hop >= settings.max_redirects:
                    return _failed(
                        st, Outcome.TOO_MANY_REDIRECTS, f"more than {settings.max_redirects} redirects", start
                    )
                if "\\" in location:
                    return _failed(
                        st, Outcome.FORBIDDEN_ADDRESS, f"redirect to {location!r} refused: URL contains a backslash", start
                    )
                try:
                    nxt = target.join(URL(location)).with_fragment(None)
                except (ValueError, TypeError):
                    return _failed(st, Outcome.PROTOCOL_ERROR, f"HTTP {status} with an invalid Location {location!r}", start)
                nxt_str = str(nxt)
                reason = check_url(nxt_str)
                if reason is not None:
                    return _failed(st, Outcome.FORBIDDEN_ADDRESS, f"redirect to {nxt_str} refused: {reason}", start)
                if seen is None:
                    seen = {str(target)}
                if nxt_str in seen:
                    return _failed(st, Outcome.TOO_MANY_REDIRECTS, f"redirect loop back to {nxt_str}", start)
                seen.add(nxt_str)
                if status in _PERMANENT:
                    st.permanent = True
                target = nxt
                hop += 1
                st.hop = hop
                st.url = nxt_str
                st.status = None
                st.headers = ()

    async def _exchange(
        self,
        st: FetchState,
        url: str,
        target: URL,
        headers: dict[str, str],
        validators: Validators,
        cap: int,
        start: float,
    ) -> FetchResult | tuple[int, str | None]:
        """One request/response. Returns the result, or (status, Location) for a redirect."""
        assert self._session is not None
        resp = await self._session.get(target, headers=headers, allow_redirects=False)
        try:
            status = resp.status
            st.status = status
            rh = resp.headers
            if status in _REDIRECTS:
                return status, rh.get("Location")
            st.headers = pairs = tuple(rh.items())
            final = url if st.hop == 0 else st.url
            if 200 <= status < 300:
                body = await self._read_body(resp, st, cap)
                if body is None:
                    resp.close()
                    coded = " after decompression" if rh.get("Content-Encoding") else ""
                    return _failed(st, Outcome.TOO_LARGE, f"body over {cap} bytes{coded}", start)
                if not body:
                    return _failed(st, Outcome.EMPTY_BODY, f"HTTP {status} with an empty body", start)
                etag = rh.get("ETag")
                modified = rh.get("Last-Modified")
                new = _NO_VALIDATORS if etag is None and modified is None else Validators(etag, modified)
                return FetchResult(
                    url=url,
                    outcome=Outcome.OK,
                    final_url=final,
                    status_code=status,
                    body=body,
                    headers=pairs,
                    validators=new,
                    permanent_redirect=st.permanent,
                    elapsed=time.monotonic() - start,
                )
            if status == 304:
                etag = rh.get("ETag")
                modified = rh.get("Last-Modified")
                if etag is not None or modified is not None:
                    validators = Validators(etag or validators.etag, modified or validators.last_modified)
                return FetchResult(
                    url=url,
                    outcome=Outcome.NOT_MODIFIED,
                    final_url=final,
                    status_code=304,
                    headers=pairs,
                    validators=validators,
                    permanent_redirect=st.permanent,
                    elapsed=time.monotonic() - start,
                )
            return _status_result(st, url, final, status, resp.reason, rh.get("Retry-After"), start)
        finally:
            resp.release()

    async def _read_body(self, resp: aiohttp.ClientResponse, st: FetchState, cap: int) -> bytes | None:
        """The decompressed body, or None when it exceeds ``cap`` (reading stops there)."""
        st.phase = BODY
        if st.limit is FIRST_BYTE and st.deadline is not None:
            st.deadline.reschedule(st.total_at)
            st.limit = TOTAL
        length = resp.content_length
        if length is not None and length > cap and "Content-Encoding" not in resp.headers:
            return None
        content = resp.content
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = await content.readany()
            if not chunk:
                break
            total += len(chunk)
            st.received = total
            if total > cap:
                return None
            chunks.append(chunk)
        if len(chunks) == 1:
            return chunks[0]
        return b"".join(chunks)


_TARGETS: dict[str, URL | str] = {}


def _parse_target(url: str) -> URL | str:
    """The parsed URL, or why it is refused; cached, since the same feeds are polled every pass."""
    target: URL | str | None = check_url(url)
    if target is None:
        try:
            target = URL(url)
        except (ValueError, TypeError) as exc:
            target = str(exc) or "unparseable URL"
    if len(_TARGETS) >= _TARGET_CACHE_MAX:
        _TARGETS.clear()
    _TARGETS[url] = target
    return target


def _failed(st: FetchState, outcome: Outcome, reason: str, start: float) -> FetchResult:
    return FetchResult(
        url=st.origin,
        outcome=outcome,
        final_url=st.url,
        status_code=st.status,
        headers=st.headers,
        permanent_redirect=st.permanent,
        error=reason,
        elapsed=time.monotonic() - start,
    )


def _status_result(
    st: FetchState, url: str, final: str, status: int, phrase: str | None, retry_header: str | None, start: float
) -> FetchResult:
    label = f"HTTP {status} {phrase}".rstrip() if phrase else f"HTTP {status}"
    retry_after = None
    if status == 429 or (status == 503 and retry_header is not None):
        outcome = Outcome.RATE_LIMITED
        retry_after = parse_retry_after(retry_header, dt.datetime.now(dt.UTC))
        if retry_after is not None:
            label += f" (retry after {retry_after:g} s)"
    elif status == 410:
        outcome = Outcome.GONE
    elif status >= 400:
        outcome = Outcome.HTTP_ERROR
    else:
        outcome = Outcome.HTTP_ERROR
        label = f"unexpected {label}"
    return FetchResult(
        url=url,
        outcome=outcome,
        final_url=final,
        status_code=status,
        headers=st.headers,
        retry_after=retry_after,
        permanent_redirect=st.permanent,
        error=label,
        elapsed=time.monotonic() - start,
    )
