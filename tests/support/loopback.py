"""A raw-socket HTTP/1.1 server on 127.0.0.1 for fetch tests: every byte it sends is written by the test.

Each route is an ``async def handler(req, reader, writer) -> bool`` (True keeps the
connection open for another request). The server records every request (``hits``), every
TCP connection (``connections``) and the most connections open at once (``max_open``).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from aiohttp.abc import AbstractResolver, ResolveResult

from watcher.types import FetchSettings

T = TypeVar("T")


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[[Request, asyncio.StreamReader, asyncio.StreamWriter], Awaitable[bool]]


def settings(**overrides: Any) -> FetchSettings:
    """Short timeouts and a 1 MiB cap; loopback explicitly allow-listed (never by default)."""
    base: dict[str, Any] = dict(
        connect_timeout=1.0,
        first_byte_timeout=1.0,
        total_timeout=3.0,
        max_body_bytes=1024 * 1024,
        max_redirects=5,
        concurrency=16,
        per_host=4,
        allow_private_hosts=("127.0.0.1",),
    )
    base.update(overrides)
    return FetchSettings(**base)


def run(coro: Coroutine[Any, Any, T], timeout: float = 30.0) -> T:
    async def bounded() -> T:
        async with asyncio.timeout(timeout):
            return await coro

    return asyncio.run(bounded())


def head(status: int, headers: Iterable[tuple[str, str]] = (), reason: str = "X") -> bytes:
    lines = [f"HTTP/1.1 {status} {reason}"] + [f"{k}: {v}" for k, v in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def respond(status: int = 200, body: bytes = b"", headers: Iterable[tuple[str, str]] = ()) -> Handler:
    """A complete response with a correct Content-Length (none for 304), kept alive."""
    hdrs = list(headers)
    if status != 304 and not any(k.lower() == "content-length" for k, _ in hdrs):
        hdrs.append(("Content-Length", str(len(body))))

    async def handler(req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(head(status, hdrs) + (b"" if status == 304 else body))
        await writer.drain()
        return True

    return handler


def redirect(location: str, status: int = 302) -> Handler:
    return respond(status, b"", [("Location", location)])


def reset(writer: asyncio.StreamWriter) -> None:
    """Close with SO_LINGER 0: the peer gets a TCP RST."""
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


class LoopbackServer:
    def __init__(self, routes: dict[str, Handler]) -> None:
        self.routes = dict(routes)
        self.hits: list[Request] = []
        self.connections = 0
        self.open = 0
        self.max_open = 0
        self.port = 0
        self.host = "127.0.0.1"
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def paths(self) -> list[str]:
        return [h.path for h in self.hits]

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._server = await asyncio.start_server(self._serve, host, port)
        self.host = host
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self.connections += 1
        self.open += 1
        self.max_open = max(self.max_open, self.open)
        try:
            while True:
                try:
                    raw = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError):
                    return
                lines = raw.decode("latin-1").split("\r\n")
                method, path, _ = lines[0].split(" ", 2)
                hdrs = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        hdrs[k.strip().lower()] = v.strip()
                req = Request(method, path, hdrs)
                self.hits.append(req)
                handler = self.routes.get(path) or respond(404, b"not found")
                if not await handler(req, reader, writer):
                    return
        except (ConnectionError, asyncio.CancelledError):
            return
        finally:
            self.open -= 1
            self._tasks.discard(task)
            if not writer.transport.is_closing():
                writer.close()


@contextlib.asynccontextmanager
async def serve(routes: dict[str, Handler], host: str = "127.0.0.1", port: int = 0) -> AsyncIterator[LoopbackServer]:
    assert host.startswith("127."), "tests only ever listen on loopback"
    server = LoopbackServer(routes)
    await server.start(host, port)
    try:
        yield server
    finally:
        await server.stop()


class FakeResolver(AbstractResolver):
    """Answers from a table, so tests never send a DNS query."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        self.asked.append(host)
        if host not in self.table:
            raise OSError(f"{host}: no such host in the test table")
        return [
            ResolveResult(hostname=host, host=ip, port=port, family=socket.AF_INET, proto=0, flags=0)
            for ip in self.table[host]
        ]

    async def close(self) -> None:
        return None
