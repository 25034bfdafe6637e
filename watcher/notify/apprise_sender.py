"""Apprise: Teams, Telegram, Discord, Matrix, ntfy and a hundred other services through one URL.

An ``[[alerts.apprise]]`` channel names the environment variable that holds one apprise URL
(``url_env``); the URL carries the service's credentials, so it never comes from sources.toml,
and it is read only when an alert is sent. One service per channel: each service gets its own
outbox rows, so each has its own delivery state, attempts and error (a second service in the
same URL would be sent the alert again on every retry of the first).

The ``apprise`` library is blocking (requests, smtplib, ...), so a send runs in a daemon thread
of its own and is abandoned at the channel's ``timeout`` (a wall-clock deadline, as for every
channel): a slow service is retried, and a stuck thread cannot hold the daemon open. The
library's own log lines can quote the URL: its logger (and urllib3's, which logs request
URLs) is cut off from the application's handlers, and the warnings a send produced become
the error, redacted.

The generic HTTP services (``json://``, ``form://``, ``xml://`` and their ``s`` forms) reach a
host of the URL's choosing: that host goes through the same address policy as webhooks
(private and loopback addresses refused unless allow-listed), and those POSTs carry the alert id
as ``X-Watcher-Alert-Id``. Other services' hosts are fixed by the service.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from ..config.alerts import Channel
from ..net.policy import AddressPolicy
from .base import FAILED, RETRY, SENT, Delivery, Secrets, in_daemon_thread, read_secrets, redact, short
from .render import Rendered

GENERIC_HTTP = frozenset({"json", "jsons", "form", "forms", "xml", "xmls"})


class _ThreadLog(logging.Handler):
    """Keeps the warnings apprise logs, per thread, for the send running in that thread."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self._local = threading.local()

    def start(self) -> None:
        self._local.lines = []

    def take(self) -> list[str]:
        lines: list[str] = getattr(self._local, "lines", None) or []
        self._local.lines = None
        return lines

    def emit(self, record: logging.LogRecord) -> None:
        lines = getattr(self._local, "lines", None)
        if lines is not None and len(lines) < 10:
            try:
                lines.append(record.getMessage())
            except Exception:   # a bad format string in a plugin
                lines.append(str(record.msg))


_LOG = _ThreadLog()
_apprise_logger = logging.getLogger("apprise")
_apprise_logger.propagate = False      # its lines can hold the URL: never into the application's log
_apprise_logger.addHandler(_LOG)
# The HTTP client under apprise logs each request's URL (with the token in its path) at DEBUG.
# The watcher's own HTTP goes through aiohttp, so nothing of ours is lost by this.
for _name in ("urllib3", "requests"):
    logging.getLogger(_name).propagate = False
    logging.getLogger(_name).addHandler(logging.NullHandler())


def secret_pieces(url: str) -> tuple[str, ...]:
    """The parts of an apprise URL that may be credentials: apprise puts tokens in the user, the
    password and the host (``tgram://BOT_TOKEN/CHAT``) as well as in the path and the query."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        pieces = [parts.netloc, unquote(parts.netloc), parts.username or "", parts.password or "", host,
                  unquote(parts.username or ""), unquote(parts.password or "")]
    except ValueError:
        return (url,)
    return tuple(p for p in pieces if len(p) >= 6)


class AppriseSender:
    """Sends through the ``apprise`` library, one service per channel."""

    def __init__(self, policy: AddressPolicy, env: Mapping[str, str]) -> None:
        self.policy = policy
        self.env = env

    async def aclose(self) -> None:
        return None

    async def send(self, channel: Channel, message: Rendered) -> Delivery:
        secrets = read_secrets(channel, self.env)
        if isinstance(secrets, Delivery):
            return secrets
        url = (secrets.url or "").strip()
        secrets = Secrets(url=url, values=secrets.values + secret_pieces(url))
        work = asyncio.ensure_future(in_daemon_thread(self._notify, channel, message, url))
        try:
            done, _ = await asyncio.wait({work}, timeout=channel.timeout)
        except asyncio.CancelledError:
            work.cancel()      # the thread is abandoned; its outcome is never recorded
            raise
        if not done:
            work.cancel()
            return Delivery(RETRY, f"apprise: no answer within {channel.timeout:g} s")
        result = work.result()
        if result.error:
            return Delivery(result.outcome, redact(result.error, secrets), result.retry_after, result.detail)
        return result

    def _notify(self, ch: Channel, message: Rendered, url: str) -> Delivery:
        import apprise

        where = f"URL from {ch.url_env}"
        if any(c.isspace() for c in url):
            return Delivery(FAILED, f"{where} holds more than one URL: give each service its own "
                                    "[[alerts.apprise]] channel")
        _LOG.start()
        try:
            plugin = apprise.Apprise.instantiate(url)
            if plugin is None:
                return Delivery(FAILED, f"{where} is not a URL apprise can use"
                                        f"{_why(_LOG.take())} (see https://github.com/caronc/apprise/wiki)")
            service = f"apprise {plugin.service_name or type(plugin).__name__}"
            refused = self._refusal(plugin)
            if refused is not None:
                return Delivery(FAILED, f"{service}: {where}: {refused} "
                                        "(allow it with [alerts] allow_private_hosts)")
            # the library's own per-read timeouts, kept within the channel's deadline
            plugin.socket_connect_timeout = min(float(plugin.socket_connect_timeout), ch.timeout)
            plugin.socket_read_timeout = min(float(plugin.socket_read_timeout), ch.timeout)
            headers = getattr(plugin, "headers", None)       # json://, form://, xml://
            if isinstance(headers, dict):
                headers["X-Watcher-Alert-Id"] = message.alert_id
            ok = plugin.notify(body=message.text, title=message.subject)
        except Exception as exc:   # a plugin bug: keep the alert, say what kind of failure
            return Delivery(RETRY, f"apprise: {type(exc).__name__}{_why(_LOG.take())}")
        finally:
            lines = _LOG.take()
        if ok:
            return Delivery(SENT, detail=f"accepted by {service}")
        return Delivery(RETRY, f"{service}: not delivered{_why(lines)}")

    def _refusal(self, plugin: Any) -> str | None:
        """For the generic HTTP services: why their host is refused by the address policy, or None."""
        schema = str(getattr(plugin, "secure_protocol", "") if getattr(plugin, "secure", False)
                     else getattr(plugin, "protocol", "")).lower()
        if schema not in GENERIC_HTTP:
            return None
        host = str(getattr(plugin, "host", "") or "")
        if not host:
            return "no host"
        literal = self.policy.literal_refusal(host)
        if literal is not None:
            return f"address {host} refused: {literal}"
        if self.policy.allows_host(host):
            return None
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except OSError:
            return None    # not resolvable now: the send fails and is retried
        for info in infos:
            ip = str(info[4][0])
            reason = self.policy.refusal(ip, host)
            if reason is not None:
                return f"it resolves to {ip}, refused: {reason}"
        return None


def _why(lines: list[str]) -> str:
    return f": {short('; '.join(lines), 300)}" if lines else ""
