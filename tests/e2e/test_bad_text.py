"""One bad item never costs its feed: text no database can hold (a lone surrogate, a NUL) is cleaned field
by field, and the good items are stored. A real loopback feed server, SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from sqlalchemy import select

from tests.support.feedserver import FeedServer, Route
from watcher.config import load_settings_text
from watcher.ingest.intake import Analyzer
from watcher.ingest.poller import Poller
from watcher.store import Store
from watcher.store.schema import articles, claims

BODY = ("The leaders of South Korea, the United States and Japan agreed on Friday to launch a trilateral "
        "secretariat to institutionalize their cooperation, the White House said. ") * 6


def _poll(settings: Any, store: Store) -> Any:
    async def main() -> Any:
        async with Poller(settings, store, analyzer=Analyzer.from_store(store), workers=1) as p:
            return await p.poll()
    return asyncio.run(main())


def test_a_lone_surrogate_or_a_nul_costs_only_the_bad_characters(store: Store) -> None:
    items = [
        {"id": "good", "url": "http://127.0.0.1/good", "title": "Seoul, Tokyo, Washington agree on a secretariat",
         "content_text": BODY, "date_published": "2024-11-15T09:00:00Z"},
        {"id": "surrogate", "url": "http://127.0.0.1/s", "title": "Trilateral secretariat \ud800 agreed",
         "content_text": "Summit \udfff. " + BODY, "date_published": "2024-11-15T10:00:00Z"},
        {"id": "nul", "url": "http://127.0.0.1/n", "title": "Trilateral\u0000 secretariat agreed",
         "content_text": BODY.replace("Friday", "Fri\u0000day"), "date_published": "2024-11-15T11:00:00Z",
         "authors": [{"name": "A\u0000B"}]},
    ]
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "T\ud800", "items": items})
    assert "\\ud800" in body and "\\u0000" in body
    with FeedServer() as srv:
        srv.route("/feed.json", Route(body=body.encode("ascii"), content_type="application/feed+json"))
        settings = load_settings_text('[fetch]\nallow_private_hosts = ["127.0.0.1"]\n\n[[sources]]\n'
                                      f'name = "Wire"\nurl = "{srv.url("/feed.json")}"\n')
        report = _poll(settings, store)
    (src,) = store.list_sources()
    assert (src["last_status"], src["error_count"], report.errors) == ("ok", 0, 0)
    assert report.new_articles == 3
    with store.read() as conn:
        got = {r.guid: r for r in conn.execute(select(articles))}
        sentences = [r[0] for r in conn.execute(select(claims.c.sentence))]
    assert got["surrogate"].title == "Trilateral secretariat \ufffd agreed"   # a replacement character
    assert got["surrogate"].text.startswith("Summit \ufffd. ")
    assert got["nul"].title == "Trilateral secretariat agreed" and "Friday" in got["nul"].text
    assert got["good"].title == items[0]["title"] and got["good"].text == BODY.strip()
    assert sentences and not any("\x00" in s or "\ud800" in s for s in sentences)
