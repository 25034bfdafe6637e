"""articles.language: set for seeds, ingested documents and polled items, and filled in for old rows,
so that the web interface's Language filter finds them."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from tests.support.feedserver import FeedServer, rss
from watcher.store import Store
from watcher.store.web_queries import ArticleFilter, search_articles

KO = "한미일 정상, 사무국 출범 합의\n\n한국과 미국, 일본 정상은 한미일 협력 사무국을 출범하기로 합의했다.\n"
JA = "日米韓首脳、事務局の設置で合意\n\n日本と米国、韓国の首脳は日米韓の協力事務局を設置することで合意した。\n"
EN = ("Leaders agree on secretariat\n\nThe United States, Japan and South Korea agreed to launch a "
      "trilateral secretariat (한미일 사무국, 日米韓事務局) next year.\n")


def watcher(db: str, tmp: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    cfg = tmp / "sources.toml"
    if not cfg.exists():
        cfg.write_text("")
    out = subprocess.run([sys.executable, "-m", "watcher", "--db", db, "--config", str(cfg), *args],
                         capture_output=True, text=True, cwd=tmp, timeout=120)
    if ok:
        assert out.returncode == 0, out.stderr
    return out


def languages(db: str, tmp: Path) -> dict[str, str | None]:
    rows = json.loads(watcher(db, tmp, "articles", "--json", "--limit", "0").stdout)
    return {r["doc"] or r["url"]: r["language"] for r in rows}


def web_filter(db: str, language: str) -> set[str]:
    store = Store(db)
    try:
        with store.read() as conn:
            rows, _ = search_articles(conn, ArticleFilter(language=language), limit=100)
    finally:
        store.dispose()
    return {r["doc"] or r["url"] for r in rows}


def test_seeds_ingested_and_polled_articles_have_a_language(db_url: str, tmp_path: Path) -> None:
    watcher(db_url, tmp_path, "init")
    seeds = languages(db_url, tmp_path)
    assert len(seeds) == 5 and set(seeds.values()) == {"en"}
    for name, body in (("ko.txt", KO), ("ja.txt", JA), ("en.txt", EN)):
        (tmp_path / name).write_text(body, encoding="utf-8")
        watcher(db_url, tmp_path, "ingest", str(tmp_path / name), "--force")
    (tmp_path / "told.txt").write_text(KO.replace("합의했다", "합의했다고 밝혔다"), encoding="utf-8")
    watcher(db_url, tmp_path, "ingest", str(tmp_path / "told.txt"), "--force", "--language", "ja-JP")
    bad = watcher(db_url, tmp_path, "ingest", str(tmp_path / "told.txt"), "--language", "한국어", ok=False)
    assert bad.returncode == 2 and "--language" in bad.stderr

    now = dt.datetime(2024, 11, 15, tzinfo=dt.UTC)
    items = [{"title": "한미일 정상 사무국 합의", "link": "http://example.org/ko", "description": KO, "pub": now},
             {"title": "日米韓首脳が事務局で合意", "link": "http://example.org/ja", "description": JA, "pub": now},
             {"title": "Leaders agree on secretariat", "link": "http://example.org/en", "description": EN, "pub": now}]
    with FeedServer() as srv:
        plain = srv.route("/feed.xml", rss(items))
        tagged = srv.route("/tagged.xml", rss([dict(items[2], link="http://example.org/tagged")]).replace(
            "<description>t</description>", "<description>t</description><language>en-US</language>"))
        (tmp_path / "sources.toml").write_text(
            '[fetch]\nallow_private_hosts = ["127.0.0.1"]\nextract_pages = false\n'
            f'[[sources]]\nname = "mixed"\nurl = "{plain}"\n'
            f'[[sources]]\nname = "tagged"\nurl = "{tagged}"\nlanguage = "ko"\n')
        watcher(db_url, tmp_path, "poll", "--once")
    langs = languages(db_url, tmp_path)
    assert {k: langs[k] for k in ("ko.txt", "ja.txt", "en.txt", "told.txt")} == {
        "ko.txt": "ko", "ja.txt": "ja", "en.txt": "en", "told.txt": "ja"}
    assert {k: langs[k] for k in ("http://example.org/ko", "http://example.org/ja", "http://example.org/en",
                                  "http://example.org/tagged")} == {
        "http://example.org/ko": "ko", "http://example.org/ja": "ja", "http://example.org/en": "en",
        "http://example.org/tagged": "en"}
    assert web_filter(db_url, "ko") == {"ko.txt", "http://example.org/ko"}
    assert web_filter(db_url, "ja") == {"ja.txt", "told.txt", "http://example.org/ja"}


def test_older_rows_get_their_language_when_the_database_is_migrated(db_url: str, tmp_path: Path) -> None:
    from alembic import command
    from sqlalchemy import text

    from watcher.store.migrate import alembic_config

    store = Store(db_url)
    cfg = alembic_config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    rows = [("ko", KO), ("ja", JA), ("en", EN), ("tagged", EN)]
    with store.engine.begin() as conn:
        for i, (doc, body) in enumerate(rows, 1):
            conn.execute(text("INSERT INTO articles (id, source, doc, title, text, language, official, fetched_at, "
                              "content_hash, simhash) VALUES (:i, 'old', :doc, :title, :body, :lang, false, "
                              ":now, :h, 0)"),
                         {"i": i, "doc": doc, "title": body.split("\n")[0], "body": body, "h": f"h{i}",
                          "lang": "en-GB" if doc == "tagged" else None, "now": dt.datetime.now(dt.UTC)})
    store.dispose()
    assert set(languages(db_url, tmp_path).values()) == {None, "en-GB"}
    watcher(db_url, tmp_path, "init", "--no-seed")
    assert languages(db_url, tmp_path) == {"ko": "ko", "ja": "ja", "en": "en", "tagged": "en-GB"}
