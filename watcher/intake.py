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

from .build import analysis_text
from .registry import Commitment, derive_recurring, load_registry, registry_as_of
from .store import Store
from .store import articles as _articles
from .store import commitments as _commitments
from .store.codec import from_jsonable, to_jsonable
from .types import Article

log = logging.getLogger("watcher.intake")

ChangeHook = Callable[[Connection, Sequence[tuple[int, Any]]], None]


@dataclass(frozen=True)
class IntakeResult:
    new_articles: int
    changes: int
    stored: tuple[_articles.Stored, ...] = ()


def doc_id(a: Article) -> str:
    """How a change names its document: the file name when ingested, the URL otherwise."""
    return a.doc or a.url or a.canonical_url or f"{a.source}:{a.guid}"


def _as_date(v: dt.datetime | None) -> dt.date | None:
    return v.date() if v else None


class Analyzer:
    """Claims and diff for each new article, against the commitments' states in memory.

    The states follow the database: they are loaded once, and replaced only after the
    transaction that wrote them has committed (see :func:`store_articles`).
    """

    def __init__(self, states: dict[str, Any] | None = None, *, on_changes: ChangeHook | None = None,
                 loader: Callable[[], dict[str, Any]] | None = None,
                 reviews: dict[tuple[str, str, str], tuple[str, str | None, str | None]] | None = None) -> None:
        self._states = states
        self._loader = loader
        self.on_changes = on_changes
        # replay: (commitment, doc, detected kind) -> an analyst's decision, applied as the rebuild reaches
        # the change, so that later documents are read against the reviewed state as they were live
        self.reviews = reviews or {}
        self._reviews_seen: int | None = None   # the latest review id these states know of

    @property
    def states(self) -> dict[str, Any]:
        """Loaded on first use: a pass with nothing new never imports the claim core."""
        if self._states is None:
            self._states = self._loader() if self._loader is not None else {}
        return self._states

    @states.setter
    def states(self, value: dict[str, Any]) -> None:
        self._states = value

    @classmethod
    def from_store(cls, store: Store, *, on_changes: ChangeHook | None = None) -> Analyzer:
        def load() -> dict[str, Any]:
            with store.read("loading commitments") as conn:
                return load_states(conn)
        return cls(on_changes=on_changes, loader=load)

    def document(self, s: _articles.Stored, text: str) -> Any:
        from . import diff as _diff

        a = s.article
        return _diff.Document(doc=doc_id(a), url=a.url, title=a.title, text=text,
                              published_at=_as_date(a.published_at or a.fetched_at), source=a.source,
                              official=a.official, cluster=str(s.cluster_id))

    def process(self, conn: Connection, stored: Sequence[_articles.Stored], now: dt.datetime) -> tuple[dict[str, Any], int]:
        """Write claims, changes and new states for ``stored``; return the tentative states.

        Only the commitments a document moved are written, once per batch, and a commitment
        minted by a document is written before the change that names it.
        """
        from . import claims as _claims
        from . import diff as _diff

        self._follow_reviews(conn)
        states = dict(self.states)
        pending: list[tuple[dict[str, Any], Any]] = []    # this batch's changes, inserted together at the end
        dirty: dict[str, Any] = {}
        claim_rows: list[dict[str, Any]] = []
        for s in stored:
            a = s.article
            text = analysis_text(a)
            found = list(a.claims) if a.claims is not None else _claims.extract_claims(
                text, published=_as_date(a.published_at))
            doc = self.document(s, text)
            result = _diff.diff_document(states, doc, found)
            if self.reviews:
                result = self._reviewed(result, doc.doc)
            moved = {cid: st for cid, st in result.states.items() if states.get(cid) is not st}
            minted = [st for cid, st in moved.items() if cid not in states]
            if minted:
                _commitments.save_states(conn, [_state_row(st, now) for st in minted])
            dirty.update(moved)
            states = dict(result.states)
            _apply(conn, result, s.id, now, pending)
            claim_rows += [{"article_id": s.id, "start": c.start, "end": c.end, "sentence": c.sentence,
                            "modality": c.modality, "action": c.action, "negated": c.negated,
                            "commitment_id": None} for c in found]
        _commitments.save_states(conn, [_state_row(st, now) for st in dirty.values()])
        _commitments.insert_claims(conn, claim_rows)
        ids = _commitments.insert_changes(conn, [row for row, _ch in pending])
        written = [(i, ch) for i, (_row, ch) in zip(ids, pending, strict=True)]
        if written and self.on_changes is not None:
            self.on_changes(conn, written)
        return states, len(written)

    def _follow_reviews(self, conn: Connection) -> None:
        """An analyst's review (in `watcher serve`, another process) moves the stored states: when a
        review was recorded since these states were read, read them again, so that the next article is
        diffed against the reviewed status, as `watcher replay` will."""
        from sqlalchemy import func, select

        from .store.schema import reviews

        latest = int(conn.execute(select(func.coalesce(func.max(reviews.c.id), 0))).scalar_one())
        if self._reviews_seen is not None and latest != self._reviews_seen:
            self._states = load_states(conn)
        self._reviews_seen = latest

    def _reviewed(self, result: Any, doc: str) -> Any:
        from dataclasses import replace

        from .diff_types import after_review

        states = result.states
        for ch in result.changes:
            decision = self.reviews.get((ch.commitment, doc, ch.kind))
            if decision is not None and ch.commitment in states:
                states = {**states, ch.commitment: after_review(states[ch.commitment], {doc: decision})}
        return replace(result, states=states) if states is not result.states else result

    def check_overdue(self, conn: Connection, today: dt.date, now: dt.datetime) -> tuple[dict[str, Any], int]:
        states = dict(self.states)
        written: list[tuple[int, Any]] = []
        from . import diff as _diff

        changes = _diff.check_overdue(states, today)
        if not changes:
            return states, 0
        _insert_changes(conn, changes, None, now, written)
        states = dict(_diff.apply_overdue(states, changes))
        for cid in {ch.commitment for ch in changes}:
            _save(conn, states[cid], now)
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


def _insert_changes(conn: Connection, chs: Sequence[Any], article_id: int | None, now: dt.datetime,
                    written: list[tuple[int, Any]]) -> None:
    ids = _commitments.insert_changes(conn, [_change_row(ch, article_id, now) for ch in chs])
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
            _commitments.confirm(conn, conf.commitment, conf.kind, conf.doc)
    for add in result.outlet_additions:
        rows = queued(add.commitment, add.kind, add.doc)
        for row in rows:
            if add.outlet not in row["outlets"]:
                row["outlets"] = [*row["outlets"], add.outlet]
        if not rows:
            _commitments.add_outlet(conn, add.commitment, add.kind, add.doc, add.outlet)


def _state_row(st: Any, now: dt.datetime) -> dict[str, Any]:
    c = st.commitment
    return {"id": c.id, "title": c.title, "aliases": c.aliases, "keywords": c.keywords, "status": st.shown_status,
            "deadline": st.deadline, "last_evidence": st.last_evidence, "last_changed_at": now,
            "state": to_jsonable(st)}


def _save(conn: Connection, st: Any, now: dt.datetime) -> None:
    _commitments.save_states(conn, [_state_row(st, now)])


def load_states(conn: Connection) -> dict[str, Any]:
    """Every commitment's state: as articles left it, or as the registry began it."""
    from . import diff as _diff

    out: dict[str, Any] = {}
    for r in _commitments.rows(conn):
        if r.state is not None:
            out[r.id] = from_jsonable(_diff.CommitmentState, r.state)
        elif r.initial_state is not None:
            out[r.id] = from_jsonable(_diff.CommitmentState, r.initial_state)
        else:
            c = Commitment(id=r.id, title=r.title, aliases=tuple(r.aliases), keywords=tuple(r.keywords),
                           status=r.registry_status, deadline=r.registry_deadline, since=r.since, source=r.source,
                           recurring=derive_recurring(r.title, tuple(r.aliases), tuple(r.keywords)))
            out[r.id] = _diff.initial_states([c])[c.id]
    return out


def load_registry_into(conn: Connection, path: str, *, today: dt.date | None = None) -> int:
    """Load a registry file into the commitments table with each commitment's starting state.

    Missed years of recurring commitments count from the later of the registry's ``as_of``
    and ``today`` (the day the watcher is set up): a year it was not watching, it cannot
    call overdue.
    """
    from pathlib import Path

    from . import diff as _diff

    registry = load_registry(path)
    today = today or dt.datetime.now(dt.UTC).date()
    as_of = max(registry_as_of(Path(path).read_text(encoding="utf-8")) or today, today)
    initial = {cid: to_jsonable(st) for cid, st in _diff.initial_states(registry, as_of=as_of).items()}
    return _commitments.load_registry(conn, registry, initial)


def store_in(conn: Connection, batch: Sequence[Article], now: dt.datetime,
             analyzer: Analyzer | None) -> tuple[list[_articles.Stored], dict[str, Any] | None, int]:
    """Inside the caller's transaction: insert the new articles, then their claims and changes.

    Returns the stored articles, the analyzer's tentative states (to adopt once the
    transaction has committed) and the number of changes.
    """
    stored = _articles.add(conn, batch, now)
    if analyzer is None or not stored:
        return stored, None, 0
    states, n_changes = analyzer.process(conn, stored, now)
    return stored, states, n_changes


def store_articles(store: Store, batch: Sequence[Article], *, now: dt.datetime,
                   analyzer: Analyzer | None = None) -> IntakeResult:
    """Insert the new articles of ``batch`` and, with an analyzer, their claims and changes."""
    with store.write("storing articles") as conn:
        stored, states, n_changes = store_in(conn, batch, now, analyzer)
    if analyzer is not None and states is not None:
        analyzer.states = states
    return IntakeResult(new_articles=len(stored), changes=n_changes, stored=tuple(stored))
