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
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

__all__ = ["HostLimits"]


@dataclass(eq=False)
class _Host:
    busy: int = 0
    first: deque[asyncio.Future[None]] = field(default_factory=deque)    # priority waiters
    rest: deque[asyncio.Future[None]] = field(default_factory=deque)


class HostLimits:
    """A counting semaphore per host name with two queues of waiters; idle hosts are forgotten."""

    def __init__(self, per_host: int) -> None:
        if per_host < 1:
            raise ValueError("per_host must be at least 1")
        self.per_host = per_host
        self._hosts: dict[str, _Host] = {}

    def in_flight(self, host: str) -> int:
        h = self._hosts.get(host)
        return h.busy if h is not None else 0

    @asynccontextmanager
    async def slot(self, host: str, *, priority: bool = False) -> AsyncIterator[None]:
        h = self._hosts.get(host)
        if h is None:
            h = self._hosts[host] = _Host()
        if h.busy < self.per_host and not h.first and not h.rest:
            h.busy += 1
        else:
            await self._wait(h, h.first if priority else h.rest)
        try:
            yield
        finally:
            self._release(host, h)

    async def _wait(self, h: _Host, queue: deque[asyncio.Future[None]]) -> None:
        fut: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        queue.append(fut)
        try:
            await fut
        except asyncio.CancelledError:
            if fut.done() and not fut.cancelled():   # handed a slot just as it was cancelled: pass it on
                self._hand_over(h)
            else:
                queue.remove(fut)
            raise

    def _hand_over(self, h: _Host) -> None:
        """A slot is free: give it to the first live waiter (priority first), else count it free."""
        for queue in (h.first, h.rest):
            while queue:
                fut = queue.popleft()
                if not fut.done():
                    fut.set_result(None)   # the slot passes to it: busy is unchanged
                    return
        h.busy -= 1

    def _release(self, host: str, h: _Host) -> None:
        self._hand_over(h)
        if h.busy == 0 and not h.first and not h.rest and self._hosts.get(host) is h:
            del self._hosts[host]
