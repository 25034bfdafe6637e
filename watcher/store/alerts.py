"""The alert outbox: rows written in the change's own transaction, claimed with a lease, marked done.

:func:`make_enqueuer` gives the Analyzer's ``on_changes`` hook: for every stored change it
inserts one ``alerts`` row per channel whose routing takes it, in the same transaction as
the article and the change, so a crash keeps all three or none. After that transaction
commits, the in-process :data:`DOORBELL` rings so a running notifier delivers at once.

Delivery state per row: ``pending`` → ``sending`` (claimed: ``lease_owner``/``lease_until``)
→ ``sent`` | ``failed``; a digest channel's rows wait as ``queued``, then ``digested`` into
one digest row (``kind = "digest"``) whose fate they share. A channel's rows are claimed
oldest first and only as an unbroken prefix, so one channel's alerts arrive in order.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import threading
import uuid
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, event, func, select, text, update

from ..config.alerts import AlertsConfig, Channel
from .schema import alerts, articles, changes, commitments

log = logging.getLogger("watcher.notify")

OPEN_STATES = ("pending", "sending")


class Doorbell:
    """Wakes the notifiers of this process (thread-safe; rung after a commit)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subs: list[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = []

    def subscribe(self) -> asyncio.Event:
        ev = asyncio.Event()
        with self._lock:
            self._subs.append((asyncio.get_running_loop(), ev))
        return ev

    def unsubscribe(self, ev: asyncio.Event) -> None:
        with self._lock:
            self._subs = [s for s in self._subs if s[1] is not ev]

    def ring(self, *_: Any) -> None:
        with self._lock:
            subs = list(self._subs)
        for loop, ev in subs:
            try:
                loop.call_soon_threadsafe(ev.set)
            except RuntimeError:  # that loop has closed
                self.unsubscribe(ev)


DOORBELL = Doorbell()


# ---- enqueue (inside the intake transaction) --------------------------------------------------

def new_alert_id() -> str:
    return uuid.uuid4().hex


def enqueue(conn: Connection, cfg: AlertsConfig, change_ids: Sequence[int]) -> int:
    """Insert the alert rows ``change_ids`` owe, in the caller's transaction. Returns how many."""
    if not change_ids or not cfg.channels:
        return 0
    rows = conn.execute(select(changes.c.id, changes.c.kind, changes.c.commitment_id, changes.c.detected_at)
                        .where(changes.c.id.in_(list(change_ids))).order_by(changes.c.id)).all()
    values: list[dict[str, Any]] = []
    for r in rows:
        for ch in cfg.channels:
            if ch.routes(r.kind, r.commitment_id):
                values.append({"id": new_alert_id(), "change_id": r.id, "channel": ch.name, "kind": "change",
                               "state": "queued" if ch.digest else "pending", "attempts": 0,
                               "next_attempt_at": r.detected_at, "created_at": r.detected_at})
    if values:
        conn.execute(alerts.insert(), values)
        event.listen(conn, "commit", DOORBELL.ring, once=True)
    return len(values)


def make_enqueuer(cfg: AlertsConfig) -> Callable[[Connection, Sequence[tuple[int, Any]]], None] | None:
    """The Analyzer's ``on_changes`` hook for the configured channels (``Settings.alerts``), or None
    when there are none."""
    if not cfg.channels:
        return None

    def on_changes(conn: Connection, written: Sequence[tuple[int, Any]]) -> None:
        enqueue(conn, cfg, [cid for cid, _change in written])

    return on_changes


# ---- claim and record (the notifier's side) ----------------------------------------------------

@dataclass(frozen=True)
class Claimed:
    id: str
    channel: str
    kind: str                   # change | digest
    change_id: int | None
    attempts: int               # including this one
    created_at: dt.datetime


def lock_channel(conn: Connection, channel: str) -> bool:
    """Serialise claims on one channel: the one place SQLite and PostgreSQL differ here.

    SQLite's write transactions (``BEGIN IMMEDIATE``) already exclude each other. On
    PostgreSQL a transaction-scoped advisory lock per channel plays the part of ``FOR UPDATE
    SKIP LOCKED``: a second notifier skips a channel being claimed (row-level SKIP LOCKED
    would let it claim the rows *behind* the locked head and break the channel's order).
    """
    if conn.dialect.name == "sqlite":
        return True
    key = zlib.crc32(f"watcher.alerts:{channel}".encode()) - 2**31
    return bool(conn.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": key}).scalar())


def claim(conn: Connection, channel: str, now: dt.datetime, *, owner: str, lease: float, limit: int,
          is_dead: Callable[[str | None], bool]) -> list[Claimed]:
    """Lease the due, unbroken prefix of ``channel``'s open rows (oldest first), at most ``limit``."""
    if not lock_channel(conn, channel):
        return []
    rows = conn.execute(
        select(alerts.c.id, alerts.c.kind, alerts.c.change_id, alerts.c.state, alerts.c.attempts,
               alerts.c.next_attempt_at, alerts.c.lease_until, alerts.c.lease_owner, alerts.c.created_at)
        .where(alerts.c.channel == channel, alerts.c.state.in_(OPEN_STATES))
        .order_by(alerts.c.created_at, alerts.c.change_id, alerts.c.id).limit(limit)).all()
    take = []
    for r in rows:
        if r.state == "sending" and r.lease_until is not None and r.lease_until >= now \
                and r.lease_owner != owner and not is_dead(r.lease_owner):
            break                              # leased by a live notifier
        if r.state == "pending" and r.next_attempt_at > now:
            break                              # backing off: everything behind it waits
        take.append(r)
    if not take:
        return []
    conn.execute(update(alerts).where(alerts.c.id.in_([r.id for r in take]), alerts.c.state.in_(OPEN_STATES))
                 .values(state="sending", lease_owner=owner, lease_until=now + dt.timedelta(seconds=lease),
                         attempts=alerts.c.attempts + 1))
    return [Claimed(r.id, channel, r.kind, r.change_id, r.attempts + 1, r.created_at) for r in take]


def _members(alert_id: str) -> Any:
    return and_(alerts.c.digest_id == alert_id, alerts.c.state == "digested")


def mark_sent(conn: Connection, alert_id: str, now: dt.datetime) -> bool:
    res = conn.execute(update(alerts).where(alerts.c.id == alert_id, alerts.c.state != "sent")
                       .values(state="sent", sent_at=now, lease_until=None, lease_owner=None, last_error=None))
    conn.execute(update(alerts).where(_members(alert_id)).values(state="sent", sent_at=now))
    return bool(res.rowcount)


def mark_retry(conn: Connection, alert_id: str, next_at: dt.datetime, error: str) -> None:
    conn.execute(update(alerts).where(alerts.c.id == alert_id, alerts.c.state == "sending")
                 .values(state="pending", next_attempt_at=next_at, lease_until=None, lease_owner=None,
                         last_error=error))


def mark_failed(conn: Connection, alert_id: str, error: str) -> None:
    conn.execute(update(alerts).where(alerts.c.id == alert_id, alerts.c.state != "sent")
                 .values(state="failed", lease_until=None, lease_owner=None, last_error=error))
    conn.execute(update(alerts).where(_members(alert_id)).values(state="failed", last_error=error))


def release(conn: Connection, ids: Sequence[str], owner: str) -> None:
    """Give back claimed rows that were never tried (the attempt is not counted)."""
    if ids:
        conn.execute(update(alerts).where(alerts.c.id.in_(list(ids)), alerts.c.state == "sending",
                                          alerts.c.lease_owner == owner)
                     .values(state="pending", lease_until=None, lease_owner=None, attempts=alerts.c.attempts - 1))


def requeue(conn: Connection, now: dt.datetime, *, ids: Sequence[str] = (), channel: str | None = None) -> int:
    """Put failed alerts back in the queue (``watcher alerts retry``)."""
    cond = [alerts.c.state == "failed", alerts.c.digest_id.is_(None)]
    if ids:
        cond.append(alerts.c.id.in_(list(ids)))
    if channel:
        cond.append(alerts.c.channel == channel)
    failed = [r.id for r in conn.execute(select(alerts.c.id).where(*cond))]
    if not failed:
        return 0
    conn.execute(update(alerts).where(alerts.c.id.in_(failed))
                 .values(state="pending", attempts=0, next_attempt_at=now, created_at=now, last_error=None))
    conn.execute(update(alerts).where(alerts.c.digest_id.in_(failed), alerts.c.state == "failed")
                 .values(state="digested"))
    return len(failed)


# ---- digests -----------------------------------------------------------------------------------

def digest_boundary(ch: Channel, cfg: AlertsConfig, now: dt.datetime) -> dt.datetime:
    """The latest digest moment at or before ``now`` (UTC)."""
    if ch.digest == "hourly":
        return now.replace(minute=0, second=0, microsecond=0)
    t = dt.datetime.combine(now.date(), cfg.digest_time, tzinfo=dt.UTC)
    return t if t <= now else t - dt.timedelta(days=1)


def make_digest(conn: Connection, ch: Channel, cfg: AlertsConfig, now: dt.datetime) -> str | None:
    """Gather ``ch``'s queued rows from before the latest digest moment into one digest row."""
    boundary = digest_boundary(ch, cfg, now)
    digest_id = f"digest.{boundary:%Y%m%dT%H%M}.{ch.name}"
    if conn.execute(select(alerts.c.id).where(alerts.c.id == digest_id)).first() is not None:
        return None
    members = [r.id for r in conn.execute(
        select(alerts.c.id).where(alerts.c.channel == ch.name, alerts.c.state == "queued",
                                  alerts.c.created_at < boundary))]
    if not members:
        return None
    conn.execute(alerts.insert().values(id=digest_id, change_id=None, channel=ch.name, kind="digest",
                                        state="pending", attempts=0, next_attempt_at=now, created_at=boundary))
    conn.execute(update(alerts).where(alerts.c.id.in_(members)).values(state="digested", digest_id=digest_id))
    return digest_id


# ---- reading -----------------------------------------------------------------------------------

def change_rows(conn: Connection, change_ids: Sequence[int]) -> list[dict[str, Any]]:
    """The changes (with commitment and article titles), oldest first."""
    q = (select(changes, commitments.c.title.label("commitment_title"), articles.c.title.label("article_title"),
                articles.c.source.label("article_source"))
         .select_from(changes.join(commitments, changes.c.commitment_id == commitments.c.id)
                      .outerjoin(articles, changes.c.article_id == articles.c.id))
         .where(changes.c.id.in_(list(change_ids))).order_by(changes.c.id))
    return [dict(r._mapping) for r in conn.execute(q)]


def digest_change_ids(conn: Connection, digest_id: str) -> list[int]:
    return [int(r.change_id) for r in conn.execute(
        select(alerts.c.change_id).where(alerts.c.digest_id == digest_id, alerts.c.change_id.is_not(None))
        .order_by(alerts.c.change_id))]   # a member whose change a replay did not make again has none


def listing(conn: Connection, *, state: str | None = None, channel: str | None = None,
            limit: int | None = None) -> list[dict[str, Any]]:
    """The outbox for ``watcher alerts``, newest first."""
    q = (select(alerts, changes.c.kind.label("change_kind"), changes.c.commitment_id)
         .select_from(alerts.outerjoin(changes, alerts.c.change_id == changes.c.id))
         .order_by(alerts.c.created_at.desc(), alerts.c.change_id.desc(), alerts.c.id))
    if state:
        q = q.where(alerts.c.state == state)
    if channel:
        q = q.where(alerts.c.channel == channel)
    if limit:
        q = q.limit(limit)
    return [dict(r._mapping) for r in conn.execute(q)]


def counts(conn: Connection) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for r in conn.execute(select(alerts.c.channel, alerts.c.state, func.count()).group_by(alerts.c.channel,
                                                                                          alerts.c.state)):
        out.setdefault(r[0], {})[r[1]] = int(r[2])
    return out


def due_soon(conn: Connection, now: dt.datetime) -> dt.datetime | None:
    """When the earliest pending row falls due (to sleep no longer than needed)."""
    return conn.execute(select(func.min(alerts.c.next_attempt_at)).where(alerts.c.state == "pending")).scalar()
