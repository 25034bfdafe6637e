"""JSON over HTTP POST: the generic webhook (and, through :mod:`.slack`, Slack).

Every POST carries the alert id as ``X-Watcher-Alert-Id`` (and ``Idempotency-Key``). The
connection goes through the same address gate as the feeds (:class:`~watcher.net.fetch.GuardedConnector`:
the policy on IP literals, on every resolved address and on the connected peer), so a
webhook URL on a private or loopback address is refused unless allow-listed. Redirects
are not followed. Outcomes: 2xx sent; 429, 408 and 5xx retried (``Retry-After`` honoured,
seconds or HTTP date); any other status failed at once.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping

import aiohttp

from ..config.alerts import Channel
from ..net.connector import GuardedConnector
from ..net.outcomes import AddressRefused
from ..net.policy import AddressPolicy, check_url
from ..net.retry_after import parse_retry_after
from .base import FAILED, RETRY, SENT, Delivery, read_secrets, redact, short
from .render import Rendered

USER_AGENT = "watcher/0.1 (+trilateral commitment monitor; alerts)"
RETRYABLE = frozenset({408, 425, 429})


def classify_status(status: int, retry_after: str | None, snippet: str, now: dt.datetime) -> Delivery:
    """The outcome of an HTTP answer."""
    detail = f"HTTP {status}"
    if 200 <= status < 300:
        return Delivery(SENT, detail=detail)
    why = f"HTTP {status}" + (f": {short(snippet, 200)}" if snippet.strip() else "")
    if status in RETRYABLE or status >= 500:
        return Delivery(RETRY, why, parse_retry_after(retry_after, now), detail)
    if 300 <= status < 400:
        return Delivery(FAILED, f"HTTP {status}: redirects are not followed for alerts", detail=detail)
    return Delivery(FAILED, why, detail=detail)


class HttpSender:
    """POSTs JSON with one pooled aiohttp session, created on first use in the running loop."""

    def __init__(self, policy: AddressPolicy, env: Mapping[str, str], *,
                 clock: Callable[[], dt.datetime] | None = None, user_agent: str = USER_AGENT) -> None:
        self.policy = policy
        self.env = env
        self.clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.user_agent = user_agent
        self._session: aiohttp.ClientSession | None = None

    async def _get_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = GuardedConnector(policy=self.policy, limit=32)
            self._session = aiohttp.ClientSession(connector=connector, auto_decompress=True)
        return self._session

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def where(self, channel: Channel) -> str:
        return f"URL from {channel.url_env}" if channel.url_env else "url"

    async def send(self, channel: Channel, message: Rendered) -> Delivery:
        secrets = read_secrets(channel, self.env)
        if isinstance(secrets, Delivery):
            return secrets
        url = secrets.url or ""
        reason = check_url(url)
        if reason is not None:
            return Delivery(FAILED, redact(f"{self.where(channel)}: {reason}", secrets))
        body = json.dumps(message.body, ensure_ascii=False).encode("utf-8")
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": self.user_agent,
                   "X-Watcher-Alert-Id": message.alert_id, "Idempotency-Key": message.alert_id}
        try:
            session = await self._get_session()
            async with session.post(url, data=body, headers=headers, allow_redirects=False,
                                    timeout=aiohttp.ClientTimeout(total=channel.timeout)) as resp:
                snippet = (await resp.content.read(300)).decode("utf-8", "replace")
                result = classify_status(resp.status, resp.headers.get("Retry-After"), snippet, self.clock())
        except AddressRefused as exc:
            how = "it resolves to" if exc.ip != exc.host and not exc.connected else "address"
            result = Delivery(FAILED, f"{self.where(channel)}: {how} {exc.ip} refused: {exc.reason} "
                                      "(allow it with [alerts] allow_private_hosts)")
        except TimeoutError:
            result = Delivery(RETRY, f"no answer within {channel.timeout:g} s")
        except aiohttp.ClientConnectorError as exc:
            os_err = exc.os_error
            result = Delivery(RETRY, f"cannot connect: {getattr(os_err, 'strerror', None) or type(os_err).__name__}")
        except aiohttp.InvalidURL:
            result = Delivery(FAILED, f"{self.where(channel)}: invalid URL")
        except (aiohttp.ClientError, OSError) as exc:
            result = Delivery(RETRY, f"connection failed: {type(exc).__name__}")
        if result.error:
            return Delivery(result.outcome, redact(result.error, secrets), result.retry_after, result.detail)
        return result
