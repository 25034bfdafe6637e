"""`watcher run` as a real process: it polls, stops cleanly on SIGTERM/SIGINT, and a
`kill -9` at any moment loses no stored article and corrupts nothing."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.feedserver import FeedServer, rss

PUB = dt.datetime(2024, 11, 15, 9, tzinfo=dt.UTC)


def items(prefix: str, n: int) -> list[dict[str, object]]:
    return [{"title": f"South Korea, Japan and US hold trilateral talks on item {prefix}-{i}",
             "guid": f"{prefix}-{i}", "link": f"http://127.0.0.1/{prefix}/{i}",
             "description": ("Officials of South Korea, the United States and Japan met in Seoul for trilateral "
                             f"consultations on topic {prefix}-{i}, the foreign ministry said. ") * 6,
             "pub": PUB - dt.timedelta(minutes=i)} for i in range(n)]


def write_config(tmp: Path, srv: FeedServer, n_sources: int, interval: int = 60) -> None:
    lines = ['[fetch]', 'allow_private_hosts = ["127.0.0.1"]', "extract_pages = false", "jitter = 0.0", ""]
    for i in range(n_sources):
        lines += ["[[sources]]", f'name = "feed{i}"', f'url = "{srv.url(f"/f{i}.xml")}"',
                  f"interval = {interval}", ""]
    (tmp / "sources.toml").write_text("\n".join(lines))


def cmd(tmp: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "watcher", "--config", str(tmp / "sources.toml"),
            "--db", f"sqlite:///{tmp}/w.sqlite3", *args]


def wait_for(pred: object, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def leftovers(tmp: Path) -> list[str]:
    out = subprocess.run(["pgrep", "-af", str(tmp / "sources.toml")], capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if "pgrep" not in line]


def count(tmp: Path) -> int:
    try:
        with sqlite3.connect(f"file:{tmp}/w.sqlite3?mode=ro", uri=True, timeout=5) as c:
            return int(c.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:
        return 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_daemon_polls_and_stops_cleanly(tmp_path: Path, sig: signal.Signals) -> None:
    with FeedServer() as srv:
        for i in range(5):
            srv.route(f"/f{i}.xml", rss(items(f"s{i}", 4)))
        write_config(tmp_path, srv, 5)
        assert subprocess.run(cmd(tmp_path, "init", "--no-seed"), capture_output=True).returncode == 0
        proc = subprocess.Popen(cmd(tmp_path, "run"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            assert wait_for(lambda: count(tmp_path) == 20, 30), "the daemon did not store the articles"
            started = time.monotonic()
            proc.send_signal(sig)
            proc.wait(timeout=10)
            assert time.monotonic() - started < 6
        finally:
            if proc.poll() is None:
                proc.kill()
        assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""
        with sqlite3.connect(tmp_path / "w.sqlite3") as c:
            assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        rows = json.loads(subprocess.run(cmd(tmp_path, "sources", "--json"), capture_output=True,
                                         text=True).stdout)
        assert all(r["last_status"] == "ok" for r in rows)


@pytest.mark.slow
def test_kill_9_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    rng = random.Random(7)
    n_sources, per_feed = 40, 25
    with FeedServer() as srv:
        for i in range(n_sources):
            srv.route(f"/f{i}.xml", rss(items(f"k{i}", per_feed)))
        write_config(tmp_path, srv, n_sources)
        assert subprocess.run(cmd(tmp_path, "init", "--no-seed"), capture_output=True).returncode == 0
        seen = 0
        for _ in range(8):
            proc = subprocess.Popen(cmd(tmp_path, "poll", "--once"), stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            time.sleep(rng.uniform(0.3, 1.6))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            # its parsing workers go with it: nothing is left running
            assert wait_for(lambda: not leftovers(tmp_path), 5), leftovers(tmp_path)
            now = count(tmp_path)
            assert now >= seen, "a stored article was lost"
            seen = now
            with sqlite3.connect(tmp_path / "w.sqlite3") as c:
                assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        done = subprocess.run(cmd(tmp_path, "poll", "--once", "--json"), capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert count(tmp_path) == n_sources * per_feed
        with sqlite3.connect(tmp_path / "w.sqlite3") as c:
            dupes = c.execute("SELECT guid_key, count(*) FROM articles GROUP BY guid_key HAVING count(*) > 1").fetchall()
            assert dupes == []
            orphans = c.execute("SELECT count(*) FROM changes WHERE article_id IS NOT NULL AND article_id NOT IN "
                                "(SELECT id FROM articles)").fetchone()[0]
            assert orphans == 0
