"""Alembic environment: watcher passes its own connection (see watcher/store/migrate.py)."""

from __future__ import annotations

from alembic import context

from watcher.store.schema import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # plain `alembic` command line: build an engine from the URL
    from watcher.store.db import make_engine

    url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///db/watcher.sqlite3"
    with make_engine(url).begin() as conn:
        context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
        context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
