"""Page fetches have a budget per source and a deadline per pass (issue 11, point 11).

A hostile feed links 200 items to 200 distinct hosts (127.0.0.2 ... 127.0.0.201) that accept the
connection and never answer. Before, its page fetches took every slot of the one page pool and
another source's pages waited behind them for minutes. Now a source holds at most
``pages_per_source`` page requests at once, fetches at most ``max_pages_per_source`` pages a pass,
and the pass stops fetching pages at ``page_deadline``: the good source's pages come at once, and
the hostile items whose page did not come are stored with their feed summary.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import selectors
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.support.feedserver import FeedServer, Route, rss
from watcher.config import load_settings_text
from watcher.ingest.intake import Analyzer
from watcher.ingest.poller import Poller
from watcher.store import Store

PUB = dt.datetime(2024, 11, 15, 9, tzinfo=dt.UTC)


class HangingHosts:
    """Listening sockets on 127.0.0.2 ... that accept every connection and never answer; they count
    the connections, and the most open at once."""

    def __init__(self, n: int) -> None:
        self.listeners = []
        for i in range(n):
            s = socket.socket()
            s.bind((f"127.0.0.{2 + i}", 0))
            s.listen(64)
            s.setblocking(False)
            self.listeners.append(s)
        self.total = self.open = self.most = 0
        self._sel = selectors.DefaultSelector()
        for s in self.listeners:
            self._sel.register(s, selectors.EVENT_READ, "listen")
        self._stop = False
        self._thread = threading.Thread(target=self._run, daemon=True)

    def url(self, i: int) -> str:
        host, port = self.listeners[i].getsockname()
        return f"http://{host}:{port}/story/{i}"

    def _run(self) -> None:
        while not self._stop:
            for key, _ in self._sel.select(0.1):
                sock: Any = key.fileobj
                if key.data == "listen":
                    conn, _addr = sock.accept()
                    conn.setblocking(False)
                    self._sel.register(conn, selectors.EVENT_READ, "conn")
                    self.total += 1
                    self.open += 1
                    self.most = max(self.most, self.open)
                    continue
                try:
                    data = sock.recv(65536)
                except OSError:
                    data = b""
                if not data:    # the client gave up
                    self._sel.unregister(sock)
                    sock.close()
                    self.open -= 1

    def __enter__(self) -> HangingHosts:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop = True
        self._thread.join()
        for key in list(self._sel.get_map().values()):
            key.fileobj.close()  # type: ignore[union-attr]


def _item(i: int, link: str, tag: str) -> dict[str, Any]:
    return {"title": f"South Korea, US and Japan agree on trilateral secretariat ({tag} {i})", "guid": f"{tag}{i}",
            "link": link, "description": "Leaders agree.", "pub": PUB}


def _page(i: int) -> bytes:
    return ("<html><body><article>" + "<p>The leaders of South Korea, the United States and Japan agreed to "
            f"establish a trilateral secretariat in Seoul, officials said about page {i}.</p>" * 4 +
            "</article></body></html>").encode()


def _poll(settings: Any, store: Store) -> Any:
    async def main() -> Any:
        async with Poller(settings, store, analyzer=Analyzer.from_store(store), workers=1) as poller:
            return await poller.poll()
    return asyncio.run(main())


def test_a_hostile_source_cannot_starve_the_pages_of_another(store: Store) -> None:
    served: list[float] = []

    def good_page(i: int) -> Any:
        def handler(h: BaseHTTPRequestHandler) -> None:
            served.append(time.monotonic())
            h._send(200, _page(i), "text/html; charset=utf-8", {})  # type: ignore[attr-defined]
        return handler

    def late_feed(body: bytes) -> Any:
        def handler(h: BaseHTTPRequestHandler) -> None:
            time.sleep(0.5)     # the hostile source's pages are asked for first
            h._send(200, body, "application/rss+xml", {})  # type: ignore[attr-defined]
        return handler

    with FeedServer() as srv, HangingHosts(200) as hang:
        srv.route("/hostile.xml", rss([_item(i, hang.url(i), "h") for i in range(200)]))
        good = []
        for i in range(3):
            srv.route(f"/good/{i}", good_page(i))
            good.append(_item(i, srv.url(f"/good/{i}"), "g"))
        srv.route("/good.xml", late_feed(rss(good).encode()))
        settings = load_settings_text(
            '[fetch]\nallow_private_hosts = ["127.0.0.0/8"]\nconnect_timeout = 5.0\nfirst_byte_timeout = 8.0\n'
            "total_timeout = 8.0\npages_per_source = 4\nmax_pages_per_source = 20\npage_deadline = 4.0\n\n"
            f'[[sources]]\nname = "Hostile"\nurl = "{srv.url("/hostile.xml")}"\n\n'
            f'[[sources]]\nname = "Good"\nurl = "{srv.url("/good.xml")}"\n')
        started = time.monotonic()
        report = _poll(settings, store)
        took = time.monotonic() - started

    # the good source's pages were fetched at once, while the hostile pages hung
    assert len(served) == 3 and max(served) - started < 3.0, [t - started for t in served]
    arts = {a["guid"]: a for a in store.list_articles(with_text=True, limit=1000)}
    for i in range(3):
        assert f"officials said about page {i}" in arts[f"g{i}"]["text"]
    # the hostile source held at most 4 page requests at once and lost no item: each is stored with its summary
    assert hang.most <= 4 and hang.total <= 20, (hang.most, hang.total)
    assert all(arts[f"h{i}"]["text"] == "Leaders agree." for i in range(200))
    assert report.errors == 0 and report.new_articles == 203
    assert took < 4.0 + 6.0, f"the pass took {took:.1f} s (page_deadline 4 s)"


def test_pages_per_pass_are_capped(store: Store) -> None:
    with FeedServer() as srv:
        items = []
        for i in range(10):
            srv.route(f"/p/{i}", Route(body=_page(i), content_type="text/html; charset=utf-8"))
            items.append(_item(i, srv.url(f"/p/{i}"), "c"))
        srv.route("/feed.xml", rss(items))
        settings = load_settings_text(
            '[fetch]\nallow_private_hosts = ["127.0.0.1"]\nmax_pages_per_source = 3\n\n'
            f'[[sources]]\nname = "Wire"\nurl = "{srv.url("/feed.xml")}"\n')
        report = _poll(settings, store)
        assert sum(srv.hits[f"/p/{i}"] for i in range(10)) == 3
    assert report.new_articles == 10
    texts = [a["text"] for a in store.list_articles(with_text=True)]
    assert sum("officials said about page" in t for t in texts) == 3
    assert sum(t == "Leaders agree." for t in texts) == 7
