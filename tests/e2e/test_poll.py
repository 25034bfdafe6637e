"""The orchestrator end to end: a real loopback feed server, a real database, real parsing."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import signal
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.feedserver import FeedServer, Route, rss
from watcher.config import load_settings_text
from watcher.ingest.intake import Analyzer
from watcher.ingest.jobs import process_feed
from watcher.ingest.poller import Poller
from watcher.store import Store

PUB = dt.datetime(2024, 11, 15, 9, tzinfo=dt.UTC)
RELEVANT = {
    "title": "South Korea, US and Japan agree to launch trilateral secretariat",
    "link": "http://127.0.0.1/article/1",
    "guid": "sec-1",
    "description": ("The leaders of South Korea, the United States and Japan agreed on Friday to launch a "
                    "trilateral secretariat to institutionalize their cooperation, the White House said. " * 8),
    "pub": PUB,
}
OFF_TOPIC = {"title": "Rugby results", "guid": "r-1", "description": "A match in Cardiff.", "pub": PUB}
OTHER_TRILATERAL = {"title": "China, Japan and South Korea hold trilateral summit in Seoul", "guid": "cjk-1",
                    "description": "Leaders of China, Japan and South Korea met at the Trilateral Cooperation "
                                   "Secretariat in Seoul.", "pub": PUB}


def settings_for(srv: FeedServer, names: dict[str, str], extra: str = "") -> object:
    body = '[fetch]\nallow_private_hosts = ["127.0.0.1"]\nconnect_timeout = 2.0\nfirst_byte_timeout = 2.0\n' \
           'total_timeout = 5.0\n' + extra + "\n"
    for name, path in names.items():
        body += f'[[sources]]\nname = "{name}"\nurl = "{srv.url(path)}"\n\n'
    return load_settings_text(body)


def poll(settings: object, store: Store, **kw: object) -> object:
    async def main() -> object:
        async with Poller(settings, store, analyzer=Analyzer.from_store(store), **kw) as p:  # type: ignore[arg-type]
            return await p.poll()
    return asyncio.run(main())


def test_poll_keeps_relevant_then_answers_304(store: Store) -> None:
    with FeedServer() as srv:
        srv.route("/feed.xml", rss([RELEVANT, OFF_TOPIC, OTHER_TRILATERAL]))
        settings = settings_for(srv, {"Wire": "/feed.xml", "Dead": "/missing.xml"})
        first = poll(settings, store)
        assert (first.sources, first.fetched, first.errors, first.new_articles) == (2, 1, 1, 1)
        titles = [a["title"] for a in store.list_articles()]
        assert titles == [RELEVANT["title"]]
        second = poll(settings, store)
        assert (second.fetched, second.not_modified, second.new_articles) == (0, 1, 0)
        assert store.article_count() == 1
        rows = {r["name"]: r for r in store.list_sources()}
        assert rows["Wire"]["last_status"] == "not_modified" and rows["Wire"]["error_count"] == 0
        assert rows["Dead"]["last_status"] == "http_error" and "404" in rows["Dead"]["last_error"]
        assert rows["Dead"]["error_count"] == 2
        assert store.source_states()["Wire"].validators.etag


def test_summary_only_item_gets_its_page_extracted(store: Store) -> None:
    with FeedServer() as srv:
        page = ("<html><head><title>t</title><link rel='canonical' href='/story/canonical'></head><body>"
                "<nav>Home | World | Sport</nav><article>"
                "<p>The leaders of South Korea, the United States and Japan agreed on Friday to establish a "
                "trilateral secretariat, the White House said in a joint statement released in Lima.</p>"
                "<p>The secretariat will be launched next year, officials in Seoul and Tokyo said, to "
                "institutionalize the cooperation agreed at Camp David in August 2023.</p>" * 3 +
                "</article><footer>Copyright</footer></body></html>")
        srv.route("/story/1", Route(body=page.encode(), content_type="text/html; charset=utf-8"))
        item = {"title": "Seoul, Tokyo, Washington agree on trilateral secretariat", "guid": "s1",
                "link": srv.url("/story/1"), "description": "Leaders agree.", "pub": PUB}
        srv.route("/feed.xml", rss([item]))
        poll(settings_for(srv, {"Wire": "/feed.xml"}), store)
        (art,) = store.list_articles(with_text=True)
        assert "joint statement released in Lima" in art["text"]
        assert "Copyright" not in art["text"] and "Home | World" not in art["text"]


def _explode_on_bad(body: bytes, url: str, headers: object, max_entries: int) -> object:
    if url.endswith("/bad.xml"):
        raise RuntimeError("bug in our handling")
    return process_feed(body, url, headers, max_entries)  # type: ignore[arg-type]


def test_a_bug_in_one_source_marks_it_internal_error(store: Store, caplog: pytest.LogCaptureFixture) -> None:
    with FeedServer() as srv:
        srv.route("/bad.xml", rss([RELEVANT]))
        srv.route("/good.xml", rss([{**RELEVANT, "guid": "other"}]))
        settings = settings_for(srv, {"Bad": "/bad.xml", "Good": "/good.xml"})
        with caplog.at_level(logging.ERROR):
            report = poll(settings, store, workers=1, processor=_explode_on_bad)
        rows = {r["name"]: r for r in store.list_sources()}
        assert rows["Bad"]["last_status"] == "internal_error" and "bug in our handling" in rows["Bad"]["last_error"]
        assert rows["Good"]["last_status"] == "ok" and rows["Good"]["articles"] == 1
        assert report.errors == 1
        assert "Traceback" in caplog.text or any(r.exc_info for r in caplog.records)


def _crash_on_bad(body: bytes, url: str, headers: object, max_entries: int) -> object:
    if url.endswith("/bad.xml"):    # as a segfault in a C parser would: the worker process is gone
        os.kill(os.getpid(), signal.SIGKILL)
    return process_feed(body, url, headers, max_entries)  # type: ignore[arg-type]


def _hang_on_bad(body: bytes, url: str, headers: object, max_entries: int) -> object:
    if url.endswith("/bad.xml"):    # as a parser caught in a pathological input would
        time.sleep(3600)
    return process_feed(body, url, headers, max_entries)  # type: ignore[arg-type]


def _one_bad_among(store: Store, good: int, **kw: object) -> tuple[Any, dict[str, dict[str, Any]]]:
    """A pass over "Bad" and ``good`` other sources with two workers; the report and the source rows."""
    with FeedServer() as srv:
        names = {"Bad": "/bad.xml"}
        srv.route("/bad.xml", rss([RELEVANT]))
        for i in range(good):
            srv.route(f"/good{i}.xml", rss([{**RELEVANT, "guid": f"g{i}", "link": f"http://127.0.0.1/a/{i}"}]))
            names[f"Good {i}"] = f"/good{i}.xml"
        report = poll(settings_for(srv, names, "extract_pages = false"), store, workers=2, **kw)
    return report, {r["name"]: r for r in store.list_sources()}


def test_a_worker_that_dies_costs_only_its_own_source(store: Store) -> None:
    report, rows = _one_bad_among(store, 6, processor=_crash_on_bad)
    assert rows["Bad"]["last_status"] == "internal_error"
    assert "worker process" in rows["Bad"]["last_error"] and "signal 9" in rows["Bad"]["last_error"]
    assert all(rows[f"Good {i}"]["last_status"] == "ok" and rows[f"Good {i}"]["articles"] == 1 for i in range(6))
    assert (report.errors, report.new_articles) == (1, 6)


def test_a_job_that_never_ends_costs_only_its_own_source_and_the_pass_ends(store: Store) -> None:
    report, rows = _one_bad_among(store, 4, processor=_hang_on_bad, job_timeout=1.0)
    assert rows["Bad"]["last_status"] == "internal_error" and "ran for more than 1 s" in rows["Bad"]["last_error"]
    assert all(rows[f"Good {i}"]["last_status"] == "ok" for i in range(4))
    assert (report.errors, report.new_articles) == (1, 4)


def test_backoff_and_disable_after_repeated_failures(store: Store) -> None:
    with FeedServer() as srv:
        srv.route("/500.xml", Route(body=b"no", status=500, content_type="text/plain"))
        srv.route("/410.xml", Route(body=b"gone", status=410, content_type="text/plain"))
        settings = settings_for(srv, {"Flaky": "/500.xml", "Gone": "/410.xml"})
        before = dt.datetime.now(dt.UTC)
        poll(settings, store)
        st = store.source_states()
        assert st["Flaky"].error_count == 1 and st["Flaky"].next_check_at > before + dt.timedelta(minutes=29)
        assert st["Gone"].disabled_reason and "410" in st["Gone"].disabled_reason
        for _ in range(9):
            poll(settings, store)
        st = store.source_states()
        assert st["Flaky"].error_count == 10 and st["Flaky"].disabled_reason
        hits = srv.hits["/500.xml"]
        assert srv.hits["/410.xml"] == 1          # disabled at once: never asked again
        poll(settings, store)
        assert srv.hits["/500.xml"] == hits       # disabled: not polled
        store.set_source_enabled("Flaky", True)
        srv.route("/500.xml", rss([RELEVANT]))
        poll(settings, store)
        st = store.source_states()
        assert st["Flaky"].error_count == 0 and st["Flaky"].last_status == "ok"


def test_syndicated_story_from_two_outlets_is_one_cluster(store: Store) -> None:
    with FeedServer() as srv:
        srv.route("/a.xml", rss([RELEVANT]))
        srv.route("/b.xml", rss([{**RELEVANT, "guid": "other-outlet", "link": "http://127.0.0.1/other/1"}]))
        poll(settings_for(srv, {"Yonhap": "/a.xml", "Korea Herald": "/b.xml"}), store)
        arts = store.list_articles()
        assert len(arts) == 2
        assert arts[0]["cluster_id"] == arts[1]["cluster_id"]


def test_json_feed_and_atom(store: Store, tmp_path: Path) -> None:
    atom = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><title>A</title>'
            '<id>urn:a</id><updated>2024-11-15T09:00:00Z</updated><entry><title>日米韓首脳、事務局設立で合意</title>'
            '<id>urn:a:1</id><updated>2024-11-15T09:00:00Z</updated><link href="http://127.0.0.1/ja/1"/>'
            '<summary>日米韓の首脳はペルーのリマで会談し、日米韓事務局の設立で合意した。</summary></entry></feed>')
    jsonfeed = ('{"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [{"id": "k1", '
                '"url": "http://127.0.0.1/ko/1", "title": "한미일 정상, 사무국 출범 합의", '
                '"content_text": "한미일 정상은 리마에서 만나 한미일 사무국 출범에 합의했다.", '
                '"date_published": "2024-11-15T09:00:00Z"}]}')
    with FeedServer() as srv:
        srv.route("/atom.xml", Route(body=atom.encode(), content_type="application/atom+xml"))
        srv.route("/feed.json", Route(body=jsonfeed.encode(), content_type="application/feed+json"))
        poll(settings_for(srv, {"NHK": "/atom.xml", "Yonhap KO": "/feed.json"}, "extract_pages = false"), store)
        titles = {a["title"] for a in store.list_articles()}
        assert titles == {"日米韓首脳、事務局設立で合意", "한미일 정상, 사무국 출범 합의"}
        assert [a["title"] for a in store.list_articles(search="사무국")] == ["한미일 정상, 사무국 출범 합의"]


def test_routine_304s_move_the_times_and_a_change_is_still_seen(store: Store) -> None:
    """From the second 304 on, a pass writes only the poll times (a narrower UPDATE); the row must still say
    when it was polled and succeeded, keep its validators, and a later change of the feed is stored."""
    t0 = dt.datetime(2026, 11, 23, 9, tzinfo=dt.UTC)
    now = [t0]
    with FeedServer() as srv:
        srv.route("/feed.xml", rss([RELEVANT]))
        settings = settings_for(srv, {"Wire": "/feed.xml"})
        for hour in range(4):
            now[0] = t0 + dt.timedelta(hours=hour)
            poll(settings, store, clock=lambda: now[0])
        row = store.list_sources()[0]
        assert row["last_status"] == "not_modified" and row["http_status"] == 304 and row["error_count"] == 0
        assert row["last_polled_at"] == row["last_success_at"] == (t0 + dt.timedelta(hours=3)).isoformat()
        assert row["next_check_at"] > row["last_polled_at"]
        etag = store.source_states()["Wire"].validators.etag
        assert etag
        second = dict(RELEVANT, guid="sec-2", link="http://127.0.0.1/article/2",
                      title="Seoul, Tokyo and Washington name the trilateral secretariat's first director")
        srv.route("/feed.xml", rss([second, RELEVANT]))
        now[0] = t0 + dt.timedelta(hours=4)
        report = poll(settings, store, clock=lambda: now[0])
        assert (report.fetched, report.new_articles) == (1, 1)
        row = store.list_sources()[0]
        assert row["last_status"] == "ok" and row["http_status"] == 200
        assert store.source_states()["Wire"].validators.etag != etag


def test_feeds_and_their_pages_share_one_per_host_limit(store: Store) -> None:
    """``per_host`` caps the requests a host sees at once, feeds and the article pages they link to together
    (they go through two clients): a server counting what it has in hand never sees more than 2."""
    from tests.support.loopback import Request, respond, serve

    busy = {"now": 0, "most": 0}

    def slow(body: bytes, ctype: str) -> Callable[..., Awaitable[bool]]:
        answer = respond(200, body, [("Content-Type", ctype)])

        async def handler(req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
            busy["now"] += 1
            busy["most"] = max(busy["most"], busy["now"])
            try:
                await asyncio.sleep(0.05)
                return await answer(req, reader, writer)
            finally:
                busy["now"] -= 1
        return handler

    page = ("<html><body><article>" + "<p>The leaders of South Korea, the United States and Japan agreed "
            "to launch a trilateral secretariat next year, officials in Seoul and Tokyo said.</p>" * 6
            + "</article></body></html>").encode()

    async def main() -> object:
        async with serve({}) as srv:     # routes added below, once the port is known
            names = {}
            for f in range(4):
                items = [{"title": f"US, Japan and South Korea agree on trilateral step {f}-{i}", "guid": f"{f}-{i}",
                          "link": srv.url(f"/story/{f}-{i}"), "description": "Leaders agree.", "pub": PUB}
                         for i in range(3)]
                srv.routes[f"/f{f}.xml"] = slow(rss(items).encode(), "application/rss+xml")
                for i in range(3):
                    srv.routes[f"/story/{f}-{i}"] = slow(page, "text/html; charset=utf-8")
                names[f"Outlet {f}"] = srv.url(f"/f{f}.xml")
            body = '[fetch]\nallow_private_hosts = ["127.0.0.1"]\nconcurrency = 16\nper_host = 2\n\n' + "".join(
                f'[[sources]]\nname = "{n}"\nurl = "{u}"\n\n' for n, u in names.items())
            async with Poller(load_settings_text(body), store, workers=1) as p:
                return await p.poll()

    report = asyncio.run(main())
    assert (report.fetched, report.errors, report.new_articles) == (4, 0, 12), [  # type: ignore[attr-defined]
        r["last_error"] for r in store.list_sources()]  # type: ignore[attr-defined]
    assert all("officials in Seoul and Tokyo" in a["text"] for a in store.list_articles(with_text=True))
    assert busy["most"] == 2, f"the host saw {busy['most']} requests at once"
