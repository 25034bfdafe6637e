"""Create or upgrade the database to the newest schema (Alembic, run in-process)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, inspect

from .db import DB_DIR, translate_errors


def alembic_config() -> Any:
    from alembic.config import Config  # imported here: every command but init starts faster

    cfg = Config()
    cfg.set_main_option("script_location", str(DB_DIR / "migrations"))
    return cfg


def upgrade(engine: Engine) -> None:
    """Bring ``engine``'s database to the head revision; safe to run again."""
    from alembic import command

    cfg = alembic_config()
    with translate_errors("migrating the database"), engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")


def is_initialised(engine: Engine) -> bool:
    with translate_errors("opening the database"), engine.connect() as conn:
        return inspect(conn).has_table("articles")
