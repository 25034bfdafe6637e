"""Queries on ``commitments``, ``changes`` and ``claims``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, delete, select, update

from .db import insert_ids
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


WAITING_FOR = "an official source, a second outlet or a reviewer"


def pending_of(state: Any) -> dict[str, Any] | None:
    """The unconfirmed change waiting beside a commitment's confirmed status, from the differ's saved
    state: {kind, to_status, evidence, doc, waiting_for}; None when nothing waits."""
    if not isinstance(state, dict) or not state.get("events"):
        return None
    from ..commitments.model import CommitmentState
    from .codec import from_jsonable

    e = from_jsonable(CommitmentState, state).pending
    if e is None:
        return None
    return {"kind": e.kind, "to_status": e.to_status, "evidence": e.evidence, "doc": e.doc,
            "waiting_for": WAITING_FOR}


def rows(conn: Connection) -> list[Any]:
    return list(conn.execute(select(commitments).order_by(commitments.c.id)))


_SAVE = update(commitments).where(commitments.c.id == bindparam("b_id")).values(
    title=bindparam("b_title"), status=bindparam("b_status"), deadline=bindparam("b_deadline"),
    last_evidence=bindparam("b_evidence"), last_changed_at=bindparam("b_changed"), state=bindparam("b_state"))


def save_states(conn: Connection, rows_: Sequence[dict[str, Any]]) -> None:
    """Write commitments' new states in one executemany. Each row: id, title, aliases, keywords,
    status, deadline, last_evidence, last_changed_at, state. A commitment not in the table yet
    was minted from an article and is inserted."""
    if not rows_:
        return
    have = {r[0] for r in conn.execute(select(commitments.c.id).where(commitments.c.id.in_([r["id"] for r in rows_])))}
    minted = [r for r in rows_ if r["id"] not in have]
    if minted:
        conn.execute(commitments.insert(), [{
            "id": r["id"], "title": r["title"], "aliases": list(r["aliases"]), "keywords": list(r["keywords"]),
            "status": r["status"], "deadline": r["deadline"], "last_evidence": r["last_evidence"],
            "last_changed_at": r["last_changed_at"], "state": r["state"],
            "since": r["last_changed_at"].date().isoformat() if r["last_changed_at"] else "",
            "source": "minted from an article", "origin": "minted", "registry_status": r["status"],
            "registry_deadline": None} for r in minted])
    known = [r for r in rows_ if r["id"] in have]
    if known:
        conn.execute(_SAVE, [{"b_id": r["id"], "b_title": r["title"], "b_status": r["status"],
                              "b_deadline": r["deadline"], "b_evidence": r["last_evidence"],
                              "b_changed": r["last_changed_at"], "b_state": r["state"]} for r in known])


def insert_change(conn: Connection, row: dict[str, Any]) -> int:
    return insert_changes(conn, [row])[0]


def insert_changes(conn: Connection, rows_: Sequence[dict[str, Any]]) -> list[int]:
    """Insert changes in one statement; their ids, in the order given."""
    if not rows_:
        return []
    return insert_ids(conn, changes, rows_)


def insert_claims(conn: Connection, rows_: list[dict[str, Any]]) -> None:
    if rows_:
        conn.execute(claims.insert(), rows_)


def reset_for_replay(conn: Connection) -> None:
    """Forget everything articles taught: changes, claims, minted commitments, moved statuses.

    The alerts stay: unlink them from their changes first (:func:`watcher.store.rebuild.hold_alerts`)."""
    conn.execute(delete(changes))
    conn.execute(delete(claims))
    conn.execute(delete(commitments).where(commitments.c.origin == "minted"))
    conn.execute(update(commitments).values(status=commitments.c.registry_status,
                                            deadline=commitments.c.registry_deadline,
                                            last_evidence=None, last_changed_at=None, state=None))


def exists(conn: Connection, commitment: str) -> bool:
    return conn.execute(select(commitments.c.id).where(commitments.c.id == commitment)).first() is not None


def overdue_marks(conn: Connection) -> set[tuple[str, Any]]:
    """The (commitment, deadline) of every ``overdue`` change stored."""
    return {(r.commitment_id, r.deadline) for r in conn.execute(
        select(changes.c.commitment_id, changes.c.deadline).where(changes.c.kind == "overdue"))}


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


_CONFIRM = update(changes).where(changes.c.commitment_id == bindparam("b_c"), changes.c.kind == bindparam("b_k"),
                                 changes.c.doc == bindparam("b_d"), changes.c.confirmed.is_(False)).values(confirmed=True)


def confirm(conn: Connection, commitment: str, kind: str, doc: str) -> None:
    """A later official source or second outlet backs an unconfirmed change."""
    conn.execute(_CONFIRM, {"b_c": commitment, "b_k": kind, "b_d": doc})


def add_outlet(conn: Connection, commitment: str, kind: str, doc: str, outlet: str) -> None:
    """Another outlet carried the same story: list it on the change, make no second change."""
    for r in conn.execute(select(changes.c.id, changes.c.outlets).where(
            changes.c.commitment_id == commitment, changes.c.kind == kind, changes.c.doc == doc)):
        outlets = list(r.outlets or [])
        if outlet not in outlets:
            conn.execute(update(changes).where(changes.c.id == r.id).values(outlets=[*outlets, outlet]))
