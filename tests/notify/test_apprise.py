"""The apprise channel against a real loopback endpoint (apprise's ``json://`` POSTs to a plain HTTP
server): delivered once with the alert's text and id, retried then failed when the endpoint fails,
refused on a loopback address unless allow-listed, and its URL (a secret) nowhere."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from pathlib import Path

from tests.support.alerting import Clock, Receiver, add_changes, config, make_store, rows, states
from watcher.config.alerts import parse_alerts
from watcher.notify.worker import Notifier
from watcher.types import FetchSettings

from .test_e2e import cmd, q
from .test_outbox import drive, once

TOKEN = "tgSECRETtoken4242"


def test_config_takes_url_env_only_and_never_echoes_a_url() -> None:
    secret = f"json://127.0.0.1/{TOKEN}"
    cfg, problems = parse_alerts({"apprise": [{"name": "ops", "url_env": "OPS_URL", "kinds": ["dropped"]}]},
                                 FetchSettings())
    assert problems == []
    (ch,) = cfg.channels
    assert (ch.type, ch.url_env, ch.kinds, ch.url) == ("apprise", "OPS_URL", ("dropped",), None)
    _, problems = parse_alerts({"apprise": [{"name": "a"}, {"name": "b", "url_env": secret},
                                            {"name": "c", "url_env": "X", "url": secret}]}, FetchSettings())
    text = "\n".join(problems)
    assert "alerts.apprise 'a': url_env: missing (the environment variable holding the apprise URL)" in text
    assert "alerts.apprise 'b': url_env: must be the NAME of an environment variable" in text
    assert "alerts.apprise 'c': url: unknown key" in text
    assert TOKEN not in text


def test_apprise_json_endpoint_gets_the_alert_once_and_it_is_marked_sent(tmp_path: Path) -> None:
    with Receiver() as rc:
        store = make_store(f"sqlite:///{tmp_path}/w.db")
        cfg = config({"apprise": [{"name": "ops", "url_env": "OPS_URL"}]})
        add_changes(store, cfg, 1, evidence=lambda i: "Seoul, Tokyo and Washington held the Freedom Edge drill.")
        sent = once(Notifier(cfg, store, Clock(), env={"OPS_URL": rc.url(f"/notify/{TOKEN}").replace("http", "json")}))
        hits = list(rc.hits)
    (row,) = rows(store)
    assert sent == 1 and row["state"] == "sent" and row["attempts"] == 1 and row["last_error"] is None
    (hit,) = hits
    assert hit.path == f"/notify/{TOKEN}"
    body = hit.json
    assert "Seoul, Tokyo and Washington held the Freedom Edge drill." in body["message"]
    assert f"watcher alert {row['id']}" in body["message"]
    assert body["title"].startswith("watcher: advanced: ")
    assert hit.alert_id == row["id"]


def test_loopback_endpoint_is_refused_unless_allow_listed(tmp_path: Path) -> None:
    with Receiver() as rc:
        store = make_store(f"sqlite:///{tmp_path}/w.db")
        cfg = config({"apprise": [{"name": "ops", "url_env": "OPS_URL"}]}, allow=())
        add_changes(store, cfg, 1)
        once(Notifier(cfg, store, Clock(), env={"OPS_URL": rc.url("/n").replace("http", "json")}))
        assert rc.hits == []
    (row,) = rows(store)
    assert row["state"] == "failed"
    assert "loopback" in row["last_error"] and "allow_private_hosts" in row["last_error"], row["last_error"]


def test_a_failing_endpoint_is_retried_then_marked_failed(tmp_path: Path) -> None:
    with Receiver() as rc:
        rc.script[f"/notify/{TOKEN}"] = [(500, {}, f"no such hook /notify/{TOKEN}")] * 50
        store = make_store(f"sqlite:///{tmp_path}/w.db")
        cfg = config({"backoff_initial": "0.1s", "give_up_after": "1.5s",
                      "apprise": [{"name": "ops", "url_env": "OPS_URL"}]})
        add_changes(store, cfg, 1)
        env = {"OPS_URL": rc.url(f"/notify/{TOKEN}").replace("http", "json")}
        drive(Notifier(cfg, store, Clock(), env=env, idle=0.1), lambda: states(store) == {"failed": 1})
        hits = list(rc.hits)
    (row,) = rows(store)
    assert row["state"] == "failed" and row["attempts"] == len(hits) >= 2
    assert len({h.alert_id for h in hits}) == 1
    assert row["last_error"].startswith("gave up after 1.5s"), row["last_error"]
    assert "apprise JSON: not delivered" in row["last_error"] and "500" in row["last_error"]
    assert TOKEN not in row["last_error"]


def test_the_apprise_url_appears_nowhere(tmp_path: Path) -> None:
    with Receiver() as rc:
        rc.script[f"/notify/{TOKEN}"] = [(500, {}, f"unknown hook /notify/{TOKEN}")] * 50
        (tmp_path / "sources.toml").write_text("\n".join([
            "[alerts]", 'allow_private_hosts = ["127.0.0.1"]', 'backoff_initial = "0.2s"', 'give_up_after = "2s"',
            "", "[[alerts.apprise]]", 'name = "ops"', 'url_env = "T_APPRISE"', ""]))
        env = {**os.environ, "T_APPRISE": rc.url(f"/notify/{TOKEN}?key={TOKEN}").replace("http", "json")}
        outputs: list[str] = []

        def run(*args: str, ok: bool = True) -> str:
            r = subprocess.run(cmd(tmp_path, "-vv", *args), capture_output=True, text=True, env=env, timeout=60)
            outputs.extend([r.stdout, r.stderr])
            assert r.returncode == (0 if ok else 1), r.stderr
            return r.stdout

        run("init", "--no-seed")
        doc = tmp_path / "statement.txt"
        doc.write_text("South Korea, Japan and the United States agreed on Friday to establish a trilateral "
                       "maritime security dialogue, the foreign ministry said in Seoul.")
        run("ingest", str(doc), "--published", "2025-01-10")
        proc = subprocess.Popen(cmd(tmp_path, "-vv", "run"), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, env=env)
        try:
            end = time.monotonic() + 20
            while time.monotonic() < end and q(tmp_path, "SELECT state FROM alerts")[0][0] != "failed":
                time.sleep(0.2)
        finally:
            proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=15)
        outputs.extend([out, err])
        listing = json.loads(run("alerts", "--json"))
        run("alerts")
        run("alerts", "test", "ops", ok=False)
        run("alerts", "test", "ops", "--json", ok=False)
        assert len(rc.hits) >= 3      # the daemon tried at least once, and each `alerts test` once
    (alert,) = listing
    assert alert["state"] == "failed" and alert["attempts"] >= 2
    assert "apprise JSON: not delivered" in alert["last_error"]
    with sqlite3.connect(tmp_path / "w.sqlite3") as c:
        dump = "\n".join(c.iterdump())
    everything = "\n".join([*outputs, dump])
    assert "apprise JSON" in everything and "ops" in everything
    assert TOKEN not in everything, "the apprise URL leaked"
