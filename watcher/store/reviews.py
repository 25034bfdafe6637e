"""An analyst's review of a detected change: confirm, reject or correct it, with who and when.

The commitment's status follows the decision (:func:`recompute_status`), and every decision
is kept in ``reviews`` so the history can be shown.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, func, select, update

from ..commitments.kinds import KINDS, STATUSES
from .db import lock_commitments
from .schema import changes, commitments, reviews

__all__ = ["DECISIONS", "KINDS", "REVIEW_STATUS", "STATUSES", "HeldReview", "ReviewError", "apply_review",
           "hold_for_replay", "pending_count", "reapply_after_replay", "recompute_status", "review_history"]

DECISIONS = ("confirm", "reject", "correct")
REVIEW_STATUS = {"confirm": "confirmed", "reject": "rejected", "correct": "corrected"}


class ReviewError(ValueError):
    """A review that cannot be applied (unknown change, bad decision or kind)."""


def review_history(conn: Connection, *, change_id: int | None = None, commitment: str | None = None,
                   limit: int = 200) -> list[dict[str, Any]]:
    """Who decided what and when, newest first."""
    q = select(reviews).order_by(reviews.c.decided_at.desc(), reviews.c.id.desc()).limit(limit)
    if change_id is not None:
        q = q.where(reviews.c.change_id == change_id)
    if commitment:
        q = q.where(reviews.c.commitment_id == commitment)
    return [dict(r) for r in conn.execute(q).mappings()]


def recompute_status(conn: Connection, commitment_id: str) -> str | None:
    """Set a commitment's status from its latest non-rejected change, or its registry status.

    Returns the new status (None for an unknown commitment). The differ's saved state
    follows, so the next article is read against the reviewed status.
    """
    row = conn.execute(select(commitments.c.registry_status, commitments.c.state)
                       .where(commitments.c.id == commitment_id)).first()
    if row is None:
        return None
    if isinstance(row.state, dict) and "status" in row.state:
        # the differ's state knows the moves: the same rule as `watcher replay` (diff_types.after_review)
        from ..commitments.model import CommitmentState, after_review
        from .codec import from_jsonable, to_jsonable

        st = after_review(from_jsonable(CommitmentState, row.state), decisions(conn, commitment_id))
        conn.execute(update(commitments).where(commitments.c.id == commitment_id)
                     .values(status=st.shown_status, state=to_jsonable(st)))
        return st.shown_status
    latest = conn.execute(
        select(changes.c.to_status).where(changes.c.commitment_id == commitment_id,
                                          changes.c.review_status != "rejected",
                                          changes.c.to_status.is_not(None), changes.c.to_status != "")
        .order_by(func.coalesce(changes.c.published_at, changes.c.detected_at).desc(), changes.c.id.desc())
        .limit(1)).scalar()
    status = str(latest or row.registry_status)
    values: dict[str, Any] = {"status": status}
    state = row.state
    if isinstance(state, dict) and "status" in state and state["status"] != status:
        values["state"] = {**state, "status": status}
    conn.execute(update(commitments).where(commitments.c.id == commitment_id).values(**values))
    return status


_DECISION_OF = {v: k for k, v in REVIEW_STATUS.items()}


def decisions(conn: Connection, commitment_id: str) -> dict[str, tuple[str, str | None, str | None]]:
    """doc -> (decision, kind, status) of a commitment's reviewed changes (what after_review takes)."""
    q = select(changes.c.doc, changes.c.review_status, changes.c.kind, changes.c.to_status).where(
        changes.c.commitment_id == commitment_id, changes.c.review_status != "pending", changes.c.doc.is_not(None))
    return {r.doc: (_DECISION_OF[r.review_status], r.kind, r.to_status) for r in conn.execute(q)
            if r.review_status in _DECISION_OF}


def _corrected_status(change: Any, new_kind: str, new_status: str | None) -> str | None:
    if new_status:
        return new_status
    if new_kind == "dropped":
        return "dropped"
    if new_kind in ("reaffirmed", "overdue"):
        status: str | None = change.from_status or change.to_status
        return status
    return str(change.to_status) if change.to_status else None


def apply_review(conn: Connection, change_id: int, decision: str, *, reviewer: str, comment: str = "",
                 new_kind: str | None = None, new_status: str | None = None,
                 now: dt.datetime | None = None) -> dict[str, Any]:
    """Record an analyst's decision on a change and make the commitment's status follow it.

    ``confirm`` keeps the change, ``reject`` sets it aside (the status no longer counts it),
    ``correct`` changes its kind (and, with ``new_status`` or by the kind's meaning, where
    it leaves the commitment). Returns the review row written plus the commitment's status.
    """
    if decision not in DECISIONS:
        raise ReviewError(f"decision must be one of {', '.join(DECISIONS)}")
    reviewer = (reviewer or "").strip()[:200]
    if not reviewer:
        raise ReviewError("say who you are: the reviewer's name is kept with the decision")
    lock_commitments(conn)    # the intake reads the states it writes over under this lock
    ch = conn.execute(select(changes).where(changes.c.id == change_id)).first()
    if ch is None:
        raise ReviewError(f"no change with id {change_id}")
    values: dict[str, Any] = {"review_status": REVIEW_STATUS[decision]}
    kind_after, status_after = None, ch.to_status
    if decision == "correct":
        if new_kind not in KINDS:
            raise ReviewError(f"a correction needs a kind: one of {', '.join(KINDS)}")
        if new_status and new_status not in STATUSES:
            raise ReviewError(f"status must be one of {', '.join(STATUSES)}")
        kind_after, status_after = new_kind, _corrected_status(ch, new_kind, new_status)
        values.update(kind=new_kind, to_status=status_after)
    elif decision == "confirm":
        values["confirmed"] = True
    conn.execute(update(changes).where(changes.c.id == change_id).values(**values))
    row = {"change_id": change_id, "commitment_id": ch.commitment_id, "decision": decision,
           "old_kind": ch.kind, "new_kind": kind_after, "old_status": ch.to_status, "new_status": status_after,
           "comment": (comment or "").strip()[:4000], "reviewer": reviewer,
           "decided_at": now or dt.datetime.now(dt.UTC)}
    key = conn.execute(reviews.insert().values(**row)).inserted_primary_key
    assert key is not None
    status = recompute_status(conn, ch.commitment_id)
    return {**row, "id": int(key[0]), "commitment_status": status}


def pending_count(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(changes)
                            .where(changes.c.review_status == "pending")).scalar_one())


# ---- across a replay -------------------------------------------------------------------------------------
# `watcher replay` deletes every change and rebuilds them from the articles. A reviewed change is found again
# by what the rebuild cannot alter: its commitment, its document and the kind it was detected as; the latest
# decision on it is applied to the rebuilt change and its review rows point at it again. A change the rebuild
# no longer makes keeps its reviews in the history, unlinked.

@dataclass(frozen=True)
class HeldReview:
    commitment_id: str
    article_id: int | None
    doc: str | None
    detected_kind: str          # the kind before any correction: what the rebuild will make again
    review_ids: tuple[int, ...]
    decision: str               # the latest decision, and what it set
    new_kind: str | None
    new_status: str | None
    decided_at: dt.datetime | None = None   # when the latest decision was made


def hold_for_replay(conn: Connection) -> list[HeldReview]:
    """The reviewed changes, keyed as a rebuild will find them again (read before the changes go)."""
    q = (select(changes.c.id, changes.c.commitment_id, changes.c.article_id, changes.c.doc, reviews.c.id.label("rid"),
                reviews.c.decision, reviews.c.old_kind, reviews.c.new_kind, reviews.c.new_status,
                reviews.c.decided_at)
         .select_from(changes.join(reviews, reviews.c.change_id == changes.c.id))
         .where(changes.c.review_status != "pending")
         .order_by(changes.c.id, reviews.c.decided_at, reviews.c.id))
    by_change: dict[int, list[Any]] = {}
    for r in conn.execute(q):
        by_change.setdefault(r.id, []).append(r)
    held = []
    for rows in by_change.values():
        first, last = rows[0], rows[-1]
        held.append(HeldReview(first.commitment_id, first.article_id, first.doc, first.old_kind,
                               tuple(r.rid for r in rows), last.decision, last.new_kind, last.new_status,
                               last.decided_at))
    return held


def reapply_after_replay(conn: Connection, held: list[HeldReview]) -> int:
    """Give the rebuilt changes their reviews back; the commitments' statuses follow. Returns how many."""
    done = 0
    touched: set[str] = set()
    for h in held:
        doc_match = changes.c.article_id == h.article_id if h.article_id is not None else changes.c.doc == h.doc
        new_id = conn.execute(select(changes.c.id).where(and_(
            changes.c.commitment_id == h.commitment_id, changes.c.kind == h.detected_kind,
            changes.c.review_status == "pending", doc_match)).order_by(changes.c.id).limit(1)).scalar()
        if new_id is None:
            continue
        values: dict[str, Any] = {"review_status": REVIEW_STATUS[h.decision]}
        if h.decision == "correct":
            values.update(kind=h.new_kind, to_status=h.new_status)
        elif h.decision == "confirm":
            values["confirmed"] = True
        conn.execute(update(changes).where(changes.c.id == new_id).values(**values))
        conn.execute(update(reviews).where(reviews.c.id.in_(h.review_ids)).values(change_id=new_id))
        touched.add(h.commitment_id)
        done += 1
    for cid in sorted(touched):
        recompute_status(conn, cid)
    return done
