"""`--metrics-port` on the embedded daemon and the web interface: the real endpoint, scraped after a
real pass against a loopback feed server (SQLite: the metrics do not need the scale-out)."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from tests.support.alerting import Receiver, free_port

from .helpers import Farm, cmd, scrape, start, stop, wait_for, write_config


def q(tmp: Path, sql: str) -> int:
    try:
        with sqlite3.connect(f"file:{tmp}/w.sqlite3?mode=ro", uri=True, timeout=5) as c:
            return int(c.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return -1


def test_run_and_serve_expose_polls_alerts_changes_and_the_database_gauges(tmp_path: Path) -> None:
    run_port, web_port, ui_port = free_port(), free_port(), free_port()
    db = f"sqlite:///{tmp_path}/w.sqlite3"
    with Farm(2, per_src=2) as farm, Receiver() as rc:
        config = write_config(tmp_path, farm, hook=rc.url())
        with config.open("a") as f:    # a third source that answers 404
            f.write(f'\n[[sources]]\nname = "gone"\nurl = "{farm.srv.url("/missing.xml")}"\ninterval = 60\n')
        assert subprocess.run(cmd(tmp_path, db, "init", "--no-seed"), capture_output=True).returncode == 0
        procs = [start(tmp_path, db, "run", "--metrics-port", str(run_port), log="run.log")]
        try:
            assert wait_for(lambda: q(tmp_path, "SELECT count(*) FROM sources WHERE last_polled_at IS NOT NULL") == 3
                            and q(tmp_path, "SELECT count(*) FROM alerts") > 0
                            and q(tmp_path, "SELECT count(*) FROM alerts WHERE state != 'sent'") == 0, 60), \
                (tmp_path / "run.log").read_text()[-3000:]
            run = wait_for(lambda: scrape(run_port), 10)
            procs.append(start(tmp_path, db, "serve", "--port", str(ui_port), "--metrics-port", str(web_port),
                               log="serve.log"))
            web = wait_for(lambda: _try_scrape(web_port), 30)
            changes = q(tmp_path, "SELECT count(*) FROM changes")
            alerts = q(tmp_path, "SELECT count(*) FROM alerts")
        finally:
            stop(procs)

    assert run['watcher_polls_total{outcome="ok"}'] == 2
    assert run['watcher_polls_total{outcome="error"}'] == 1
    assert run["watcher_poll_duration_seconds_count"] == 3
    assert sum(v for k, v in run.items() if k.startswith("watcher_changes_total{")) == changes > 0
    assert run['watcher_alerts_total{channel="archive",outcome="sent"}'] == alerts == len(rc.hits)
    for page in (run, web):
        assert page['watcher_sources{state="ok"}'] == 2 and page['watcher_sources{state="failing"}'] == 1
        assert page["watcher_outbox_pending"] == 0 and page["watcher_database_up"] == 1
        assert page['watcher_schedule_lag_seconds{quantile="1"}'] == 0
    assert not any(k.startswith("watcher_polls_total{") for k in web), "the web process polls nothing"


def _try_scrape(port: int) -> dict[str, float] | None:
    try:
        return scrape(port)
    except OSError:
        return None
