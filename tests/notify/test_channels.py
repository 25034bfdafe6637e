"""The channels against real receivers: aiosmtpd for SMTP, a loopback aiohttp server for Slack
and webhooks. Retry-After, 4xx, template errors, refused addresses, missing secrets."""

from __future__ import annotations

import datetime as dt
import email.policy
import ssl
from email import message_from_bytes
from pathlib import Path

import pytest

from tests.support.alerting import (
    TLS_DIR,
    Clock,
    Mailbox,
    Receiver,
    add_changes,
    config,
    free_port,
    make_store,
    rows,
    smtp_controller,
    states,
)
from watcher.notify.base import FAILED, RETRY, SENT
from watcher.notify.email import EmailSender
from watcher.notify.webhook import classify_status
from watcher.notify.worker import Notifier
from watcher.store import Store

from .test_outbox import drive, once

pytestmark = pytest.mark.filterwarnings("ignore:Requiring AUTH:UserWarning")

HOSTILE = 'Seoul said <script>alert(1)</script> & "<!channel> <http://evil.example|click>" & more.'


def test_status_outcomes() -> None:
    now = dt.datetime(2025, 3, 1, 12, 0, 0, tzinfo=dt.UTC)
    assert classify_status(200, None, "ok", now).outcome == SENT
    assert classify_status(204, None, "", now).outcome == SENT
    r = classify_status(429, "2", "slow down", now)
    assert (r.outcome, r.retry_after, r.error) == (RETRY, 2.0, "HTTP 429: slow down")
    r = classify_status(503, "Sat, 01 Mar 2025 12:01:00 GMT", "", now)
    assert (r.outcome, r.retry_after) == (RETRY, 60.0)
    assert classify_status(500, None, "", now).outcome == RETRY
    assert classify_status(404, None, "no_service", now).outcome == FAILED
    assert classify_status(403, None, "", now).outcome == FAILED
    assert classify_status(301, None, "", now).outcome == FAILED


def test_webhook_500_then_429_retry_after_then_200_delivered_once_not_early() -> None:
    with Receiver() as rc:
        rc.script["/hook"] = [(500, {}, "oops"), (429, {"Retry-After": "2"}, "slow down")]
        store = make_store(f"sqlite:///{Path(rc.url()).name and __import__('tempfile').mkdtemp()}/w.db")
        cfg = config({"backoff_initial": "0.2s", "webhook": [{"name": "h", "url": rc.url()}]})
        add_changes(store, cfg, 1)
        drive(Notifier(cfg, store, Clock(), idle=0.1), lambda: states(store) == {"sent": 1})
        assert len(rc.hits) == 3 and len(set(rc.ids())) == 1
        assert rc.hits[2].at - rc.hits[1].at >= 2.0            # not before the time asked
        assert rc.hits[2].at - rc.hits[1].at < 3.5
        assert rc.hits[1].at - rc.hits[0].at < 1.5             # the 500 backed off briefly
        (row,) = rows(store)
        assert row["state"] == "sent" and row["attempts"] == 3


def test_slack_block_kit_with_feed_text_neutralised(tmp_path: Path) -> None:
    with Receiver() as rc:
        store = make_store(f"sqlite:///{tmp_path}/w.db")
        cfg = config({"slack": [{"name": "team", "webhook_url_env": "SLACK_URL"}]})
        add_changes(store, cfg, 1, evidence=lambda i: HOSTILE)
        once(Notifier(cfg, store, Clock(), env={"SLACK_URL": rc.url("/services/T1/B2/abc")}))
        (hit,) = rc.hits
        body = hit.json
        assert hit.alert_id and hit.headers["Content-Type"].startswith("application/json")
        assert body["blocks"][0]["type"] == "section" and "Freedom Edge" in body["blocks"][0]["text"]["text"]
        flat = str(body)
        assert "<!channel>" not in flat and "<http://evil.example|click>" not in flat
        assert "&lt;!channel&gt;" in flat
        assert "Yonhap, Kyodo" in flat and "<https://news.example/0|" in flat
        assert hit.alert_id in flat


def test_a_4xx_fails_at_once_a_template_error_fails_that_alert_others_go_on(tmp_path: Path) -> None:
    tpl = tmp_path / "alerts"
    tpl.mkdir()
    for f in (Path(__file__).parents[2] / "alerts").iterdir():
        (tpl / f.name).write_text(f.read_text())
    (tpl / "broken.webhook.json.j2").write_text('{\n "x": {{ change.no_such_field }}\n}\n')
    with Receiver() as rc:
        rc.script["/gone"] = [(404, {}, "no_service")] * 10
        store = make_store(f"sqlite:///{tmp_path}/w.db")
        cfg = config({"templates": str(tpl), "webhook": [
            {"name": "gone", "url": rc.url("/gone")}, {"name": "broken", "url": rc.url("/broken")},
            {"name": "fine", "url": rc.url("/fine")}]})
        add_changes(store, cfg, 3)
        once(Notifier(cfg, store, Clock()))
        by = {}
        for r in rows(store):
            by.setdefault(r["channel"], []).append(r)
        assert [r["state"] for r in by["gone"]] == ["failed"] * 3
        assert by["gone"][0]["last_error"] == "HTTP 404: no_service" and by["gone"][0]["attempts"] == 1
        assert [r["state"] for r in by["broken"]] == ["failed"] * 3
        assert by["broken"][0]["last_error"].startswith("template broken.webhook.json.j2 line 2: UndefinedError")
        assert [r["state"] for r in by["fine"]] == ["sent"] * 3
        assert [h.path for h in rc.hits].count("/broken") == 0


def test_private_addresses_refused_unless_allow_listed(tmp_path: Path) -> None:
    with Receiver() as rc:
        store = make_store(f"sqlite:///{tmp_path}/w.db")
        cfg = config({"webhook": [{"name": "env", "url_env": "HOOK"}, {"name": "name", "url_env": "HOOK2"}]},
                     allow=())
        add_changes(store, cfg, 1)
        env = {"HOOK": rc.url("/a"), "HOOK2": f"http://localhost:{rc.port}/b"}
        once(Notifier(cfg, store, Clock(), env=env))
        assert rc.hits == []
        errs = {r["channel"]: r["last_error"] for r in rows(store)}
        assert states(store) == {"failed": 2}
        assert errs["env"] == ("URL from HOOK: address 127.0.0.1 refused: loopback address "
                               "(allow it with [alerts] allow_private_hosts)")
        assert "refused: loopback address" in errs["name"] and "localhost" not in errs["name"]
        # allow-listed: delivered
        store2 = make_store(f"sqlite:///{tmp_path}/w2.db")
        cfg2 = config({"allow_private_hosts": ["127.0.0.1"], "webhook": [{"name": "env", "url_env": "HOOK"}]},
                      allow=())
        add_changes(store2, cfg2, 1)
        once(Notifier(cfg2, store2, Clock(), env=env))
        assert len(rc.hits) == 1 and states(store2) == {"sent": 1}


def test_a_missing_secret_fails_naming_the_variable(tmp_path: Path) -> None:
    store = make_store(f"sqlite:///{tmp_path}/w.db")
    cfg = config({"slack": [{"name": "team", "webhook_url_env": "NO_SUCH_VAR_X"}]})
    add_changes(store, cfg, 1)
    once(Notifier(cfg, store, Clock(), env={}))
    (row,) = rows(store)
    assert row["state"] == "failed"
    assert row["last_error"] == "environment variable NO_SUCH_VAR_X is not set (needed by channel 'team')"


@pytest.mark.parametrize("auth", [False, True])
def test_email_text_and_html_message_id_carries_alert_id(tmp_path: Path, auth: bool) -> None:
    box = Mailbox()
    port = free_port()
    ctl = smtp_controller(box, port, auth=("watch", "s3cret-pw") if auth else None)
    ctl.start()
    try:
        store = make_store(f"sqlite:///{tmp_path}/w.db")
        ch: dict[str, object] = {"name": "desk", "host": "127.0.0.1", "port": port, "from": "watcher@example.org",
                                 "to": ["desk@example.org", "chief@example.org"]}
        if auth:
            ch |= {"username_env": "SMTP_U", "password_env": "SMTP_P", "allow_plaintext_login": True}
        cfg = config({"email": [ch]})
        add_changes(store, cfg, 2, evidence=lambda i: HOSTILE)
        once(Notifier(cfg, store, Clock(), env={"SMTP_U": "watch", "SMTP_P": "s3cret-pw"}))
    finally:
        ctl.stop()
    assert states(store) == {"sent": 2}
    ids = [r["id"] for r in sorted(rows(store), key=lambda r: r["change_id"])]
    assert box.ids() == ids
    env = box.envelopes[0]
    assert env.rcpt_tos == ["desk@example.org", "chief@example.org"] and env.mail_from == "watcher@example.org"
    m = message_from_bytes(env.original_content, policy=email.policy.default)
    assert m["Message-ID"] == f"<{ids[0]}@watcher>"
    assert m["Subject"].strip() == "[watcher] advanced: Freedom Edge: regular trilateral multi-domain exercise"
    text = m.get_body(("plain",)).get_content()
    html = m.get_body(("html",)).get_content()
    assert HOSTILE in text and "Outlets: Yonhap, Kyodo" in text and "https://news.example/0" in text
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://news.example/0">' in html


def test_email_wrong_password_is_retried_and_never_shows_the_password(tmp_path: Path) -> None:
    box = Mailbox()
    port = free_port()
    ctl = smtp_controller(box, port, auth=("watch", "right-pw"))
    ctl.start()
    try:
        store = make_store(f"sqlite:///{tmp_path}/w.db")
        cfg = config({"email": [{"name": "desk", "host": "127.0.0.1", "port": port, "from": "w@example.org",
                                 "to": ["d@example.org"], "username_env": "U", "password_env": "P",
                                 "allow_plaintext_login": True}]})
        add_changes(store, cfg, 1)
        once(Notifier(cfg, store, Clock(), env={"U": "watch", "P": "wrong-pw-123"}))
    finally:
        ctl.stop()
    (row,) = rows(store)
    assert row["state"] == "pending" and row["last_error"].startswith(f"SMTP 127.0.0.1:{port}: login refused: 535")
    assert "wrong-pw-123" not in row["last_error"] and box.messages == []


def test_mail_server_down_then_back_everything_delivered_in_order_once(tmp_path: Path) -> None:
    box = Mailbox()
    port = free_port()
    store = make_store(f"sqlite:///{tmp_path}/w.db")
    cfg = config({"backoff_initial": "0.1s", "backoff_max": "0.4s",
                  "email": [{"name": "desk", "host": "127.0.0.1", "port": port, "from": "w@example.org",
                             "to": ["d@example.org"], "timeout": 2}],
                  "webhook": [{"name": "h", "url": "http://127.0.0.1:9/unused", "kinds": ["dropped"]}]})
    first = add_changes(store, cfg, 4)
    n = Notifier(cfg, store, Clock(), idle=0.1)
    drive(n, lambda: False, timeout=1.5)                       # the server is down: retries pile up
    assert states(store) == {"pending": 4} and box.messages == []
    (head,) = [r for r in rows(store) if r["change_id"] == first[0]]
    assert head["attempts"] >= 3 and "Connection refused" in head["last_error"]
    assert {r["attempts"] for r in rows(store) if r["change_id"] != first[0]} == {0}   # they waited their turn
    later = add_changes(store, cfg, 3)
    ctl = smtp_controller(box, port)
    ctl.start()
    try:
        drive(Notifier(cfg, store, Clock(), idle=0.1), lambda: states(store) == {"sent": 7})
    finally:
        ctl.stop()
    by_change = {r["id"]: r["change_id"] for r in rows(store)}
    assert [by_change[i] for i in box.ids()] == first + later


@pytest.mark.parametrize("kind", ["email", "slack", "webhook"])
@pytest.mark.parametrize("digest", [None, "daily"])
def test_every_shipped_template_renders_single_and_digest(kind: str, digest: str | None) -> None:
    from watcher.config.alerts import Channel
    from watcher.notify.render import Renderer, sample_rows

    rows_ = [dict(r, evidence=HOSTILE) for r in sample_rows() * 3]
    ch = Channel(name="x", type=kind, sender="a@example.org", to=("b@example.org",))
    m = Renderer().render(ch, "aid-1", rows_ if digest else rows_[:1], digest=digest, period="2025-03-02T08:00:00")
    if kind == "email":
        assert m.subject.startswith("[watcher] ") and "aid-1" in m.text and "<script>" not in m.html
        assert ("3 changes" in m.subject) == bool(digest)
    elif kind == "slack":   # mrkdwn: a feed's text can neither ping the channel nor make a link
        assert "aid-1" in str(m.body) and "<!channel>" not in str(m.body) and "<http://evil" not in str(m.body)
        assert ("3 changes" in str(m.body)) == bool(digest)
    else:                   # webhook: JSON data, the evidence exactly as written (the receiver escapes it)
        assert m.body["alert_id"] == "aid-1"
        changes = m.body["changes"] if digest else [m.body]
        assert [c["evidence"] for c in changes] == [HOSTILE] * (3 if digest else 1)



TLS_LOGIN = {"SMTP_U": "watch", "SMTP_P": "tls-pw-42"}


def deliver_over_tls(tmp_path: Path, mode: str, n: int, trusting: bool) -> tuple[Store, Mailbox, int]:
    """``n`` alerts to an aiosmtpd speaking TLS (``mode``: starttls or ssl) with login required; the sender
    trusts the loopback certificate, or only the system's store."""
    box = Mailbox()
    port = free_port()
    ctl = smtp_controller(box, port, auth=("watch", "tls-pw-42"), tls=mode)
    ctl.start()
    try:
        store = make_store(f"sqlite:///{tmp_path}/w.db")
        cfg = config({"email": [{"name": "desk", "host": "127.0.0.1", "port": port, mode: True,
                                 "from": "w@example.org", "to": ["d@example.org"],
                                 "username_env": "SMTP_U", "password_env": "SMTP_P"}]})
        add_changes(store, cfg, n)
        context = ssl.create_default_context(cafile=str(TLS_DIR / "loopback.crt")) if trusting else None
        once(Notifier(cfg, store, Clock(), env=TLS_LOGIN,
                      senders={"email": EmailSender(TLS_LOGIN, tls_context=context)}))
    finally:
        ctl.stop()
    return store, box, port


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_email_over_real_tls_with_login(tmp_path: Path, mode: str) -> None:
    store, box, _port = deliver_over_tls(tmp_path, mode, 2, trusting=True)
    assert states(store) == {"sent": 2}
    assert box.encrypted == [True, True]


@pytest.mark.parametrize("mode", ["starttls", "ssl"])
def test_email_to_a_certificate_not_trusted_is_retried_and_sends_nothing(tmp_path: Path, mode: str) -> None:
    # the system's trust store: a self-signed certificate fails
    store, box, port = deliver_over_tls(tmp_path, mode, 1, trusting=False)
    (row,) = rows(store)
    assert row["state"] == "pending" and "CERTIFICATE_VERIFY_FAILED" in row["last_error"]
    assert row["last_error"].startswith(f"SMTP 127.0.0.1:{port}: ")
    assert "tls-pw-42" not in row["last_error"] and box.messages == []
