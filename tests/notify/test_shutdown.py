"""Stopping: a peer that answers one byte every 2 s cannot hold a delivery past its deadline, nor
`watcher run` past a stop signal; the alert in flight stays queued and goes out on the next start."""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.support.alerting import HTTP_TRICKLE, Mailbox, Trickle, config, free_port, smtp_controller
from watcher.notify.base import RETRY, Delivery
from watcher.notify.email import EmailSender
from watcher.notify.render import Rendered
from watcher.notify.worker import default_senders

from .test_e2e import cmd, q

STATEMENT = ("South Korea, Japan and the United States agreed on Friday to establish a trilateral "
             "maritime security dialogue, the foreign ministry said in Seoul.")


def test_email_to_a_trickling_server_ends_at_the_channel_timeout() -> None:
    with Trickle(every=0.5) as srv:
        cfg = config({"email": [{"name": "desk", "host": "127.0.0.1", "port": srv.port, "from": "w@example.org",
                                 "to": ["d@example.org"], "timeout": 1.5}]})
        got: list[Delivery] = []
        # in a thread of its own, so that a send that never ends fails this test instead of hanging it
        worker = threading.Thread(target=lambda: got.append(asyncio.run(
            EmailSender({}).send(cfg.channels[0], Rendered("a1", subject="s", text="t")))), daemon=True)
        started = time.monotonic()
        worker.start()
        worker.join(timeout=6)
        took = time.monotonic() - started
        assert got, f"the send to a trickling server was still running after {took:.0f} s"
        (result,) = got
    assert srv.connections == 1
    assert result.outcome == RETRY and result.error is not None and "1.5 s" in result.error, result
    assert took < 3.0, f"a 1.5 s deadline took {took:.1f} s"


@pytest.mark.parametrize("kind", ["webhook", "slack", "apprise"])
def test_http_channels_to_a_trickling_server_end_at_the_channel_timeout(kind: str) -> None:
    with Trickle(every=0.3, payload=HTTP_TRICKLE) as srv:
        url = f"http://127.0.0.1:{srv.port}/hook"
        entry = {"webhook": {"name": "h", "url": url}, "slack": {"name": "h", "webhook_url_env": "HOOK"},
                 "apprise": {"name": "h", "url_env": "APPRISE"}}[kind]
        cfg = config({kind: [{**entry, "timeout": 1.5}]})
        env = {"HOOK": url, "APPRISE": url.replace("http", "json")}
        sender = default_senders(cfg, env, lambda: dt.datetime.now(dt.UTC))[kind]
        message = Rendered("a1", subject="s", text="t", body={})

        async def go() -> Delivery:
            try:
                return await asyncio.wait_for(sender.send(cfg.channels[0], message), 6)
            finally:
                await sender.aclose()

        started = time.monotonic()
        result = asyncio.run(go())
        took = time.monotonic() - started
    assert srv.connections == 1
    assert result.outcome == RETRY, result
    assert took < 3.0, f"a 1.5 s deadline took {took:.1f} s"


def _email_config(tmp: Path, port: int) -> None:
    (tmp / "sources.toml").write_text("\n".join([
        "[alerts]", 'backoff_initial = "0.2s"', "",
        "[[alerts.email]]", 'name = "desk"', 'host = "127.0.0.1"', f"port = {port}",
        'from = "w@example.org"', 'to = ["d@example.org"]', ""]))


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_stop_signal_ends_run_within_10s_while_smtp_trickles_and_the_alert_stays_queued(
        tmp_path: Path, sig: signal.Signals) -> None:
    with Trickle(every=2.0) as srv:
        _email_config(tmp_path, srv.port)           # the default 15 s timeout: longer than the wait below
        assert subprocess.run(cmd(tmp_path, "init", "--no-seed"), capture_output=True).returncode == 0
        doc = tmp_path / "statement.txt"
        doc.write_text(STATEMENT)
        assert subprocess.run(cmd(tmp_path, "ingest", str(doc), "--published", "2025-01-10"),
                              capture_output=True).returncode == 0
        ((alert_id, state),) = q(tmp_path, "SELECT id, state FROM alerts")
        assert state == "pending"
        err = open(tmp_path / "daemon.err", "wb")  # noqa: SIM115
        proc = subprocess.Popen(cmd(tmp_path, "run"), stdout=subprocess.DEVNULL, stderr=err)
        try:
            end = time.monotonic() + 20
            while srv.connections == 0 and time.monotonic() < end:
                time.sleep(0.1)
            assert srv.connections == 1, "the daemon should be delivering to the trickling server"
            time.sleep(1.0)
            proc.send_signal(sig)
            sent_at = time.monotonic()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pytest.fail(f"watcher run still running 10 s after {sig.name}")
            took = time.monotonic() - sent_at
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            err.close()
    assert proc.returncode == 0, (tmp_path / "daemon.err").read_text()
    print(f"\n{sig.name}: stopped in {took:.1f} s")
    ((state, attempts),) = q(tmp_path, "SELECT state, attempts FROM alerts")
    assert state == "pending", "the alert in flight goes back to the queue"
    if sig != signal.SIGTERM:
        return
    # the next start delivers it, once
    box, port = Mailbox(), free_port()
    ctl = smtp_controller(box, port)
    ctl.start()
    try:
        _email_config(tmp_path, port)
        proc = subprocess.Popen(cmd(tmp_path, "run"), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            end = time.monotonic() + 20
            while time.monotonic() < end and q(tmp_path, "SELECT state FROM alerts")[0][0] != "sent":
                time.sleep(0.1)
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
        finally:
            if proc.poll() is None:
                proc.kill()
    finally:
        ctl.stop()
    assert box.ids() == [alert_id]
    assert q(tmp_path, "SELECT state FROM alerts") == [("sent",)]
