"""What the scale-out jobs and ``watcher status`` read from the database (plain SQL over both schemas).

The figures that hold on SQLite too (sources, schedule lag, outbox) are in :func:`common_figures`;
the queue's (workers, jobs) in :func:`queue_figures`, PostgreSQL only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, text

# How long a worker may stay silent before its jobs count as stalled (procrastinate's heartbeat is
# every 10 s; its own default for "stalled" is 30 s).
STALLED_AFTER = 30.0

_DUE = text("""
SELECT s.id, s.next_check_at FROM sources s
 WHERE s.enabled AND NOT s.muted AND s.disabled_reason IS NULL
   AND (s.next_check_at IS NULL OR s.next_check_at <= :horizon)
   AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs j
                    WHERE j.queueing_lock = 'source:' || s.id AND j.status = 'todo')
   AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs j
                    WHERE j.lock = 'source:' || s.id AND j.status = 'doing')
 ORDER BY s.next_check_at NULLS FIRST, s.id
 LIMIT :limit""")

_OPEN_ALERTS = text("""
SELECT a.id, a.channel, a.next_attempt_at FROM alerts a
 WHERE ((a.state = 'pending' AND a.next_attempt_at <= :horizon)
        OR (a.state = 'sending' AND (a.lease_until IS NULL OR a.lease_until < :now)))
   AND NOT EXISTS (SELECT 1 FROM procrastinate_jobs j
                    WHERE j.queueing_lock = 'alert:' || a.id AND j.status IN ('todo', 'doing'))
 ORDER BY a.created_at, a.id
 LIMIT :limit""")


def due_sources(conn: Connection, horizon: dt.datetime, limit: int) -> list[tuple[int, dt.datetime | None]]:
    """Sources due by ``horizon`` that no job carries yet: (id, next_check_at), most overdue first."""
    return [(int(r[0]), _aware(r[1])) for r in conn.execute(_DUE, {"horizon": horizon, "limit": limit})]


def open_alerts(conn: Connection, now: dt.datetime, horizon: dt.datetime,
                limit: int) -> list[tuple[str, str, dt.datetime]]:
    """Outbox rows owed a delivery that no job carries: pending ones due by ``horizon``, and rows whose
    sender's lease ran out (it died mid-send)."""
    rows = conn.execute(_OPEN_ALERTS, {"now": now, "horizon": horizon, "limit": limit})
    return [(r[0], r[1], _aware(r[2]) or now) for r in rows]


def source_name(conn: Connection, source_id: int) -> str | None:
    return conn.execute(text("SELECT name FROM sources WHERE id = :i"), {"i": source_id}).scalar()


def _aware(v: Any) -> dt.datetime | None:
    if v is None:
        return None
    if isinstance(v, str):       # SQLite hands back text for raw SQL
        v = dt.datetime.fromisoformat(v)
    out: dt.datetime = v.replace(tzinfo=dt.UTC) if v.tzinfo is None else v.astimezone(dt.UTC)
    return out


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def common_figures(conn: Connection, now: dt.datetime) -> dict[str, Any]:
    """Sources by state, the schedule's lag and the outbox, on either database.

    A source's lag is how far past its ``next_check_at`` it is now (0 when not yet due); sources never
    polled have no due time and are counted apart (``new``).
    """
    states = {"ok": 0, "failing": 0, "disabled": 0, "new": 0}
    lags: list[float] = []
    for r in conn.execute(text("SELECT enabled, muted, disabled_reason, error_count, last_polled_at, "
                               "next_check_at FROM sources")):
        if not r[0] or r[1] or r[2]:
            states["disabled"] += 1
            continue
        if r[4] is None:
            states["new"] += 1
        else:
            states["failing" if (r[3] or 0) > 0 else "ok"] += 1
        due = _aware(r[5])
        if due is not None:
            lags.append(max(0.0, (now - due).total_seconds()))
    outbox: dict[str, int] = {}
    for state, n in conn.execute(text("SELECT state, count(*) FROM alerts GROUP BY state")):
        outbox[state] = int(n)
    oldest = _aware(conn.execute(text("SELECT min(created_at) FROM alerts WHERE state IN ('pending', 'sending')"))
                    .scalar())
    return {
        "sources": states,
        "schedule_lag_seconds": {"p50": round(_quantile(lags, 0.5), 3), "p99": round(_quantile(lags, 0.99), 3),
                                 "max": round(max(lags, default=0.0), 3),
                                 "overdue": sum(1 for x in lags if x > 0)},
        "outbox": {"pending": outbox.get("pending", 0) + outbox.get("sending", 0),
                   "failed": outbox.get("failed", 0), "queued_for_digest": outbox.get("queued", 0),
                   "sent": outbox.get("sent", 0),
                   "oldest_pending_seconds": round((now - oldest).total_seconds(), 3) if oldest else None},
    }


def has_queue(conn: Connection) -> bool:
    """procrastinate's tables are in this database (PostgreSQL after `watcher init`)."""
    if conn.dialect.name != "postgresql":
        return False
    return conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is not None


def queue_figures(conn: Connection, stalled_after: float = STALLED_AFTER) -> dict[str, Any]:
    """Workers alive, jobs per queue and state, stalled jobs (PostgreSQL, procrastinate's tables)."""
    alive, total = conn.execute(text(
        "SELECT count(*) FILTER (WHERE last_heartbeat >= now() - make_interval(secs => :s)), count(*) "
        "FROM procrastinate_workers"), {"s": stalled_after}).one()
    queues: dict[str, dict[str, int]] = {}
    for queue, ready, later, doing, failed in conn.execute(text(
            "SELECT queue_name, "
            "count(*) FILTER (WHERE status = 'todo' AND (scheduled_at IS NULL OR scheduled_at <= now())), "
            "count(*) FILTER (WHERE status = 'todo' AND scheduled_at > now()), "
            "count(*) FILTER (WHERE status = 'doing'), count(*) FILTER (WHERE status = 'failed') "
            "FROM procrastinate_jobs GROUP BY queue_name ORDER BY queue_name")):
        queues[queue] = {"ready": int(ready), "scheduled": int(later), "running": int(doing), "failed": int(failed)}
    stalled = conn.execute(text(
        "SELECT count(*) FROM procrastinate_jobs j LEFT JOIN procrastinate_workers w ON w.id = j.worker_id "
        "WHERE j.status = 'doing' AND (w.id IS NULL OR w.last_heartbeat < now() - make_interval(secs => :s))"),
        {"s": stalled_after}).scalar()
    return {"workers": {"alive": int(alive), "silent": int(total) - int(alive)}, "queues": queues,
            "stalled_jobs": int(stalled or 0)}
