"""Queries on the ``sources`` table: the per-feed state Miniflux keeps on the feed row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, update

from ..storable import storable
from ..types import Source, Validators
from .db import insert_skipping_conflicts
from .schema import articles, sources


@dataclass(frozen=True)
class SourceState:
    """What the poller needs to know about one source before fetching it."""

    name: str
    url: str
    enabled: bool
    validators: Validators
    body_hash: str | None
    error_count: int
    next_check_at: dt.datetime | None
    last_status: str | None
    disabled_reason: str | None
    muted: bool
    last_success_at: dt.datetime | None = None
    final_url: str | None = None
    official: bool = False
    http_status: int | None = None
    removed: bool = False         # no longer in sources.toml


@dataclass(frozen=True)
class SourceUpdate:
    """The result of one poll of one source: every column written back to its row."""

    name: str
    polled_at: dt.datetime
    status: str
    error: str | None
    http_status: int | None
    error_count: int
    next_check_at: dt.datetime
    validators: Validators = Validators()
    body_hash: str | None = None
    last_success_at: dt.datetime | None = None
    final_url: str | None = None
    disabled_reason: str | None = None
    routine: bool = False    # only the three times differ from the row (a 304 like the last one)


def sync(conn: Connection, configured: Sequence[Source]) -> None:
    """Make the table match sources.toml: new rows inserted, url/official/enabled updated, rows of
    sources no longer in the file marked removed (their history and articles kept), and a source put
    back in the file no longer removed."""
    rows = {r.name: r for r in conn.execute(select(sources.c.name, sources.c.url, sources.c.enabled,
                                                   sources.c.official, sources.c.removed_at))}
    new = []
    for s in configured:
        row = rows.get(s.name)
        if row is None:
            new.append({"name": s.name, "url": s.url, "enabled": s.enabled, "official": s.official,
                        "error_count": 0, "muted": False})
        elif (row.url, row.enabled, row.official) != (s.url, s.enabled, s.official) or row.removed_at is not None:
            values: dict[str, Any] = {"url": s.url, "enabled": s.enabled, "official": s.official, "removed_at": None}
            if row.url != s.url:   # a new address: forget the old validators and errors
                values.update(etag=None, last_modified=None, body_hash=None, error_count=0,
                              next_check_at=None, disabled_reason=None, final_url=None)
            conn.execute(update(sources).where(sources.c.name == s.name).values(**values))
    if new:   # another process syncing at the same time may have inserted some: not an error
        conn.execute(insert_skipping_conflicts(conn, sources), new)
    names = {s.name for s in configured}
    gone = [n for n, r in rows.items() if n not in names and (r.enabled or r.removed_at is None)]
    if gone:
        conn.execute(update(sources).where(sources.c.name.in_(gone), sources.c.removed_at.is_(None))
                     .values(removed_at=dt.datetime.now(dt.UTC)))
        conn.execute(update(sources).where(sources.c.name.in_(gone)).values(enabled=False))


def in_sync(current: dict[str, SourceState], configured: Sequence[Source]) -> bool:
    """The rows already say what sources.toml says (nothing for :func:`sync` to write)."""
    names = {s.name for s in configured}
    for s in configured:
        st = current.get(s.name)
        if st is None or st.removed or (st.url, st.enabled, st.official) != (s.url, s.enabled, s.official):
            return False
    return all(not st.enabled and st.removed for name, st in current.items() if name not in names)


def states(conn: Connection, names: Sequence[str] | None = None) -> dict[str, SourceState]:
    """Every source's state, or only those named."""
    out = {}
    query = select(sources) if names is None else select(sources).where(sources.c.name.in_(list(names)))
    for r in conn.execute(query):
        out[r.name] = SourceState(
            name=r.name, url=r.url, enabled=r.enabled,
            validators=Validators(etag=r.etag, last_modified=r.last_modified),
            body_hash=r.body_hash, error_count=r.error_count or 0, next_check_at=r.next_check_at,
            last_status=r.last_status, disabled_reason=r.disabled_reason, muted=r.muted,
            last_success_at=r.last_success_at, final_url=r.final_url, official=r.official,
            http_status=r.http_status, removed=r.removed_at is not None)
    return out


_UPDATE = update(sources).where(sources.c.name == bindparam("b_name")).values(
    last_polled_at=bindparam("b_polled"), last_status=bindparam("b_status"), last_error=bindparam("b_error"),
    http_status=bindparam("b_http"), error_count=bindparam("b_errors"), next_check_at=bindparam("b_next"),
    etag=bindparam("b_etag"), last_modified=bindparam("b_lm"), body_hash=bindparam("b_hash"),
    last_success_at=bindparam("b_success"), final_url=bindparam("b_final"), disabled_reason=bindparam("b_disabled"))
_TIMES = update(sources).where(sources.c.name == bindparam("b_name")).values(
    last_polled_at=bindparam("b_polled"), next_check_at=bindparam("b_next"), last_success_at=bindparam("b_success"))


def apply_updates(conn: Connection, updates: Sequence[SourceUpdate]) -> None:
    """One executemany for the whole batch (a steady-state pass writes 1,000 rows at once); routine
    updates, where only the times move, through a statement that binds only those."""
    if len(updates) > 1:   # lock the rows in one order, as every writer does: two passes at once cannot deadlock
        conn.execute(select(sources.c.id).where(sources.c.name.in_(sorted({u.name for u in updates})))
                     .order_by(sources.c.name).with_for_update())   # (SQLite: its write lock is already held)
    routine = [{"b_name": u.name, "b_polled": u.polled_at, "b_next": u.next_check_at, "b_success": u.last_success_at}
               for u in updates if u.routine]
    if routine:
        conn.execute(_TIMES, routine)
    full = [{
        "b_name": u.name, "b_polled": u.polled_at, "b_status": u.status,
        "b_error": storable(u.error) if u.error else u.error,
        "b_http": u.http_status, "b_errors": u.error_count, "b_next": u.next_check_at,
        "b_etag": u.validators.etag, "b_lm": u.validators.last_modified, "b_hash": u.body_hash,
        "b_success": u.last_success_at, "b_final": u.final_url, "b_disabled": u.disabled_reason,
    } for u in updates if not u.routine]
    if full:
        conn.execute(_UPDATE, full)


def set_enabled(conn: Connection, name: str, enabled: bool) -> bool:
    values: dict[str, Any] = {"disabled_reason": None, "error_count": 0, "next_check_at": None} if enabled else {}
    res = conn.execute(update(sources).where(sources.c.name == name).values(muted=not enabled, **values))
    return bool(res.rowcount)


def listing(conn: Connection, *, removed: bool = False) -> list[dict[str, Any]]:
    """Every source in sources.toml with its health; ``removed``: those gone from it too."""
    counts: dict[str, int] = {r[0]: int(r[1]) for r in conn.execute(
        select(articles.c.source, func.count()).group_by(articles.c.source))}
    out = []
    q = select(sources).order_by(sources.c.name)
    if not removed:
        q = q.where(sources.c.removed_at.is_(None))
    for r in conn.execute(q):
        out.append({
            "name": r.name, "url": r.url, "enabled": bool(r.enabled and not r.muted and not r.disabled_reason),
            "last_polled_at": _iso(r.last_polled_at), "last_status": r.last_status,
            "last_error": r.last_error, "error_count": r.error_count or 0,
            "next_check_at": _iso(r.next_check_at), "articles": int(counts.get(r.name, 0)),
            "last_success_at": _iso(r.last_success_at), "http_status": r.http_status,
            "disabled_reason": r.disabled_reason,
        })
        if removed:
            out[-1]["removed_at"] = _iso(r.removed_at)
    return out


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None
