"""The per-host limit: at most ``per_host`` requests in flight to one host, across every fetcher sharing it.

The poller fetches feeds and, through a second client, the article pages those feeds link to; both share
one :class:`HostLimits`, so a host never sees more than ``per_host`` of the poller's requests at once.
Waiting requests of a fetcher with ``priority`` (the pages) go before the others (feeds not fetched yet):
the work in hand is finished before new work starts. Without that, a page would queue behind every feed
of its host still waiting, and its article would be stored only once all of them had been fetched.

    limits = HostLimits(4)
    async with limits.slot("www.yna.co.kr", priority=True):
        ...   # one of the host's four requests
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass, field
from types import TracebackType

__all__ = ["HostLimits"]

PRUNE_AT = 1024   # hosts remembered before the idle ones are forgotten (a daemon meets new hosts for months)


@dataclass(eq=False)
class _Host:
    busy: int = 0
    first: deque[asyncio.Future[None]] = field(default_factory=deque)    # priority waiters
    rest: deque[asyncio.Future[None]] = field(default_factory=deque)


class HostLimits:
    """A counting semaphore per host name with two queues of waiters."""

    def __init__(self, per_host: int) -> None:
        if per_host < 1:
            raise ValueError("per_host must be at least 1")
        self.per_host = per_host
        self._hosts: dict[str, _Host] = {}

    def in_flight(self, host: str) -> int:
        h = self._hosts.get(host)
        return h.busy if h is not None else 0

    def slot(self, host: str, *, priority: bool = False) -> _Slot:
        """``async with limits.slot(host):`` holds one of the host's ``per_host`` slots."""
        return _Slot(self, host, priority)

    async def acquire(self, host: str, priority: bool = False) -> None:
        h = self._hosts.get(host)
        if h is None:
            if len(self._hosts) >= PRUNE_AT:
                self._prune()
            h = self._hosts[host] = _Host()
        if h.busy < self.per_host and not h.first and not h.rest:
            h.busy += 1
            return
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue = h.first if priority else h.rest
        queue.append(fut)
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():   # handed a slot just as it was cancelled: pass it on
                self._hand_over(h)
            else:
                queue.remove(fut)
            raise

    def release(self, host: str) -> None:
        self._hand_over(self._hosts[host])

    @staticmethod
    def _hand_over(h: _Host) -> None:
        """A slot is free: give it to the first live waiter (priority first), else count it free."""
        for queue in (h.first, h.rest):
            while queue:
                fut = queue.popleft()
                if not fut.done():
                    fut.set_result(None)   # the slot passes to it: busy is unchanged
                    return
        h.busy -= 1

    def _prune(self) -> None:
        for name in [n for n, h in self._hosts.items() if not h.busy and not h.first and not h.rest]:
            del self._hosts[name]


class _Slot:
    """One use of a host's slot as an async context manager (a plain class: this runs on every request)."""

    __slots__ = ("host", "limits", "priority")

    def __init__(self, limits: HostLimits, host: str, priority: bool) -> None:
        self.limits, self.host, self.priority = limits, host, priority

    async def __aenter__(self) -> None:
        await self.limits.acquire(self.host, self.priority)

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        self.limits.release(self.host)
