"""What the global options give every command: settings, store and registry, loaded lazily."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from dataclasses import dataclass, field
from typing import Any

import click

from ..config import Settings, load_settings
from ..store import DB_DIR, Store, redact
from ._text import fit, printable, when, width
from .paths import default_config, default_db_url


class BadInput(click.ClickException):
    """A command-line argument names something that is not there (a file, a source, a commitment):
    ``watcher: <message>`` on stderr, exit 2."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"watcher: {self.format_message()}", err=True)


@dataclass
class Ctx:
    config_path: str | None          # as given (--config / WATCHER_CONFIG), None for the default
    db_url: str | None               # as given (--db / WATCHER_DB), None for the default
    registry_path: str | None
    config_explicit: bool = False
    verbose: int = 0
    _settings: Settings | None = field(default=None, repr=False)
    _store: Store | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.config_path is not None:
            self.config_explicit = True

    @property
    def config_file(self) -> str:
        """--config / WATCHER_CONFIG, else the default (watcher.cli.paths)."""
        return self.config_path if self.config_path is not None else str(default_config())

    @property
    def database_url(self) -> str:
        """--db / WATCHER_DB, else the default SQLite file (its directory made if need be)."""
        return self.db_url if self.db_url is not None else default_db_url(create=True)

    @property
    def settings(self) -> Settings:
        """sources.toml, validated. A default file that does not exist is an empty configuration;
        one named by --config or WATCHER_CONFIG must exist."""
        if self._settings is None:
            path = self.config_file
            if not self.config_explicit and not os.path.exists(path):
                self._settings = Settings(path=path)
            else:
                self._settings = load_settings(path)
        return self._settings

    def store(self, *, must_exist: bool = True) -> Store:
        if self._store is None:
            self._store = Store(self.database_url)
            if must_exist and not self._store.is_initialised():
                raise click.ClickException(f"the database {redact(self._store.url)} has no tables yet: run `watcher init`")
        return self._store

    @property
    def registry_file(self) -> str:
        return self.registry_path or str(DB_DIR / "commitments.toml")


pass_ctx = click.make_pass_decorator(Ctx)


def _default(o: Any) -> Any:
    if isinstance(o, dt.datetime | dt.date):
        return o.isoformat()
    if isinstance(o, set | frozenset | tuple):
        return list(o)
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def emit_json(data: Any) -> None:
    """One JSON document on stdout, nothing else."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=_default) + "\n")


def parse_date(value: str | None, what: str = "--since") -> dt.datetime | None:
    """``2024-11-15`` or an ISO datetime → aware UTC datetime; a clear usage error otherwise."""
    if not value:
        return None
    try:
        d = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise click.BadParameter(f"{value!r} is not a date like 2024-11-15", param_hint=what) from exc
    try:
        return d.replace(tzinfo=dt.UTC) if d.tzinfo is None else d.astimezone(dt.UTC)
    except OverflowError as exc:   # 0001-01-01T00:00+05:00 is before year 1 in UTC
        raise click.BadParameter(f"{value!r} is out of range: in UTC it falls outside the years 1 to 9999",
                                 param_hint=what) from exc


def table(rows: list[dict[str, Any]], columns: list[str], widths: dict[str, int] | None = None) -> None:
    """A plain aligned table on stdout for people; --json is for programs.

    Columns are measured in display width (Korean and Japanese characters take two), a value
    longer than its column's cap (``widths``, default 40; 0 for none) ends in ``…``, and ISO
    timestamps are shown in UTC to the second.
    """
    widths = widths or {}
    if not rows:
        click.echo("(none)")
        return
    cells = [{c: _cell(r.get(c)) for c in columns} for r in rows]
    w = {}
    for c in columns:
        longest = max(width(c), *(width(cell[c]) for cell in cells))
        cap = widths.get(c, 40)
        w[c] = min(longest, cap) if cap else longest
    click.echo("  ".join(fit(c, w[c]) for c in columns).rstrip())
    for cell in cells:
        click.echo("  ".join(fit(cell[c], w[c]) for c in columns).rstrip())


def _cell(v: Any) -> str:
    """A value as one line of printable text: feed titles and servers' reason phrases are untrusted
    (terminal escapes and control characters dropped, bidi controls shown as \\uXXXX)."""
    if v is None:
        return "-"
    if isinstance(v, list | tuple):
        return printable(", ".join(map(str, v)))
    if isinstance(v, dt.datetime):
        v = v.isoformat()
    return when(printable(str(v)))
