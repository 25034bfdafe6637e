"""The daemon with many sources: a job for one source reads that source's row only (not every row:
with 100,000 sources that was 100,000 rows a poll, 10^10 a round), and `watcher run` with thousands of
sources configured still stops within 10 s of SIGTERM (issue 11, point 8)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.feedserver import FeedServer, rss
from watcher.config import load_settings_text
from watcher.ingest.poller import Poller
from watcher.store import SourceState, Store

PUB = dt.datetime(2024, 11, 15, 9, tzinfo=dt.UTC)


class CountingStore(Store):
    """A real store that counts the source rows each read hands back."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.rows_read: list[int] = []

    def source_states(self, *a: Any, **kw: Any) -> dict[str, SourceState]:
        out = super().source_states(*a, **kw)
        self.rows_read.append(len(out))
        return out

    def synced_states(self, *a: Any, **kw: Any) -> dict[str, SourceState]:
        out = super().synced_states(*a, **kw)
        self.rows_read.append(len(out))
        return out


def config(srv: FeedServer, n: int, interval: int = 600) -> str:
    lines = ["[fetch]", 'allow_private_hosts = ["127.0.0.1"]', "extract_pages = false", "jitter = 0.0", ""]
    for i in range(n):
        lines += ["[[sources]]", f'name = "feed{i}"', f'url = "{srv.url(f"/f{i}.xml")}"', f"interval = {interval}", ""]
    return "\n".join(lines)


def test_the_daemons_poll_of_one_source_reads_only_that_sources_row(db_url: str) -> None:
    n = 300
    with FeedServer() as srv:
        for i in range(n):
            srv.route(f"/f{i}.xml", rss([{"title": f"Item {i}", "guid": f"g{i}", "link": f"http://127.0.0.1/{i}",
                                          "description": "Nothing of note.", "pub": PUB}]))
        settings = load_settings_text(config(srv, n))
        store = CountingStore(db_url)
        store.migrate()
        store.sync_sources(settings.sources)
        try:
            async def main() -> list[int]:
                async with Poller(settings, store, workers=1) as poller:
                    polled = []
                    for name in ("feed7", "feed7", "feed250"):   # the second feed7 is no longer due
                        store.rows_read.clear()
                        report = await poller.poll([name], only_due=True, sync=False)
                        assert store.rows_read == [1], (name, store.rows_read)   # before: [300]
                        polled.append(report.sources)
                    return polled

            assert asyncio.run(main()) == [1, 0, 1]
        finally:
            store.dispose()
        assert srv.hits["/f7.xml"] == 1 and srv.hits["/f250.xml"] == 1
        assert sum(srv.hits.values()) == 2


@pytest.mark.slow
def test_watcher_run_with_thousands_of_sources_stops_within_10_s_of_sigterm(tmp_path: Path) -> None:
    """Every source due at the start: the daemon spreads them over its first 30 s, then the last
    2,400 run at once; SIGTERM comes as they do."""
    n = 3000
    with FeedServer() as srv:
        body = rss([{"title": "Item", "guid": "g", "link": "http://127.0.0.1/x", "description": "Quiet.",
                     "pub": PUB}]).encode()
        for i in range(n):
            srv.route(f"/f{i}.xml", body)
        (tmp_path / "sources.toml").write_text(config(srv, n, interval=3600))
        base = [sys.executable, "-m", "watcher", "--config", str(tmp_path / "sources.toml"),
                "--db", f"sqlite:///{tmp_path}/w.sqlite3"]
        assert subprocess.run([*base, "init", "--no-seed"], capture_output=True).returncode == 0
        # a daemon that has run before: each row holds its feed's ETag (the server answers 304), all due now
        then = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
        tag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        with sqlite3.connect(tmp_path / "w.sqlite3") as c:
            c.execute("UPDATE sources SET etag = ?, body_hash = ?, next_check_at = ?, last_success_at = ?",
                      (tag, hashlib.sha256(body).hexdigest(), then, then))
        proc = subprocess.Popen([*base, "run"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        try:
            assert proc.stderr is not None
            for line in proc.stderr:
                if "watcher running" in line:
                    break
            else:
                raise AssertionError(f"watcher run exited with {proc.wait()} before it was running")
            threading.Thread(target=proc.stderr.read, daemon=True).start()
            time.sleep(31)    # the last 2,400 jobs have just been started
            assert proc.poll() is None
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pytest.fail("watcher run did not stop within 10 s of SIGTERM")
            assert proc.returncode == 0
            assert sum(srv.hits.values()) >= 600    # it was polling (the first 30 s: 20 sources a second)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
