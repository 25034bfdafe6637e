"""`watcher replay` keeps the outbox: every alert stays, with its id and state, and follows the rebuilt
change it announced; one not sent yet is delivered once after the replay. Real SQLite and PostgreSQL, a
real loopback webhook receiver."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, select

from tests.support.alerting import Clock, Receiver, config
from watcher.ingest.documents import seed_articles
from watcher.ingest.intake import Analyzer, load_registry_into, store_articles
from watcher.ingest.replay import replay_store
from watcher.notify.worker import Notifier
from watcher.run.daemon import overdue_check
from watcher.store import Store
from watcher.store import alerts as outbox
from watcher.store.db import DB_DIR
from watcher.store.schema import alerts, changes


def _alerts(store: Store) -> dict[str, dict[str, Any]]:
    """Each alert by id: its state and the key of the change it announces."""
    with store.read() as conn:
        q = (select(alerts.c.id, alerts.c.state, alerts.c.channel, changes.c.commitment_id, changes.c.kind,
                    changes.c.doc, changes.c.article_id, changes.c.deadline)
             .select_from(alerts.outerjoin(changes, alerts.c.change_id == changes.c.id)))
        return {r.id: {"state": r.state, "change": (r.commitment_id, r.kind, r.doc, r.article_id, r.deadline)}
                for r in conn.execute(q)}


def _deliver(cfg: Any, store: Store) -> int:
    async def go() -> int:
        n = Notifier(cfg, store, Clock())
        try:
            return await n.run_once()
        finally:
            await n.aclose()
    return asyncio.run(go())


def test_replay_keeps_every_alert_and_sends_the_waiting_ones_once(db_url: str) -> None:
    with Receiver() as rc:
        cfg = config({"webhook": [{"name": "hook", "url": rc.url()}]})

        def enqueue(conn: Connection, written: Sequence[tuple[int, Any]]) -> None:
            outbox.enqueue(conn, cfg, [cid for cid, _ch in written])

        store = Store(db_url)
        store.migrate()
        with store.write() as conn:
            load_registry_into(conn, str(DB_DIR / "commitments.toml"), today=dt.date(2024, 1, 1))
        now = dt.datetime.now(dt.UTC)
        analyzer = Analyzer.from_store(store, on_changes=enqueue)
        for a in sorted(seed_articles(now), key=lambda a: (a.published_at or now, a.doc or "")):
            store_articles(store, [a], now=now, analyzer=analyzer)
        assert overdue_check(store, analyzer) >= 1      # deadlines passed since the registry's day
        before = _alerts(store)
        assert len(before) >= 4 and {a["state"] for a in before.values()} == {"pending"}
        assert any(a["change"][1] == "overdue" for a in before.values())
        sent_id, failed_id, *waiting = sorted(before)
        with store.write() as conn:
            outbox.mark_sent(conn, sent_id, now)
            outbox.mark_failed(conn, failed_id, "HTTP 500 from the receiver")

        info = replay_store(store)
        after = _alerts(store)
        assert after.keys() == before.keys()             # no alert lost, none added
        for aid, a in after.items():
            assert a["change"] == before[aid]["change"], aid   # each follows its (rebuilt) change
        assert after[sent_id]["state"] == "sent" and after[failed_id]["state"] == "failed"
        assert {after[i]["state"] for i in waiting} == {"pending"}
        assert info["alerts"] == len(before)

        assert _deliver(cfg, store) == len(waiting)
        assert sorted(h.alert_id for h in rc.hits) == sorted(waiting)   # each once, with its own id

        replay_store(store)                              # a second replay sends nothing again
        assert overdue_check(store, Analyzer.from_store(store, on_changes=enqueue)) == 0
        assert _deliver(cfg, store) == 0 and len(rc.hits) == len(waiting)
        assert _alerts(store).keys() == before.keys()
        store.dispose()


def test_an_alert_whose_change_replay_does_not_make_again_stays_and_is_never_sent(db_url: str) -> None:
    from tests.support.alerting import add_changes, make_store

    with Receiver() as rc:
        cfg = config({"webhook": [{"name": "hook", "url": rc.url()}]})
        store = make_store(db_url)
        add_changes(store, cfg, 2)                       # changes no stored article makes
        sent_id, waiting_id = sorted(_alerts(store))
        with store.write() as conn:
            outbox.mark_sent(conn, sent_id, dt.datetime.now(dt.UTC))
        replay_store(store)
        with store.read() as conn:
            rows = {r.id: r for r in conn.execute(select(alerts))}
        assert rows.keys() == {sent_id, waiting_id}
        assert rows[sent_id].state == "sent" and rows[sent_id].change_id is None     # history kept
        assert rows[waiting_id].state == "failed" and rows[waiting_id].last_error.startswith("withdrawn by replay")
        assert _deliver(cfg, store) == 0 and rc.hits == []
        store.dispose()
