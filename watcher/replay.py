"""``watcher replay``: rebuild commitments and changes from the stored articles.

Articles are read in publication order (ties by id), the commitments reset to the
registry's word, and claims and diff run again, in one transaction, sending nothing.
An analyst's reviews follow the changes they were made on (``store.reviews``): a rebuilt
change that was confirmed, rejected or corrected before is so again. Every alert is kept and
follows its change (``store.rebuild``): one not sent yet is sent once, with the id it had. The
``overdue`` changes made before are made again (as of ``now``); one never made before is left
to the daemon's deadline check, which alerts it.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from sqlalchemy import select

from .intake import Analyzer
from .store import Store
from .store import articles as _articles
from .store import commitments as _commitments
from .store import rebuild as _rebuild
from .store import reviews as _reviews
from .store.schema import changes as _changes
from .types import Article

CHUNK = 500


def _article(r: Any) -> _articles.Stored:
    a = Article(source=r.source, guid=r.guid, url=r.url, canonical_url=r.canonical_url, title=r.title, text=r.text,
                published_at=r.published_at, language=r.language, doc=r.doc, official=r.official,
                fetched_at=r.fetched_at, content_hash=r.content_hash, simhash=r.simhash)
    return _articles.Stored(id=r.id, cluster_id=r.cluster_id or r.id, article=a, cluster_outlets=(r.source,))


def _restore_overdue(conn: Any, analyzer: Analyzer, before: set[tuple[str, Any]], now: dt.datetime) -> int:
    """The overdue changes there were before the replay, found again as of ``now`` and written with the
    commitments' marks, so the daemon does not report them a second time."""
    from . import diff as _diff
    from .intake import _insert_changes, _save

    states = analyzer.read_states(conn)
    found = [ch for ch in _diff.check_overdue(states, now.date()) if (ch.commitment, ch.deadline) in before]
    if not found:
        return 0
    written: list[tuple[int, Any]] = []
    _insert_changes(conn, found, None, now, written)
    states = dict(_diff.apply_overdue(states, found))
    for cid in {ch.commitment for ch in found}:
        _save(conn, states[cid], now)
    return len(written)


def replay_store(store: Store, *, now: dt.datetime | None = None) -> dict[str, float]:
    now = now or dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    n_articles = n_changes = 0
    with store.write("replaying") as conn:
        held = _reviews.hold_for_replay(conn)
        held_alerts = _rebuild.hold_alerts(conn)
        overdue = {(r.commitment_id, r.deadline) for r in conn.execute(
            select(_changes.c.commitment_id, _changes.c.deadline).where(_changes.c.kind == "overdue"))}
        _commitments.reset_for_replay(conn)
        analyzer = Analyzer()
        rows = _articles.all_for_replay(conn)
        for i in range(0, len(rows), CHUNK):
            chunk = [_article(r) for r in rows[i:i + CHUNK]]
            _states, n = analyzer.process(conn, chunk, now)   # the next chunk reads this one's states
            n_articles += len(chunk)
            n_changes += n
        n_changes += _restore_overdue(conn, analyzer, overdue, now)
        kept = _rebuild.relink_alerts(conn, held_alerts)
        n_reviews = _reviews.reapply_after_replay(conn, held)
    return {"articles": n_articles, "changes": n_changes, "reviews": n_reviews, "alerts": kept["relinked"],
            "seconds": round(time.perf_counter() - started, 3)}
