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

from ..store import (
    Store,
    Stored,
    articles_for_replay,
    hold_alerts,
    hold_reviews,
    overdue_marks,
    reapply_reviews,
    relink_alerts,
    reset_commitments_for_replay,
)
from ..types import Article
from .intake import Analyzer, save_state, write_changes

CHUNK = 500


def _article(r: Any) -> Stored:
    a = Article(source=r.source, guid=r.guid, url=r.url, canonical_url=r.canonical_url, title=r.title, text=r.text,
                published_at=r.published_at, language=r.language, doc=r.doc, official=r.official,
                fetched_at=r.fetched_at, content_hash=r.content_hash, simhash=r.simhash)
    return Stored(id=r.id, cluster_id=r.cluster_id or r.id, article=a, cluster_outlets=(r.source,))


def _restore_overdue(conn: Any, analyzer: Analyzer, before: set[tuple[str, Any]], now: dt.datetime) -> int:
    """The overdue changes there were before the replay, found again as of ``now`` and written with the
    commitments' marks, so the daemon does not report them a second time."""
    from ..commitments import diff as _diff

    states = analyzer.read_states(conn)
    found = [ch for ch in _diff.check_overdue(states, now.date()) if (ch.commitment, ch.deadline) in before]
    if not found:
        return 0
    written: list[tuple[int, Any]] = []
    write_changes(conn, found, None, now, written)
    states = dict(_diff.apply_overdue(states, found))
    for cid in {ch.commitment for ch in found}:
        save_state(conn, states[cid], now)
    return len(written)


def replay_store(store: Store, *, now: dt.datetime | None = None) -> dict[str, float]:
    now = now or dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    n_articles = n_changes = 0
    with store.write("replaying") as conn:
        held = hold_reviews(conn)
        held_alerts = hold_alerts(conn)
        overdue = overdue_marks(conn)
        reset_commitments_for_replay(conn)
        analyzer = Analyzer(reviews={
            (h.commitment_id, h.doc, h.detected_kind): (h.decision, h.new_kind, h.new_status, h.decided_at)
            for h in held if h.doc})
        rows = articles_for_replay(conn)
        for i in range(0, len(rows), CHUNK):
            chunk = [_article(r) for r in rows[i:i + CHUNK]]
            _states, n = analyzer.process(conn, chunk, now)   # the next chunk reads this one's states
            n_articles += len(chunk)
            n_changes += n
        analyzer.finish_reviews(conn, now)
        n_changes += _restore_overdue(conn, analyzer, overdue, now)
        kept = relink_alerts(conn, held_alerts)
        n_reviews = reapply_reviews(conn, held)
    return {"articles": n_articles, "changes": n_changes, "reviews": n_reviews, "alerts": kept["relinked"],
            "seconds": round(time.perf_counter() - started, 3)}
