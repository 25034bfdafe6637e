"""Queries on ``commitments``, ``changes`` and ``claims``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, select, update

from .schema import articles, changes, claims, commitments


def load_registry(conn: Connection, registry: Sequence[Any], initial: dict[str, Any] | None = None) -> int:
    """Insert or refresh the registry's commitments; current statuses found by articles stay.

    ``initial`` maps each id to its serialised starting state (what replay starts from).
    """
    have = {r.id: r for r in conn.execute(select(commitments.c.id, commitments.c.state))}
    n = 0
    for c in registry:
        values = {"title": c.title, "aliases": list(c.aliases), "keywords": list(c.keywords),
                  "since": c.since, "source": c.source, "registry_status": c.status,
                  "registry_deadline": c.deadline, "origin": "registry",
                  "initial_state": (initial or {}).get(c.id)}
        if c.id in have:
            if have[c.id].state is None:   # nothing has moved it yet: the registry's word stands
                values.update(status=c.status, deadline=c.deadline)
            conn.execute(update(commitments).where(commitments.c.id == c.id).values(**values))
        else:
            conn.execute(commitments.insert().values(id=c.id, status=c.status, deadline=c.deadline, **values))
            n += 1
    return n


def rows(conn: Connection) -> list[Any]:
    return list(conn.execute(select(commitments).order_by(commitments.c.id)))


def save_state(conn: Connection, cid: str, *, title: str, aliases: Sequence[str], keywords: Sequence[str],
               status: str, deadline: dt.date | None, last_evidence: str | None,
               last_changed_at: dt.datetime | None, state: Any) -> None:
    """Write a commitment's new state; a commitment not in the table yet was minted from an article."""
    values = {"title": title, "status": status, "deadline": deadline, "last_evidence": last_evidence,
              "last_changed_at": last_changed_at, "state": state}
    res = conn.execute(update(commitments).where(commitments.c.id == cid).values(**values))
    if not res.rowcount:
        conn.execute(commitments.insert().values(
            id=cid, aliases=list(aliases), keywords=list(keywords), since=(last_changed_at.date().isoformat()
                                                                         if last_changed_at else ""),
            source="minted from an article", origin="minted",
            registry_status=status, registry_deadline=None, **values))


def insert_change(conn: Connection, row: dict[str, Any]) -> int:
    key = conn.execute(changes.insert().values(**row)).inserted_primary_key
    assert key is not None
    return int(key[0])


def insert_claims(conn: Connection, rows_: list[dict[str, Any]]) -> None:
    if rows_:
        conn.execute(claims.insert(), rows_)


def reset_for_replay(conn: Connection) -> None:
    """Forget everything articles taught: changes, claims, minted commitments, moved statuses."""
    from .schema import metadata

    if "alerts" in metadata.tables:   # outbox rows hang off changes
        conn.execute(delete(metadata.tables["alerts"]))
    conn.execute(delete(changes))
    conn.execute(delete(claims))
    conn.execute(delete(commitments).where(commitments.c.origin == "minted"))
    conn.execute(update(commitments).values(status=commitments.c.registry_status,
                                            deadline=commitments.c.registry_deadline,
                                            last_evidence=None, last_changed_at=None, state=None))


def change_rows(conn: Connection, *, since: dt.datetime | None = None, commitment: str | None = None,
                kind: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    q = select(changes, articles.c.title.label("article_title"), articles.c.source.label("article_source")) \
        .select_from(changes.outerjoin(articles, changes.c.article_id == articles.c.id))
    if since is not None:
        q = q.where(changes.c.published_at >= since)
    if commitment:
        q = q.where(changes.c.commitment_id == commitment)
    if kind:
        q = q.where(changes.c.kind == kind)
    q = q.order_by(changes.c.published_at, changes.c.id)
    if limit:
        q = q.limit(limit)
    return [dict(r) for r in conn.execute(q).mappings()]


def confirm(conn: Connection, commitment: str, kind: str, doc: str) -> None:
    """A later official source or second outlet backs an unconfirmed change."""
    conn.execute(update(changes).where(changes.c.commitment_id == commitment, changes.c.kind == kind,
                                       changes.c.doc == doc).values(confirmed=True))


def add_outlet(conn: Connection, commitment: str, kind: str, doc: str, outlet: str) -> None:
    """Another outlet carried the same story: list it on the change, make no second change."""
    for r in conn.execute(select(changes.c.id, changes.c.outlets).where(
            changes.c.commitment_id == commitment, changes.c.kind == kind, changes.c.doc == doc)):
        outlets = list(r.outlets or [])
        if outlet not in outlets:
            conn.execute(update(changes).where(changes.c.id == r.id).values(outlets=[*outlets, outlet]))
