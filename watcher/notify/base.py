"""What every channel shares: the :class:`Delivery` value, secrets from the environment, redaction.

A sender never raises for an expected failure: it returns a Delivery whose ``outcome`` is
``sent``, ``retry`` (transient: try again later, after ``retry_after`` seconds when the
receiver said so) or ``failed`` (permanent: a 4xx, a refused address, a missing secret).
Error texts name environment variables, never their values, and pass through
:func:`redact` with the channel's secret values before they are stored or logged.
"""

from __future__ import annotations

import asyncio
import random
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar
from urllib.parse import unquote, urlsplit

from ..config.alerts import Channel
from .render import Rendered

SENT, RETRY, FAILED = "sent", "retry", "failed"

T = TypeVar("T")


@dataclass(frozen=True)
class Delivery:
    outcome: str                        # sent | retry | failed
    error: str | None = None            # why not sent (never holds a secret)
    retry_after: float | None = None    # seconds the receiver asked us to wait
    detail: str | None = None           # e.g. "HTTP 200", "250 OK" (for the test command)

    @property
    def ok(self) -> bool:
        return self.outcome == SENT


@dataclass(frozen=True)
class Secrets:
    """The secret values a channel uses, read from the environment at send time."""

    url: str | None = None
    username: str | None = None
    password: str | None = None
    values: tuple[str, ...] = field(default=(), repr=False)


class Sender(Protocol):
    async def send(self, channel: Channel, message: Rendered) -> Delivery: ...

    async def aclose(self) -> None: ...


def read_secrets(channel: Channel, env: Mapping[str, str]) -> Secrets | Delivery:
    """The channel's secrets, or a failed Delivery naming the variable that is not set."""
    got: dict[str, str] = {}
    for attr in ("url_env", "username_env", "password_env"):
        var = getattr(channel, attr)
        if var is None:
            continue
        value = env.get(var)
        if not value:
            return Delivery(FAILED, f"environment variable {var} is not set (needed by channel {channel.name!r})")
        got[attr[:-4]] = value
    url = got.get("url") or channel.url
    values = tuple(v for v in (got.get("url"), got.get("username"), got.get("password")) if v)
    if got.get("url"):
        values += _url_pieces(got["url"])
    return Secrets(url=url, username=got.get("username"), password=got.get("password"), values=values)


def _tokenish(piece: str) -> bool:
    return len(piece) >= 16 or (len(piece) >= 6 and any(ch.isdigit() or ch.isupper() for ch in piece))


def _url_pieces(url: str) -> tuple[str, ...]:
    """The parts of a secret URL that are secret too: Slack puts its token in the path, others in the query."""
    parts = urlsplit(url)
    pieces = [parts.path, unquote(parts.path), parts.query, unquote(parts.query)]
    pieces += [seg for seg in parts.path.split("/") if _tokenish(seg)]
    pieces += [unquote(kv.split("=", 1)[-1]) for kv in parts.query.split("&")]
    return tuple(p for p in pieces if len(p) >= 6 and p != "/")


def redact(text: str, secrets: Secrets | tuple[str, ...] | None) -> str:
    """``text`` with every secret value replaced by ``***``."""
    values = secrets.values if isinstance(secrets, Secrets) else (secrets or ())
    for v in sorted(values, key=len, reverse=True):
        if v:
            text = text.replace(v, "***")
    return text


def short(text: object, limit: int = 300) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def backoff(attempts: int, initial: float, maximum: float, rng: random.Random) -> float:
    """Seconds before try ``attempts + 1``: exponential, capped, with jitter over its upper half."""
    factor: int = 2 ** max(0, attempts - 1)
    base = min(maximum, initial * factor)
    return base / 2 + rng.uniform(0, base / 2)


async def in_daemon_thread(fn: Callable[..., T], *args: Any) -> T:
    """``fn(*args)`` in a daemon thread of its own, awaited.

    For blocking client libraries (smtplib, apprise) whose reads a peer can stretch without end:
    unlike ``asyncio.to_thread`` the thread is not in the loop's executor, so neither the loop's
    shutdown nor the interpreter's exit waits for it. Cancelling the await abandons the thread.
    """
    loop = asyncio.get_running_loop()
    fut: asyncio.Future[T] = loop.create_future()

    def settle(ok: bool, value: Any) -> None:
        if not fut.done():
            if ok:
                fut.set_result(value)
            else:
                fut.set_exception(value)

    def work() -> None:
        try:
            outcome: tuple[bool, Any] = (True, fn(*args))
        except BaseException as exc:   # handed to the awaiting task
            outcome = (False, exc)
        try:
            loop.call_soon_threadsafe(settle, *outcome)
        except RuntimeError:           # the loop has closed: nobody is waiting any more
            pass

    threading.Thread(target=work, name=f"watcher-{getattr(fn, '__name__', 'send')}", daemon=True).start()
    return await fut
