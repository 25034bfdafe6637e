"""The per-host limit shared by the poller's feed and page clients (watcher.net.hosts)."""

from __future__ import annotations

import asyncio

from tests.support.loopback import run
from watcher.net.hosts import PRUNE_AT, HostLimits


def test_never_more_than_per_host_to_one_host_and_hosts_are_independent() -> None:
    limits = HostLimits(3)
    most: dict[str, int] = {}

    async def request(host: str, priority: bool) -> None:
        async with limits.slot(host, priority=priority):
            most[host] = max(most.get(host, 0), limits.in_flight(host))
            await asyncio.sleep(0.01)

    async def go() -> None:
        await asyncio.gather(*(request(h, i % 2 == 0) for i in range(40) for h in ("a.example", "b.example")))

    run(go())
    assert most == {"a.example": 3, "b.example": 3}
    assert limits.in_flight("a.example") == 0 and limits.in_flight("b.example") == 0


def test_priority_waiters_go_before_earlier_ones() -> None:
    limits = HostLimits(1)
    order: list[str] = []

    async def request(name: str, priority: bool) -> None:
        async with limits.slot("h", priority=priority):
            order.append(name)
            await asyncio.sleep(0)

    async def go() -> None:
        async with limits.slot("h"):
            waiting = [asyncio.create_task(request("feed 1", False)), asyncio.create_task(request("feed 2", False))]
            await asyncio.sleep(0)
            waiting.append(asyncio.create_task(request("page", True)))
            await asyncio.sleep(0)
        await asyncio.gather(*waiting)

    run(go())
    assert order == ["page", "feed 1", "feed 2"]


def test_a_cancelled_waiter_neither_keeps_nor_loses_a_slot() -> None:
    limits = HostLimits(1)

    async def go() -> None:
        async with limits.slot("h"):
            gone = asyncio.create_task(_enter(limits))
            await asyncio.sleep(0)
            gone.cancel()
            await asyncio.sleep(0)
        # the slot is free again, for a newcomer, at once
        async with asyncio.timeout(1):
            async with limits.slot("h"):
                assert limits.in_flight("h") == 1
        # handed the slot at the moment it is cancelled: the slot goes on to the next waiter
        async with limits.slot("h"):
            first = asyncio.create_task(_enter(limits))
            second = asyncio.create_task(_enter(limits))
            await asyncio.sleep(0)
        first.cancel()    # its future already holds the slot; it is cancelled before it runs
        async with asyncio.timeout(1):
            await second
        assert limits.in_flight("h") == 0

    run(go())


async def _enter(limits: HostLimits) -> None:
    async with limits.slot("h"):
        await asyncio.sleep(0)


def test_idle_hosts_are_forgotten_once_many_are_known_and_busy_ones_kept() -> None:
    limits = HostLimits(1)

    async def go() -> None:
        async with limits.slot("busy.example"):
            for i in range(PRUNE_AT + 10):
                async with limits.slot(f"h{i}.example"):
                    pass
            assert len(limits._hosts) <= PRUNE_AT       # the map stays bounded
            assert limits.in_flight("busy.example") == 1   # the host in use kept its count
        async with asyncio.timeout(1), limits.slot("busy.example"):
            assert limits.in_flight("busy.example") == 1

    run(go())
