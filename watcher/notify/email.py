"""Email over SMTP (smtplib in a worker thread): STARTTLS or implicit TLS and login when
configured, a plain-text and an HTML part, ``Message-ID: <alert-id@watcher>``.

The SMTP client is made by an injected factory (``smtplib.SMTP`` / ``smtplib.SMTP_SSL`` by
default) so tests can point it anywhere without patching.
"""

from __future__ import annotations

import asyncio
import smtplib
import ssl
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from .base import FAILED, RETRY, SENT, Delivery, Secrets, read_secrets, redact, short
from .config import Channel
from .render import Rendered

SMTPFactory = Callable[..., Any]     # (host, port, timeout=...) -> an smtplib.SMTP-like object


def build_message(channel: Channel, msg: Rendered) -> EmailMessage:
    m = EmailMessage()
    m["Subject"] = msg.subject
    m["From"] = channel.sender
    m["To"] = ", ".join(channel.to)
    m["Date"] = formatdate(usegmt=True)
    m["Message-ID"] = f"<{msg.alert_id}@watcher>"
    m["X-Watcher-Alert-Id"] = msg.alert_id
    m.set_content(msg.text)
    if msg.html:
        m.add_alternative(msg.html, subtype="html")
    return m


class EmailSender:
    def __init__(self, env: Mapping[str, str], *, smtp_factory: SMTPFactory | None = None,
                 ssl_factory: SMTPFactory | None = None, tls_context: ssl.SSLContext | None = None) -> None:
        self.env = env
        self.smtp_factory = smtp_factory or smtplib.SMTP
        self.ssl_factory = ssl_factory or smtplib.SMTP_SSL
        self.tls_context = tls_context

    async def aclose(self) -> None:
        return None

    async def send(self, channel: Channel, message: Rendered) -> Delivery:
        secrets = read_secrets(channel, self.env)
        if isinstance(secrets, Delivery):
            return secrets
        try:
            email = build_message(channel, message)
        except (ValueError, TypeError) as exc:   # e.g. a subject the template broke
            return Delivery(FAILED, f"cannot build the email: {short(exc)}")
        result = await asyncio.to_thread(self._send, channel, email, secrets)
        if result.error:
            return Delivery(result.outcome, redact(result.error, secrets), result.retry_after, result.detail)
        return result

    def _send(self, ch: Channel, email: EmailMessage, secrets: Secrets) -> Delivery:
        where = f"SMTP {ch.host}:{ch.port}"
        try:
            if ch.ssl:
                client = self.ssl_factory(ch.host, ch.port, timeout=ch.timeout,
                                          context=self.tls_context or ssl.create_default_context())
            else:
                client = self.smtp_factory(ch.host, ch.port, timeout=ch.timeout)
            with client as smtp:
                smtp.ehlo_or_helo_if_needed()
                if ch.starttls:
                    smtp.starttls(context=self.tls_context or ssl.create_default_context())
                    smtp.ehlo()
                if secrets.username:
                    _login(smtp, secrets.username, secrets.password or "")
                refused = smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = sorted({str(code) for code, _ in exc.recipients.values()})
            why = "; ".join(f"{addr}: {code} {_text(resp)}" for addr, (code, resp) in exc.recipients.items())
            permanent = all(c.startswith("5") for c in codes)
            return Delivery(FAILED if permanent else RETRY, f"{where}: every recipient refused: {short(why)}")
        except smtplib.SMTPAuthenticationError as exc:
            return Delivery(RETRY, f"{where}: login refused: {exc.smtp_code} {_text(exc.smtp_error)}")
        except smtplib.SMTPNotSupportedError as exc:
            return Delivery(RETRY, f"{where}: {short(exc)}")
        except smtplib.SMTPResponseException as exc:
            return Delivery(RETRY, f"{where}: {exc.smtp_code} {_text(exc.smtp_error)}")
        except smtplib.SMTPServerDisconnected as exc:
            return Delivery(RETRY, f"{where}: connection closed: {short(exc) or 'no reason given'}")
        except (TimeoutError, ssl.SSLError, OSError, smtplib.SMTPException) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else short(exc) or type(exc).__name__
            return Delivery(RETRY, f"{where}: {type(exc).__name__}: {reason}")
        if refused:
            note = "; ".join(f"{addr}: {code}" for addr, (code, _) in refused.items())
            return Delivery(SENT, detail=f"accepted, but some recipients refused: {short(note)}")
        return Delivery(SENT, detail=f"accepted by {where}")


def _login(smtp: Any, user: str, password: str) -> None:
    """AUTH PLAIN when offered (one try: a refusal is not retried with other mechanisms), else smtplib's choice."""
    offered = str(smtp.esmtp_features.get("auth", "")).upper().split()
    if "PLAIN" in offered:
        smtp.user, smtp.password = user, password
        smtp.auth("PLAIN", smtp.auth_plain)
    else:
        smtp.login(user, password)


def _text(resp: bytes | str) -> str:
    return short(resp.decode("utf-8", "replace") if isinstance(resp, bytes) else resp, 200)
