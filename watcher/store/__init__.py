"""Storage behind one interface: :class:`Store` over SQLite (default) or PostgreSQL.

    >>> store = Store("sqlite:///:memory:")
    >>> store.migrate()
    >>> store.article_count()
    0

The contract: this package's top level is the one door to the database. Code outside
``watcher/store/`` imports from ``watcher.store`` only, never from its modules (``articles``,
``commitments``, ``sources``, ``schema``, ``db``, ...), and never touches ``Store.engine`` or a
table:

- a whole operation (list the sources, record polls, add articles) is a :class:`Store` method,
  one transaction each, with driver errors turned into ``StorageError`` naming what was being done;
- work that must be all-or-nothing across tables (an article, its claims, the changes they make
  and the alerts those owe; a replay) opens ``with store.write("what") as conn:`` and calls, with
  that ``conn``, the functions exported below (``__all__``); ``store.read()`` likewise for reads
  that must agree with each other;
- ``web_queries`` is the web interface's own set of such functions (pages, API, reviews), and
  ``alerts`` the alert outbox's (enqueue in the change's transaction, claim, mark, digest, list);
- what a caller gets back is a frozen dataclass (:class:`SourceState`, :class:`Stored`, ...) or a
  plain row mapping, never a live cursor;
- the differences between SQLite and PostgreSQL stay inside (``db.py``).

The one exception left is the scale-out's own SQL (``watcher/scale/``: its job dispatch and alert
leases), still to move here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from ..types import Article, Source
from . import articles as _articles
from . import commitments as _commitments
from . import schema as _schema
from . import sources as _sources
from . import web_queries
from .articles import Stored
from .articles import add as insert_articles
from .articles import all_for_replay as articles_for_replay
from .codec import from_jsonable, to_jsonable
from .commitments import add_outlet as add_change_outlet
from .commitments import confirm as confirm_change
from .commitments import insert_changes, insert_claims, overdue_marks, pending_of
from .commitments import load_registry as load_commitments
from .commitments import reset_for_replay as reset_commitments_for_replay
from .commitments import rows as commitment_rows
from .commitments import save_states as save_commitment_states
from .db import DB_DIR, IN_CLONE, ROOT, lock_commitments, make_engine, redact, search_terms, translate_errors
from .migrate import is_current, is_initialised, upgrade
from .rebuild import hold_alerts, relink_alerts
from .reviews import hold_for_replay as hold_reviews
from .reviews import reapply_after_replay as reapply_reviews
from .schema import metadata
from .sources import SourceState, SourceUpdate
from .sources import apply_updates as apply_source_updates

__all__ = [
    "pending_of",
    "Store", "SourceState", "SourceUpdate", "Stored", "metadata", "web_queries",
    # file locations and text helpers
    "DB_DIR", "IN_CLONE", "ROOT", "redact", "search_terms", "to_jsonable", "from_jsonable",
    # inside a Store.write() transaction
    "insert_articles", "articles_for_replay", "apply_source_updates", "lock_commitments", "load_commitments",
    "commitment_rows", "save_commitment_states", "insert_claims", "insert_changes", "confirm_change",
    "add_change_outlet", "reset_commitments_for_replay", "overdue_marks", "hold_alerts", "relink_alerts",
    "hold_reviews", "reapply_reviews",
]


class Store:
    """The watcher's database. Every method translates driver errors into StorageError."""

    def __init__(self, url: str, *, engine: Engine | None = None) -> None:
        self.url = url
        self.engine = engine or make_engine(url)

    # -- transactions --------------------------------------------------------------------
    @contextmanager
    def write(self, what: str = "writing to the database") -> Iterator[Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` on SQLite): all or nothing."""
        with translate_errors(what), self.engine.connect() as conn:
            conn.info["write"] = True      # the pooled connection keeps .info: unset it after
            try:
                with conn.begin():
                    yield conn
            finally:
                conn.info.pop("write", None)

    @contextmanager
    def read(self, what: str = "reading the database") -> Iterator[Connection]:
        with translate_errors(what), self.engine.connect() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()

    # -- schema --------------------------------------------------------------------------
    def migrate(self) -> None:
        upgrade(self.engine)

    def is_initialised(self) -> bool:
        return is_initialised(self.engine)

    def is_current(self) -> bool:
        """The schema is at the newest migration (a database from an older version is not)."""
        return is_current(self.engine)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    # -- sources -------------------------------------------------------------------------
    def sync_sources(self, configured: Sequence[Source]) -> None:
        with self.write("syncing sources") as conn:
            _sources.sync(conn, configured)

    def synced_states(self, configured: Sequence[Source]) -> dict[str, SourceState]:
        """Every source's state, after making the rows match sources.toml (written only when they differ)."""
        with self.read("reading sources") as conn:
            current = _sources.states(conn)
        if _sources.in_sync(current, configured):
            return current
        with self.write("syncing sources") as conn:
            _sources.sync(conn, configured)
            return _sources.states(conn)

    def source_states(self, names: Sequence[str] | None = None) -> dict[str, SourceState]:
        """Every source's state, or only the named ones' (the daemon's job for one source reads its one row)."""
        with self.read("reading sources") as conn:
            return _sources.states(conn, names)

    def record_polls(self, updates: Sequence[SourceUpdate]) -> None:
        if updates:
            with self.write("recording poll results") as conn:
                _sources.apply_updates(conn, updates)

    def set_source_enabled(self, name: str, enabled: bool) -> bool:
        with self.write("updating a source") as conn:
            return _sources.set_enabled(conn, name, enabled)

    def list_sources(self, *, removed: bool = False) -> list[dict[str, Any]]:
        with self.read("listing sources") as conn:
            return _sources.listing(conn, removed=removed)

    # -- articles ------------------------------------------------------------------------
    def add_articles(self, batch: Sequence[Article], now: dt.datetime) -> list[_articles.Stored]:
        with self.write("storing articles") as conn:
            return _articles.add(conn, batch, now)

    def list_articles(self, **kw: Any) -> list[dict[str, Any]]:
        with self.read("listing articles") as conn:
            return _articles.listing(conn, **kw)

    def article_count(self) -> int:
        with self.read("counting articles") as conn:
            return int(conn.execute(select(func.count()).select_from(_schema.articles)).scalar_one())

    # -- commitments and changes ---------------------------------------------------------
    def commitment_rows(self) -> list[Any]:
        """Every commitment, by id: the registry's and those minted from articles, with their state."""
        with self.read("listing commitments") as conn:
            return _commitments.rows(conn)

    def has_commitment(self, commitment: str) -> bool:
        with self.read("reading commitments") as conn:
            return _commitments.exists(conn, commitment)

    def change_rows(self, *, since: dt.datetime | None = None, commitment: str | None = None,
                    kind: str | None = None) -> list[dict[str, Any]]:
        """The detected changes, oldest first (by publication), with their article's title and source."""
        with self.read("listing changes") as conn:
            return _commitments.change_rows(conn, since=since, commitment=commitment, kind=kind)
