"""Two workers share the commitments' states through the database: the second one diffs against what
the first just stored, not against what it loaded at start (else one event makes two `advanced` changes,
and two alerts)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import text

from watcher.ingest.documents import read_document
from watcher.ingest.intake import Analyzer, load_registry_into, store_articles
from watcher.scale.runtime import SerialStore
from watcher.store.db import DB_DIR

ONE = ("Secretariat opens\n\nThe United States, Japan and South Korea launched the trilateral cooperation "
       "secretariat in Seoul on Monday, the three foreign ministries said.")
TWO = ("Secretariat begins work\n\nThe trilateral secretariat of South Korea, Japan and the United States was "
       "launched in Seoul this week, officials in Tokyo said.")


def test_a_worker_diffs_against_the_states_another_worker_stored(tmp_path: Path, pg_url: str) -> None:
    store = SerialStore(pg_url)
    store.migrate()
    with store.write() as conn:
        load_registry_into(conn, str(DB_DIR / "commitments.toml"))

    first, second = Analyzer.from_store(store), Analyzer.from_store(store)   # two workers, each its own
    now = dt.datetime.now(dt.UTC)
    docs = []
    for name, body, outlet in (("one.txt", ONE, "A"), ("two.txt", TWO, "B")):
        (tmp_path / name).write_text(body)
        docs.append(read_document(tmp_path / name, url=f"http://{outlet.lower()}.example/{name}", title=None,
                                  published=now, source=outlet, official=False, now=now))
    store_articles(store, [docs[0]], now=now, analyzer=first)
    store_articles(store, [docs[1]], now=now, analyzer=second)
    with store.read() as conn:
        rows = conn.execute(text("SELECT kind, from_status, to_status FROM changes "
                                 "WHERE commitment_id = 'trilateral_secretariat' ORDER BY id")).all()
    store.dispose()
    assert [tuple(r) for r in rows] == [("advanced", "agreed", "implemented"),
                                        ("reaffirmed", "implemented", "implemented")]
