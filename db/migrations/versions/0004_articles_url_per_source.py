"""a canonical URL is unique per source, not across sources

The same article carried by two sources is two rows (one story cluster), so one source can never
suppress another's copy: ``UNIQUE (canonical_url)`` becomes ``UNIQUE (source, canonical_url)``, and a
plain index on ``canonical_url`` finds the other sources' copies.

Revision ID: 0004_url_per_source
Revises: 0001
"""
from __future__ import annotations

import re

from alembic import op

revision = "0004_url_per_source"
down_revision = "0001"
branch_labels = None
depends_on = None

_UNIQUE_URL = re.compile(r",\s*UNIQUE\s*\(\s*canonical_url\s*\)", re.I)
NEW_INDEXES = [
    "CREATE UNIQUE INDEX IF NOT EXISTS uq_articles_source_canonical_url ON articles (source, canonical_url)",
    "CREATE INDEX IF NOT EXISTS ix_articles_canonical_url ON articles (canonical_url)",
]


def _sqlite_rebuild(conn: object) -> None:
    """SQLite cannot drop a table constraint: the table is rebuilt without it (SQLite's own procedure:
    foreign keys off, new table, copy, drop, rename, indexes and triggers again, foreign keys checked).
    PRAGMA foreign_keys has no effect inside a transaction, so this one is committed and a new one begun
    around it; the rebuild itself is one transaction, and runs again harmlessly if interrupted after it."""
    run = conn.exec_driver_sql  # type: ignore[attr-defined]
    row = run("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'articles'").first()
    if row is None or not _UNIQUE_URL.search(row[0]):
        return
    run("COMMIT")
    run("PRAGMA foreign_keys = OFF")
    try:
        run("BEGIN IMMEDIATE")
        row = run("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'articles'").first()
        extras = [r[0] for r in run("SELECT sql FROM sqlite_master WHERE tbl_name = 'articles' "
                                    "AND type IN ('index', 'trigger') AND sql IS NOT NULL")]
        create = _UNIQUE_URL.sub("", row[0], count=1)
        create = re.sub(r"^CREATE TABLE\s+\"?articles\"?", "CREATE TABLE articles_rebuilt", create, count=1)
        run(create)
        run("INSERT INTO articles_rebuilt SELECT * FROM articles")
        run("DROP TABLE articles")
        run("ALTER TABLE articles_rebuilt RENAME TO articles")
        for sql in extras:
            run(sql)
        bad = run("PRAGMA foreign_key_check").all()
        if bad:
            raise RuntimeError(f"foreign keys broken by the articles rebuild: {bad[:5]}")
        run("COMMIT")
    except BaseException:
        run("ROLLBACK")
        raise
    finally:
        run("PRAGMA foreign_keys = ON")
        run("BEGIN IMMEDIATE")


def upgrade() -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        _sqlite_rebuild(conn)
    else:
        op.execute("ALTER TABLE articles DROP CONSTRAINT IF EXISTS articles_canonical_url_key")
    for sql in NEW_INDEXES:
        op.execute(sql)


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_articles_canonical_url")
    op.execute("DROP INDEX IF EXISTS uq_articles_source_canonical_url")
