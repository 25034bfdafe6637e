"""What ``watcher replay`` keeps of the outbox: every alert, each following the change it announced.

A replay deletes the changes and makes them again from the articles. Before the changes go, each alert
is unlinked from its change and remembered with the change's key: what a rebuild makes again, namely
its commitment, its article (or document), the kind it was detected as (before any analyst's
correction) and, for an ``overdue`` change, the deadline it was about. Afterwards each alert is linked
to the rebuilt change with the same key, keeping its id, its state and its history, so an alert not
sent yet is delivered once, with the id it always had, and a sent or failed one is never sent again.
An alert whose change the rebuild no longer makes stays in the history; if it was still waiting to be
sent it is marked failed with the reason (it announced a change the watcher no longer detects).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, func, select, update

from .schema import alerts, changes, reviews

WAITING = ("pending", "sending", "queued", "digested")
WITHDRAWN = "withdrawn by replay: the rebuilt changes no longer include the change it announced"

Key = tuple[str, int | None, str, str, dt.date | None]


@dataclass(frozen=True)
class HeldAlert:
    id: str
    channel: str
    state: str
    old_change_id: int
    key: Key


def change_key(commitment_id: str, article_id: int | None, doc: str | None, kind: str,
               deadline: dt.date | None) -> Key:
    return (commitment_id, article_id, doc or "", kind, deadline if kind == "overdue" else None)


def hold_alerts(conn: Connection) -> list[HeldAlert]:
    """Every alert that hangs off a change, with that change's key; then unlink them all, so the
    changes can go (read and unlinked before :func:`watcher.store.commitments.reset_for_replay`)."""
    first_review = (select(reviews.c.change_id, func.min(reviews.c.id).label("rid"))
                    .where(reviews.c.change_id.is_not(None)).group_by(reviews.c.change_id).subquery())
    detected = {r.change_id: r.old_kind for r in conn.execute(
        select(first_review.c.change_id, reviews.c.old_kind)
        .select_from(first_review.join(reviews, reviews.c.id == first_review.c.rid)))}
    q = (select(alerts.c.id, alerts.c.channel, alerts.c.state, changes.c.id.label("cid"), changes.c.commitment_id,
                changes.c.article_id, changes.c.doc, changes.c.kind, changes.c.deadline)
         .select_from(alerts.join(changes, alerts.c.change_id == changes.c.id))
         .order_by(changes.c.id, alerts.c.id))
    held = [HeldAlert(r.id, r.channel, r.state, r.cid,
                      change_key(r.commitment_id, r.article_id, r.doc, detected.get(r.cid, r.kind), r.deadline))
            for r in conn.execute(q)]
    conn.execute(update(alerts).where(alerts.c.change_id.is_not(None)).values(change_id=None))
    return held


def relink_alerts(conn: Connection, held: Sequence[HeldAlert]) -> dict[str, int]:
    """Link each held alert to the rebuilt change with its key (the n-th old change with a key to the
    n-th rebuilt one). Returns how many were relinked and how many withdrawn."""
    rebuilt: dict[Key, list[int]] = {}
    for r in conn.execute(select(changes.c.id, changes.c.commitment_id, changes.c.article_id, changes.c.doc,
                                 changes.c.kind, changes.c.deadline).order_by(changes.c.id)):
        rebuilt.setdefault(change_key(r.commitment_id, r.article_id, r.doc, r.kind, r.deadline), []).append(r.id)
    olds: dict[Key, list[int]] = {}
    for h in held:
        ids = olds.setdefault(h.key, [])
        if h.old_change_id not in ids:
            ids.append(h.old_change_id)
    target: dict[int, int] = {}
    for key, old_ids in olds.items():
        target.update(zip(old_ids, rebuilt.get(key, []), strict=False))
    relinked = withdrawn = 0
    used: set[tuple[int, str]] = set()
    for h in held:
        new_id = target.get(h.old_change_id)
        if new_id is not None and (new_id, h.channel) not in used:
            used.add((new_id, h.channel))
            conn.execute(update(alerts).where(alerts.c.id == h.id).values(change_id=new_id))
            relinked += 1
        elif h.state in WAITING:
            _withdraw(conn, h)
            withdrawn += 1
    return {"relinked": relinked, "withdrawn": withdrawn}


def _withdraw(conn: Connection, h: HeldAlert) -> None:
    values: dict[str, Any] = {"state": "failed", "lease_until": None, "lease_owner": None, "last_error": WITHDRAWN}
    if h.state == "digested":     # out of its digest: the digest goes on without it
        values["digest_id"] = None
    conn.execute(update(alerts).where(alerts.c.id == h.id).values(**values))
