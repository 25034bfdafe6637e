"""Create or upgrade the database to the newest schema (Alembic, run in-process)."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Engine, inspect, text

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


_REV = re.compile(r"""^(revision|down_revision)\s*=\s*['"]?([\w]+)['"]?""", re.M)


def head_revisions() -> set[str]:
    """The newest revisions in db/migrations/versions, read from the files (no Alembic import)."""
    revs: set[str] = set()
    downs: set[str] = set()
    for path in (DB_DIR / "migrations" / "versions").glob("*.py"):
        found = dict((k, v) for k, v in _REV.findall(path.read_text(encoding="utf-8")))
        if "revision" in found:
            revs.add(found["revision"])
        if found.get("down_revision") not in (None, "None"):
            downs.add(found["down_revision"])
    return revs - downs


def is_current(engine: Engine) -> bool:
    """True when the database is at every head revision (nothing to migrate)."""
    with translate_errors("opening the database"), engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        have = {r[0] for r in conn.execute(text("SELECT version_num FROM alembic_version"))}
    return have == head_revisions()


def is_initialised(engine: Engine) -> bool:
    with translate_errors("opening the database"), engine.connect() as conn:
        return inspect(conn).has_table("articles")
