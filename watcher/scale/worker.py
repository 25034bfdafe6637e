"""``watcher worker``: one process of the scale-out, running procrastinate's worker over our tasks.

Start as many as you like, on as many machines, against one PostgreSQL: each syncs the sources from its
sources.toml (all must carry the same file), then takes jobs from the queues it was given. SIGTERM or
SIGINT stops it gracefully (jobs in flight get STOP_GRACE seconds); a ``kill -9`` costs nothing but
time: its heartbeat stops, and ``retry_stalled_jobs`` on another worker queues its jobs again.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Sequence
from typing import Any

from ..config import Settings
from ..errors import StorageError
from ..ingest.poller import Poller
from ..store import Store
from .runtime import Runtime

log = logging.getLogger("watcher.scale")

STOP_GRACE = 30.0        # seconds the jobs in flight get after SIGTERM
FETCH_POLL = 0.25        # seconds between looks at the queue for jobs scheduled ahead (polls are at a time)


def sync_sources(store: Store, settings: Settings, tries: int = 5) -> None:
    """Make the sources table match sources.toml; workers starting together may collide: try again."""
    for attempt in range(tries):
        try:
            store.sync_sources(settings.sources)
            return
        except StorageError:
            if attempt == tries - 1:
                raise
            time.sleep(0.2 * (attempt + 1))


async def run_worker(settings: Settings, store: Store, *, concurrency: int, queues: Sequence[str],
                     metrics: Any = None, name: str | None = None, parse_workers: int | None = None,
                     install_signal_handlers: bool = True) -> None:
    """Run until stopped (SIGTERM/SIGINT)."""
    from .queue import app, connector_for

    sync_sources(store, settings)
    store = worker_store(store.url, concurrency)
    runtime = Runtime(settings, store, metrics=metrics)
    name = name or f"{socket.gethostname()}:{os.getpid()}"
    with app.replace_connector(connector_for(store.url, max_size=concurrency + 4)):
        async with app.open_async():
            await _dispatch_now(app)
            try:
                async with Poller(settings, runtime.serial, analyzer=runtime.analyzer,
                                  workers=parse_workers) as poller:
                    runtime.poller = poller
                    log.warning("watcher worker %s: queues %s, concurrency %d", name, ",".join(queues), concurrency)
                    await app.run_worker_async(
                        queues=list(queues), concurrency=concurrency, name=name, delete_jobs="successful",
                        additional_context={"watcher": runtime}, fetch_job_polling_interval=FETCH_POLL,
                        shutdown_graceful_timeout=STOP_GRACE, install_signal_handlers=install_signal_handlers)
            finally:
                await runtime.aclose()


def worker_store(url: str, concurrency: int) -> Store:
    """The worker's own store: a pool as large as its jobs, and no ping of every connection lent (a round
    trip per transaction; a connection a database restart broke fails one job, and is replaced)."""
    from sqlalchemy import create_engine

    from ..store.db import make_engine

    base = make_engine(url)
    engine = create_engine(base.url, pool_size=min(concurrency, 16), max_overflow=8, pool_pre_ping=False)
    base.dispose()
    return Store(url, engine=engine)


async def _dispatch_now(app: Any) -> None:
    """A worker that starts queues what is due at once rather than at the next 15 s tick."""
    from procrastinate.exceptions import AlreadyEnqueued

    try:
        await app.configure_task("watcher.dispatch_due", queueing_lock="dispatch").defer_async(timestamp=0)
    except AlreadyEnqueued:
        pass
