"""Two passes at once on one database (two `watcher poll --once` started together, a daemon and a manual
poll): an article the other pass stored first is skipped, never an error. Two real threads, each with its
own engine, against one PostgreSQL schema (and SQLite), fed by a real loopback server that answers both
only once both have asked, so their writes overlap."""

from __future__ import annotations

import asyncio
import datetime as dt
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any

from sqlalchemy import func, select

from tests.support.feedserver import FeedServer, rss
from watcher.config import load_settings_text
from watcher.ingest.intake import Analyzer
from watcher.ingest.poller import Poller
from watcher.store import Store
from watcher.store.schema import articles

PUB = dt.datetime(2024, 11, 15, 9, tzinfo=dt.UTC)
N = 120


def _items(feed: str) -> list[dict[str, Any]]:
    return [{"title": f"South Korea, US and Japan agree on trilateral step {i}", "guid": f"{feed}-{i}",
             "link": f"http://127.0.0.1/{feed}/{i}", "pub": PUB + dt.timedelta(minutes=i),
             "description": (f"Item {i}. The leaders of South Korea, the United States and Japan agreed to "
                             f"hold trilateral exercise number {i} and to expand their cooperation. ") * 6}
            for i in range(N)]


def test_two_passes_at_once_store_each_article_once_and_report_no_error(db_url: str) -> None:
    Store(db_url).migrate()
    gate = threading.Barrier(2, timeout=20)

    def gated(body: bytes) -> Any:
        def handler(h: BaseHTTPRequestHandler) -> None:
            try:
                gate.wait()          # both passes have asked: answer them together
            except threading.BrokenBarrierError:
                pass
            h.send_response(200)
            h.send_header("Content-Type", "application/rss+xml")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
        return handler

    with FeedServer() as srv:
        srv.route("/a.xml", gated(rss(_items("a")).encode()))
        text = (f'[fetch]\nallow_private_hosts = ["127.0.0.1"]\nextract_pages = false\n\n'
                f'[[sources]]\nname = "Wire"\nurl = "{srv.url("/a.xml")}"\n')
        settings = load_settings_text(text)
        Store(db_url).sync_sources(settings.sources)
        reports: list[Any] = []
        failures: list[BaseException] = []

        def one_pass() -> None:
            store = Store(db_url)       # its own engine and connections, as a second process has
            try:
                async def main() -> Any:
                    async with Poller(settings, store, analyzer=Analyzer.from_store(store), workers=1) as p:
                        return await p.poll()
                reports.append(asyncio.run(main()))
            except BaseException as exc:
                failures.append(exc)
            finally:
                store.dispose()

        threads = [threading.Thread(target=one_pass) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    assert not failures
    assert [r.errors for r in reports] == [0, 0]
    assert sum(r.new_articles for r in reports) == N            # each article stored once, by one of them
    store = Store(db_url)
    (src,) = store.list_sources()
    assert (src["last_status"], src["error_count"]) == ("ok", 0)
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(articles)).scalar() == N
    store.dispose()
