"""Shared fixtures: a fresh real database per test, on SQLite and on PostgreSQL; ``../shared``.

PostgreSQL is the machine's server at 127.0.0.1:5432 (trust auth, database ``test``);
each test gets its own schema, dropped afterwards. Set WATCHER_TEST_PG=0 to skip it.
``shared`` is the directory ``../shared`` beside the repository (corpora, evaluation sets;
``WATCHER_SHARED`` names another).

A missing PostgreSQL or ``../shared`` skips the tests that need it, with the reason reported
(``-rs``); under CI (``CI=true``) it fails them instead, so that CI never passes by skipping.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NoReturn

import pytest

SHARED = Path(os.environ.get("WATCHER_SHARED") or Path(__file__).resolve().parents[1].parent / "shared")
CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def missing(what: str) -> NoReturn:
    """A prerequisite is not there: skip the test, or fail it under CI."""
    if CI:
        pytest.fail(f"{what} (CI=true: a missing prerequisite fails rather than skips)", pytrace=False)
    pytest.skip(what)


@pytest.fixture(scope="session")
def shared() -> Path:
    """``../shared``: the feedparser corpus, the evaluation sets and the seeds other programs share."""
    if not SHARED.is_dir():
        missing(f"{SHARED} (../shared beside the repository) is not there")
    return SHARED


PG_BASE = os.environ.get("WATCHER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> bool:
    if os.environ.get("WATCHER_TEST_PG") == "0":
        return False
    try:
        import psycopg

        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", connect_timeout=3):
            return True
    except Exception:
        return False


PG_OK = _pg_available()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a fresh schema (pg_trgm lives in public)."""
    if os.environ.get("WATCHER_TEST_PG") == "0":
        pytest.skip("PostgreSQL tests turned off (WATCHER_TEST_PG=0)")
    if not PG_OK:
        missing("PostgreSQL at 127.0.0.1:5432 is not reachable")
    import psycopg

    schema = "t_" + uuid.uuid4().hex[:12]
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True) as c:
        c.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
        c.execute(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_BASE}?options=-csearch_path%3D{schema},public"
    finally:
        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=test", autocommit=True) as c:
            c.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: os.PathLike[str]) -> Iterator[str]:
    """A fresh, empty database URL: the test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/watcher.sqlite3"
    else:
        yield request.getfixturevalue("pg_url")


@pytest.fixture
def store(db_url: str) -> Iterator[object]:
    """A migrated, empty :class:`watcher.store.Store` on each backend."""
    from watcher.store import Store

    s = Store(db_url)
    s.migrate()
    yield s
    s.dispose()
