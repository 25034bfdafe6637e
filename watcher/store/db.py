"""Engine factory and every SQLite/PostgreSQL difference, in one place.

SQLite: WAL, ``synchronous=FULL`` (a commit survives power loss), a busy timeout,
foreign keys on; full-text search through an FTS5 table with the ``trigram`` tokenizer
(so Korean and Japanese words are found without a word splitter). PostgreSQL: the
``pg_trgm`` extension with a GIN trigram index over title and text.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, func, select, text
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError

from ..errors import StorageError

# Where db/ (registry, seeds, migrations), alerts/ (templates) and the shipped sources.toml are: the
# clone's own files when the package runs from a clone (an editable install, `make run`), else the copies an
# installed wheel carries in watcher/_data (see setup.py).
_TREE = Path(__file__).resolve().parents[2]
IN_CLONE = (_TREE / "db" / "migrations").is_dir() and (_TREE / "watcher").is_dir()
ROOT = _TREE if IN_CLONE else Path(__file__).resolve().parents[1] / "_data"
DB_DIR = ROOT / "db"
BUSY_TIMEOUT_MS = 10_000


def is_sqlite(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "sqlite"


def make_engine(url: str) -> Engine:
    """An engine for ``url`` with the pragmas and pool each backend wants."""
    try:
        if url.startswith("sqlite"):
            path = url.split("///", 1)[1] if "///" in url else ""
            if path and path != ":memory:":
                parent = os.path.dirname(os.path.abspath(path))
                if not os.path.isdir(parent):
                    raise StorageError(f"{url}: directory {parent} does not exist")
            engine = create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

            @event.listens_for(engine, "connect")
            def _pragmas(dbapi_conn: Any, _record: Any) -> None:
                # Let SQLAlchemy, not pysqlite, decide when transactions begin.
                dbapi_conn.isolation_level = None
                cur = dbapi_conn.cursor()
                cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                cur.execute("PRAGMA foreign_keys = ON")
                try:
                    cur.execute("PRAGMA journal_mode = WAL")
                except sqlite3.OperationalError:
                    pass  # a read-only file keeps its mode; the write that follows reports it
                cur.execute("PRAGMA synchronous = FULL")
                cur.close()

            @event.listens_for(engine, "begin")
            def _begin(conn: Connection) -> None:
                conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.info.get("write") else "BEGIN")

            return engine
        if url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return create_engine(url, pool_pre_ping=True)
    except StorageError:
        raise
    except (SQLAlchemyError, ImportError, ValueError) as exc:
        raise StorageError(f"cannot open database {redact(url)}: {exc}") from exc


def insert_ids(conn: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Insert ``rows`` into ``table``; their new ids, in the order given.

    SQLite inside :meth:`Store.write` holds the database's one write lock (``BEGIN IMMEDIATE``), so the
    ids SQLite would pick itself (one above the largest) are ours to give, and the rows go in with one
    executemany: ``INSERT ... RETURNING`` in parameter order runs there one row per statement, ten times
    slower for a batch of articles. Elsewhere (PostgreSQL, or no write lock): ``RETURNING``, in order.
    """
    if not rows:
        return []
    if is_sqlite(conn) and conn.info.get("write"):
        start = int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1
        ids = list(range(start, start + len(rows)))
        conn.execute(table.insert(), [{**row, "id": i} for row, i in zip(rows, ids, strict=True)])
        return ids
    result = conn.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True), list(rows))
    return [int(r[0]) for r in result]


def lock_commitments(conn: Connection) -> None:
    """Take the commitments' lock for the rest of ``conn``'s write transaction: whoever reads the
    commitments' states to write new ones (the intake, a review, a replay) holds it, so no writer works
    from states another has changed in the meantime. SQLite's write transaction (``BEGIN IMMEDIATE``)
    already excludes every other writer; on PostgreSQL a transaction-scoped advisory lock, one per
    schema, does."""
    if not is_sqlite(conn):
        conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(current_schema() || '.watcher.commitments'))"))


def insert_skipping_conflicts(conn: Connection, table: Table) -> Any:
    """``INSERT ... ON CONFLICT DO NOTHING`` in ``conn``'s dialect: a row a unique key says is there
    already (another process stored it first) is skipped, not an error."""
    if is_sqlite(conn):
        from sqlalchemy.dialects.sqlite import insert as sqlite_insert

        return sqlite_insert(table).on_conflict_do_nothing()
    from sqlalchemy.dialects.postgresql import insert as pg_insert

    return pg_insert(table).on_conflict_do_nothing()


def insert_new(conn: Connection, table: Table, rows: Sequence[dict[str, Any]], key: Sequence[str]
               ) -> list[int | None]:
    """Insert ``rows`` into ``table``, skipping those another writer stored first; each row's new id, or None
    for a row skipped. ``key`` names columns that tell the rows apart (how ids are matched to rows).

    SQLite inside :meth:`Store.write` holds the only write lock since before the caller looked for what
    is stored, so nothing can conflict and :func:`insert_ids` does it. PostgreSQL lets two transactions
    insert at once: the second waits for the first and then skips its rows (``ON CONFLICT DO NOTHING``).
    """
    if not rows:
        return []
    if is_sqlite(conn) and conn.info.get("write"):
        return list(insert_ids(conn, table, rows))
    stmt = insert_skipping_conflicts(conn, table)
    keys = [tuple(r.get(k) for k in key) for r in rows]
    # Inserted in the key's order: two writers that insert some of the same rows take their locks in one
    # order, so neither can wait for the other in a cycle (a deadlock). Ids come back in the caller's order.
    order = sorted(range(len(rows)), key=lambda i: tuple((v is None, str(v or "")) for v in keys[i]))
    if len(set(keys)) < len(keys):    # rows the key cannot tell apart: one statement each
        out: list[int | None] = [None] * len(rows)
        for i in order:
            got = conn.execute(stmt.returning(table.c.id), rows[i]).first()
            out[i] = int(got[0]) if got else None
        return out
    result = conn.execute(stmt.returning(table.c.id, *(table.c[k] for k in key)), [rows[i] for i in order])
    ids = {tuple(r[1:]): int(r[0]) for r in result}
    return [ids.get(k) for k in keys]


def redact(url: str) -> str:
    """The URL with any password replaced by ***, for messages and logs."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        if ":" in creds:
            creds = creds.split(":", 1)[0] + ":***"
        return f"{scheme}://{creds}@{host}"
    return url


def describe(exc: BaseException) -> str:
    """A one-line reason from a database exception (no SQL, no parameters)."""
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        return str(exc.orig).strip().splitlines()[0]
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


@contextmanager
def translate_errors(what: str) -> Iterator[None]:
    """Turn SQLAlchemy/driver errors into StorageError at the storage boundary."""
    try:
        yield
    except StorageError:
        raise
    except (SQLAlchemyError, sqlite3.Error) as exc:
        reason = describe(exc)
        if isinstance(exc, OperationalError) and "locked" in reason:
            reason = "database is locked (another process holds a write lock)"
        raise StorageError(f"{what}: {reason}") from exc


# ---- full-text search -------------------------------------------------------------------

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5("
    "title, text, content='articles', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER IF NOT EXISTS articles_fts_ai AFTER INSERT ON articles BEGIN "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
    "CREATE TRIGGER IF NOT EXISTS articles_fts_ad AFTER DELETE ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); END",
    "CREATE TRIGGER IF NOT EXISTS articles_fts_au AFTER UPDATE OF title, text ON articles BEGIN "
    "INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.id, old.title, old.text); "
    "INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END",
]
POSTGRES_FTS = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_articles_trgm ON articles USING gin ((title || ' ' || text) gin_trgm_ops)",
]


def create_search_index(conn: Connection) -> None:
    for stmt in SQLITE_FTS if is_sqlite(conn) else POSTGRES_FTS:
        conn.execute(text(stmt))


def search_groups(query: str) -> list[list[str]]:
    """A user query as groups of alternatives: every group must match, one term of a group is enough.

    Words are separated by spaces, ``"a quoted phrase"`` is one term, and ``OR`` (in capitals)
    between two terms makes them alternatives: ``secretariat "leaders' summit" OR 정상회의`` is
    secretariat AND ("leaders' summit" OR 정상회의). A quoted ``"OR"`` is a word.
    """
    groups: list[list[str]] = []
    pending_or = False
    buf = query.strip()
    while buf:
        quoted = buf.startswith('"') and '"' in buf[1:]
        if quoted:
            end = buf.index('"', 1)
            term, buf = buf[1:end], buf[end + 1:]
        else:
            parts = buf.split(None, 1)
            term, buf = parts[0], (parts[1] if len(parts) > 1 else "")
        buf = buf.strip()
        if not quoted and term == "OR":
            pending_or = bool(groups)
            continue
        term = term.strip().strip('"')
        if not term:
            continue
        if pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    return groups


def search_terms(query: str) -> list[str]:
    """Every term of a user query (see :func:`search_groups`), the ``OR`` operators left out."""
    return [t for group in search_groups(query) for t in group]


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _fts(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def search_clause(conn: Connection, query: str) -> tuple[str, dict[str, str]]:
    """A SQL condition over ``articles`` (aliased ``a``) for ``query`` (:func:`search_groups`).

    Both databases match each term as a case-insensitive substring of the title or the text.
    Terms of three or more characters use the trigram index (one FTS5 MATCH on SQLite for every
    group made only of such terms); shorter ones (two-character Korean and Japanese words such
    as 韓国) fall back to a substring scan.
    """
    groups = search_groups(query)
    params: dict[str, str] = {}
    conds: list[str] = []
    sqlite = is_sqlite(conn)
    n = 0

    def like(term: str) -> str:
        nonlocal n
        key, n = f"t{n}", n + 1
        params[key] = _like(term)
        if sqlite:
            return f"(a.title LIKE :{key} ESCAPE '\\' OR a.text LIKE :{key} ESCAPE '\\')"
        return f"((a.title || ' ' || a.text) ILIKE :{key} ESCAPE '\\')"

    def match(expr: str) -> str:
        nonlocal n
        key, n = f"t{n}", n + 1
        params[key] = expr
        return f"a.id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH :{key})"

    indexed: list[str] = []      # SQLite: groups the trigram index answers alone, in one MATCH
    for group in groups:
        if sqlite and all(len(t) >= 3 for t in group):
            indexed.append("(" + " OR ".join(_fts(t) for t in group) + ")")
            continue
        alts = [match(_fts(t)) if sqlite and len(t) >= 3 else like(t) for t in group]
        conds.append(alts[0] if len(alts) == 1 else "(" + " OR ".join(alts) + ")")
    if indexed:
        conds.insert(0, match(" AND ".join(indexed)))
    return (" AND ".join(conds) or "1=1"), params
