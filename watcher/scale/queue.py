"""The procrastinate app and its tasks: thin wrappers over :class:`.runtime.Runtime`.

The app is built here with a connector that is never opened; ``watcher worker`` and ``watcher status``
swap in one for their database (``app.replace_connector``). Task names are stable (``watcher.*``): a
job queued by one release is run by the next.
"""

from __future__ import annotations

from typing import Any

from procrastinate import App, JobContext, PsycopgConnector

from . import ALERT_QUEUE, POLL_QUEUE
from .runtime import DELIVER_TASK, POLL_TASK, Runtime

app = App(connector=PsycopgConnector())

PRUNE_AFTER_HOURS = 24 * 7     # failed, cancelled and aborted jobs are kept a week, for `watcher status`


def _rt(context: JobContext) -> Runtime:
    rt: Runtime = context.additional_context["watcher"]
    return rt


@app.periodic(cron="* * * * * */15", periodic_id="dispatch", queueing_lock="dispatch")
@app.task(name="watcher.dispatch_due", queue=POLL_QUEUE, pass_context=True)
async def dispatch_due(context: JobContext, timestamp: int) -> int:
    """Defer ``poll_source`` for each source due in the next 15 s."""
    return await _rt(context).dispatch_due(context.app.job_manager)


@app.task(name=POLL_TASK, queue=POLL_QUEUE, pass_context=True)
async def poll_source(context: JobContext, source_id: int) -> str:
    """Poll one source if it is (still) due; everything it finds is written in one transaction."""
    return await _rt(context).poll_source(source_id)


@app.task(name=DELIVER_TASK, queue=ALERT_QUEUE, pass_context=True)
async def deliver_alert(context: JobContext, alert_id: str) -> str:
    """Send one outbox row and record the outcome."""
    return await _rt(context).deliver_alert(alert_id, context.app.job_manager, retried=context.job.attempts > 0)


@app.periodic(cron="* * * * *", periodic_id="sweep_alerts", queueing_lock="sweep_alerts")
@app.task(name="watcher.sweep_alerts", queue=ALERT_QUEUE, pass_context=True)
async def sweep_alerts(context: JobContext, timestamp: int) -> int:
    """Make due digests; re-defer open outbox rows that no job carries."""
    return await _rt(context).sweep_alerts(context.app.job_manager)


# A queueing lock and never a lock: a lock held by the sweeper's own stalled job would stop it for good.
@app.periodic(cron="* * * * * */15", periodic_id="retry_stalled", queueing_lock="retry_stalled")
@app.task(name="watcher.retry_stalled_jobs", queue=POLL_QUEUE, pass_context=True)
async def retry_stalled_jobs(context: JobContext, timestamp: int) -> int:
    """Requeue the running jobs of workers whose heartbeat stopped."""
    return await _rt(context).retry_stalled(context.app.job_manager)


@app.periodic(cron="7 * * * *", periodic_id="check_deadlines", queueing_lock="check_deadlines")
@app.task(name="watcher.check_deadlines", queue=POLL_QUEUE, pass_context=True)
async def check_deadlines(context: JobContext, timestamp: int) -> int:
    """``overdue`` changes for deadlines the clock has passed."""
    return await _rt(context).check_deadlines()


@app.periodic(cron="17 * * * *", periodic_id="prune_jobs", queueing_lock="prune_jobs")
@app.task(name="watcher.prune_jobs", queue=POLL_QUEUE, pass_context=True)
async def prune_jobs(context: JobContext, timestamp: int) -> None:
    """Delete finished jobs a week old (succeeded ones are deleted as they finish)."""
    await context.app.job_manager.delete_old_jobs(nb_hours=PRUNE_AFTER_HOURS, include_failed=True,
                                                   include_cancelled=True, include_aborted=True)


def connector_for(url: str, *, max_size: int = 10) -> Any:
    """procrastinate's connector for ``url``, with its pool (which checks each connection as it lends it:
    a round trip a query, and what lets a worker ride out a database restart)."""
    from . import conninfo

    return PsycopgConnector(conninfo=conninfo(url), min_size=1, max_size=max_size)
