"""The event loop the watcher's commands run on.

uvloop (libuv) when it is installed, which it is on Linux and macOS through the package's
dependencies; asyncio's own loop otherwise, or when ``WATCHER_EVENT_LOOP=asyncio`` is set
(to compare the two, or to rule the loop out while debugging). Measured on the polling farm
(docs/benchmarks.md, "Polling"): 1,000 conditional GETs through the Fetcher cost 0.21–0.26 s of
CPU on uvloop against 0.21–0.35 s on asyncio's loop; raw aiohttp 0.18 s against 0.25 s.

    from watcher import aio
    report = aio.run(main())
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

__all__ = ["loop_factory", "run"]

T = TypeVar("T")
ENV = "WATCHER_EVENT_LOOP"


def loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's loop constructor, or None for asyncio's default loop."""
    if os.environ.get(ENV, "").strip().lower() == "asyncio":
        return None
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)`` on the loop chosen above.

    What start-up built (modules, settings) lives as long as the command: ``gc.freeze()`` moves it
    out of the collector's sight first, so the collections a pass triggers scan only what the pass
    allocates (measured: 0.39 s → 0.25 s of collection in a cold pass of 1,000 feeds)."""
    gc.freeze()
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(main)
