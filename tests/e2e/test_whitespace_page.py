"""A page made of whitespace cannot hold a pass: 60,000 ``&#x2003;`` (em spaces) in the linked pages
of seven items, beside a good item, in one feed (issue 11, point 7).

Before, the claim splitter retried the run of spaces from each of its characters (quadratic): the
source's build job ran past its time, its worker was stopped and the good item was lost with it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time

from tests.support.feedserver import FeedServer, Route, rss
from watcher.config import load_settings_text
from watcher.ingest.intake import Analyzer
from watcher.ingest.poller import Poller
from watcher.store import Store

PUB = dt.datetime(2024, 11, 15, 9, tzinfo=dt.UTC)
GOOD = {
    "title": "South Korea, US and Japan agree to launch trilateral secretariat",
    "guid": "good",
    "link": "http://127.0.0.1/good",
    "description": ("The leaders of South Korea, the United States and Japan agreed on Friday to launch a "
                    "trilateral secretariat to institutionalize their cooperation, the White House said. " * 8),
    "pub": PUB,
}


def _page(i: int) -> bytes:
    return ("<html><head><title>Trilateral&#x2003;&#x2003;talks</title></head><body><article><p>"
            f"South Korea, the United States and Japan agreed on day {i}" + "&#x2003;" * 60_000 +
            "to launch a trilateral secretariat, the White House said.</p></article></body></html>").encode()


def test_em_space_pages_cost_nothing_and_lose_nothing(store: Store) -> None:
    with FeedServer() as srv:
        items = [GOOD]
        for i in range(7):
            srv.route(f"/page/{i}", Route(body=_page(i), content_type="text/html; charset=utf-8"))
            items.append({"title": f"Seoul, Tokyo and Washington agree on trilateral secretariat ({i})",
                          "guid": f"p{i}", "link": srv.url(f"/page/{i}"), "description": "Leaders agree.",
                          "pub": PUB})
        srv.route("/feed.xml", rss(items))
        settings = load_settings_text(
            '[fetch]\nallow_private_hosts = ["127.0.0.1"]\n\n'
            f'[[sources]]\nname = "Wire"\nurl = "{srv.url("/feed.xml")}"\n')

        async def main() -> object:
            # two workers, as the daemon has; a build job stopped after 30 s (the daemon allows 120 s)
            async with Poller(settings, store, analyzer=Analyzer.from_store(store), workers=2,
                              job_timeout=30.0) as poller:
                return await poller.poll()

        started = time.monotonic()
        report = asyncio.run(main())
        took = time.monotonic() - started
        assert all(srv.hits[f"/page/{i}"] == 1 for i in range(7))

    (row,) = store.list_sources()
    assert row["last_status"] == "ok", row["last_error"]
    arts = {a["guid"]: a for a in store.list_articles(with_text=True)}
    assert GOOD["title"] in {a["title"] for a in arts.values()}
    assert report.new_articles == 8 and report.errors == 0      # type: ignore[attr-defined]
    page_text = arts["p3"]["text"]
    assert "agreed on day 3 to launch a trilateral secretariat" in page_text   # the run is one space now
    assert took < 20, f"the pass took {took:.1f} s"
