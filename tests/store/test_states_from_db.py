"""The intake reads the commitments' states from the database in the transaction that writes: a review
made by another connection between two articles is what the next article is read against (a daemon
keeps no copy of its own). Real SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from watcher.ingest.documents import seed_articles
from watcher.ingest.intake import Analyzer, load_registry_into, store_articles
from watcher.store import Store, pending_of
from watcher.store import reviews as _reviews
from watcher.store.db import DB_DIR
from watcher.store.schema import changes, commitments

SECRETARIAT = "trilateral_secretariat"


def _status(store: Store) -> str:
    with store.read() as conn:
        return str(conn.execute(select(commitments.c.status).where(commitments.c.id == SECRETARIAT)).scalar())


def test_a_review_by_another_connection_holds_for_the_next_article(db_url: str) -> None:
    daemon = Store(db_url)
    daemon.migrate()
    with daemon.write() as conn:
        load_registry_into(conn, str(DB_DIR / "commitments.toml"), today=dt.date(2024, 1, 1))
    now = dt.datetime.now(dt.UTC)
    arts = sorted(seed_articles(now), key=lambda a: (a.published_at or now, a.doc or ""))
    analyzer = Analyzer.from_store(daemon)       # as `watcher run` holds it, across every pass
    for a in arts[:-1]:
        store_articles(daemon, [a], now=now, analyzer=analyzer)
    with daemon.read() as conn:                   # the secretariat "launched": an advance, unconfirmed so far
        assert conn.execute(select(changes.c.to_status).where(
            changes.c.commitment_id == SECRETARIAT, changes.c.kind == "advanced")).scalar() == "in_progress"

    web = Store(db_url)                           # the web interface: another engine, another connection
    with web.write() as conn:
        (adv,) = conn.execute(select(changes.c.id).where(changes.c.commitment_id == SECRETARIAT,
                                                         changes.c.kind == "advanced")).scalars()
        out = _reviews.apply_review(conn, adv, "reject", reviewer="Kim", comment="not launched yet")
    assert out["commitment_status"] == "agreed"
    web.dispose()

    last = store_articles(daemon, [arts[-1]], now=now, analyzer=analyzer)   # it restates the secretariat
    assert last.changes >= 1
    with daemon.read() as conn:
        restated = conn.execute(select(changes.c.from_status, changes.c.to_status).where(
            changes.c.commitment_id == SECRETARIAT, changes.c.article_id == last.stored[0].id)).one()
    assert restated.from_status == "agreed"        # read against the reviewed status, not a stale copy
    with daemon.read() as conn:                    # the status moves from there, by this article alone
        state = conn.execute(select(commitments.c.state).where(commitments.c.id == SECRETARIAT)).scalar()
    pending = pending_of(state)
    moved_to = pending["to_status"] if pending else _status(daemon)   # an unconfirmed report waits beside it
    assert moved_to == restated.to_status
    daemon.dispose()
