"""The event loop the watcher's commands run on.

uvloop (libuv) when it is installed, which it is on Linux and macOS through the package's
dependencies; asyncio's own loop otherwise, or when ``WATCHER_EVENT_LOOP=asyncio`` is set
(to compare the two, or to rule the loop out while debugging). Measured on the polling farm
(``benchmarks/poll.py``, docs/benchmarks.md): uvloop takes about a fifth off the CPU the main
process spends per HTTP request, which is most of a pass in which every feed answers 304.

    from watcher import aio
    report = aio.run(main())
"""

from __future__ import annotations

import asyncio
import gc
import os
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

__all__ = ["loop_factory", "loop_name", "run"]

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


def loop_name() -> str:
    return "asyncio" if loop_factory() is None else "uvloop"


def run(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run(main)`` on the loop chosen above.

    What start-up built (modules, settings) lives as long as the command: ``gc.freeze()`` moves it
    out of the collector's sight first, so the collections a pass triggers scan only what the pass
    allocates (measured: 0.39 s → 0.25 s of collection in a cold pass of 1,000 feeds)."""
    gc.freeze()
    with asyncio.Runner(loop_factory=loop_factory()) as runner:
        return runner.run(main)
