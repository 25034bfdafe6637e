"""Transport benchmark: whole passes of 1,000 feed GETs against a loopback server.

Compares (a) plain aiohttp, 32 at a time, no parsing (the wire reference); (b) watcher's
Fetcher; (c) httpx.AsyncClient, 32 at a time; (d) one reused httpx.Client, sequential.
Each is timed cold (no validators: 1,000 x 200 with a 30-item RSS body) and all-304
(every request carries If-None-Match), median of 3 passes, each pass with a fresh client.

The server is a minimal keep-alive HTTP/1.1 server on raw asyncio, in its own process, so
that the clients, not the server, are what is measured.

Run: .venv/bin/python benchmarks/transport.py [--feeds 1000] [--repeat 3] [--skip-httpx-async]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import aiohttp
import httpx

from watcher.net import Fetcher
from watcher.types import FetchSettings, Validators

CONCURRENCY = 32


# ----------------------------------------------------------------------------- server
def rss(i: int, items: int = 30) -> bytes:
    parts = [
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>',
        f"<title>Feed {i}</title><link>http://example.org/{i}</link><description>bench</description>",
    ]
    for j in range(items):
        parts.append(
            f"<item><title>Trilateral item {i}-{j}: US, Japan and South Korea</title>"
            f"<link>http://example.org/{i}/{j}</link><guid>urn:bench:{i}:{j}</guid>"
            f"<pubDate>Mon, 01 Jan 2024 00:{j:02d}:00 GMT</pubDate>"
            f"<description>Officials from Washington, Tokyo and Seoul met to discuss item {j}.</description></item>"
        )
    parts.append("</channel></rss>")
    return "".join(parts).encode()


def etag(i: int) -> str:
    return f'"feed-{i}-v1"'


class _FeedProtocol(asyncio.Protocol):
    def __init__(self, ok: list[bytes], not_modified: list[bytes], tags: list[bytes]) -> None:
        self.ok, self.not_modified, self.tags = ok, not_modified, tags
        self.buf = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buf += data
        out = []
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                break
            head, self.buf = self.buf[:end], self.buf[end + 4 :]
            line_end = head.find(b"\r\n")
            request_line = head[: line_end if line_end >= 0 else len(head)]
            path = request_line.split(b" ")[1]
            try:
                i = int(path.rsplit(b"/", 1)[1])
                ok = self.ok[i]
            except (ValueError, IndexError):
                out.append(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
                continue
            low = head.lower()
            pos = low.find(b"\r\nif-none-match:")
            if pos >= 0:
                value = head[pos + 16 : head.find(b"\r\n", pos + 2) if head.find(b"\r\n", pos + 2) > 0 else None].strip()
                if value == self.tags[i]:
                    out.append(self.not_modified[i])
                    continue
            out.append(ok)
        if out and self.transport is not None:
            self.transport.write(b"".join(out))


def _serve(n: int, port_queue: mp.Queue) -> None:  # type: ignore[type-arg]
    ok, nm, tags = [], [], []
    for i in range(n):
        body = rss(i)
        tag = etag(i).encode()
        ok.append(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nETag: " + tag
            + b"\r\nLast-Modified: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\n\r\n" + body
        )
        nm.append(b"HTTP/1.1 304 Not Modified\r\nETag: " + tag + b"\r\n\r\n")
        tags.append(tag)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        server = await loop.create_server(lambda: _FeedProtocol(ok, nm, tags), "127.0.0.1", 0, backlog=1024)
        port_queue.put(server.sockets[0].getsockname()[1])
        await asyncio.Event().wait()

    asyncio.run(main())


# ----------------------------------------------------------------------------- clients
Pass = Callable[[list[str], bool], Awaitable[int]]


async def plain_aiohttp(urls: list[str], conditional: bool) -> int:
    sem = asyncio.Semaphore(CONCURRENCY)
    done = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY)) as session:

        async def one(i: int, url: str) -> None:
            nonlocal done
            headers = {"If-None-Match": etag(i)} if conditional else None
            async with sem, session.get(url, headers=headers) as resp:
                await resp.read()
                done += resp.status in (200, 304)

        await asyncio.gather(*(one(i, u) for i, u in enumerate(urls)))
    return done


async def watcher_fetcher(urls: list[str], conditional: bool) -> int:
    settings = FetchSettings(concurrency=CONCURRENCY, per_host=CONCURRENCY, allow_private_hosts=("127.0.0.1",))
    async with Fetcher(settings) as fetcher:
        if conditional:
            results = await asyncio.gather(*(fetcher.fetch(u, Validators(etag=etag(i))) for i, u in enumerate(urls)))
        else:
            results = await asyncio.gather(*(fetcher.fetch(u) for u in urls))
    return sum(1 for r in results if r.outcome.value in ("ok", "not_modified"))


async def httpx_async(urls: list[str], conditional: bool) -> int:
    sem = asyncio.Semaphore(CONCURRENCY)
    limits = httpx.Limits(max_connections=CONCURRENCY, max_keepalive_connections=CONCURRENCY)
    done = 0
    async with httpx.AsyncClient(limits=limits, trust_env=False) as client:

        async def one(i: int, url: str) -> None:
            nonlocal done
            headers = {"If-None-Match": etag(i)} if conditional else None
            async with sem:
                resp = await client.get(url, headers=headers)
                done += resp.status_code in (200, 304)

        await asyncio.gather(*(one(i, u) for i, u in enumerate(urls)))
    return done


async def httpx_sequential(urls: list[str], conditional: bool) -> int:
    done = 0
    with httpx.Client(trust_env=False) as client:
        for i, url in enumerate(urls):
            resp = client.get(url, headers={"If-None-Match": etag(i)} if conditional else None)
            done += resp.status_code in (200, 304)
    return done


# ----------------------------------------------------------------------------- harness
def time_pass(client: Pass, urls: list[str], conditional: bool) -> tuple[float, float]:
    """(wall-clock seconds, client-process CPU seconds) for one pass."""

    async def go() -> tuple[float, float]:
        t0, c0 = time.perf_counter(), time.process_time()
        done = await client(urls, conditional)
        took, cpu = time.perf_counter() - t0, time.process_time() - c0
        if done != len(urls):
            raise SystemExit(f"{client.__name__}: only {done}/{len(urls)} requests succeeded")
        return took, cpu

    return asyncio.run(go())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--feeds", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-httpx-async", action="store_true", help="skip (c), the slowest")
    args = parser.parse_args()

    ctx = mp.get_context("fork")
    port_queue: mp.Queue = ctx.Queue()  # type: ignore[type-arg]
    server = ctx.Process(target=_serve, args=(args.feeds, port_queue), daemon=True)
    server.start()
    try:
        port = port_queue.get(timeout=30)
        urls = [f"http://127.0.0.1:{port}/feed/{i}" for i in range(args.feeds)]
        clients: list[tuple[str, Pass]] = [
            ("(a) aiohttp plain, 32 at a time", plain_aiohttp),
            ("(b) watcher Fetcher (32, per_host=32)", watcher_fetcher),
        ]
        if not args.skip_httpx_async:
            clients.append(("(c) httpx.AsyncClient, 32 at a time", httpx_async))
        clients.append(("(d) httpx.Client, sequential", httpx_sequential))

        time_pass(plain_aiohttp, urls[:50], False)  # warm imports and the server
        # Interleaved (a, b, c, d, a, b, ...) so that load from elsewhere on the machine hits every client alike.
        runs: dict[tuple[str, bool], list[tuple[float, float]]] = {}
        for _ in range(args.repeat):
            for name, client in clients:
                for conditional in (False, True):
                    runs.setdefault((name, conditional), []).append(time_pass(client, urls, conditional))

        def med(name: str, conditional: bool, index: int) -> float:
            return statistics.median(r[index] for r in runs[(name, conditional)])

        ref = clients[0][0]
        print(f"\n{args.feeds} GETs per pass, median of {args.repeat}; ratio = value / (a); CPU = client process only\n")
        print(f"{'client':40} {'cold s':>7} {'ratio':>6} {'304 s':>7} {'ratio':>6}   {'cold CPU':>8} {'ratio':>6} {'304 CPU':>8} {'ratio':>6}")
        for name, _ in clients:
            cells = []
            for index in (0, 1):
                for conditional in (False, True):
                    value = med(name, conditional, index)
                    cells.append(f"{value:{7 if index == 0 else 8}.3f} {value / med(ref, conditional, index):6.2f}")
            print(f"{name:40} {cells[0]} {cells[1]}   {cells[2]} {cells[3]}")
    finally:
        server.terminate()
        server.join(5)


if __name__ == "__main__":
    main()
