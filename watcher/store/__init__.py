"""Storage behind one interface: :class:`Store` over SQLite (default) or PostgreSQL.

    >>> store = Store("sqlite:///:memory:")
    >>> store.migrate()
    >>> store.article_count()
    0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Connection, Engine, func, select

from ..types import Article, Source
from . import articles as _articles
from . import schema as _schema
from . import sources as _sources
from .db import make_engine, redact, translate_errors
from .migrate import is_current, is_initialised, upgrade
from .schema import metadata
from .sources import SourceState, SourceUpdate

__all__ = ["Store", "SourceState", "SourceUpdate", "metadata", "redact"]


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

    def source_states(self) -> dict[str, SourceState]:
        with self.read("reading sources") as conn:
            return _sources.states(conn)

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
