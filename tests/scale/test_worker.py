"""`watcher worker`, `watcher status` and `--metrics-port` as real processes, against real PostgreSQL
(a schema of the test's own, procrastinate's tables in it) and a loopback feed farm."""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path

import pytest

from tests.support.alerting import Receiver, free_port

from .helpers import PG, Farm, cmd, scrape, start, stop, wait_for, write_config


def test_worker_on_sqlite_says_scale_out_needs_postgresql(tmp_path: Path) -> None:
    with Farm(1) as farm:
        write_config(tmp_path, farm)
        db = f"sqlite:///{tmp_path}/w.sqlite3"
        assert subprocess.run(cmd(tmp_path, db, "init", "--no-seed"), capture_output=True).returncode == 0
        res = subprocess.run(cmd(tmp_path, db, "worker"), capture_output=True, text=True, timeout=60)
    assert res.returncode == 2
    assert "scale-out needs PostgreSQL" in res.stderr and "watcher run" in res.stderr
    assert res.stdout == ""


def test_status_on_sqlite_shows_what_applies(tmp_path: Path) -> None:
    with Farm(3) as farm:
        write_config(tmp_path, farm)
        db = f"sqlite:///{tmp_path}/w.sqlite3"
        assert subprocess.run(cmd(tmp_path, db, "init", "--no-seed"), capture_output=True).returncode == 0
        assert subprocess.run(cmd(tmp_path, db, "poll", "--once", "--source", "feed0"),
                              capture_output=True).returncode == 0
        res = subprocess.run(cmd(tmp_path, db, "status", "--json"), capture_output=True, text=True, timeout=60)
        text = subprocess.run(cmd(tmp_path, db, "status"), capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["database"] == "sqlite" and "workers" not in data and "queues" not in data
    assert data["sources"] == {"ok": 1, "failing": 0, "disabled": 0, "new": 2}
    assert data["schedule_lag_seconds"]["overdue"] == 0      # feed0's next check is 60 s ahead
    assert data["outbox"]["pending"] == 0
    assert text.returncode == 0 and "1 ok" in text.stdout and "workers" not in text.stdout


def test_init_installs_the_queue_on_postgresql_only(tmp_path: Path, pg_url: str) -> None:
    with Farm(1) as farm:
        write_config(tmp_path, farm)
        sqlite = f"sqlite:///{tmp_path}/w.sqlite3"
        for db in (sqlite, pg_url, pg_url):     # twice on PostgreSQL: safe to run again
            res = subprocess.run(cmd(tmp_path, db, "init", "--no-seed"), capture_output=True, text=True)
            assert res.returncode == 0, res.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "w.sqlite3") as c:
        assert not c.execute("SELECT name FROM sqlite_master WHERE name LIKE 'procrastinate%'").fetchall()
    pg = PG(pg_url)
    try:
        tables = {r[0] for r in pg.q("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")}
        assert {"procrastinate_jobs", "procrastinate_workers", "procrastinate_events"} <= tables
    finally:
        pg.close()


def test_two_workers_poll_every_source_once_deliver_every_alert_and_count_it(tmp_path: Path, pg_url: str) -> None:
    n = 8
    ports = [free_port(), free_port()]
    with Farm(n, per_src=1) as farm, Receiver() as rc:
        write_config(tmp_path, farm, hook=rc.url())
        init = subprocess.run(cmd(tmp_path, pg_url, "init", "--no-seed"), capture_output=True, text=True)
        assert init.returncode == 0, init.stderr
        pg = PG(pg_url)
        procs = [start(tmp_path, pg_url, "worker", "--concurrency", "3", "--metrics-port", str(p)) for p in ports]
        try:
            done = wait_for(lambda: pg.one("SELECT count(*) FROM sources WHERE last_polled_at IS NOT NULL") == n
                            and pg.one("SELECT count(*) FROM alerts WHERE state = 'sent'") >= n, 60)
            assert done, (tmp_path / "worker.log").read_text()[-3000:]
            time.sleep(1.0)       # anything that would poll twice or send twice has its chance
            status = json.loads(subprocess.run(cmd(tmp_path, pg_url, "status", "--json"), capture_output=True,
                                               text=True, timeout=60).stdout)
            samples = [scrape(p) for p in ports]
            jobs = pg.q("SELECT task_name, status FROM procrastinate_jobs WHERE status NOT IN ('todo', 'doing')")
            changes = pg.one("SELECT count(*) FROM changes")
            alerts = pg.q("SELECT id, change_id, state FROM alerts")
        finally:
            stop(procs)
            pg.close()
        hits = {s: len(v) for s, v in farm.starts.items()}
        got = [(h.json["id"], h.alert_id) for h in rc.hits]

    assert hits == dict.fromkeys(range(n), 1), "each source polled once"
    assert max(farm.most.values()) == 1
    assert changes >= n and len(alerts) == changes and {a[2] for a in alerts} == {"sent"}
    assert sorted(got) == sorted((a[1], a[0]) for a in alerts), "every alert delivered once, with its id"
    assert jobs == [], "finished jobs are deleted"
    assert status["workers"] == {"alive": 2, "silent": 0} and status["stalled_jobs"] == 0
    assert status["sources"]["ok"] == n and status["outbox"]["pending"] == 0
    # each process counts what it did; the database gauges are the same in both
    polls = sum(s.get('watcher_polls_total{outcome="ok"}', 0) for s in samples)
    assert polls == n
    assert sum(s["watcher_poll_duration_seconds_count"] for s in samples) == n
    assert sum(s.get('watcher_alerts_total{channel="archive",outcome="sent"}', 0) for s in samples) == len(alerts)
    assert sum(v for s in samples for k, v in s.items() if k.startswith("watcher_changes_total{kind=")) == changes
    for s in samples:
        assert s['watcher_sources{state="ok"}'] == n and s["watcher_outbox_pending"] == 0
        assert s["watcher_database_up"] == 1
        assert not any("feed" in key for key in s), "no label names a feed"


def test_jobs_queued_before_a_restart_are_run_by_the_next_worker(tmp_path: Path, pg_url: str) -> None:
    """A worker stopped with polls still queued (an upgrade): the next worker, a new process, runs those same
    jobs; nothing is queued twice and nothing polled twice."""
    n = 4
    with Farm(n, per_src=1, slow=frozenset(range(n)), delay=1.5) as farm:
        write_config(tmp_path, farm)
        init = subprocess.run(cmd(tmp_path, pg_url, "init", "--no-seed"), capture_output=True, text=True)
        assert init.returncode == 0, init.stderr
        pg = PG(pg_url)
        first = start(tmp_path, pg_url, "worker", "--concurrency", "1")
        procs = [first]
        try:
            assert wait_for(lambda: farm.starts, 30), "the first worker polled nothing"
            stop([first])               # SIGTERM: the poll in flight finishes, the rest stay queued
            queued = {r[0] for r in pg.q("SELECT id FROM procrastinate_jobs WHERE status = 'todo' "
                                          "AND task_name = 'watcher.poll_source'")}
            polled_before = sum(len(v) for v in farm.starts.values())
            assert queued and polled_before + len(queued) == n
            procs.append(start(tmp_path, pg_url, "worker", "--concurrency", "2"))
            assert wait_for(lambda: pg.one("SELECT count(*) FROM sources WHERE last_polled_at IS NOT NULL") == n, 60)
            time.sleep(1.0)
            left = pg.q("SELECT id FROM procrastinate_jobs WHERE task_name = 'watcher.poll_source'")
        finally:
            stop(procs)
            pg.close()
    assert {s: len(v) for s, v in farm.starts.items()} == dict.fromkeys(range(n), 1)
    assert left == [], "the queued jobs ran and were deleted"


@pytest.mark.slow
def test_a_worker_rides_out_the_database_dropping_its_connections(tmp_path: Path, pg_url: str) -> None:
    """What a database restart does to a worker: every connection it holds is terminated. It keeps running
    and polls on (its pools replace the dead connections)."""
    n = 4
    with Farm(n, per_src=1) as farm:
        write_config(tmp_path, farm)
        init = subprocess.run(cmd(tmp_path, pg_url, "init", "--no-seed"), capture_output=True, text=True)
        assert init.returncode == 0, init.stderr
        pg = PG(pg_url)
        worker = start(tmp_path, pg_url, "worker", "--concurrency", "2")
        try:
            assert wait_for(lambda: pg.one("SELECT count(*) FROM sources WHERE last_polled_at IS NOT NULL") == n, 60)
            ss = subprocess.run(["ss", "-tnp"], capture_output=True, text=True).stdout
            ports = [int(m.group(1)) for line in ss.splitlines() if f"pid={worker.pid}," in line
                     for m in [re.search(r"127\.0\.0\.1:(\d+)\s+127\.0\.0\.1:5432\b", line)] if m]
            assert ports, "the worker's connections were not found"
            dropped = pg.one("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                             "WHERE client_port = ANY(:p)", p=ports)
            assert dropped >= 2
            pg.x("UPDATE sources SET next_check_at = now()")
            again = wait_for(lambda: all(len(farm.starts[s]) == 2 for s in range(n)), 60)
            alive = worker.poll() is None
        finally:
            stop([worker])
            pg.close()
    assert alive, (tmp_path / "worker.log").read_text()[-2000:]
    assert again, "the worker polled nothing after losing its connections"
