"""The daemon's daily deadline check, with the clock injected."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from watcher.ingest.intake import Analyzer, load_registry_into
from watcher.run.daemon import overdue_check
from watcher.store import Store
from watcher.store import commitments as q

REGISTRY = """schema_version = 1
as_of = "2025-01-01"

[[commitment]]
id = "trilateral_hotline"
title = "Trilateral leaders' hotline"
aliases = ["trilateral hotline"]
keywords = ["hotline"]
status = "agreed"
deadline = "2025-06-30"
since = "2023-08-18"
source = "test"
"""


def test_a_passed_deadline_makes_one_overdue_change(db_url: str, tmp_path: Path) -> None:
    reg = tmp_path / "registry.toml"
    reg.write_text(REGISTRY)
    store = Store(db_url)
    store.migrate()
    with store.write() as conn:
        load_registry_into(conn, str(reg))
    analyzer = Analyzer.from_store(store)

    def at(day: dt.date) -> dt.datetime:
        return dt.datetime(day.year, day.month, day.day, 3, tzinfo=dt.UTC)

    assert overdue_check(store, analyzer, lambda: at(dt.date(2025, 6, 1))) == 0     # not yet
    assert overdue_check(store, analyzer, lambda: at(dt.date(2025, 7, 2))) == 1     # passed, no progress
    assert overdue_check(store, analyzer, lambda: at(dt.date(2025, 7, 3))) == 0     # not twice
    with store.read() as conn:
        (row,) = q.change_rows(conn)
    assert (row["commitment_id"], row["kind"]) == ("trilateral_hotline", "overdue")
    # a restarted daemon remembers it too
    assert overdue_check(store, Analyzer.from_store(store), lambda: at(dt.date(2025, 7, 4))) == 0
    store.dispose()


ANNUAL = """schema_version = 1
as_of = "2024-01-01"

[[commitment]]
id = "annual_leaders_summit"
title = "Trilateral leaders' summit held at least once a year"
aliases = ["annual trilateral summit"]
keywords = ["summit", "annually"]
status = "in_progress"
deadline = ""
since = "2023-08-18"
source = "test"
"""


def test_a_missed_year_counts_only_once_the_watcher_is_watching(tmp_path: Path) -> None:
    reg = tmp_path / "registry.toml"
    reg.write_text(ANNUAL)
    store = Store(f"sqlite:///{tmp_path}/w.sqlite3")
    store.migrate()
    with store.write() as conn:     # set up on 2025-01-10: 2024 was before its time
        load_registry_into(conn, str(reg), today=dt.date(2025, 1, 10))
    analyzer = Analyzer.from_store(store)
    clock = lambda day: (lambda: dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC))  # noqa: E731
    assert overdue_check(store, analyzer, clock(dt.date(2025, 6, 1))) == 0
    # no summit reported in all of 2025, which it watched
    assert overdue_check(store, analyzer, clock(dt.date(2026, 1, 2))) == 1
    assert overdue_check(store, analyzer, clock(dt.date(2026, 1, 3))) == 0
