"""Where the watcher keeps its files when the command line does not say.

- Run from a clone (``make run``, an editable install): the clone's ``sources.toml`` and
  ``db/watcher.sqlite3``, wherever the command is started from.
- Installed (``pipx install .``, a wheel): ``$XDG_CONFIG_HOME/watcher/sources.toml`` (default
  ``~/.config/watcher/sources.toml``; ``watcher init`` writes the shipped one there when there is
  none) and ``$XDG_DATA_HOME/watcher/watcher.sqlite3`` (default ``~/.local/share/watcher/``).

Either way a ``sources.toml`` in the current directory comes first, and ``--config`` /
``WATCHER_CONFIG``, ``--db`` / ``WATCHER_DB`` override everything.
"""

from __future__ import annotations

import os
from pathlib import Path

from ..store import IN_CLONE, ROOT


def _xdg(var: str, fallback: str) -> Path:
    base = os.environ.get(var, "").strip()
    return Path(base) if base and os.path.isabs(base) else Path.home() / fallback


def config_home() -> Path:
    return _xdg("XDG_CONFIG_HOME", ".config") / "watcher"


def data_home() -> Path:
    return _xdg("XDG_DATA_HOME", ".local/share") / "watcher"


def shipped_config() -> Path:
    """The sources.toml that comes with the watcher (the clone's, or the wheel's copy)."""
    return ROOT / "sources.toml"


def default_config() -> Path:
    """``./sources.toml`` when there is one, else the clone's, else the user's config directory's."""
    here = Path("sources.toml")
    if here.is_file():
        return here
    return ROOT / "sources.toml" if IN_CLONE else config_home() / "sources.toml"


def default_db_path() -> Path:
    return ROOT / "db" / "watcher.sqlite3" if IN_CLONE else data_home() / "watcher.sqlite3"


def default_db_url(*, create: bool = False) -> str:
    """The default database: SQLite in the clone's db/ or the user's data directory (made when ``create``)."""
    path = default_db_path()
    if create:
        path.parent.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{path}"


DESCRIPTION = ("./sources.toml, else the clone's sources.toml, else $XDG_CONFIG_HOME/watcher/sources.toml",
               "the clone's db/watcher.sqlite3, else $XDG_DATA_HOME/watcher/watcher.sqlite3")
