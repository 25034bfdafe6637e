"""``watcher run``: the scheduler around the orchestrator.

APScheduler runs one job per source; each job polls the source when it is due and sets
its own next run to the ``next_check_at`` that poll recorded (interval, jitter, backoff,
``Retry-After``: ``schedule.next_run``). At start, one read of every source row arms each job at
its row's ``next_check_at`` (the sources already due are spread over the first 30 s); a job then
reads its own source's row only, so 100,000 sources cost 100,000 row reads a round, not 10^10. A daily job checks deadlines (``overdue`` changes), and
the notifier delivers the outbox. SIGTERM, SIGINT or SIGHUP stops it within a few seconds
(SIGHUP stops rather than reloads: start it again to read a changed sources.toml): work in
flight gets STOP_GRACE, then is cancelled (an alert being sent goes back to the queue);
every write is one transaction, so nothing is half-written, and the next start resumes.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import signal
from collections.abc import Callable
from typing import Any

from .. import aio
from ..config import Settings
from ..ingest.intake import Analyzer, ChangeHook
from ..ingest.poller import Poller, utcnow
from ..ingest.schedule import is_due, next_run
from ..store import Store
from ..types import Source
from .daemonlog import PassLog, start_line

log = logging.getLogger("watcher.daemon")

STOP_GRACE = 5.0      # seconds the work in flight gets after a stop signal
POLLERS = 64          # sources polled at once, at least (twice the fetch concurrency when that is more)


def change_hook(settings: Settings) -> ChangeHook | None:
    """The outbox writer for the configured alert channels, or None when there are none."""
    # Imported here, and not guarded: a notifier that cannot be imported is an error, not "no alerts".
    from ..store.alerts import make_enqueuer

    return make_enqueuer(settings.alerts)


def overdue_check(store: Store, analyzer: Analyzer, clock: Callable[[], dt.datetime] = utcnow) -> int:
    """Emit ``overdue`` changes for deadlines the clock has passed (in the outbox transaction)."""
    now = clock()
    with store.write("checking deadlines") as conn:
        _states, n = analyzer.check_overdue(conn, now.date(), now)
    return n


async def serve_forever(settings: Settings, store: Store, *, clock: Callable[[], dt.datetime] = utcnow,
                        stop: asyncio.Event | None = None, metrics: Any = None) -> None:
    """``metrics``: a :class:`watcher.scale.metrics.Metrics` counting polls, changes and alerts."""
    from apscheduler.executors.debug import DebugExecutor
    from apscheduler.schedulers.asyncio import AsyncIOScheduler
    from apscheduler.triggers.date import DateTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    stop = stop or asyncio.Event()
    hook = change_hook(settings)
    analyzer = Analyzer.from_store(store, on_changes=metrics.counting_hook(hook) if metrics is not None else hook)
    # One bulk sync and one read of every row: each job is first armed at its source's next_check_at
    states = await asyncio.to_thread(store.synced_states, settings.sources)
    scheduler = AsyncIOScheduler(timezone=dt.UTC)
    scheduler.add_executor(DebugExecutor(), "now")    # runs a job in place: a queue put, on the event loop
    running: set[asyncio.Task[Any]] = set()     # pollers in the middle of a poll (and, at the stop, the notifier)

    passes = PassLog(log)
    # A source's job only queues it; POLLERS tasks take the queue in order and poll. Tens of thousands of jobs
    # falling due together (the first 30 s with every source due) cost the event loop one step each, never tens
    # of thousands of polls started at once, and the stop waits for the polls in flight only.
    due: asyncio.Queue[Source] = asyncio.Queue()

    async with Poller(settings, store, clock=clock, analyzer=analyzer) as poller:
        def arm(src: Source, at: dt.datetime) -> None:
            """The source's job runs once, at ``at``; once its poll is over, the next run is armed."""
            scheduler.add_job(due.put_nowait, DateTrigger(run_date=at), args=[src], id=f"source:{src.name}",
                              replace_existing=True, max_instances=1, coalesce=True, misfire_grace_time=None,
                              executor="now")

        async def poll_one(src: Source) -> None:
            name = src.name
            report = None
            passes.begin()
            try:
                report = await poller.poll([name], only_due=True, sync=False)
                log.debug("%s: %s", name, report)
                if metrics is not None and report.sources:
                    metrics.count_report(report, report.seconds)
            except Exception:
                log.exception("polling %r failed", name)
            finally:
                passes.end(report)
                if not stop.is_set():
                    arm(src, next_run(clock(), poller.next_checks.get(name), src.interval))

        async def poller_task() -> None:
            task = asyncio.current_task()
            assert task is not None
            while not stop.is_set():
                src = await due.get()
                if stop.is_set():
                    break
                running.add(task)
                try:
                    await poll_one(src)
                except Exception:   # a poller never dies of one source (poll_one logs its own errors)
                    log.exception("re-arming %r failed", src.name)
                finally:
                    running.discard(task)

        now = clock()
        i = 0
        for src in settings.sources:
            if not src.enabled:
                continue
            st = states.get(src.name)
            held = st is None or not st.enabled or st.muted or bool(st.disabled_reason)
            at = None if held or st is None else st.next_check_at
            if at is not None and not is_due(at, now, src.interval):
                arm(src, at)          # not due yet: its job first runs when it is
            else:                     # due (or never polled, or held): spread over the first 30 s
                arm(src, now + dt.timedelta(seconds=min(30.0, 0.05 * i)))
                i += 1

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
        pollers = [asyncio.create_task(poller_task()) for _ in range(max(POLLERS, 2 * settings.fetch.concurrency))]
        scheduler.start()
        log.info("%s", start_line(settings, store.url))
        await stop.wait()
        log.info("stopping")
        scheduler.shutdown(wait=False)
        for t in pollers:
            if t not in running:     # waiting for a source: nothing to finish
                t.cancel()
        if notify_task is not None:
            running.add(notify_task)
        if running:
            done, pending = await asyncio.wait(set(running), timeout=STOP_GRACE)
            for t in pending:
                t.cancel()
            if pending:
                await asyncio.wait(pending, timeout=1.0)


def _notifier(settings: Settings, store: Store, clock: Callable[[], dt.datetime]) -> Any:
    from ..notify.worker import make_notifier_job  # not guarded either (see change_hook)

    return make_notifier_job(settings.alerts, store, clock)


def run_daemon(settings: Settings, store: Store, *, registry_file: str | None = None, metrics: Any = None) -> int:
    """Run until SIGTERM/SIGINT/SIGHUP; returns the exit code."""
    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            loop.add_signal_handler(sig, stop.set)
        await serve_forever(settings, store, stop=stop, metrics=metrics)

    aio.run(main())
    return 0
