"""Configuration: sources.toml → :class:`Settings`, parsed once at start; the edits commands make to it.

- this module: :class:`Settings`, :func:`load_settings`, :func:`load_settings_text` (sources, ``[fetch]``)
- ``alerts``: the ``[alerts]`` table → :class:`~watcher.config.alerts.AlertsConfig` (channels, routing)
- ``sourcesfile``: atomic, validated edits of the file (``sources enable/disable``)
- ``opml``: OPML import and export of the sources

Every bad entry is collected and reported at once in one :class:`ConfigError`
(exit code 2 on the command line), each problem naming the source and the field::

    >>> load_settings_text('[[sources]]\\nname = "x"\\nurl = "ftp://x"', path="s.toml")
    Traceback (most recent call last):
    ...
    watcher.errors.ConfigError: s.toml: source 'x': url: scheme 'ftp' is not http or https
"""

from __future__ import annotations

import math
import os
import re
import tomllib
from dataclasses import dataclass, field, fields
from typing import Any

from ..errors import ConfigError
from ..net.policy import check_url
from ..types import FetchSettings, Source
from .alerts import AlertsConfig, parse_alerts

DEFAULT_CONFIG = "sources.toml"
DEFAULT_DB = "sqlite:///db/watcher.sqlite3"

_SOURCE_KEYS = {"name", "url", "interval", "enabled", "language", "tags", "official"}
_INTERVAL_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h|d)?\s*$")
_UNITS = {None: 1, "s": 1, "m": 60, "h": 3600, "d": 86400}
MAX_INTERVAL = 365 * 86400


@dataclass(frozen=True)
class Settings:
    """Everything sources.toml says, validated."""

    sources: tuple[Source, ...] = ()
    fetch: FetchSettings = field(default_factory=FetchSettings)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)   # the [alerts] table, channels and all
    path: str | None = None

    def source(self, name: str) -> Source | None:
        for s in self.sources:
            if s.name == name:
                return s
        return None


def parse_interval(value: object) -> int | None:
    """``1800``, ``"30m"``, ``"1h"``, ``"90s"`` → seconds; None when unreadable or not finite
    (``inf``, ``nan``; a number too large for a date comes back as it is, for the caller's bound)."""
    if isinstance(value, bool):
        return None
    seconds: float | None = None
    if isinstance(value, int | float):
        seconds = value
    elif isinstance(value, str):
        m = _INTERVAL_RE.match(value)
        if m:
            seconds = float(m.group(1)) * _UNITS[m.group(2)]
    if seconds is None or not math.isfinite(seconds):
        return None
    return int(seconds)


def _parse_source(i: int, raw: object, problems: list[str], seen: set[str]) -> Source | None:
    if not isinstance(raw, dict):
        problems.append(f"sources[{i}]: not a table")
        return None
    name = raw.get("name")
    label = f"source {name!r}" if isinstance(name, str) and name else f"sources[{i}]"
    bad = len(problems)
    if not isinstance(name, str) or not name.strip():
        problems.append(f"{label}: name: missing or empty")
    elif name in seen:
        problems.append(f"{label}: name: duplicate (names must be unique)")
    else:
        seen.add(name)
    for key in sorted(set(raw) - _SOURCE_KEYS):
        problems.append(f"{label}: {key}: unknown key (known: {', '.join(sorted(_SOURCE_KEYS))})")
    url = raw.get("url")
    if not isinstance(url, str) or not url.strip():
        problems.append(f"{label}: url: missing or empty")
    else:
        reason = check_url(url)
        if reason:
            problems.append(f"{label}: url: {reason}")
    interval = parse_interval(raw.get("interval", 1800))
    if interval is None or not 60 <= interval <= MAX_INTERVAL:
        problems.append(f"{label}: interval: {raw.get('interval')!r} is not a duration from 60 s to 365 d "
                        "(seconds, or '30m', '2h', '1d')")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        problems.append(f"{label}: enabled: must be true or false, not {enabled!r}")
    official = raw.get("official", False)
    if not isinstance(official, bool):
        problems.append(f"{label}: official: must be true or false, not {official!r}")
    language = raw.get("language", "en")
    if not isinstance(language, str) or not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z]{2,4})?", language):
        problems.append(f"{label}: language: {language!r} is not a language code such as 'en', 'ko', 'ja'")
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        problems.append(f"{label}: tags: must be a list of strings")
        tags = []
    if len(problems) > bad:
        return None
    assert isinstance(name, str) and isinstance(url, str) and interval is not None
    return Source(name=name, url=url.strip(), interval=interval, enabled=bool(enabled), language=str(language),
                  tags=tuple(tags), official=bool(official))


def _parse_fetch(raw: object, problems: list[str]) -> FetchSettings:
    if raw is None:
        return FetchSettings()
    if not isinstance(raw, dict):
        problems.append("fetch: not a table")
        return FetchSettings()
    defaults = FetchSettings()
    known = {f.name: f for f in fields(FetchSettings)}
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in known:
            problems.append(f"fetch: {key}: unknown key (known: {', '.join(sorted(known))})")
            continue
        default = getattr(defaults, key)
        if isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool) and value > 0
        elif isinstance(default, float):
            ok = isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
        elif isinstance(default, str):
            ok = isinstance(value, str) and bool(value.strip())
        else:  # tuple of strings
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
            value = tuple(value) if ok else value
        if not ok:
            problems.append(f"fetch: {key}: {value!r} is not a valid {type(default).__name__}"
                            + (" above 0" if isinstance(default, int | float) and not isinstance(default, bool) else ""))
            continue
        values[key] = float(value) if isinstance(default, float) else value
    return FetchSettings(**values)


def load_settings_text(text: str, *, path: str = DEFAULT_CONFIG) -> Settings:
    """Parse the text of a sources.toml. Raises ConfigError naming every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"not valid TOML: {exc}"], path=path) from exc
    problems: list[str] = []
    for key in sorted(set(data) - {"sources", "fetch", "alerts"}):
        problems.append(f"{key}: unknown top-level key (known: sources, fetch, alerts)")
    raw_sources = data.get("sources", [])
    if not isinstance(raw_sources, list):
        problems.append("sources: must be an array of tables ([[sources]])")
        raw_sources = []
    seen: set[str] = set()
    sources = [s for i, raw in enumerate(raw_sources) if (s := _parse_source(i, raw, problems, seen))]
    fetch = _parse_fetch(data.get("fetch"), problems)
    raw_alerts = data.get("alerts", {})
    alerts = AlertsConfig()
    if not isinstance(raw_alerts, dict):
        problems.append("alerts: must be a table")
    else:
        alerts, alert_problems = parse_alerts(raw_alerts, fetch)
        problems.extend(alert_problems)
    if problems:
        raise ConfigError(problems, path=path)
    return Settings(sources=tuple(sources), fetch=fetch, alerts=alerts, path=path)


def load_settings(path: str | os.PathLike[str] | None = None) -> Settings:
    """Read sources.toml (``--config`` / ``WATCHER_CONFIG``). A missing file is an empty config."""
    p = os.fspath(path) if path is not None else os.environ.get("WATCHER_CONFIG", DEFAULT_CONFIG)
    try:
        with open(p, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError as exc:
        if path is None and "WATCHER_CONFIG" not in os.environ:
            return Settings(path=p)
        raise ConfigError([f"file not found: {p}"], path=p) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"cannot read: {exc}"], path=p) from exc
    return load_settings_text(text, path=p)
