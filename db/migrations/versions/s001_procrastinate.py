"""procrastinate's job tables and functions, for `watcher worker` (PostgreSQL only)

Applies the schema shipped with the installed procrastinate (pinned in pyproject.toml) in the
current schema; nothing on SQLite, where scale-out does not exist. A database where the tables
already exist (procrastinate's own `schema --apply` was run) is left alone.

A procrastinate upgrade comes with a new revision that applies its migration files
(procrastinate/sql/migrations) from this version on: see docs/deploy.md.

Revision ID: s001
Revises: 0001
"""
from __future__ import annotations

from alembic import op
from sqlalchemy import text

revision = "s001"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    present = bind.execute(text("SELECT 1 FROM pg_tables WHERE schemaname = current_schema() "
                                "AND tablename = 'procrastinate_jobs'")).first()
    if present is not None:
        return
    from procrastinate.schema import SchemaManager

    # A multi-statement script (functions, DO blocks): the driver runs it as it is, no parameters.
    bind.connection.driver_connection.execute(SchemaManager.get_schema())


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    bind.execute(text(
        "DROP TABLE IF EXISTS procrastinate_events, procrastinate_periodic_defers, procrastinate_jobs, "
        "procrastinate_workers CASCADE"))
    for name in ("procrastinate_job_to_defer_v1", "procrastinate_job_event_type", "procrastinate_job_status"):
        bind.execute(text(f"DROP TYPE IF EXISTS {name} CASCADE"))
