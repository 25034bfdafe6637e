"""The outbox: config and routing, rows written with the change, claims with leases, order,
two notifiers at once, crash recovery, give-up, the digest. Real SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt
import random
import time
from collections.abc import Callable

from sqlalchemy import update

from tests.support.alerting import T0, Clock, Receiver, add_changes, config, make_store, rows, states
from watcher.cli.review import change_json
from watcher.config.alerts import DEFAULT_KINDS, parse_alerts
from watcher.notify.base import backoff
from watcher.notify.worker import Notifier
from watcher.store import alerts as outbox
from watcher.store.schema import alerts
from watcher.types import FetchSettings


def drive(notifier: Notifier, until: Callable[[], bool], timeout: float = 20.0) -> None:
    async def go() -> None:
        stop = asyncio.Event()
        task = asyncio.create_task(notifier.run(stop))
        end = time.monotonic() + timeout
        while not until() and time.monotonic() < end:
            await asyncio.sleep(0.02)
        stop.set()
        await task
    asyncio.run(go())


def once(notifier: Notifier) -> int:
    async def go() -> int:
        try:
            return await notifier.run_once()
        finally:
            await notifier.aclose()
    return asyncio.run(go())


# ---- configuration ------------------------------------------------------------------------

def test_config_problems_name_channel_and_field_and_never_echo_a_secret() -> None:
    secret = "https://hooks.slack.com/services/T000/B000/XXXXSECRETXXXX"
    raw = {"kinds": ["new", "bogus"], "give_up_after": "soon", "frequency": 3,
           "email": [{"name": "desk", "host": "smtp.example.org", "from": "not-an-address", "to": []},
                     {"name": "desk", "host": "h", "from": "a@b.org", "to": ["c@d.org"], "username_env": "U",
                      "password_env": "P"}],
           "slack": [{"name": "team", "webhook_url_env": secret}],
           "webhook": [{"name": "hook", "url": "http://10.1.2.3/x"}, {"name": "h2", "url": "ftp://example.org/"},
                       {"name": "h3", "url": "https://example.org/", "digest": "weekly", "kinds": ["nope"]}]}
    _, problems = parse_alerts(raw, FetchSettings())
    text = "\n".join(problems)
    assert secret not in text and "SECRET" not in text
    for needle in ["alerts: kinds: unknown change kind(s) 'bogus'", "alerts: give_up_after:", "alerts: frequency: unknown key",
                   "alerts.email 'desk': from: 'not-an-address' is not an email address",
                   "alerts.email 'desk': to: must be a non-empty list",
                   "alerts.email 'desk': name: duplicate",
                   "alerts.email 'desk': starttls: a login needs starttls = true",
                   "alerts.slack 'team': webhook_url_env: must be the NAME of an environment variable",
                   "alerts.webhook 'hook': url: private address refused",
                   "alerts.webhook 'h2': url: scheme 'ftp' not allowed",
                   "alerts.webhook 'h3': digest: 'weekly' is not one of",
                   "alerts.webhook 'h3': kinds: unknown change kind(s) 'nope'"]:
        assert needle in text, (needle, text)


def test_config_defaults_and_allow_list() -> None:
    cfg, problems = parse_alerts({"webhook": [{"name": "h", "url": "http://127.0.0.1:9/x"}],
                                  "allow_private_hosts": ["127.0.0.1"]}, FetchSettings())
    assert problems == []
    assert cfg.kinds == DEFAULT_KINDS and "reaffirmed" not in cfg.kinds
    assert cfg.give_up_after == 24 * 3600
    assert cfg.channels[0].kinds == DEFAULT_KINDS
    # the [fetch] allow list counts too
    _, problems = parse_alerts({"webhook": [{"name": "h", "url": "http://127.0.0.1:9/x"}]},
                               FetchSettings(allow_private_hosts=("127.0.0.0/8",)))
    assert problems == []
    _, problems = parse_alerts({"webhook": [{"name": "h", "url": "http://[::1]:9/x"}]}, FetchSettings())
    assert problems == ["alerts.webhook 'h': url: loopback address refused (allow it with [alerts] or [fetch] "
                        "allow_private_hosts)"]


def test_backoff_grows_with_jitter_and_a_cap() -> None:
    rng = random.Random(1)
    for attempts, lo, hi in [(1, 5, 10), (2, 10, 20), (3, 20, 40), (10, 150, 300)]:
        xs = [backoff(attempts, 10, 300, rng) for _ in range(200)]
        assert lo <= min(xs) and max(xs) <= hi and len(set(xs)) > 100


# ---- the outbox rows ---------------------------------------------------------------------

def test_rows_are_written_with_the_change_and_routed(db_url: str) -> None:
    store = make_store(db_url)
    cfg = config({"email": [{"name": "desk", "host": "127.0.0.1", "from": "w@x.org", "to": ["d@x.org"]}],
                  "slack": [{"name": "team", "webhook_url_env": "S", "kinds": ["dropped", "reaffirmed"]}],
                  "webhook": [{"name": "fe", "url": "http://127.0.0.1:9/h", "commitments": ["freedom_*"]}]})
    adv = add_changes(store, cfg, kind="advanced", commitment="freedom_edge")[0]
    rea = add_changes(store, cfg, kind="reaffirmed", commitment="freedom_edge")[0]
    drp = add_changes(store, cfg, kind="dropped", commitment="annual_leaders_summit")[0]
    got = {(r["change_id"], r["channel"]) for r in rows(store)}
    assert got == {(adv, "desk"), (adv, "fe"), (rea, "team"), (drp, "desk"), (drp, "team")}
    assert all(r["state"] == "pending" and r["attempts"] == 0 for r in rows(store))
    assert len({r["id"] for r in rows(store)}) == 5


def test_a_rolled_back_change_leaves_no_alert(db_url: str) -> None:
    store = make_store(db_url)
    cfg = config({"webhook": [{"name": "h", "url": "http://127.0.0.1:9/h"}]})
    try:
        with store.write() as conn:
            from watcher.store import commitments as sc
            cid = sc.insert_change(conn, {"commitment_id": "freedom_edge", "kind": "new", "evidence": "x",
                                          "detected_at": T0, "confirmed": True, "outlets": []})
            assert outbox.enqueue(conn, cfg, [cid]) == 1
            raise RuntimeError("crash before commit")
    except RuntimeError:
        pass
    assert rows(store) == []


# ---- delivery from the outbox -----------------------------------------------------------

def test_webhook_body_is_the_change_json_plus_alert_id_in_order(db_url: str) -> None:
    with Receiver() as rc:
        store = make_store(db_url)
        cfg = config({"webhook": [{"name": "h", "url": rc.url()}]})
        ids = add_changes(store, cfg, 5)
        assert once(Notifier(cfg, store, Clock())) == 5
        with store.read() as conn:
            from watcher.store.commitments import change_rows
            expect = {r["id"]: change_json(r) for r in change_rows(conn)}
        assert [h.json["id"] for h in rc.hits] == ids
        by_id = {r["id"]: r for r in rows(store)}
        for h in rc.hits:
            body = h.json
            assert body["alert_id"] == h.alert_id == h.headers["Idempotency-Key"]
            assert by_id[body["alert_id"]]["state"] == "sent"
            assert {k: v for k, v in body.items() if k != "alert_id"} == expect[body["id"]]
        assert states(store) == {"sent": 5}


def test_two_notifiers_at_once_send_each_alert_once_and_in_order(db_url: str) -> None:
    with Receiver() as rc:
        store = make_store(db_url)
        cfg = config({"webhook": [{"name": "h", "url": rc.url()}, {"name": "g", "url": rc.url("/g")}]})
        add_changes(store, cfg, 120)
        a = Notifier(cfg, store, Clock(), owner="test:1:a", is_dead=lambda o: False, batch=7)
        b = Notifier(cfg, store, Clock(), owner="test:1:b", is_dead=lambda o: False, batch=7)

        async def go() -> None:
            for _ in range(200):
                await asyncio.gather(a.run_once(), b.run_once())
                if len(rc.hits) >= 240:
                    break
            await a.aclose()
            await b.aclose()
        asyncio.run(go())
        for path in ("/hook", "/g"):
            got = [h.json["id"] for h in rc.hits if h.path == path]
            assert len(got) == 120 and got == sorted(got)
        assert len(set(rc.ids())) == 240
        assert states(store) == {"sent": 240}


def test_a_dead_owners_lease_is_taken_over_a_live_one_is_not(db_url: str) -> None:
    with Receiver() as rc:
        store = make_store(db_url)
        cfg = config({"webhook": [{"name": "h", "url": rc.url()}]})
        add_changes(store, cfg, 3)
        far = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
        with store.write() as conn:
            conn.execute(update(alerts).values(state="sending", lease_owner="otherhost:1:x", lease_until=far))
        once(Notifier(cfg, store, Clock(), is_dead=lambda o: False))
        assert rc.hits == [] and states(store) == {"sending": 3}
        once(Notifier(cfg, store, Clock(), is_dead=lambda o: o == "otherhost:1:x"))
        assert len(rc.hits) == 3 and states(store) == {"sent": 3}
        assert {r["attempts"] for r in rows(store)} == {1}


def test_an_expired_lease_is_taken_over(db_url: str) -> None:
    with Receiver() as rc:
        store = make_store(db_url)
        cfg = config({"webhook": [{"name": "h", "url": rc.url()}]})
        add_changes(store, cfg, 2)
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        with store.write() as conn:
            conn.execute(update(alerts).values(state="sending", lease_owner="otherhost:1:x", lease_until=past))
        once(Notifier(cfg, store, Clock(), is_dead=lambda o: False))
        assert len(rc.hits) == 2 and states(store) == {"sent": 2}


def test_gives_up_after_the_configured_time_and_shows_it(db_url: str) -> None:
    with Receiver() as rc:
        rc.script["/hook"] = [(503, {}, "busy")] * 50
        store = make_store(db_url)
        cfg = config({"give_up_after": "60s", "backoff_initial": "10s",
                      "webhook": [{"name": "h", "url": rc.url()}, {"name": "ok", "url": rc.url("/ok")}]})
        add_changes(store, cfg, 2, now=T0)
        clock = Clock(T0)
        n = Notifier(cfg, store, clock, rng=random.Random(3))
        for _ in range(12):
            once(n)
            clock.advance(30)
        failed = [r for r in rows(store) if r["state"] == "failed"]
        assert len(failed) == 2 and {r["channel"] for r in failed} == {"h"}
        assert all(r["last_error"].startswith("gave up after 1m and ") and "HTTP 503: busy" in r["last_error"]
                   for r in failed)
        assert len([h for h in rc.hits if h.path == "/ok"]) == 2   # the other channel went on
        assert states(store) == {"failed": 2, "sent": 2}


def test_daily_digest_one_message_for_the_day(db_url: str) -> None:
    with Receiver() as rc:
        store = make_store(db_url)
        cfg = config({"digest_time": "08:00",
                      "webhook": [{"name": "daily", "url": rc.url("/d"), "digest": "daily"},
                                  {"name": "each", "url": rc.url("/e")}]})
        clock = Clock(T0)                                  # 09:00: today's digest moment has passed
        first = add_changes(store, cfg, 3, now=T0)
        n = Notifier(cfg, store, clock)
        once(n)
        assert len([h for h in rc.hits if h.path == "/e"]) == 3
        assert [h for h in rc.hits if h.path == "/d"] == []           # waits for tomorrow 08:00
        clock.advance(3600)
        second = add_changes(store, cfg, 2, now=clock())
        clock.now = dt.datetime(2025, 3, 2, 8, 0, 1, tzinfo=dt.UTC)
        once(n)
        once(n)
        digests = [h for h in rc.hits if h.path == "/d"]
        assert len(digests) == 1
        body = digests[0].json
        assert body["digest"] == "daily" and body["alert_id"] == digests[0].alert_id == "digest.20250302T0800.daily"
        assert [c["id"] for c in body["changes"]] == first + second
        by = {(r["change_id"], r["channel"]): r for r in rows(store)}
        assert all(by[(c, "daily")]["state"] == "sent" and by[(c, "daily")]["digest_id"] == body["alert_id"]
                   for c in first + second)
        clock.advance(3600)
        once(n)
        assert len([h for h in rc.hits if h.path == "/d"]) == 1        # nothing new: no empty digest
