"""The store on a real fresh database: SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from sqlalchemy import inspect, text

from watcher.errors import StorageError
from watcher.store import SourceUpdate, Store
from watcher.types import Article, Source, Validators

NOW = dt.datetime(2024, 11, 20, 12, 0, tzinfo=dt.UTC)


def art(title: str, body: str, *, source: str = "Yonhap", guid: str | None = None, url: str | None = None,
        day: int = 15, h: str | None = None, sim: int = 0) -> Article:
    return Article(source=source, guid=guid, url=url, canonical_url=url, title=title, text=body,
                   published_at=dt.datetime(2024, 11, day, 9, tzinfo=dt.UTC), fetched_at=NOW,
                   content_hash=h or hashlib.sha256(f"{title}|{body}".encode()).hexdigest(), simhash=sim)


def test_migrate_is_idempotent_and_keeps_data(store: Store) -> None:
    store.add_articles([art("Secretariat", "The three leaders agreed.", guid="g1")], NOW)
    store.migrate()
    assert store.article_count() == 1
    with store.read() as conn:
        assert {"sources", "articles", "commitments", "changes", "claims"} <= set(inspect(conn).get_table_names())


def test_same_article_is_stored_once(store: Store) -> None:
    a = art("Trilateral secretariat launched", "Text one.", guid="g1", url="https://yna.example/a/1")
    first = store.add_articles([a, a], NOW)
    assert len(first) == 1
    # same GUID again, same canonical URL under another GUID, same text from the same outlet
    again = store.add_articles([
        a,
        art("Other title", "Text two.", guid="g2", url="https://yna.example/a/1"),
        art("Third", "Text three.", guid="g3", h=a.content_hash),
    ], NOW)
    assert again == []
    assert store.article_count() == 1


def test_syndicated_copies_join_one_cluster(store: Store) -> None:
    base = 0x0F0F_F0F0_1234_5678
    stored = store.add_articles([
        art("Leaders agree on secretariat", "Wire copy.", source="Yonhap", guid="y1", sim=base),
        art("Leaders agree on secretariat", "Wire copy, lightly edited.", source="Korea Herald", guid="k1",
            sim=base ^ 0b101),
        art("Unrelated", "Different story.", source="Kyodo", guid="x1", sim=~base & ((1 << 64) - 1)),
    ], NOW)
    assert len(stored) == 3
    assert stored[0].cluster_id == stored[1].cluster_id != stored[2].cluster_id
    assert stored[1].cluster_outlets == ("Korea Herald", "Yonhap")


@pytest.mark.parametrize("query,expect", [
    ("secretariat", {"en"}),
    ("사무국", {"ko"}),
    ("日米韓", {"ja"}),
    ("韓国", {"ja"}),               # two characters: below the trigram length, still found
    ('"Freedom Edge"', {"en"}),
    ("secretariat 사무국", set()),   # every term must match
])
def test_search_finds_english_korean_and_japanese(store: Store, query: str, expect: set[str]) -> None:
    store.add_articles([
        art("Trilateral secretariat", "The leaders agreed to launch a secretariat; Freedom Edge continues.",
            guid="en"),
        art("한미일 사무국 출범", "한미일 정상은 사무국을 출범하기로 합의했다.", guid="ko"),
        art("日米韓首脳会談", "日米韓の首脳は事務局の設立で合意した。韓国の大統領も出席。", guid="ja"),
    ], NOW)
    rows = store.list_articles(search=query)
    assert {r["guid"] for r in rows} == expect


def test_listing_is_newest_first_and_since_filters(store: Store) -> None:
    store.add_articles([art("old", "a", guid="1", day=1), art("new", "b", guid="2", day=20),
                        art("mid", "c", guid="3", day=10)], NOW)
    assert [r["title"] for r in store.list_articles()] == ["new", "mid", "old"]
    since = dt.datetime(2024, 11, 5, tzinfo=dt.UTC)
    assert [r["title"] for r in store.list_articles(since=since)] == ["new", "mid"]


def test_source_rows_carry_poll_state(store: Store) -> None:
    store.sync_sources([Source(name="A", url="https://a.example/feed"), Source(name="B", url="https://b.example/f")])
    store.record_polls([SourceUpdate(name="A", polled_at=NOW, status="timeout", error="no headers within 20 s",
                                     http_status=None, error_count=3, next_check_at=NOW + dt.timedelta(hours=2)),
                        SourceUpdate(name="B", polled_at=NOW, status="ok", error=None, http_status=200,
                                     error_count=0, next_check_at=NOW + dt.timedelta(minutes=30),
                                     validators=Validators(etag='"x"'), last_success_at=NOW)])
    rows = {r["name"]: r for r in store.list_sources()}
    assert rows["A"]["last_status"] == "timeout" and rows["A"]["error_count"] == 3
    assert rows["A"]["last_error"] == "no headers within 20 s"
    assert rows["A"]["next_check_at"].startswith("2024-11-20T14:00")
    states = store.source_states()
    assert states["B"].validators.etag == '"x"' and states["A"].validators.etag is None
    # a source removed from sources.toml is kept (history) but marked removed: listed only on request
    store.sync_sources([Source(name="B", url="https://b.example/f")])
    assert {r["name"]: r["enabled"] for r in store.list_sources()} == {"B": True}
    every = {r["name"]: r for r in store.list_sources(removed=True)}
    assert every["A"]["enabled"] is False and every["A"]["removed_at"] and every["A"]["error_count"] == 3
    assert store.source_states()["A"].removed and not store.source_states()["B"].removed


def test_locked_database_is_a_clear_storage_error(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/locked.sqlite3"
    s = Store(url)
    s.migrate()
    import sqlite3

    holder = sqlite3.connect(f"{tmp_path}/locked.sqlite3", timeout=0.1, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    import watcher.store.db as db

    old = db.BUSY_TIMEOUT_MS
    db.BUSY_TIMEOUT_MS = 200
    try:
        s2 = Store(url)
        with pytest.raises(StorageError, match="locked"):
            s2.add_articles([art("x", "y", guid="z")], NOW)
    finally:
        db.BUSY_TIMEOUT_MS = old
        holder.execute("ROLLBACK")
        holder.close()


def test_not_a_database_is_a_clear_storage_error(tmp_path: object) -> None:
    path = f"{tmp_path}/junk.sqlite3"
    with open(path, "wb") as fh:
        fh.write(b"this is not a database" * 100)
    with pytest.raises(StorageError, match="not a database"):
        Store(f"sqlite:///{path}").migrate()


def test_sqlite_pragmas(tmp_path: object) -> None:
    s = Store(f"sqlite:///{tmp_path}/p.sqlite3")
    s.migrate()
    with s.read() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2   # FULL


def test_same_guid_twice_in_one_batch_with_different_text(store: Store) -> None:
    stored = store.add_articles([art("First", "one text", guid="dup"), art("Edited", "other text", guid="dup")], NOW)
    assert [s.article.title for s in stored] == ["First"]
    assert store.article_count() == 1
