"""``watcher replay``: rebuild commitments and changes from the stored articles.

Articles are read in publication order (ties by id), the commitments reset to the
registry's word, and claims and diff run again, in one transaction, sending nothing.
An analyst's reviews follow the changes they were made on (``store.reviews``): a rebuilt
change that was confirmed, rejected or corrected before is so again.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from .intake import Analyzer, load_states
from .store import Store
from .store import articles as _articles
from .store import commitments as _commitments
from .store import reviews as _reviews
from .types import Article

CHUNK = 500


def _article(r: Any) -> _articles.Stored:
    a = Article(source=r.source, guid=r.guid, url=r.url, canonical_url=r.canonical_url, title=r.title, text=r.text,
                published_at=r.published_at, language=r.language, doc=r.doc, official=r.official,
                fetched_at=r.fetched_at, content_hash=r.content_hash, simhash=r.simhash)
    return _articles.Stored(id=r.id, cluster_id=r.cluster_id or r.id, article=a, cluster_outlets=(r.source,))


def replay_store(store: Store, *, now: dt.datetime | None = None) -> dict[str, float]:
    now = now or dt.datetime.now(dt.UTC)
    started = time.perf_counter()
    n_articles = n_changes = 0
    with store.write("replaying") as conn:
        held = _reviews.hold_for_replay(conn)
        _commitments.reset_for_replay(conn)
        analyzer = Analyzer(load_states(conn), reviews={
            (h.commitment_id, h.doc, h.detected_kind): (h.decision, h.new_kind, h.new_status)
            for h in held if h.doc})
        rows = _articles.all_for_replay(conn)
        for i in range(0, len(rows), CHUNK):
            chunk = [_article(r) for r in rows[i:i + CHUNK]]
            states, n = analyzer.process(conn, chunk, now)
            analyzer.states = states   # same transaction: the next chunk sees this one's states
            n_articles += len(chunk)
            n_changes += n
        n_reviews = _reviews.reapply_after_replay(conn, held)
    return {"articles": n_articles, "changes": n_changes, "reviews": n_reviews,
            "seconds": round(time.perf_counter() - started, 3)}
