"""What the scale-out jobs do, in one worker process (the procrastinate tasks in ``queue.py`` call these).

One :class:`Runtime` per ``watcher worker``: the poller (one HTTP client, the parsing workers), an
analyzer that reads the commitments' states inside its own transaction, and a notifier for single
alerts. Every pipeline write takes one PostgreSQL advisory lock for its transaction, as SQLite's
``BEGIN IMMEDIATE`` does for the embedded daemon: two workers never store the same article twice or
diff against states the other just moved.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, event, select, text, update

from ..config import Settings
from ..ingest.intake import Analyzer, ChangeHook
from ..ingest.poller import Poller, utcnow
from ..ingest.schedule import is_due
from ..store import SourceState, Store
from ..store import sources as _sources
from ..store.schema import alerts
from ..types import Source
from . import ALERT_QUEUE, POLL_QUEUE, queries

if TYPE_CHECKING:
    from procrastinate.manager import JobManager

    from ..config.alerts import Channel
    from ..store.alerts import Claimed
    from .metrics import Metrics

log = logging.getLogger("watcher.scale")

DISPATCH_EVERY = 15          # seconds between dispatch_due runs (its lookahead too)
SWEEP_EVERY = 60             # seconds between sweeps of the outbox
DISPATCH_LIMIT = 20_000      # sources deferred per dispatch at most
ANALYZE_AFTER = 200          # jobs deferred at once after which the job table's statistics are refreshed
DUE_SLACK = dt.timedelta(seconds=2)   # a job started this early (clock skew) still polls
WRITE_LOCK = 0x7761_7463     # pg_advisory_xact_lock key of pipeline writes ("watc")
POLL_TASK = "watcher.poll_source"
DELIVER_TASK = "watcher.deliver_alert"


class SerialStore(Store):
    """The store with one writer at a time across workers (a transaction-scoped advisory lock)."""

    @contextmanager
    def write(self, what: str = "writing to the database") -> Iterator[Connection]:
        with super().write(what) as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": WRITE_LOCK})
            yield conn


def poll_job(source_id: int, at: dt.datetime | None) -> Any:
    from procrastinate.jobs import Job

    key = f"source:{source_id}"
    return Job(queue=POLL_QUEUE, lock=key, queueing_lock=key, task_name=POLL_TASK,
               task_kwargs={"source_id": source_id}, scheduled_at=at)


def alert_job(alert_id: str, channel: str, at: dt.datetime | None = None) -> Any:
    """One alert's delivery: one job queued per alert (queueing lock), a channel's jobs one at a time
    and in order (lock)."""
    from procrastinate.jobs import Job

    return Job(queue=ALERT_QUEUE, lock=f"channel:{channel}", queueing_lock=f"alert:{alert_id}",
               task_name=DELIVER_TASK, task_kwargs={"alert_id": alert_id}, scheduled_at=at)


def outcome_of(report: Any) -> str:
    if report.errors:
        return "error"
    if report.not_modified:
        return "not_modified"
    return "ok"


class Runtime:
    """The state a worker's jobs share; built once per process."""

    def __init__(self, settings: Settings, store: Store, *, metrics: Metrics | None = None,
                 clock: Callable[[], dt.datetime] = utcnow, senders: Any = None,
                 env: Any = None) -> None:
        from procrastinate.manager import JobManager
        from procrastinate.sync_psycopg_connector import SyncPsycopgConnector

        self.settings = settings
        self.store = store
        self.serial = SerialStore(store.url, engine=store.engine)
        self.metrics = metrics
        self.clock = clock
        self.by_name = {s.name: s for s in settings.sources}
        # Defers on the pipeline's own connection (in its transaction): never opened, no pool.
        self._in_txn = JobManager(SyncPsycopgConnector())
        self.notifier = _alert_notifier(settings, store, clock, senders=senders, env=env)
        self.analyzer = Analyzer(on_changes=self._change_hook())   # reads the states in each write transaction
        self.poller: Poller | None = None

    async def aclose(self) -> None:
        if self.notifier is not None:
            await self.notifier.aclose()

    # -- changes: alerts deferred in the same transaction ----------------------------------
    def _change_hook(self) -> ChangeHook:
        from ..run.daemon import change_hook

        enqueue = change_hook(self.settings)
        metrics = self.metrics

        def on_changes(conn: Connection, written: Sequence[tuple[int, Any]]) -> None:
            if enqueue is not None:
                enqueue(conn, written)
                ids = [cid for cid, _ch in written]
                rows = conn.execute(select(alerts.c.id, alerts.c.channel)
                                    .where(alerts.c.change_id.in_(ids), alerts.c.state == "pending")).all()
                if rows:
                    jobs = [alert_job(r.id, r.channel) for r in rows]
                    self._in_txn.batch_defer_jobs(jobs, connection=conn.connection.driver_connection)
            if metrics is not None:
                kinds = Counter(str(getattr(ch, "kind", "unknown")) for _cid, ch in written)
                event.listen(conn, "commit", lambda *_: metrics.count_changes(kinds), once=True)

        return on_changes

    # -- dispatch ------------------------------------------------------------------------
    async def dispatch_due(self, manager: JobManager) -> int:
        """Defer a poll for every source due within the next DISPATCH_EVERY seconds, at its time."""
        from procrastinate.exceptions import AlreadyEnqueued

        now = self.clock()
        horizon = now + dt.timedelta(seconds=DISPATCH_EVERY)

        def due() -> list[tuple[int, dt.datetime | None]]:
            with self.store.read("reading the sources due") as conn:
                return queries.due_sources(conn, horizon, DISPATCH_LIMIT)

        rows = await asyncio.to_thread(due)
        jobs = [poll_job(sid, at if at is not None and at > now else None) for sid, at in rows]
        if not jobs:
            return 0
        try:
            await manager.batch_defer_jobs_async(jobs)
            n = len(jobs)
        except AlreadyEnqueued:   # another dispatcher got some of them first: one at a time
            n = 0
            for job in jobs:
                try:
                    await manager.defer_job_async(job)
                    n += 1
                except AlreadyEnqueued:
                    pass
        if n >= ANALYZE_AFTER:
            await asyncio.to_thread(self._analyze_jobs)
        return n

    def _analyze_jobs(self) -> None:
        """Fresh planner statistics for the job table after a large dispatch: with the figures of a
        near-empty table, PostgreSQL picks a plan for procrastinate's job fetch that reads every queued
        job's lock (200 ms a fetch at 2,000 queued jobs, against 0.3 ms; autovacuum comes a minute late)."""
        with self.store.write("analyzing the job table") as conn:
            conn.execute(text("ANALYZE procrastinate_jobs"))

    # -- one source ------------------------------------------------------------------------
    def _choose(self, source_id: int) -> tuple[Source, SourceState] | None:
        with self.store.read("reading a source") as conn:
            name = queries.source_name(conn, source_id)
            st = _sources.states(conn, [name]).get(name) if name is not None else None
        src = self.by_name.get(name) if name is not None else None
        if src is None or st is None:
            if name is not None:
                log.warning("source %r (id %d) is not in this worker's %s: not polled", name, source_id,
                            self.settings.path)
            return None
        if not (src.enabled and st.enabled) or st.muted or st.disabled_reason:
            return None
        if not is_due(st.next_check_at, self.clock() + DUE_SLACK, src.interval):
            return None     # a repeat: polled since this job was queued
        return src, st

    async def poll_source(self, source_id: int) -> str:
        assert self.poller is not None, "the worker's poller is not started"
        chosen = await asyncio.to_thread(self._choose, source_id)
        if chosen is None:
            return "not due"
        started = time.perf_counter()
        report = await self.poller.poll_chosen([chosen])
        outcome = outcome_of(report)
        if self.metrics is not None:
            self.metrics.count_poll(outcome, time.perf_counter() - started)
        return outcome

    # -- alerts ----------------------------------------------------------------------------
    def _take(self, alert_id: str, retried: bool) -> tuple[Channel, Claimed, Any] | dt.datetime | None:
        """Lease one outbox row (``FOR UPDATE SKIP LOCKED``: a row another worker holds is its own).
        Returns what to send, the time to come back (backing off), or None (nothing to do).

        A row leased by a sender that is gone is taken over: one on this host whose process is no
        longer running, or the one this job ran on before it was requeued as stalled (``retried``:
        at most one job carries an alert, so the lease was that dead worker's)."""
        from ..store import alerts as outbox

        assert self.notifier is not None
        now = self.clock()
        with self.store.write("claiming an alert") as conn:
            r = conn.execute(select(alerts).where(alerts.c.id == alert_id)
                             .with_for_update(skip_locked=True)).first()
            if r is None or r.state not in outbox.OPEN_STATES:
                return None
            if r.state == "pending" and r.next_attempt_at > now:
                due: dt.datetime = r.next_attempt_at
                return due
            if r.state == "sending" and r.lease_until is not None and r.lease_until >= now \
                    and not retried and not self.notifier.is_dead(r.lease_owner):
                return None       # a live sender holds it
            ch = self.notifier.cfg.channel(r.channel)
            if ch is None or not ch.enabled:
                return None
            conn.execute(update(alerts).where(alerts.c.id == alert_id).values(
                state="sending", lease_owner=self.notifier.owner, attempts=alerts.c.attempts + 1,
                lease_until=now + dt.timedelta(seconds=60.0 + ch.timeout)))
            item = outbox.Claimed(r.id, ch.name, r.kind, r.change_id, r.attempts + 1, r.created_at)
            if r.kind == "digest":
                rows = outbox.change_rows(conn, outbox.digest_change_ids(conn, r.id))
                return ch, item, (rows, ch.digest or "daily", r.created_at.isoformat())
            rows = outbox.change_rows(conn, [r.change_id]) if r.change_id is not None else []
            return ch, item, (rows, None, None)

    async def deliver_alert(self, alert_id: str, manager: JobManager, *, retried: bool = False) -> str:
        if self.notifier is None:
            return "no alert channels"
        taken = await asyncio.to_thread(self._take, alert_id, retried)
        if taken is None:
            return "nothing to do"
        if isinstance(taken, dt.datetime):
            return "later" if await self._defer_alert(manager, alert_id, None, taken) else "queued"
        ch, item, loaded = taken
        result = await self.notifier._deliver(ch, item, loaded)
        await asyncio.to_thread(self.notifier._record, ch, item, result)
        if self.metrics is not None:
            self.metrics.count_alert(ch.name, result.outcome)
        if result.outcome == "retry":
            with self.store.read("reading an alert") as conn:
                row = conn.execute(select(alerts.c.state, alerts.c.next_attempt_at)
                                   .where(alerts.c.id == alert_id)).first()
            if row is not None and row.state == "pending":
                await self._defer_alert(manager, alert_id, ch.name, row.next_attempt_at)
        return str(result.outcome)

    async def _defer_alert(self, manager: JobManager, alert_id: str, channel: str | None,
                           at: dt.datetime) -> bool:
        from procrastinate.exceptions import AlreadyEnqueued

        if channel is None:
            with self.store.read("reading an alert") as conn:
                channel = conn.execute(select(alerts.c.channel).where(alerts.c.id == alert_id)).scalar()
        try:
            await manager.defer_job_async(alert_job(alert_id, channel or "?", at))
            return True
        except AlreadyEnqueued:
            return False

    async def sweep_alerts(self, manager: JobManager) -> int:
        """Make the digests that are due, then defer every open outbox row no job carries (a job lost
        with its worker, a lease run out, a retry whose job was never written)."""
        from procrastinate.exceptions import AlreadyEnqueued

        if self.notifier is None:
            return 0
        await asyncio.to_thread(self.notifier._digests)
        now = self.clock()

        def rows() -> list[tuple[str, str, dt.datetime]]:
            with self.store.read("reading the outbox") as conn:
                return queries.open_alerts(conn, now, now + dt.timedelta(seconds=SWEEP_EVERY), 5000)

        n = 0
        live = {ch.name for ch in self.notifier.cfg.channels if ch.enabled}   # others wait, as in `watcher run`
        for alert_id, channel, at in await asyncio.to_thread(rows):
            if channel not in live:
                continue
            try:
                await manager.defer_job_async(alert_job(alert_id, channel, at if at > now else None))
                n += 1
            except AlreadyEnqueued:
                pass
        return n

    # -- upkeep ------------------------------------------------------------------------------
    async def retry_stalled(self, manager: JobManager) -> int:
        """Put back the jobs of workers whose heartbeat stopped (killed, frozen, cut off)."""
        stalled = list(await manager.get_stalled_jobs(seconds_since_heartbeat=queries.STALLED_AFTER))
        for job in stalled:
            log.warning("job %s (%s %s) of a silent worker: queued again", job.id, job.task_name, job.task_kwargs)
            await manager.retry_job(job)
        return len(stalled)

    async def check_deadlines(self) -> int:
        from ..run.daemon import overdue_check

        return await asyncio.to_thread(overdue_check, self.serial, self.analyzer, self.clock)


def _alert_notifier(settings: Settings, store: Store, clock: Callable[[], dt.datetime], *,
                    senders: Any, env: Any) -> Any:
    """The notifier whose send and record steps deliver one alert (None without channels)."""
    from ..notify.worker import Notifier

    cfg = settings.alerts
    if not cfg.channels:
        return None
    return Notifier(cfg, store, clock, senders=senders, env=env)
