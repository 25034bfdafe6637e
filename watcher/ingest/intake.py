"""Store new articles and run claims and diff on them, in one transaction.

The article, its claims, the changes they make, the commitments' new states and the
alerts the changes owe (the outbox) are written together: a crash leaves all or none.
Used by the poller, ``watcher ingest``, the seed corpus and ``watcher replay``.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from ..commitments.registry import Commitment, derive_recurring, load_registry, registry_as_of
from ..store import (
    Store,
    Stored,
    add_change_outlet,
    commitment_rows,
    confirm_change,
    from_jsonable,
    insert_articles,
    insert_changes,
    insert_claims,
    load_commitments,
    lock_commitments,
    save_commitment_states,
    to_jsonable,
)
from ..types import Article
from .build import analysis_text

log = logging.getLogger("watcher.intake")

ChangeHook = Callable[[Connection, Sequence[tuple[int, Any]]], None]
Review = tuple[str, "str | None", "str | None", "dt.datetime | None"]   # decision, new kind, new status, when


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


@dataclass(frozen=True)
class IntakeResult:
    new_articles: int
    changes: int
    stored: tuple[Stored, ...] = ()


def doc_id(a: Article) -> str:
    """How a change names its document: the file name when ingested, the URL otherwise."""
    return a.doc or a.url or a.canonical_url or f"{a.source}:{a.guid}"


def _as_date(v: dt.datetime | None) -> dt.date | None:
    return v.date() if v else None


class Analyzer:
    """Claims and diff for each new article, against the commitments' states as the database has them.

    The states are read inside the transaction that writes the article's changes, under
    :func:`watcher.store.lock_commitments` (PostgreSQL; SQLite's write transaction is already
    exclusive): a review made in the web interface, a replay or another process is what the next
    article is read against, never overwritten by a copy kept in memory. Only the decoding is cached,
    per commitment, for as long as its stored state stays the same.
    """

    def __init__(self, *, on_changes: ChangeHook | None = None,
                 reviews: dict[tuple[str, str, str], Review] | None = None) -> None:
        self.on_changes = on_changes
        self._decoded: dict[str, tuple[Any, Any]] = {}
        # replay: (commitment, doc, detected kind) -> an analyst's decision and when it was made. The rebuild
        # applies it to the state just before the first later article that was stored after the decision, as
        # the live pass read that article against the reviewed state; one made after every article is
        # applied at the end (finish_reviews), so replay and the live pass make the same changes.
        self.reviews = reviews or {}
        self._deferred: list[tuple[dt.datetime | None, str, str, tuple[str, str | None, str | None]]] = []

    @classmethod
    def from_store(cls, store: Store, *, on_changes: ChangeHook | None = None) -> Analyzer:
        return cls(on_changes=on_changes)

    def read_states(self, conn: Connection) -> dict[str, Any]:
        """Every commitment's state, read in ``conn``'s (write) transaction after taking the lock."""
        lock_commitments(conn)
        return load_states(conn, self._decoded)

    def document(self, s: Stored, text: str) -> Any:
        from ..commitments import diff as _diff

        a = s.article
        return _diff.Document(doc=doc_id(a), url=a.url, title=a.title, text=text,
                              published_at=_as_date(a.published_at or a.fetched_at), source=a.source,
                              official=a.official, cluster=str(s.cluster_id))

    def process(self, conn: Connection, stored: Sequence[Stored], now: dt.datetime) -> tuple[dict[str, Any], int]:
        """Write claims, changes and new states for ``stored``; return the tentative states.

        Only the commitments a document moved are written, once per batch, and a commitment
        minted by a document is written before the change that names it.
        """
        from .. import claims as _claims
        from ..commitments import diff as _diff

        states = self.read_states(conn)
        pending: list[tuple[dict[str, Any], Any]] = []    # this batch's changes, inserted together at the end
        dirty: dict[str, Any] = {}
        claim_rows: list[dict[str, Any]] = []
        for s in stored:
            a = s.article
            text = analysis_text(a)
            found = list(a.claims) if a.claims is not None else _claims.extract_claims(
                text, published=_as_date(a.published_at))
            doc = self.document(s, text)
            if self._deferred:
                reviewed = self._apply_deferred(states, a.fetched_at)
                dirty.update(reviewed)
                states.update(reviewed)
            result = _diff.diff_document(states, doc, found)
            if self.reviews:
                self._defer(result, doc.doc)
            moved = {cid: st for cid, st in result.states.items() if states.get(cid) is not st}
            minted = [st for cid, st in moved.items() if cid not in states]
            if minted:
                save_commitment_states(conn, [_state_row(st, now) for st in minted])
            dirty.update(moved)
            states = dict(result.states)
            _apply(conn, result, s.id, now, pending)
            claim_rows += [{"article_id": s.id, "start": c.start, "end": c.end, "sentence": c.sentence,
                            "modality": c.modality, "action": c.action, "negated": c.negated,
                            "commitment_id": None} for c in found]
        save_commitment_states(conn, [_state_row(st, now) for st in dirty.values()])
        insert_claims(conn, claim_rows)
        ids = insert_changes(conn, [row for row, _ch in pending])
        written = [(i, ch) for i, (_row, ch) in zip(ids, pending, strict=True)]
        if written and self.on_changes is not None:
            self.on_changes(conn, written)
        return states, len(written)

    def _defer(self, result: Any, doc: str) -> None:
        for ch in result.changes:
            review = self.reviews.get((ch.commitment, doc, ch.kind))
            if review is not None:
                decision, kind, status, decided_at = review
                self._deferred.append((decided_at, ch.commitment, doc, (decision, kind, status)))

    def _apply_deferred(self, states: dict[str, Any], before: dt.datetime | None) -> dict[str, Any]:
        """The states the reviews decided before ``before`` (None: every one left) leave; those are done."""
        from ..commitments.model import after_review

        out: dict[str, Any] = {}
        keep = []
        for item in self._deferred:
            decided_at, cid, doc, decision = item
            if before is not None and decided_at is not None and _aware(decided_at) > _aware(before):
                keep.append(item)
                continue
            st = out.get(cid, states.get(cid))
            if st is not None:
                out[cid] = after_review(st, {doc: decision})
        self._deferred = keep
        return out

    def finish_reviews(self, conn: Connection, now: dt.datetime) -> None:
        """Replay's end: the reviews decided after every article hold on the states too."""
        if not self._deferred:
            return
        states = self.read_states(conn)
        reviewed = self._apply_deferred(states, None)
        save_commitment_states(conn, [_state_row(st, now) for st in reviewed.values()])

    def check_overdue(self, conn: Connection, today: dt.date, now: dt.datetime) -> tuple[dict[str, Any], int]:
        states = self.read_states(conn)
        written: list[tuple[int, Any]] = []
        from ..commitments import diff as _diff

        changes = _diff.check_overdue(states, today)
        if not changes:
            return states, 0
        write_changes(conn, changes, None, now, written)
        states = dict(_diff.apply_overdue(states, changes))
        for cid in {ch.commitment for ch in changes}:
            save_state(conn, states[cid], now)
        if written and self.on_changes is not None:
            self.on_changes(conn, written)
        return states, len(written)


def _change_row(ch: Any, article_id: int | None, now: dt.datetime) -> dict[str, Any]:
    published = ch.published_at
    if isinstance(published, dt.date) and not isinstance(published, dt.datetime):
        published = dt.datetime(published.year, published.month, published.day, tzinfo=dt.UTC)
    return {"commitment_id": ch.commitment, "kind": ch.kind, "from_status": ch.from_status,
            "to_status": ch.to_status, "evidence": ch.evidence or "", "article_id": article_id, "doc": ch.doc,
            "article_url": ch.article_url, "published_at": published, "detected_at": now,
            "confirmed": bool(ch.confirmed), "outlets": list(ch.outlets), "deadline": ch.deadline}


def write_changes(conn: Connection, chs: Sequence[Any], article_id: int | None, now: dt.datetime,
                  written: list[tuple[int, Any]]) -> None:
    """Insert ``chs`` (of ``article_id``, or of none: an overdue change) and add (id, change) to ``written``."""
    ids = insert_changes(conn, [_change_row(ch, article_id, now) for ch in chs])
    written.extend(zip(ids, chs, strict=True))


def _apply(conn: Connection, result: Any, article_id: int, now: dt.datetime,
           pending: list[tuple[dict[str, Any], Any]]) -> None:
    """Queue a document's changes; a confirmation or a further outlet lands on the queued change
    when it is still in this batch, on the stored one otherwise."""
    for ch in sorted(result.changes, key=lambda c: (c.commitment, c.kind)):   # one stable order
        pending.append((_change_row(ch, article_id, now), ch))

    def queued(commitment: str, kind: str, doc: str) -> list[dict[str, Any]]:
        return [row for row, _ch in pending
                if (row["commitment_id"], row["kind"], row["doc"]) == (commitment, kind, doc)]

    for conf in result.confirmations:
        rows = queued(conf.commitment, conf.kind, conf.doc)
        for row in rows:
            row["confirmed"] = True
        if not rows:
            confirm_change(conn, conf.commitment, conf.kind, conf.doc)
    for add in result.outlet_additions:
        rows = queued(add.commitment, add.kind, add.doc)
        for row in rows:
            if add.outlet not in row["outlets"]:
                row["outlets"] = [*row["outlets"], add.outlet]
        if not rows:
            add_change_outlet(conn, add.commitment, add.kind, add.doc, add.outlet)


def _state_row(st: Any, now: dt.datetime) -> dict[str, Any]:
    c = st.commitment
    return {"id": c.id, "title": c.title, "aliases": c.aliases, "keywords": c.keywords, "status": st.shown_status,
            "deadline": st.deadline, "last_evidence": st.last_evidence, "last_changed_at": now,
            "state": to_jsonable(st)}


def save_state(conn: Connection, st: Any, now: dt.datetime) -> None:
    """Write one commitment's state as it stands at ``now``."""
    save_commitment_states(conn, [_state_row(st, now)])


def load_states(conn: Connection, decoded: dict[str, tuple[Any, Any]] | None = None) -> dict[str, Any]:
    """Every commitment's state: as articles left it, or as the registry began it. ``decoded`` (kept by the
    caller between calls) maps an id to its stored form and the state decoded from it: reused while equal."""
    from ..commitments import diff as _diff

    cache = decoded if decoded is not None else {}
    out: dict[str, Any] = {}
    for r in commitment_rows(conn):
        raw: Any = r.state if r.state is not None else r.initial_state
        if raw is None:
            raw = ("registry", r.title, tuple(r.aliases), tuple(r.keywords), r.registry_status,
                   r.registry_deadline, r.since, r.source)
        hit = cache.get(r.id)
        if hit is not None and hit[0] == raw:
            out[r.id] = hit[1]
            continue
        if isinstance(raw, tuple):
            c = Commitment(id=r.id, title=r.title, aliases=tuple(r.aliases), keywords=tuple(r.keywords),
                           status=r.registry_status, deadline=r.registry_deadline, since=r.since, source=r.source,
                           recurring=derive_recurring(r.title, tuple(r.aliases), tuple(r.keywords)))
            st = _diff.initial_states([c])[c.id]
        else:
            st = from_jsonable(_diff.CommitmentState, raw)
        cache[r.id] = (raw, st)
        out[r.id] = st
    for gone in set(cache) - set(out):
        del cache[gone]
    return out


def load_registry_into(conn: Connection, path: str, *, today: dt.date | None = None) -> int:
    """Load a registry file into the commitments table with each commitment's starting state.

    Missed years of recurring commitments count from the later of the registry's ``as_of``
    and ``today`` (the day the watcher is set up): a year it was not watching, it cannot
    call overdue.
    """
    from pathlib import Path

    from ..commitments import diff as _diff

    registry = load_registry(path)
    today = today or dt.datetime.now(dt.UTC).date()
    as_of = max(registry_as_of(Path(path).read_text(encoding="utf-8")) or today, today)
    initial = {cid: to_jsonable(st) for cid, st in _diff.initial_states(registry, as_of=as_of).items()}
    return load_commitments(conn, registry, initial)


def store_in(conn: Connection, batch: Sequence[Article], now: dt.datetime,
             analyzer: Analyzer | None) -> tuple[list[Stored], dict[str, Any] | None, int]:
    """Inside the caller's transaction: insert the new articles, then their claims and changes.

    Returns the stored articles, the commitments' states after them (as written in this
    transaction) and the number of changes.
    """
    stored = insert_articles(conn, batch, now)
    if analyzer is None or not stored:
        return stored, None, 0
    states, n_changes = analyzer.process(conn, stored, now)
    return stored, states, n_changes


def store_articles(store: Store, batch: Sequence[Article], *, now: dt.datetime,
                   analyzer: Analyzer | None = None) -> IntakeResult:
    """Insert the new articles of ``batch`` and, with an analyzer, their claims and changes."""
    with store.write("storing articles") as conn:
        stored, _states, n_changes = store_in(conn, batch, now, analyzer)
    return IntakeResult(new_articles=len(stored), changes=n_changes, stored=tuple(stored))
