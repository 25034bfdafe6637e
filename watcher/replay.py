"""``watcher replay``: rebuild commitments and changes from the stored articles.

Articles are read in publication order (ties by id), the commitments reset to the
registry's word, and claims and diff run again, in one transaction, sending nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from .intake import Analyzer, load_states
from .store import Store
from .store import articles as _articles
from .store import commitments as _commitments
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
        _commitments.reset_for_replay(conn)
        analyzer = Analyzer(load_states(conn))
        rows = _articles.all_for_replay(conn)
        for i in range(0, len(rows), CHUNK):
            chunk = [_article(r) for r in rows[i:i + CHUNK]]
            states, n = analyzer.process(conn, chunk, now)
            analyzer.states = states   # same transaction: the next chunk sees this one's states
            n_articles += len(chunk)
            n_changes += n
    return {"articles": n_articles, "changes": n_changes, "seconds": round(time.perf_counter() - started, 3)}
