"""The ``[alerts]`` table of sources.toml → :class:`AlertsConfig` (validated, every problem named).

It is parsed once, with the rest of sources.toml, by ``watcher.config.load_settings``: the rest of the
watcher reads the typed ``Settings.alerts`` and never the raw table.

Secrets are never written in sources.toml: SMTP credentials and Slack webhook URLs are
named by environment variable (``username_env``, ``password_env``, ``webhook_url_env``,
``url_env``; an apprise channel's URL only ever comes from ``url_env``) and read only when an alert is sent. Every problem string names the channel
and the field, and none of them ever quotes a secret::

    >>> parse_alerts({"slack": [{"name": "team"}]}, FetchSettings())[1]
    ["alerts.slack 'team': webhook_url_env: missing (the environment variable holding the webhook URL)"]
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..commitments.kinds import KINDS, ChangeKind
from ..net.policy import AddressPolicy, check_url
from ..types import FetchSettings

DEFAULT_KINDS = tuple(k for k in KINDS if k != ChangeKind.REAFFIRMED)
CHANNEL_TYPES = ("email", "slack", "webhook", "apprise")
DIGESTS = ("daily", "hourly")

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")
_ENV_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_EMAIL_RE = re.compile(r"^[^@\s<>\"',;]+@[^@\s<>\"',;]+$")
_DURATION_RE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$")
_UNITS = {None: 1.0, "ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}

_TOP_KEYS = {"kinds", "give_up_after", "backoff_initial", "backoff_max", "allow_private_hosts", "templates",
             "digest_time", "timeout", "email", "slack", "webhook", "apprise"}
_COMMON_KEYS = {"name", "kinds", "commitments", "digest", "timeout", "enabled"}
_TYPE_KEYS = {
    "email": {"host", "port", "starttls", "ssl", "from", "to", "username_env", "password_env",
              "allow_plaintext_login"},
    "slack": {"webhook_url_env"},
    "webhook": {"url", "url_env"},
    "apprise": {"url_env"},
}


@dataclass(frozen=True)
class Channel:
    """One configured alert channel. Holds environment variable *names*, never secrets."""

    name: str
    type: str                                   # email | slack | webhook | apprise
    kinds: tuple[str, ...] = DEFAULT_KINDS
    commitments: tuple[str, ...] = ()           # commitment ids or fnmatch patterns; empty = all
    digest: str | None = None                   # "daily" | "hourly" | None (one message per change)
    timeout: float = 15.0
    enabled: bool = True
    # email
    host: str = ""
    port: int = 25
    starttls: bool = False
    ssl: bool = False
    sender: str = ""
    to: tuple[str, ...] = ()
    username_env: str | None = None
    password_env: str | None = None
    # slack / webhook / apprise
    url: str | None = None
    url_env: str | None = None

    def routes(self, kind: str, commitment: str) -> bool:
        """Does a change of ``kind`` on ``commitment`` go to this channel?"""
        if not self.enabled or kind not in self.kinds:
            return False
        return not self.commitments or any(fnmatch.fnmatchcase(commitment, p) for p in self.commitments)


@dataclass(frozen=True)
class AlertsConfig:
    channels: tuple[Channel, ...] = ()
    kinds: tuple[str, ...] = DEFAULT_KINDS
    give_up_after: float = 24 * 3600.0
    backoff_initial: float = 30.0
    backoff_max: float = 3600.0
    allow_private_hosts: tuple[str, ...] = ()    # with [fetch] allow_private_hosts
    templates: str | None = None                 # directory of templates; None = the repository's alerts/
    digest_time: dt.time = dt.time(8, 0)         # UTC time of day the daily digest goes out
    timeout: float = 15.0

    def channel(self, name: str) -> Channel | None:
        return next((c for c in self.channels if c.name == name), None)

    def policy(self) -> AddressPolicy:
        return AddressPolicy(self.allow_private_hosts)


def parse_duration(value: object) -> float | None:
    """``30``, ``"90s"``, ``"10m"``, ``"24h"``, ``"1d"``, ``"250ms"`` → seconds; None when unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value >= 0 else None
    if isinstance(value, str):
        m = _DURATION_RE.match(value)
        if m:
            return float(m.group(1)) * _UNITS[m.group(2)]
    return None


class _Checker:
    def __init__(self, label: str, raw: Mapping[str, Any], problems: list[str]) -> None:
        self.label, self.raw, self.problems = label, raw, problems

    def bad(self, key: str, why: str) -> None:
        self.problems.append(f"{self.label}: {key}: {why}")

    def string(self, key: str, *, required: bool = False, default: str = "") -> str:
        v = self.raw.get(key)
        if v is None:
            if required:
                self.bad(key, "missing")
            return default
        if not isinstance(v, str) or not v.strip() or "\n" in v or "\r" in v:
            self.bad(key, "must be a non-empty one-line string")
            return default
        return v.strip()

    def boolean(self, key: str, default: bool) -> bool:
        v = self.raw.get(key, default)
        if not isinstance(v, bool):
            self.bad(key, f"must be true or false, not {v!r}")
            return default
        return v

    def duration(self, key: str, default: float, *, minimum: float = 0.0) -> float:
        if key not in self.raw:
            return default
        v = parse_duration(self.raw[key])
        if v is None or v < minimum:
            self.bad(key, f"{self.raw[key]!r} is not a duration of at least {minimum:g} s (seconds, or '30s', '10m', '24h')")
            return default
        return v

    def strings(self, key: str, default: tuple[str, ...] = ()) -> tuple[str, ...]:
        v = self.raw.get(key)
        if v is None:
            return default
        if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
            self.bad(key, "must be a list of non-empty strings")
            return default
        return tuple(x.strip() for x in v)

    def kinds(self, default: tuple[str, ...]) -> tuple[str, ...]:
        ks = self.strings("kinds", default)
        unknown = [k for k in ks if k not in KINDS]
        if unknown:
            self.bad("kinds", f"unknown change kind(s) {', '.join(map(repr, unknown))} (known: {', '.join(KINDS)})")
            return default
        return ks

    def env_name(self, key: str, *, required: bool = False, what: str = "") -> str | None:
        v = self.raw.get(key)
        if v is None:
            if required:
                self.bad(key, f"missing ({what})" if what else "missing")
            return None
        if not isinstance(v, str) or not _ENV_RE.match(v):
            # Never echo the value: a secret pasted here by mistake must not reach a log.
            self.bad(key, "must be the NAME of an environment variable (letters, digits, _), not a value")
            return None
        return v


def _check_url(c: _Checker, key: str, url: str, policy: AddressPolicy) -> str | None:
    reason = check_url(url)
    if reason is None:
        from urllib.parse import urlsplit

        host = urlsplit(url).hostname or ""
        refused = policy.literal_refusal(host)
        if refused is not None:
            reason = f"{refused} refused (allow it with [alerts] or [fetch] allow_private_hosts)"
    if reason is not None:
        c.bad(key, reason)
        return None
    return url


def _parse_channel(kind: str, i: int, raw: object, top: AlertsConfig, policy: AddressPolicy,
                   problems: list[str], seen: set[str]) -> Channel | None:
    if not isinstance(raw, dict):
        problems.append(f"alerts.{kind}[{i}]: not a table")
        return None
    name = raw.get("name")
    label = f"alerts.{kind} {name!r}" if isinstance(name, str) and name else f"alerts.{kind}[{i}]"
    c = _Checker(label, raw, problems)
    before = len(problems)
    if not isinstance(name, str) or not _NAME_RE.match(name):
        c.bad("name", "missing, or not a short name of letters, digits, '.', '_' and '-'")
    elif name in seen:
        c.bad("name", "duplicate (channel names must be unique across email, slack, webhook and apprise)")
    else:
        seen.add(name)
    known = _COMMON_KEYS | _TYPE_KEYS[kind]
    for key in sorted(set(raw) - known):
        c.bad(key, f"unknown key (known: {', '.join(sorted(known))})")
    common: dict[str, Any] = {
        "kinds": c.kinds(top.kinds), "commitments": c.strings("commitments"),
        "timeout": c.duration("timeout", top.timeout, minimum=0.1), "enabled": c.boolean("enabled", True),
    }
    digest = raw.get("digest", False)
    if digest is False or digest in ("off", "none"):
        common["digest"] = None
    elif digest is True or digest in DIGESTS:
        common["digest"] = "daily" if digest is True else digest
    else:
        c.bad("digest", f"{digest!r} is not one of 'daily', 'hourly' or false")
    fields: dict[str, Any] = {}
    if kind == "email":
        fields["host"] = c.string("host", required=True)
        fields["starttls"] = c.boolean("starttls", False)
        fields["ssl"] = c.boolean("ssl", False)
        if fields["starttls"] and fields["ssl"]:
            c.bad("ssl", "ssl (implicit TLS) and starttls cannot both be true")
        port = raw.get("port", 465 if fields["ssl"] else (587 if fields["starttls"] else 25))
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            c.bad("port", f"{port!r} is not a port number")
            port = 25
        fields["port"] = port
        sender = c.string("from", required=True)
        if sender and not _EMAIL_RE.match(sender):
            c.bad("from", f"{sender!r} is not an email address")
        fields["sender"] = sender
        to = raw.get("to")
        if isinstance(to, str):
            to = [to]
        if not isinstance(to, list) or not to or not all(isinstance(a, str) and _EMAIL_RE.match(a.strip()) for a in to):
            c.bad("to", "must be a non-empty list of email addresses")
            to = []
        fields["to"] = tuple(a.strip() for a in to)
        fields["username_env"] = c.env_name("username_env")
        fields["password_env"] = c.env_name("password_env")
        if ("username_env" in raw) != ("password_env" in raw):
            c.bad("password_env" if fields["username_env"] else "username_env",
                  "username_env and password_env go together")
        plain = c.boolean("allow_plaintext_login", False)
        if fields["username_env"] and not (fields["starttls"] or fields["ssl"] or plain):
            c.bad("starttls", "a login needs starttls = true or ssl = true (or allow_plaintext_login = true)")
    elif kind == "slack":
        fields["url_env"] = c.env_name("webhook_url_env", required=True,
                                       what="the environment variable holding the webhook URL")
    elif kind == "apprise":
        fields["url_env"] = c.env_name("url_env", required=True,
                                       what="the environment variable holding the apprise URL")
    else:
        url, url_env = raw.get("url"), raw.get("url_env")
        if (url is None) == (url_env is None):
            c.bad("url", "give exactly one of url or url_env")
        elif url is not None:
            u = c.string("url")
            fields["url"] = _check_url(c, "url", u, policy) if u else None
        else:
            fields["url_env"] = c.env_name("url_env")
    if len(problems) > before:
        return None
    assert isinstance(name, str)
    return Channel(name=name, type=kind, **common, **fields)


def parse_alerts(raw: Mapping[str, Any], fetch: FetchSettings) -> tuple[AlertsConfig, list[str]]:
    """The alerts configuration and the list of problems (empty when all is well)."""
    problems: list[str] = []
    c = _Checker("alerts", raw, problems)
    for key in sorted(set(raw) - _TOP_KEYS):
        c.bad(key, f"unknown key (known: {', '.join(sorted(_TOP_KEYS))})")
    digest_time = dt.time(8, 0)
    if "digest_time" in raw:
        try:
            digest_time = dt.time.fromisoformat(str(raw["digest_time"]))
        except ValueError:
            c.bad("digest_time", f"{raw['digest_time']!r} is not a UTC time of day such as '08:00'")
    templates = raw.get("templates")
    if templates is not None and not (isinstance(templates, str) and templates.strip()):
        c.bad("templates", "must be a directory path")
        templates = None
    top = AlertsConfig(
        kinds=c.kinds(DEFAULT_KINDS),
        give_up_after=c.duration("give_up_after", 24 * 3600.0, minimum=1.0),
        backoff_initial=c.duration("backoff_initial", 30.0, minimum=0.01),
        backoff_max=c.duration("backoff_max", 3600.0, minimum=0.01),
        allow_private_hosts=tuple(dict.fromkeys(fetch.allow_private_hosts + c.strings("allow_private_hosts"))),
        templates=templates, digest_time=digest_time, timeout=c.duration("timeout", 15.0, minimum=0.1),
    )
    policy = top.policy()
    seen: set[str] = set()
    channels: list[Channel] = []
    for kind in CHANNEL_TYPES:
        entries = raw.get(kind, [])
        if isinstance(entries, dict):
            entries = [entries]
        if not isinstance(entries, list):
            problems.append(f"alerts.{kind}: must be an array of tables ([[alerts.{kind}]])")
            continue
        for i, entry in enumerate(entries):
            ch = _parse_channel(kind, i, entry, top, policy, problems, seen)
            if ch is not None:
                channels.append(ch)
    return AlertsConfig(**{**top.__dict__, "channels": tuple(channels)}), problems
