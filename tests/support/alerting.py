"""Real parts for the alert tests: a loopback HTTP receiver (Slack/webhook), an aiosmtpd
server, a migrated store with the registry loaded, and changes written with their outbox rows
in one transaction (as the intake does)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from pathlib import Path
from typing import Any

from aiohttp import web
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from watcher.commitments.registry import load_registry
from watcher.config.alerts import AlertsConfig, parse_alerts
from watcher.store import DB_DIR, Store
from watcher.store import alerts as outbox
from watcher.store import commitments as store_commitments
from watcher.types import FetchSettings

TLS_DIR = Path(__file__).resolve().parents[1] / "data" / "tls"   # a self-signed certificate for 127.0.0.1

T0 = dt.datetime(2025, 3, 1, 9, 0, tzinfo=dt.UTC)


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float                          # time.monotonic() on arrival
    wall: float = 0.0                  # time.time() on arrival

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def alert_id(self) -> str:
        return self.headers.get("X-Watcher-Alert-Id", "")


@dataclass
class Receiver:
    """A loopback aiohttp server in its own thread. ``script[path]`` is a list of
    (status, headers, body) answered in turn; when it runs out, 200 "ok"."""

    hits: list[Hit] = field(default_factory=list)
    script: dict[str, list[tuple[int, dict[str, str], str]]] = field(default_factory=dict)
    delay: float = 0.0
    port: int = 0

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def __enter__(self) -> Receiver:
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()

        async def handle(request: web.Request) -> web.Response:
            body = await request.read()
            self.hits.append(Hit(request.path, dict(request.headers), body, time.monotonic(), time.time()))
            if self.delay:
                await asyncio.sleep(self.delay)
            queue = self.script.get(request.path)
            if queue:
                status, headers, text = queue.pop(0)
                return web.Response(status=status, headers=headers, text=text)
            return web.Response(text="ok")

        async def start() -> None:
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", handle)
            self._runner = web.AppRunner(app, access_log=None)
            await self._runner.setup()
            site = web.TCPSite(self._runner, "127.0.0.1", self.port)
            await site.start()
            self.port = self._runner.addresses[0][1]
            ready.set()

        def main() -> None:
            asyncio.set_event_loop(self._loop)
            self._loop.run_until_complete(start())
            self._loop.run_forever()

        self._thread = threading.Thread(target=main, daemon=True)
        self._thread.start()
        assert ready.wait(10)
        return self

    def __exit__(self, *exc: object) -> None:
        fut = asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop)
        fut.result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)

    def ids(self, path: str | None = None) -> list[str]:
        return [h.alert_id for h in self.hits if path is None or h.path == path]


class Mailbox:
    """aiosmtpd handler recording every message."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[Any] = []
        self.encrypted: list[bool] = []   # per message: was its SMTP session under TLS

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        transport = getattr(server, "transport", None)
        self.encrypted.append(transport is not None and transport.get_extra_info("ssl_object") is not None)
        self.envelopes.append(envelope)
        self.messages.append(message_from_bytes(envelope.original_content or envelope.content))
        return "250 Message accepted for delivery"

    def ids(self) -> list[str]:
        return [str(m["X-Watcher-Alert-Id"]) for m in self.messages]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def smtp_controller(box: Mailbox, port: int, *, auth: tuple[str, str] | None = None,
                    tls: str | None = None) -> Controller:
    """aiosmtpd on loopback. ``tls="starttls"``: the loopback certificate (tests/data/tls), STARTTLS required
    before anything and login refused before it; ``tls="ssl"``: TLS from the first byte (aiosmtpd 1.4 counts
    only STARTTLS as TLS for its login rule, so that rule is off: the whole connection is encrypted anyway).
    Without ``tls`` a login is accepted in the clear."""
    kw: dict[str, Any] = {}
    if auth is not None:
        def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
            ok = isinstance(data, LoginPassword) and (data.login.decode(), data.password.decode()) == auth
            return AuthResult(success=ok, handled=False)

        kw = {"authenticator": authenticator, "auth_require_tls": tls == "starttls", "auth_required": True}
    if tls is not None:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(TLS_DIR / "loopback.crt", TLS_DIR / "loopback.key")
        kw |= {"tls_context": ctx, "require_starttls": True} if tls == "starttls" else {"ssl_context": ctx}
    return Controller(box, hostname="127.0.0.1", port=port, **kw)


class Clock:
    """A settable clock for the notifier (real time by default, offset by ``advance``)."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now if self.now is not None else dt.datetime.now(dt.UTC)

    def advance(self, seconds: float) -> None:
        self.now = self() + dt.timedelta(seconds=seconds)


def make_store(url: str) -> Store:
    store = Store(url)
    store.migrate()
    with store.write() as conn:
        store_commitments.load_registry(conn, load_registry(str(DB_DIR / "commitments.toml")))
    return store


def config(raw: dict[str, Any], allow: Iterable[str] = ("127.0.0.1",)) -> AlertsConfig:
    cfg, problems = parse_alerts(raw, FetchSettings(allow_private_hosts=tuple(allow)))
    assert problems == [], problems
    return cfg


def add_changes(store: Store, cfg: AlertsConfig, n: int = 1, *, kind: str = "advanced",
                commitment: str = "freedom_edge", now: dt.datetime | None = None,
                evidence: Callable[[int], str] | None = None) -> list[int]:
    """Insert ``n`` changes and their outbox rows in one transaction; return the change ids."""
    now = now or dt.datetime.now(dt.UTC)
    ids = []
    with store.write() as conn:
        for i in range(n):
            ids.append(store_commitments.insert_change(conn, {
                "commitment_id": commitment, "kind": kind, "from_status": "agreed", "to_status": "in_progress",
                "evidence": evidence(i) if evidence else f"The three countries held Freedom Edge drill number {i}.",
                "article_id": None, "doc": f"https://news.example/{i}", "article_url": f"https://news.example/{i}",
                "published_at": now, "detected_at": now, "confirmed": True,
                "outlets": ["Yonhap", "Kyodo"], "deadline": None}))
        outbox.enqueue(conn, cfg, ids)
    return ids


def states(store: Store) -> dict[str, int]:
    with store.read() as conn:
        out: dict[str, int] = {}
        for by in outbox.counts(conn).values():
            for k, v in by.items():
                out[k] = out.get(k, 0) + v
        return out


def rows(store: Store) -> list[dict[str, Any]]:
    with store.read() as conn:
        return outbox.listing(conn)


SMTP_TRICKLE = b"220 " + b"trickle " * 1000 + b"\r\n"
HTTP_TRICKLE = b"HTTP/1.1 200 OK\r\nX-Trickle: " + b"t" * 8000 + b"\r\n\r\n"


class Trickle:
    """A loopback server that answers one byte every ``every`` seconds and never finishes its first
    line (an SMTP greeting by default, HTTP headers with ``HTTP_TRICKLE``): each read a client makes
    gets a byte before any per-read timeout, so only a wall-clock deadline ends the exchange.
    ``connections`` counts the clients that came."""

    def __init__(self, every: float = 2.0, payload: bytes = SMTP_TRICKLE) -> None:
        self.every = every
        self.payload = payload
        self.connections = 0
        self._stop = threading.Event()
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(8)
        self._sock.settimeout(0.2)
        self.port = int(self._sock.getsockname()[1])

    def __enter__(self) -> Trickle:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._sock.close()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections += 1
            threading.Thread(target=self._trickle, args=(conn,), daemon=True).start()

    def _trickle(self, conn: socket.socket) -> None:
        with conn:
            for i in range(len(self.payload)):
                try:
                    conn.sendall(self.payload[i:i + 1])
                except OSError:
                    return
                if self._stop.wait(self.every):
                    return
