"""No alert twice where it can be helped: a 250 to DATA is a delivery, whatever the server says to
QUIT; a webhook that answers after the timeout is retried, and every try carries the same alert id."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.alerting import (
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
from watcher.notify.worker import Notifier

from .test_outbox import drive


class RefusesQuit(Mailbox):
    """Takes every message (250 to DATA), then answers QUIT with 421."""

    def __init__(self) -> None:
        super().__init__()
        self.quits = 0

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        self.quits += 1
        return "421 4.3.0 closing for maintenance"


def test_smtp_421_to_quit_after_250_to_data_is_one_delivery_marked_sent(tmp_path: Path) -> None:
    box, port = RefusesQuit(), free_port()
    ctl = smtp_controller(box, port)
    ctl.start()
    try:
        store = make_store(f"sqlite:///{tmp_path}/w.db")
        cfg = config({"backoff_initial": "0.1s", "give_up_after": "3s",
                      "email": [{"name": "desk", "host": "127.0.0.1", "port": port, "from": "w@example.org",
                                 "to": ["d@example.org"]}]})
        add_changes(store, cfg, 2)
        # run until both are settled one way or the other (sent at once, or failed after 3 s of retries)
        drive(Notifier(cfg, store, Clock(), idle=0.1), lambda: states(store).keys() <= {"sent", "failed"},
              timeout=10)
    finally:
        ctl.stop()
    assert box.quits >= 1, "the server should have been asked to QUIT"
    listed = rows(store)
    assert [r["state"] for r in listed] == ["sent", "sent"], [r["last_error"] for r in listed]
    assert [r["attempts"] for r in listed] == [1, 1]
    assert sorted(box.ids()) == sorted(r["id"] for r in listed), "each message exactly once"


def test_a_webhook_slower_than_the_timeout_is_retried_with_the_same_alert_id(tmp_path: Path) -> None:
    with Receiver(delay=1.0) as rc:        # answers 200, but after the channel's 0.4 s timeout
        store = make_store(f"sqlite:///{tmp_path}/w.db")
        cfg = config({"backoff_initial": "0.1s", "backoff_max": "0.2s",
                      "webhook": [{"name": "h", "url": rc.url(), "timeout": 0.4}]})
        add_changes(store, cfg, 1)

        def settled() -> bool:
            if len(rc.hits) >= 3:
                rc.delay = 0.0               # the receiver recovers: the next try is answered in time
            return states(store) == {"sent": 1}

        drive(Notifier(cfg, store, Clock(), idle=0.1), settled, timeout=20)
        hits = list(rc.hits)
    ((row),) = rows(store)
    assert row["state"] == "sent" and row["attempts"] == len(hits) >= 4
    assert [h.alert_id for h in hits] == [row["id"]] * len(hits), "every try carries the alert's id"
    assert [h.headers.get("Idempotency-Key") for h in hits] == [row["id"]] * len(hits)
    assert {h.json["alert_id"] for h in hits} == {row["id"]}
