"""`watcher run` as a real process with a webhook channel: kill -9 at random moments loses no
alert and repeats one only when the receiver had it before the outbox recorded it; secrets
never appear in logs, the database, --json output or errors."""

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
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest

from tests.support.alerting import Mailbox, Receiver, free_port, smtp_controller
from tests.support.feedserver import FeedServer, rss

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH:UserWarning")

WATCHER = str(Path(sys.executable).with_name("watcher"))
WORDS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliet"]
PUB = dt.datetime(2025, 1, 6, 9, tzinfo=dt.UTC)
ALL_KINDS = '["new", "advanced", "reaffirmed", "delayed", "weakened", "dropped", "overdue"]'


def item(src: int, i: int) -> dict[str, Any]:
    w = WORDS[(src + i) % len(WORDS)]
    return {"title": f"US, Japan and South Korea agree on {w} cooperation ({src}-{i})", "guid": f"s{src}-{i}",
            "link": f"http://news.invalid/{src}/{i}",
            "description": (f"The foreign ministers of South Korea, Japan and the United States agreed on Tuesday to "
                            f"establish a new trilateral {w}-{src}-{i} technology working group, officials in "
                            "Seoul said."),
            "pub": PUB + dt.timedelta(hours=i, minutes=src)}


def cmd(tmp: Path, *args: str) -> list[str]:
    return [WATCHER, "--config", str(tmp / "sources.toml"), "--db", f"sqlite:///{tmp}/w.sqlite3", *args]


def q(tmp: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(f"file:{tmp}/w.sqlite3?mode=ro", uri=True, timeout=10) as c:
        return c.execute(sql).fetchall()


def due_now(tmp: Path) -> None:
    with sqlite3.connect(tmp / "w.sqlite3", timeout=10) as c:
        c.execute("UPDATE sources SET next_check_at = NULL")


def test_kill_9_twenty_times_every_change_delivered_repeats_only_with_same_id(tmp_path: Path) -> None:
    rng = random.Random(20)
    n_src, per_src, kills = 12, 8, 20
    started = time.monotonic()
    visible = {"n": 1}

    def feed(src: int) -> Any:
        def handler(h: Any) -> None:
            body = rss([item(src, i) for i in range(min(per_src, visible["n"]))]).encode()
            h.send_response(200)
            h.send_header("Content-Type", "application/rss+xml")
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body)
        return handler

    with FeedServer() as srv, Receiver(delay=0.1) as rc:
        lines = ["[fetch]", 'allow_private_hosts = ["127.0.0.1"]', "extract_pages = false", "jitter = 0.0", "",
                 "[alerts]", 'backoff_initial = "0.2s"', "", "[[alerts.webhook]]", 'name = "archive"',
                 f'url = "{rc.url()}"', f"kinds = {ALL_KINDS}", "timeout = 5", ""]
        for s in range(n_src):
            srv.route(f"/f{s}.xml", feed(s))
            lines += ["[[sources]]", f'name = "feed{s}"', f'url = "{srv.url(f"/f{s}.xml")}"', "interval = 60", ""]
        (tmp_path / "sources.toml").write_text("\n".join(lines))
        init = subprocess.run(cmd(tmp_path, "init", "--no-seed"), capture_output=True, text=True)
        assert init.returncode == 0, init.stderr
        log = open(tmp_path / "daemon.log", "ab")  # noqa: SIM115 (shared by 21 daemon runs)
        in_flight = 0                   # kills that caught the notifier with alerts leased
        for k in range(kills):
            visible["n"] = min(per_src, 1 + k * per_src // kills)       # new items appear over time
            proc = subprocess.Popen(cmd(tmp_path, "run"), stdout=subprocess.DEVNULL, stderr=log)
            time.sleep(rng.uniform(0.6, 2.2))
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            in_flight += q(tmp_path, "SELECT count(*) FROM alerts WHERE state = 'sending'")[0][0] > 0
            due_now(tmp_path)           # as if the 60 s interval had passed: the next start polls them all
        visible["n"] = per_src
        proc = subprocess.Popen(cmd(tmp_path, "run"), stdout=subprocess.DEVNULL, stderr=log)
        try:
            end = time.monotonic() + 60
            while time.monotonic() < end:
                time.sleep(0.3)
                try:
                    arts = q(tmp_path, "SELECT count(*) FROM articles")[0][0]
                    open_ = q(tmp_path, "SELECT count(*) FROM alerts WHERE state != 'sent'")[0][0]
                except sqlite3.OperationalError:
                    continue
                if arts == n_src * per_src and open_ == 0:
                    break
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
        log.close()
        hits = list(rc.hits)

    assert q(tmp_path, "PRAGMA integrity_check")[0][0] == "ok"
    assert q(tmp_path, "SELECT count(*) FROM articles")[0][0] == n_src * per_src
    changes = {r[0] for r in q(tmp_path, "SELECT id FROM changes")}
    assert len(changes) >= n_src * per_src * 0.9, "the feed items should make changes"
    alerts = q(tmp_path, "SELECT change_id, channel, state, id FROM alerts")
    per_change = Counter(r[0] for r in alerts)
    assert set(per_change) == changes and set(per_change.values()) == {1}, "one alert per change and channel"
    assert {r[2] for r in alerts} == {"sent"}
    alert_of = {r[0]: r[3] for r in alerts}
    got: dict[int, list[str]] = defaultdict(list)
    for h in hits:
        got[h.json["id"]].append(h.alert_id)
    assert set(got) == changes, "every change arrived at the receiver"
    repeats = sum(len(v) - 1 for v in got.values())
    assert repeats <= kills, f"{repeats} repeats for {kills} kills"
    for cid, ids in got.items():
        assert set(ids) == {alert_of[cid]}, "a repeat carries the same alert id"
    print(f"\nkill -9 x{kills}: {len(changes)} changes, {len(hits)} deliveries, {repeats} repeats, "
          f"{in_flight} kills during delivery, {time.monotonic() - started:.1f} s")


def test_secrets_appear_nowhere(tmp_path: Path) -> None:
    slack_secret = "T0SECRETAA/B0SECRETBB/xoxSecretTokenCC"
    hook_token = "hookTokenSECRETdd9"
    user, password = "smtp-user-SECRETee", "smtp-pass-SECRETff"
    secrets = [slack_secret, "xoxSecretTokenCC", hook_token, user, password]
    box = Mailbox()
    port = free_port()
    ctl = smtp_controller(box, port, auth=("someone-else", "other"))
    ctl.start()
    try:
        with Receiver() as rc:
            # hostile receivers echo what they were sent back into their error bodies
            rc.script["/services/" + slack_secret] = [(500, {}, f"error for /services/{slack_secret}")] * 50
            rc.script["/hook"] = [(404, {}, f"unknown token {hook_token}")] * 50
            (tmp_path / "sources.toml").write_text("\n".join([
                "[alerts]", 'allow_private_hosts = ["127.0.0.1"]', 'backoff_initial = "0.3s"', "",
                "[[alerts.slack]]", 'name = "team"', 'webhook_url_env = "T_SLACK"', "",
                "[[alerts.webhook]]", 'name = "hook"', 'url_env = "T_HOOK"', "",
                "[[alerts.webhook]]", 'name = "unset"', 'url_env = "T_UNSET_VAR"', "",
                "[[alerts.email]]", 'name = "desk"', 'host = "127.0.0.1"', f"port = {port}", 'from = "w@example.org"',
                'to = ["d@example.org"]', 'username_env = "T_USER"', 'password_env = "T_PASS"',
                "allow_plaintext_login = true", ""]))
            env = {**os.environ, "T_SLACK": rc.url("/services/" + slack_secret),
                   "T_HOOK": rc.url(f"/hook?token={hook_token}"), "T_USER": user, "T_PASS": password}
            outputs: list[str] = []

            def run(*args: str, ok: bool = True) -> str:
                r = subprocess.run(cmd(tmp_path, "-vv", *args), capture_output=True, text=True, env=env, timeout=60)
                outputs.extend([r.stdout, r.stderr])
                if ok:
                    assert r.returncode == 0, r.stderr
                return r.stdout

            run("init", "--no-seed")
            doc = tmp_path / "statement.txt"
            doc.write_text("South Korea, Japan and the United States agreed on Friday to establish a trilateral "
                           "maritime security dialogue, the foreign ministry said in Seoul.")
            run("ingest", str(doc), "--published", "2025-01-10")
            proc = subprocess.Popen(cmd(tmp_path, "-vv", "run"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    text=True, env=env)
            time.sleep(4)
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=15)
            outputs.extend([out, err])
            listing = json.loads(run("alerts", "--json"))
            run("alerts")
            for ch in ("team", "hook", "desk", "unset"):
                run("alerts", "test", ch, ok=False)
                run("alerts", "test", ch, "--json", ok=False)
            assert len(rc.hits) >= 4
    finally:
        ctl.stop()
    errors = {a["channel"]: a["last_error"] for a in listing}
    assert errors["team"] == "HTTP 500: error for ***"
    assert errors["hook"] == "HTTP 404: unknown token ***"
    assert errors["unset"] == "environment variable T_UNSET_VAR is not set (needed by channel 'unset')"
    assert "login refused: 535" in errors["desk"]
    with sqlite3.connect(tmp_path / "w.sqlite3") as c:
        dump = "\n".join(c.iterdump())
    (tmp_path / "sources.toml").write_text(f'[alerts]\n[[alerts.slack]]\nname = "x"\nwebhook_url_env = "{env["T_SLACK"]}"\n')
    bad = subprocess.run(cmd(tmp_path, "alerts", "test", "x"), capture_output=True, text=True, env=env)
    assert bad.returncode == 2
    everything = "\n".join([*outputs, dump, bad.stdout, bad.stderr])
    assert "alert" in everything and "T_UNSET_VAR" in everything
    for s in secrets:
        assert s not in everything, f"secret {s!r} leaked"
