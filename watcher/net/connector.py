"""The SSRF guard inside aiohttp: a filtering resolver and a connector that checks literals and peers.

aiohttp connects to exactly the addresses its resolver returns, so filtering there
checks the address actually dialled (DNS rebinding cannot slip a private address in).
aiohttp skips the resolver for IP-literal hosts, so the connector checks those before
connecting, and it checks the peer address of every connection it hands out.
"""

from __future__ import annotations

import socket
from typing import Any

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import DefaultResolver

from .outcomes import CURRENT, HEADERS, AddressRefused
from .policy import AddressPolicy


class PolicyResolver(AbstractResolver):
    """Resolves with the default resolver and keeps only the addresses the policy allows.

    aiohttp connects to exactly the addresses returned here, so the check is on the
    address actually dialled; nothing is sent to a refused one.
    """

    def __init__(self, policy: AddressPolicy, inner: AbstractResolver | None = None) -> None:
        self._policy = policy
        self._inner = inner if inner is not None else DefaultResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        policy = self._policy
        if policy.allows_host(host):
            return results
        allowed = [r for r in results if policy.refusal(r["host"]) is None]
        if not allowed:
            if not results:
                raise OSError(f"no addresses for {host}")
            ip = results[0]["host"]
            raise AddressRefused(host, ip, policy.refusal(ip) or "refused")
        return allowed

    async def close(self) -> None:
        await self._inner.close()


class GuardedConnector(aiohttp.TCPConnector):
    """A TCPConnector that refuses forbidden IP-literal hosts before connecting and checks the peer after."""

    def __init__(self, *, policy: AddressPolicy, resolver: AbstractResolver | None = None, **kwargs: Any) -> None:
        super().__init__(resolver=PolicyResolver(policy, resolver), **kwargs)
        self._policy = policy

    async def connect(self, req: Any, traces: Any, timeout: Any) -> aiohttp.connector.Connection:
        host = req.url.raw_host or ""
        reason = self._policy.literal_refusal(host)
        if reason is not None:
            raise AddressRefused(host, host, reason)
        conn = await super().connect(req, traces, timeout)
        transport = conn.transport
        peer = transport.get_extra_info("peername") if transport is not None else None
        if peer:
            ip = peer[0]
            reason = self._policy.refusal(ip, host)
            if reason is not None:
                conn.close()
                raise AddressRefused(host, ip, reason, connected=True)
        st = CURRENT.get()
        if st is not None:
            st.phase = HEADERS
        return conn
