"""Email over SMTP (smtplib in a thread of its own): STARTTLS or implicit TLS and login when
configured, a plain-text and an HTML part, ``Message-ID: <alert-id@watcher>``.

The channel's ``timeout`` is a wall-clock deadline for the whole conversation, not only for
each read (a server that answers one byte every 2 s never trips a per-read timeout): when it
passes, or when the delivery is cancelled (the daemon stopping), a :class:`Cutoff` shuts the
connection's socket down from outside and the blocked read returns at once. The thread is a
daemon thread, so nothing it does can hold the process open either.

A ``250`` to the message's DATA means the server took it: the alert is sent, whatever happens
afterwards (a ``421`` to QUIT, a dropped connection). Retrying it would deliver it again.

The SMTP client is made by an injected factory (:class:`GuardedSMTP` / :class:`GuardedSMTP_SSL`
by default: smtplib's clients with the socket handed to the cutoff) so tests can point it
anywhere without patching.
"""

from __future__ import annotations

import asyncio
import contextlib
import smtplib
import socket
import ssl
import threading
from collections.abc import Callable, Mapping
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from ..config.alerts import Channel
from .base import FAILED, RETRY, SENT, Delivery, Secrets, in_daemon_thread, read_secrets, redact, short
from .render import Rendered

SMTPFactory = Callable[..., Any]     # (host, port, timeout=..., cutoff=...) -> an smtplib.SMTP-like object
CUT_GRACE = 2.0                      # seconds a cut conversation gets to notice and return


class Cutoff:
    """Ends one SMTP conversation from another thread: ``cut()`` shuts its TCP connection down, so
    the read in progress (greeting, TLS handshake, any reply) returns at once with an error.

    The client hands over its socket as soon as it is connected (:meth:`watch`); a cut that comes
    before that takes effect the moment it is handed over. The cutoff keeps its own duplicate of
    the descriptor: shutting the connection down through it works before and after TLS wraps the
    socket, and never closes a descriptor the client still uses.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._dup: socket.socket | None = None
        self.is_cut = False

    def watch(self, sock: socket.socket) -> socket.socket:
        with self._lock:
            self._dup = socket.socket.dup(sock)
            if self.is_cut:
                self._shutdown()
        return sock

    def cut(self) -> None:
        with self._lock:
            self.is_cut = True
            self._shutdown()

    def release(self) -> None:
        with self._lock:
            if self._dup is not None:
                self._dup.close()
                self._dup = None

    def _shutdown(self) -> None:
        if self._dup is not None:
            try:
                self._dup.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class GuardedSMTP(smtplib.SMTP):
    """``smtplib.SMTP`` whose TCP connection is handed to a :class:`Cutoff` as soon as it is made."""

    def __init__(self, host: str, port: int, *, timeout: float, cutoff: Cutoff, **kw: Any) -> None:
        self._cutoff = cutoff
        super().__init__(host, port, timeout=timeout, **kw)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return self._cutoff.watch(super()._get_socket(host, port, timeout))  # type: ignore[misc]


class GuardedSMTP_SSL(smtplib.SMTP_SSL, GuardedSMTP):
    """``smtplib.SMTP_SSL`` the same way: the raw connection is watched before the TLS handshake
    (``SMTP_SSL._get_socket`` reaches :meth:`GuardedSMTP._get_socket` through the MRO)."""

    def __init__(self, host: str, port: int, *, timeout: float, cutoff: Cutoff, **kw: Any) -> None:
        self._cutoff = cutoff
        smtplib.SMTP_SSL.__init__(self, host, port, timeout=timeout, **kw)


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
        self.smtp_factory = smtp_factory or GuardedSMTP
        self.ssl_factory = ssl_factory or GuardedSMTP_SSL
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
        result = await self._within_deadline(channel, email, secrets)
        if result.error:
            return Delivery(result.outcome, redact(result.error, secrets), result.retry_after, result.detail)
        return result

    async def _within_deadline(self, ch: Channel, email: EmailMessage, secrets: Secrets) -> Delivery:
        """The conversation in a daemon thread, cut at ``ch.timeout`` or when this task is cancelled."""
        cutoff = Cutoff()
        work = asyncio.ensure_future(in_daemon_thread(self._send, ch, email, secrets, cutoff))
        try:
            done, _ = await asyncio.wait({work}, timeout=ch.timeout)
            if not done:
                cutoff.cut()
                done, _ = await asyncio.wait({work}, timeout=CUT_GRACE)
        except asyncio.CancelledError:
            cutoff.cut()
            work.cancel()
            raise
        if not done:
            work.cancel()          # the cut thread ends on its own; nobody waits for it
        if done and work.result().ok:       # e.g. the message was taken just before the cut
            return work.result()
        if cutoff.is_cut:
            return Delivery(RETRY, f"SMTP {ch.host}:{ch.port}: no complete answer within {ch.timeout:g} s")
        return work.result()

    def _send(self, ch: Channel, email: EmailMessage, secrets: Secrets, cutoff: Cutoff) -> Delivery:
        try:
            return self._converse(ch, email, secrets, cutoff)
        finally:
            cutoff.release()

    def _converse(self, ch: Channel, email: EmailMessage, secrets: Secrets, cutoff: Cutoff) -> Delivery:
        where = f"SMTP {ch.host}:{ch.port}"
        try:
            if ch.ssl:
                client = self.ssl_factory(ch.host, ch.port, timeout=ch.timeout, cutoff=cutoff,
                                          context=self.tls_context or ssl.create_default_context())
            else:
                client = self.smtp_factory(ch.host, ch.port, timeout=ch.timeout, cutoff=cutoff)
            with contextlib.closing(client) as smtp:     # closes without QUIT: that is ours, below
                smtp.ehlo_or_helo_if_needed()
                if ch.starttls:
                    smtp.starttls(context=self.tls_context or ssl.create_default_context())
                    smtp.ehlo()
                if secrets.username:
                    _login(smtp, secrets.username, secrets.password or "")
                refused = smtp.send_message(email)     # returns only once DATA got its 250
                _quit(smtp)
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


def _quit(smtp: Any) -> None:
    """Say goodbye. The message is delivered by now: whatever QUIT gets (a 421, a dropped or
    cut connection) changes nothing, and must not turn a delivery into a retry that sends it again."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        pass


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
