"""No source suppresses another's article: the same article from two sources is two rows in one story
cluster (an official statement is stored although a press item linked to it first), and a page's
rel=canonical naming another site is not believed. A real loopback feed server (reached as 127.0.0.1 and
as localhost: two hosts), real parsing and page extraction, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from sqlalchemy import select

from tests.support.feedserver import FeedServer, Route, rss
from watcher.config import load_settings_text
from watcher.ingest.intake import Analyzer
from watcher.ingest.poller import Poller
from watcher.store import Store
from watcher.store.schema import articles

PUB = dt.datetime(2024, 11, 15, 9, tzinfo=dt.UTC)
STATEMENT = ("Joint statement. The leaders of the United States, Japan and the Republic of Korea agreed today to "
             "launch a trilateral secretariat in Seoul to institutionalize their cooperation. " * 6)


def _settings(srv: FeedServer, sources: list[tuple[str, str, bool]]) -> Any:
    body = ('[fetch]\nallow_private_hosts = ["127.0.0.1", "localhost", "::1"]\nconnect_timeout = 2.0\n'
            'first_byte_timeout = 2.0\ntotal_timeout = 5.0\n\n')
    for name, url, official in sources:
        body += f'[[sources]]\nname = "{name}"\nurl = "{url}"\nofficial = {str(official).lower()}\n\n'
    return load_settings_text(body)


def _poll(settings: Any, store: Store, names: list[str]) -> Any:
    async def main() -> Any:
        async with Poller(settings, store, analyzer=Analyzer.from_store(store), workers=1) as p:
            return await p.poll(names)
    return asyncio.run(main())


def _rows(store: Store) -> dict[str, Any]:
    with store.read() as conn:
        return {r.source: r for r in conn.execute(select(articles))}


def test_an_official_statement_is_stored_after_a_press_item_linking_to_it(store: Store) -> None:
    with FeedServer() as srv:
        official_url = f"http://localhost:{srv.port}/statement"
        srv.route("/gov.xml", rss([{"title": "Joint statement on the trilateral secretariat", "guid": "gov-1",
                                    "link": official_url, "description": STATEMENT, "pub": PUB}]))
        srv.route("/press.xml", rss([{"title": "US, Japan, South Korea to launch trilateral secretariat",
                                      "guid": "press-1", "link": official_url,   # the press item links to it
                                      "description": "Seoul, Tokyo and Washington agreed on a trilateral "
                                                     "secretariat, a joint statement said. " * 6, "pub": PUB}]))
        settings = _settings(srv, [("Gov", f"http://localhost:{srv.port}/gov.xml", True),
                                   ("Press", srv.url("/press.xml"), False)])
        assert _poll(settings, store, ["Press"]).new_articles == 1
        assert _poll(settings, store, ["Gov"]).new_articles == 1      # not suppressed by the press copy
        rows = _rows(store)
        assert set(rows) == {"Gov", "Press"} and rows["Gov"].official
        assert rows["Gov"].canonical_url == rows["Press"].canonical_url == official_url
        assert rows["Gov"].cluster_id == rows["Press"].cluster_id    # one story, two outlets
        srv.route("/gov.xml", rss([{"title": "Joint statement (corrected)", "guid": "gov-1b",
                                    "link": official_url, "description": STATEMENT + " Corrected.", "pub": PUB}]))
        assert _poll(settings, store, ["Gov"]).new_articles == 0      # the same source's same URL: seen


def test_a_canonical_link_to_another_site_is_not_believed(store: Store) -> None:
    with FeedServer() as srv:
        official_url = f"http://localhost:{srv.port}/statement"
        page = ("<html><head><title>t</title>"
                f"<link rel='canonical' href='{official_url}'></head><body><article>"
                + "<p>The leaders of South Korea, the United States and Japan agreed on Friday to establish a "
                  "trilateral secretariat, according to a press summary written by this site.</p>" * 5
                + "</article></body></html>")
        srv.route("/press/1", Route(body=page.encode(), content_type="text/html; charset=utf-8"))
        srv.route("/press.xml", rss([{"title": "Seoul, Tokyo, Washington agree on trilateral secretariat",
                                      "guid": "p1", "link": srv.url("/press/1"), "description": "Leaders agree.",
                                      "pub": PUB}]))
        srv.route("/gov.xml", rss([{"title": "Joint statement on the trilateral secretariat", "guid": "gov-1",
                                    "link": official_url, "description": STATEMENT, "pub": PUB}]))
        settings = _settings(srv, [("Gov", f"http://localhost:{srv.port}/gov.xml", True),
                                   ("Press", srv.url("/press.xml"), False)])
        assert _poll(settings, store, ["Press"]).new_articles == 1
        assert srv.hits["/press/1"] == 1
        rows = _rows(store)
        assert "press summary written by this site" in rows["Press"].text
        assert rows["Press"].canonical_url == srv.url("/press/1")     # its own address, not the one it claimed
        assert _poll(settings, store, ["Gov"]).new_articles == 1
        assert _rows(store)["Gov"].canonical_url == official_url
