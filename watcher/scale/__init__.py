"""Scale-out on PostgreSQL: the daemon's work as procrastinate jobs, shared by ``watcher worker`` processes.

Dynamic scheduling, as procrastinate recommends for many schedules (not one periodic task per feed):

- ``dispatch_due`` (periodic, every 15 s, ``queueing_lock="dispatch"``) picks the sources whose
  ``next_check_at`` falls within the next 15 s and defers ``poll_source(id)`` for that moment, with
  ``lock`` and ``queueing_lock`` = the source: never two polls of one source at once, never two queued;
- ``poll_source`` re-checks that the source is due (a repeat does nothing) and runs the orchestrator's
  pass over that one source (:meth:`watcher.ingest.poller.Poller.poll_chosen`): articles, claims, changes,
  outbox rows, the ``deliver_alert`` jobs and the source's new ``next_check_at`` in one transaction;
- ``deliver_alert(id)`` takes its outbox row with ``FOR UPDATE SKIP LOCKED``, sends it and records the
  outcome; ``sweep_alerts`` (periodic) makes digests and re-defers open rows no job carries;
- ``retry_stalled_jobs`` (periodic, a ``queueing_lock`` and no ``lock``) puts back the jobs of a worker
  whose heartbeat stopped; ``check_deadlines`` (hourly) emits ``overdue`` changes.

Finished jobs are deleted as they succeed (the worker's ``delete_jobs="successful"``); failed ones are
pruned after a week by ``prune_jobs``. The embedded default (SQLite, ``watcher run``) does not use any
of this.
"""

from __future__ import annotations

POLL_QUEUE = "poll"
ALERT_QUEUE = "alerts"
QUEUES = (POLL_QUEUE, ALERT_QUEUE)


def needs_postgres(url: str) -> str | None:
    """Why ``url`` cannot carry scale-out (None when it can)."""
    if url.startswith(("postgresql://", "postgresql+psycopg://", "postgres://")):
        return None
    return ("scale-out needs PostgreSQL: `watcher worker` shares its queue through the database; "
            f"--db is {url.split(':', 1)[0]}. Give --db postgresql+psycopg://USER@HOST/DBNAME "
            "(or run the single-process daemon, `watcher run`)")


def conninfo(url: str) -> str:
    """A libpq connection string for procrastinate's own pool, from the SQLAlchemy URL."""
    from psycopg.conninfo import make_conninfo
    from sqlalchemy.engine import make_url

    u = make_url(url)
    kw: dict[str, object] = {k: v for k, v in (("host", u.host), ("port", u.port), ("user", u.username),
                                                ("password", u.password), ("dbname", u.database))
                             if v is not None}
    for key, value in u.query.items():
        kw[key] = value if isinstance(value, str) else value[-1]
    return make_conninfo(**kw)  # type: ignore[arg-type]
