"""``watcher run``: the scheduler around the orchestrator.

APScheduler runs one job per source on that source's interval (with jitter); each job
asks the poller for that source when it is due (``next_check_at`` on the row carries
backoff and ``Retry-After``). A daily job checks deadlines (``overdue`` changes), and
the notifier delivers the outbox. SIGTERM or SIGINT stops it within a few seconds:
every write is one transaction, so nothing is half-written, and the next start resumes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import signal
from collections.abc import Callable
from typing import Any

from . import aio
from .config import Settings
from .intake import Analyzer, ChangeHook
from .pipeline import Poller, utcnow
from .store import Store

log = logging.getLogger("watcher.daemon")

STOP_GRACE = 5.0      # seconds the work in flight gets after a stop signal


def change_hook(settings: Settings) -> ChangeHook | None:
    """The outbox writer for the configured alert channels, or None when there are none."""
    try:
        from .notify.outbox import make_enqueuer
    except ImportError:
        return None
    return make_enqueuer(settings)


def overdue_check(store: Store, analyzer: Analyzer, clock: Callable[[], dt.datetime] = utcnow) -> int:
    """Emit ``overdue`` changes for deadlines the clock has passed (in the outbox transaction)."""
    now = clock()
    with store.write("checking deadlines") as conn:
        states, n = analyzer.check_overdue(conn, now.date(), now)
    analyzer.states = states
    return n


async def serve_forever(settings: Settings, store: Store, *, clock: Callable[[], dt.datetime] = utcnow,
                        stop: asyncio.Event | None = None, metrics: Any = None) -> None:
    """``metrics``: a :class:`watcher.scale.metrics.Metrics` counting polls, changes and alerts."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.interval import IntervalTrigger

    stop = stop or asyncio.Event()
    hook = change_hook(settings)
    analyzer = Analyzer.from_store(store, on_changes=metrics.counting_hook(hook) if metrics is not None else hook)
    store.sync_sources(settings.sources)
    scheduler = AsyncIOScheduler(timezone=dt.UTC)
    running: set[asyncio.Task[Any]] = set()

    async with Poller(settings, store, clock=clock, analyzer=analyzer) as poller:
        async def poll_one(name: str) -> None:
            task = asyncio.current_task()
            if task is not None:
                running.add(task)
            try:
                report = await poller.poll([name], only_due=True, sync=False)
                if report.sources:
                    log.info("%s: %s", name, report)
                    if metrics is not None:
                        metrics.count_report(report, report.seconds)
            except Exception:
                log.exception("polling %r failed", name)
            finally:
                if task is not None:
                    running.discard(task)

        now = clock()
        for i, src in enumerate(s for s in settings.sources if s.enabled):
            scheduler.add_job(poll_one, IntervalTrigger(seconds=src.interval, jitter=max(1, int(src.interval * settings.fetch.jitter))),
                              args=[src.name], id=f"source:{src.name}", max_instances=1, coalesce=True,
                              next_run_time=now + dt.timedelta(seconds=min(30.0, 0.05 * i)), misfire_grace_time=None)

        async def daily() -> None:
            try:
                n = await asyncio.to_thread(overdue_check, store, analyzer, clock)
                if n:
                    log.info("deadline check: %d overdue changes", n)
            except Exception:
                log.exception("deadline check failed")

        scheduler.add_job(daily, IntervalTrigger(hours=24), id="overdue", next_run_time=now + dt.timedelta(seconds=5))
        notifier = metrics.notifier(settings, store, clock) if metrics is not None else _notifier(settings, store, clock)
        # The notifier is a task of its own: it sleeps until a change is stored (or 1 s passes).
        notify_task = asyncio.create_task(notifier.run(stop)) if notifier is not None else None
        scheduler.start()
        log.warning("watcher running: %d sources; stop with Ctrl-C or SIGTERM", len(settings.sources))
        await stop.wait()
        log.warning("stopping")
        scheduler.shutdown(wait=False)
        if notify_task is not None:
            running.add(notify_task)
        if running:
            done, pending = await asyncio.wait(set(running), timeout=STOP_GRACE)
            for t in pending:
                t.cancel()
            if pending:
                await asyncio.wait(pending, timeout=1.0)


def _notifier(settings: Settings, store: Store, clock: Callable[[], dt.datetime]) -> Any:
    try:
        from .notify.worker import make_notifier_job
    except ImportError:
        return None
    return make_notifier_job(settings, store, clock)


def run_daemon(settings: Settings, store: Store, *, registry_file: str | None = None, metrics: Any = None) -> int:
    """Run until SIGTERM/SIGINT; returns the exit code."""
    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await serve_forever(settings, store, stop=stop, metrics=metrics)

    aio.run(main())
    return 0
