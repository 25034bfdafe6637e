"""What `watcher run` says on stderr at the default level: its start, one line per pass, no secrets."""

from __future__ import annotations

import datetime as dt
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tests.support.feedserver import FeedServer, rss

SECRET = "hunter2-do-not-log"


def test_the_daemon_says_what_it_does_at_the_default_level(db_url: str, tmp_path: Path) -> None:
    pub = dt.datetime(2024, 11, 15, tzinfo=dt.UTC)
    items = [{"title": "South Korea, Japan and US agree on a trilateral secretariat", "guid": "a",
              "link": "http://127.0.0.1/a", "pub": pub,
              "description": "South Korea, the United States and Japan agreed in Seoul to launch it. " * 4}]
    if db_url.startswith("postgresql"):
        db_url = db_url.replace("postgres@", f"postgres:{SECRET}@", 1)    # trust auth: any password works
    env = {**os.environ, "HOOK_URL": f"https://hooks.example.org/T0/{SECRET}"}
    with FeedServer() as srv:
        good = srv.route("/good.xml", rss(items))
        bad = srv.url("/missing.xml")      # 404
        cfg = tmp_path / "sources.toml"
        cfg.write_text('[fetch]\nallow_private_hosts = ["127.0.0.1"]\nextract_pages = false\njitter = 0.0\n'
                       f'[[sources]]\nname = "good"\nurl = "{good}"\ninterval = 3600\n'
                       f'[[sources]]\nname = "gone"\nurl = "{bad}"\ninterval = 3600\n'
                       f'[[sources]]\nname = "off"\nurl = "{bad}"\nenabled = false\n'
                       '[[alerts.webhook]]\nname = "archive"\nurl_env = "HOOK_URL"\n'
                       '[[alerts.slack]]\nname = "team"\nwebhook_url_env = "HOOK_URL"\n')
        base = [sys.executable, "-m", "watcher", "--db", db_url, "--config", str(cfg)]
        init = subprocess.run([*base, "init", "--no-seed"], capture_output=True, text=True, env=env, timeout=120)
        assert init.returncode == 0, init.stderr
        proc = subprocess.Popen([*base, "run"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(ln) for ln in proc.stderr], daemon=True).start()  # type: ignore[union-attr]
        seen: list[str] = []
        try:
            end = time.monotonic() + 60
            while time.monotonic() < end and not any("pass:" in ln for ln in seen):
                try:
                    seen.append(lines.get(timeout=0.5))
                except queue.Empty:
                    pass
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=20)
            time.sleep(0.2)
            while not lines.empty():
                seen.append(lines.get())
    log = "".join(seen)
    assert proc.returncode == 0, log
    (start,) = [ln for ln in seen if "watcher running" in ln]
    assert " INFO " in start and "2 sources (1 disabled)" in start
    assert "archive (webhook)" in start and "team (slack)" in start
    assert ("sqlite:///" in start) if db_url.startswith("sqlite") else ("postgres:***@127.0.0.1" in start)
    (pass_line,) = [ln for ln in seen if "pass:" in ln]
    assert " INFO " in pass_line and "polled 2 sources" in pass_line and "1 new articles" in pass_line
    assert "1 errors" in pass_line and "watcher sources" in pass_line
    assert SECRET not in log and "hooks.example.org" not in log
    assert "apscheduler" not in log and "PollReport(" not in log and "Running job" not in log
    assert " WARNING " not in start
