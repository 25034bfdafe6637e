"""Commands of the scale-out: ``watcher worker`` and ``watcher status``; the ``--metrics-port`` option."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any

import click

from ..scale import QUEUES, needs_postgres
from ._context import Ctx, emit_json, pass_ctx


def metrics_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``--metrics-port [HOST:]PORT``: Prometheus metrics on /metrics (127.0.0.1 unless a host is given)."""
    return click.option("--metrics-port", "metrics_port", metavar="[HOST:]PORT", default=None,
                        help="Serve Prometheus metrics on this port (127.0.0.1 unless HOST: is given).")(fn)


def start_metrics(where: str | None, store: Any) -> Any:
    """The Metrics of this process, serving on ``where`` (None when not asked for)."""
    if where is None:
        return None
    from ..scale.metrics import Metrics, parse_address

    try:
        parse_address(where)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--metrics-port") from exc
    metrics = Metrics()
    metrics.watch(store)
    try:
        host, port = metrics.serve(where)
    except OSError as exc:
        raise click.BadParameter(f"{where}: cannot listen: {exc.strerror or exc}", param_hint="--metrics-port") from exc
    click.echo(f"watcher: metrics on http://{host}:{port}/metrics", err=True)
    return metrics


def _queues(value: str) -> tuple[str, ...]:
    got = tuple(q.strip() for q in value.split(",") if q.strip())
    bad = [q for q in got if q not in QUEUES]
    if not got or bad:
        raise click.BadParameter(f"{value!r}: queues are {', '.join(QUEUES)} (comma-separated)",
                                 param_hint="--queues")
    return got


@click.command()
@click.option("--concurrency", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Jobs this worker runs at once (polls and deliveries are mostly waiting on the network).")
@click.option("--queues", "queues", default=",".join(QUEUES), show_default=True, metavar="LIST",
              help="Which queues this worker takes jobs from: poll, alerts, or both.")
@metrics_option
@pass_ctx
def worker(ctx: Ctx, concurrency: int, queues: str, metrics_port: str | None) -> None:
    """A scale-out worker: polls sources and delivers alerts from the shared PostgreSQL queue.

    Run several, on one or more machines, with the same sources.toml and --db. Needs
    PostgreSQL (after `watcher init`); on SQLite it stops with exit 2: use `watcher run`.
    SIGTERM or SIGINT stops it after the jobs in flight; a worker that dies has its jobs
    queued again by the others within a minute.

    \b
    Example:
      watcher --db postgresql+psycopg://watcher@db.internal/watcher worker --concurrency 16
      watcher --db postgresql+psycopg://watcher@db.internal/watcher worker --queues alerts
    """
    why = needs_postgres(ctx.database_url)
    if why is not None:
        click.echo(f"watcher: {why}", err=True)
        sys.exit(2)
    chosen = _queues(queues)
    settings = ctx.settings
    store = ctx.store()
    from ..scale import queries

    with store.read("checking the job queue") as conn:
        ready = queries.has_queue(conn)
    if not ready or not store.is_current():
        raise click.ClickException(f"the database {store.url} is not ready for workers: run `watcher init`")
    from .. import aio
    from ..scale.worker import run_worker

    metrics = start_metrics(metrics_port, store)
    try:
        aio.run(run_worker(settings, store, concurrency=concurrency, queues=chosen, metrics=metrics))
    finally:
        if metrics is not None:
            metrics.close()


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@pass_ctx
def status(ctx: Ctx, as_json: bool) -> None:
    """Health at a glance: workers alive, queue depth, stalled jobs, schedule lag, outbox.

    On SQLite (the embedded daemon) only what applies there: sources, schedule lag and
    the outbox. The schedule lag is how far past its next check each active source is.

    \b
    Example:
      watcher status
      watcher --db postgresql+psycopg://watcher@db.internal/watcher status --json
    """
    import datetime as dt

    from ..scale import queries

    store = ctx.store()
    with store.read("reading the status") as conn:
        data: dict[str, Any] = {"database": store.dialect}
        data.update(queries.common_figures(conn, dt.datetime.now(dt.UTC)))
        if queries.has_queue(conn):
            data.update(queries.queue_figures(conn))
    if as_json:
        emit_json(data)
        return
    s, lag, box = data["sources"], data["schedule_lag_seconds"], data["outbox"]
    if "workers" in data:
        click.echo(f"workers:   {data['workers']['alive']} alive, {data['workers']['silent']} silent")
        for q, n in sorted(data["queues"].items()):
            click.echo(f"queue {q}: {n['ready']} ready, {n['scheduled']} scheduled, {n['running']} running, "
                       f"{n['failed']} failed")
        click.echo(f"stalled:   {data['stalled_jobs']} jobs of silent workers")
    click.echo(f"sources:   {s['ok']} ok, {s['failing']} failing, {s['disabled']} disabled, {s['new']} never polled")
    click.echo(f"lag:       p50 {lag['p50']:.1f} s, p99 {lag['p99']:.1f} s, max {lag['max']:.1f} s "
               f"({lag['overdue']} sources past due)")
    oldest = box["oldest_pending_seconds"]
    click.echo(f"outbox:    {box['pending']} pending" + (f" (oldest {oldest:.0f} s)" if oldest is not None else "")
               + f", {box['failed']} failed, {box['queued_for_digest']} waiting for a digest")
