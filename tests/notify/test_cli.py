"""`watcher alerts [--json] [--retry-failed]` and `watcher alerts test CHANNEL`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.alerting import (
    Mailbox,
    Receiver,
    add_changes,
    config,
    free_port,
    make_store,
    smtp_controller,
)
from watcher.cli import cli

from .test_outbox import once


def _config(tmp: Path, body: str) -> list[str]:
    (tmp / "sources.toml").write_text(body)
    return ["--config", str(tmp / "sources.toml"), "--db", f"sqlite:///{tmp}/w.sqlite3"]


def test_listing_json_and_retry_failed(tmp_path: Path) -> None:
    with Receiver() as rc:
        rc.script["/hook"] = [(400, {}, "bad payload")]
        args = _config(tmp_path, f'[alerts]\nallow_private_hosts = ["127.0.0.1"]\n'
                                 f'[[alerts.webhook]]\nname = "h"\nurl = "{rc.url()}"\n')
        store = make_store(f"sqlite:///{tmp_path}/w.sqlite3")
        cfg = config({"webhook": [{"name": "h", "url": rc.url()}]})
        (cid,) = add_changes(store, cfg, 1)
        from tests.support.alerting import Clock
        from watcher.notify.worker import Notifier
        once(Notifier(cfg, store, Clock()))
        res = CliRunner().invoke(cli, [*args, "alerts", "--json"])
        assert res.exit_code == 0, res.output
        (a,) = json.loads(res.stdout)
        assert a["channel"] == "h" and a["change_id"] == cid and a["state"] == "failed"
        assert a["change"] == "advanced" and a["commitment"] == "freedom_edge"
        assert a["last_error"] == "HTTP 400: bad payload" and a["attempts"] == 1
        res = CliRunner().invoke(cli, [*args, "alerts"])
        assert "failed" in res.stdout and "HTTP 400: bad payload" in res.stdout
        res = CliRunner().invoke(cli, [*args, "alerts", "--retry-failed", "--json", "--state", "pending"])
        assert res.exit_code == 0 and json.loads(res.stdout)[0]["state"] == "pending"
        once(Notifier(cfg, store, Clock()))
        assert json.loads(CliRunner().invoke(cli, [*args, "alerts", "--json"]).stdout)[0]["state"] == "sent"
        assert len(rc.hits) == 2 and len(set(rc.ids())) == 1


@pytest.mark.filterwarnings("ignore:Requiring AUTH:UserWarning")
def test_alerts_test_sends_a_sample_through_each_channel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    box = Mailbox()
    port = free_port()
    ctl = smtp_controller(box, port)
    ctl.start()
    try:
        with Receiver() as rc:
            args = _config(tmp_path, "\n".join([
                "[alerts]", 'allow_private_hosts = ["127.0.0.1"]',
                "[[alerts.webhook]]", 'name = "hook"', f'url = "{rc.url()}"',
                "[[alerts.slack]]", 'name = "team"', 'webhook_url_env = "TEST_SLACK_URL"',
                "[[alerts.email]]", 'name = "desk"', 'host = "127.0.0.1"', f"port = {port}",
                'from = "w@example.org"', 'to = ["d@example.org"]', ""]))
            monkeypatch.setenv("TEST_SLACK_URL", rc.url("/slack"))
            for ch in ("hook", "team", "desk"):
                res = CliRunner().invoke(cli, [*args, "alerts", "test", ch])
                assert res.exit_code == 0, res.output
                assert f"{ch}: test alert test-" in res.stdout and "delivered" in res.stdout
            assert [h.path for h in rc.hits] == ["/hook", "/slack"]
            assert rc.hits[0].json["commitment"] == "sample_commitment"
            assert all(h.alert_id.startswith("test-") for h in rc.hits)
            assert len(box.messages) == 1 and box.messages[0]["X-Watcher-Alert-Id"].startswith("test-")
            res = CliRunner().invoke(cli, [*args, "alerts", "test", "nope"])
            assert res.exit_code == 2 and "no alert channel 'nope' (channels: desk, team, hook)" in res.output
            monkeypatch.delenv("TEST_SLACK_URL")
            res = CliRunner().invoke(cli, [*args, "alerts", "test", "team", "--json"])
            assert res.exit_code == 1
            assert json.loads(res.stdout)["error"] == ("environment variable TEST_SLACK_URL is not set "
                                                       "(needed by channel 'team')")
    finally:
        ctl.stop()
