"""Real parts for the scale-out tests: a loopback feed farm that counts requests per source and
sees two at once, watcher processes, and reads of the test's PostgreSQL schema."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text

from tests.support.feedserver import FeedServer, rss

WATCHER = str(Path(sys.executable).with_name("watcher"))
PUB = dt.datetime(2025, 1, 6, 9, tzinfo=dt.UTC)
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
ALL_KINDS = '["new", "advanced", "reaffirmed", "delayed", "weakened", "dropped", "overdue"]'


def item(src: int, i: int) -> dict[str, Any]:
    """An item that makes a ``new`` change (a trilateral working group nobody registered)."""
    w = WORDS[(src + i) % len(WORDS)]
    return {"title": f"US, Japan and South Korea agree on {w} cooperation ({src}-{i})", "guid": f"s{src}-{i}",
            "link": f"http://news.invalid/{src}/{i}",
            "description": (f"The foreign ministers of South Korea, Japan and the United States agreed on Tuesday to "
                            f"establish a new trilateral {w}-{src}-{i} technology working group, officials in "
                            "Seoul said."),
            "pub": PUB + dt.timedelta(hours=i, minutes=src)}


class Farm:
    """``n`` feeds on one loopback server. Feed ``s`` answers its k-th request with items 0..k-1 (up to
    ``per_src``): every poll brings one new article. ``slow`` feeds wait ``delay`` seconds first.
    Per feed: request start times, the items served, and the most requests it ever had at once."""

    def __init__(self, n: int, *, per_src: int = 4, slow: frozenset[int] = frozenset(), delay: float = 0.0,
                 articles: bool = True) -> None:
        self.n, self.per_src, self.slow, self.delay, self.articles = n, per_src, slow, delay, articles
        self.lock = threading.Lock()
        self.starts: dict[int, list[float]] = defaultdict(list)
        self.served: dict[int, set[str]] = defaultdict(set)
        self.in_flight: dict[int, int] = defaultdict(int)
        self.most: dict[int, int] = defaultdict(int)
        self.srv = FeedServer()
        for s in range(n):
            self.srv.route(f"/f{s}.xml", self._handler(s))

    def __enter__(self) -> Farm:
        self.srv.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self.srv.__exit__(*exc)

    def url(self, s: int) -> str:
        return self.srv.url(f"/f{s}.xml")

    def _handler(self, s: int) -> Callable[[Any], None]:
        def handle(h: Any) -> None:
            with self.lock:
                self.starts[s].append(time.time())
                k = len(self.starts[s])
                self.in_flight[s] += 1
                self.most[s] = max(self.most[s], self.in_flight[s])
            try:
                if s in self.slow:
                    time.sleep(self.delay)
                items = [item(s, i) for i in range(min(k, self.per_src))] if self.articles else []
                body = rss(items, title=f"feed {s}").encode()
                h.send_response(200)
                h.send_header("Content-Type", "application/rss+xml")
                h.send_header("Content-Length", str(len(body)))
                h.end_headers()
                h.wfile.write(body)
                h.wfile.flush()
                with self.lock:
                    self.served[s].update(str(it["guid"]) for it in items)
            except OSError:
                pass            # the client went away (a killed worker)
            finally:
                with self.lock:
                    self.in_flight[s] -= 1
        return handle


def write_config(tmp: Path, farm: Farm, *, interval: int = 60, hook: str | None = None) -> Path:
    lines = ["[fetch]", 'allow_private_hosts = ["127.0.0.1"]', "extract_pages = false", "jitter = 0.0", ""]
    if hook is not None:
        lines += ["[alerts]", 'backoff_initial = "1s"', "", "[[alerts.webhook]]", 'name = "archive"',
                  f'url = "{hook}"', f"kinds = {ALL_KINDS}", "timeout = 5", ""]
    for s in range(farm.n):
        lines += ["[[sources]]", f'name = "feed{s}"', f'url = "{farm.url(s)}"', f"interval = {interval}", ""]
    path = tmp / "sources.toml"
    path.write_text("\n".join(lines))
    return path


def cmd(tmp: Path, db: str, *args: str) -> list[str]:
    return [WATCHER, "--config", str(tmp / "sources.toml"), "--db", db, *args]


def start(tmp: Path, db: str, *args: str, log: str = "worker.log") -> subprocess.Popen[bytes]:
    out = open(tmp / log, "ab")  # noqa: SIM115 (the process writes it; closed when the test ends)
    return subprocess.Popen(cmd(tmp, db, *args), stdout=out, stderr=out, env=dict(os.environ))


def stop(procs: list[subprocess.Popen[bytes]], timeout: float = 45) -> None:
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


class PG:
    """Reads (and the odd write) on the test's schema, through the URL the watcher uses."""

    def __init__(self, url: str) -> None:
        self.engine = create_engine(url)

    def q(self, sql: str, **kw: Any) -> list[Any]:
        with self.engine.begin() as c:
            return list(c.execute(text(sql), kw))

    def x(self, sql: str, **kw: Any) -> None:
        with self.engine.begin() as c:
            c.execute(text(sql), kw)

    def one(self, sql: str, **kw: Any) -> Any:
        return self.q(sql, **kw)[0][0]

    def close(self) -> None:
        self.engine.dispose()


def wait_for(pred: Callable[[], Any], timeout: float, every: float = 0.2) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        got = pred()
        if got:
            return got
        time.sleep(every)
    return None


def scrape(port: int) -> dict[str, float]:
    """The samples of a /metrics page: ``name{labels}`` → value."""
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    out: dict[str, float] = {}
    for line in body.splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.rpartition(" ")
            out[key] = float(value)
    return out
