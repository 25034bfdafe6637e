"""Migration 0004 on a database with data: the canonical URL becomes unique per source, and nothing
else moves (rows, ids, claims hanging off articles, search). Real SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from alembic import command
from sqlalchemy import func, select

from watcher.store import Store
from watcher.store.migrate import alembic_config
from watcher.store.schema import articles, claims
from watcher.types import Article

NOW = dt.datetime(2025, 1, 2, tzinfo=dt.UTC)


def _article(source: str, url: str, text: str) -> Article:
    return Article(source=source, guid=None, url=url, canonical_url=url, title="Trilateral secretariat",
                   text=text, published_at=NOW, language="en", official=source == "Gov", fetched_at=NOW,
                   content_hash=f"{source}-{len(text)}", simhash=0)


def test_upgrade_keeps_every_row_and_frees_the_url_per_source(db_url: str) -> None:
    store = Store(db_url)
    cfg = alembic_config()
    with store.engine.begin() as conn:        # the schema as the previous release left it
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0002")
        command.upgrade(cfg, "0003")
    with store.write() as conn:
        conn.execute(articles.insert(), [{"id": 7, "source": "Press", "canonical_url": "https://gov.example/s",
                                          "title": "Secretariat", "text": "agreed to launch a secretariat",
                                          "official": False, "fetched_at": NOW, "content_hash": "h", "simhash": 0}])
        conn.execute(claims.insert().values(article_id=7, start=0, end=5, sentence="agreed", negated=False))
    store.migrate()
    assert store.is_current()
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(claims)).scalar() == 1    # no cascade
        assert conn.execute(select(articles.c.id, articles.c.source)).all() == [(7, "Press")]
    assert [a["id"] for a in store.list_articles(search="secretariat")] == [7]      # the search index follows
    stored = store.add_articles([_article("Gov", "https://gov.example/s", "the official statement text"),
                                 _article("Press", "https://gov.example/s", "a press copy again")], NOW)
    assert [(s.article.source, s.cluster_id) for s in stored] == [("Gov", 7)]     # a row of its own, one story
    store.migrate()                                                                 # safe to run again
    store.dispose()
