"""Hostile and broken servers: timeouts, trickles, endless and oversized bodies, gzip bombs, lies, resets."""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import socket
import time
import tracemalloc
import zlib
from collections.abc import Iterator

import pytest

from tests.support.loopback import Request, head, reset, run, serve, settings
from watcher.errors import Outcome
from watcher.net import Fetcher

CAP = 1024 * 1024
Streams = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def _hang(req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
    await asyncio.sleep(30)
    return False


def test_headers_that_never_come_time_out_at_first_byte_limit() -> None:
    async def go() -> None:
        async with serve({"/hang": _hang}) as srv, Fetcher(settings()) as f:
            t0 = time.monotonic()
            r = await f.fetch(srv.url("/hang"))
            took = time.monotonic() - t0
            assert r.outcome is Outcome.TIMEOUT
            assert r.error == "no response headers within 1 s"
            assert 0.9 <= took < 1.8

    run(go())


def test_headers_trickling_hit_the_headers_deadline() -> None:
    async def drip_head(req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 100:
            writer.write(bytes([byte]))
            await writer.drain()
            await asyncio.sleep(0.2)
        return False

    async def go() -> None:
        async with serve({"/drip": drip_head}) as srv, Fetcher(settings()) as f:
            t0 = time.monotonic()
            r = await f.fetch(srv.url("/drip"))
            took = time.monotonic() - t0
            assert r.outcome is Outcome.TIMEOUT
            assert r.error == "no response headers within 1 s"  # bytes kept coming: a per-read timer never fires
            assert 0.9 <= took < 1.8

    run(go())


def test_headers_deadline_is_capped_by_the_total_deadline() -> None:
    async def go() -> None:
        async with serve({"/hang": _hang}) as srv, Fetcher(settings(first_byte_timeout=10.0, total_timeout=1.0)) as f:
            t0 = time.monotonic()
            r = await f.fetch(srv.url("/hang"))
            assert r.outcome is Outcome.TIMEOUT
            assert r.error == "no response headers before the 1 s deadline"
            assert 0.9 <= time.monotonic() - t0 < 1.8

    run(go())


def test_body_trickling_a_byte_at_a_time_hits_the_total_deadline() -> None:
    async def drip(req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(head(200, [("Content-Length", "1000")]))
        for _ in range(1000):  # each gap is under the 1 s read timeout: only the deadline can stop it
            writer.write(b"x")
            await writer.drain()
            await asyncio.sleep(0.5)
        return False

    async def go() -> None:
        async with serve({"/drip": drip}) as srv, Fetcher(settings()) as f:
            t0 = time.monotonic()
            r = await f.fetch(srv.url("/drip"))
            took = time.monotonic() - t0
            assert r.outcome is Outcome.TIMEOUT
            assert r.error is not None and r.error.startswith("body not complete within 3 s (")
            assert r.status_code == 200
            assert 2.9 <= took < 3.8

    run(go())


def test_body_stalling_hits_the_total_deadline() -> None:
    async def stall(req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(head(200, [("Content-Length", "1000")]) + b"x" * 10)
        await writer.drain()
        await asyncio.sleep(30)
        return False

    async def go() -> None:
        async with serve({"/stall": stall}) as srv, Fetcher(settings()) as f:
            t0 = time.monotonic()
            r = await f.fetch(srv.url("/stall"))
            assert r.outcome is Outcome.TIMEOUT
            assert r.error == "body not complete within 3 s (10 bytes received)"
            assert 2.9 <= time.monotonic() - t0 < 3.8

    run(go())


def _endless(chunked: bool, headers: list[tuple[str, str]] | None = None, chunk: bytes = b"y" * 65536):
    async def handler(req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        hdrs = headers if headers is not None else []
        if chunked:
            hdrs = [*hdrs, ("Transfer-Encoding", "chunked")]
        writer.write(head(200, hdrs))
        frame = (b"%x\r\n" % len(chunk)) + chunk + b"\r\n" if chunked else chunk
        with contextlib.suppress(ConnectionError):
            while True:
                writer.write(frame)
                await writer.drain()
        return False

    return handler


def test_endless_chunked_body_stops_at_the_cap() -> None:
    async def go() -> None:
        async with serve({"/endless": _endless(True)}) as srv, Fetcher(settings()) as f:
            t0 = time.monotonic()
            r = await f.fetch(srv.url("/endless"))
            assert r.outcome is Outcome.TOO_LARGE
            assert r.error == f"body over {CAP} bytes"
            assert r.body is None
            assert time.monotonic() - t0 < 1.0

    run(go())


def test_50mb_body_is_too_large() -> None:
    big = 50 * 1024 * 1024

    async def go() -> None:
        routes = {
            # honest Content-Length: refused from the header, before reading
            "/declared": _endless(False, [("Content-Length", str(big))]),
            # no length, read until close: refused after cap+1 bytes
            "/undeclared": _endless(False, [("Connection", "close")]),
        }
        async with serve(routes) as srv, Fetcher(settings()) as f:
            for path in ("/declared", "/undeclared"):
                t0 = time.monotonic()
                r = await f.fetch(srv.url(path))
                assert r.outcome is Outcome.TOO_LARGE, path
                assert r.error == f"body over {CAP} bytes"
                assert time.monotonic() - t0 < 1.0

    run(go())


@pytest.fixture(scope="module")
def gzip_bomb() -> bytes:
    """~10 MB of gzip that expands to 10 GiB of zeros: 160 identical gzip members of 64 MiB each, streamed."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(1024 * 1024)
    parts = [comp.compress(zeros) for _ in range(64)]
    member = b"".join(parts) + comp.flush()
    assert len(gzip.decompress(member[: len(member)])) == 64 * 1024 * 1024
    return member * 160


def _peak_rss_kib() -> int | None:
    with contextlib.suppress(OSError), open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return None


def _reset_peak_rss() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def test_gzip_bomb_stops_at_decompressed_cap_with_bounded_memory(gzip_bomb: bytes) -> None:
    assert 9_000_000 < len(gzip_bomb) < 12_000_000

    async def bomb(req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(head(200, [("Content-Encoding", "gzip"), ("Content-Length", str(len(gzip_bomb)))]))
        view = memoryview(gzip_bomb)
        with contextlib.suppress(ConnectionError):
            for i in range(0, len(view), 65536):
                writer.write(view[i : i + 65536])
                await writer.drain()
        return False

    async def go() -> tuple[float, object]:
        async with serve({"/bomb": bomb}) as srv, Fetcher(settings()) as f:
            t0 = time.monotonic()
            r = await f.fetch(srv.url("/bomb"))
            return time.monotonic() - t0, r

    rss_ok = _reset_peak_rss()
    rss_before = _peak_rss_kib()
    tracemalloc.start()
    try:
        took, r = run(go())
        _, traced_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_after = _peak_rss_kib()
    assert r.outcome is Outcome.TOO_LARGE  # type: ignore[attr-defined]
    assert r.error == f"body over {CAP} bytes after decompression"  # type: ignore[attr-defined]
    assert took < 2.0
    assert traced_peak < 5 * CAP, f"python allocations peaked at {traced_peak} bytes"
    if rss_ok and rss_before is not None and rss_after is not None:
        assert (rss_after - rss_before) * 1024 < 5 * CAP + 4 * 1024 * 1024, "peak RSS grew too much"


def test_content_length_longer_than_body_is_protocol_error() -> None:
    async def short(req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(head(200, [("Content-Length", "500000")]) + b"<rss>" * 2)
        await writer.drain()
        return False  # close after 10 of the 500000 promised bytes

    async def go() -> None:
        async with serve({"/short": short}) as srv, Fetcher(settings()) as f:
            r = await f.fetch(srv.url("/short"))
            assert r.outcome is Outcome.PROTOCOL_ERROR
            assert r.error == "body shorter than its Content-Length (10 bytes received)"

    run(go())


def test_content_length_shorter_than_body_caps_the_read() -> None:
    async def long(req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(head(200, [("Content-Length", "100")]))
        with contextlib.suppress(ConnectionError):
            for _ in range(160):  # 10 MB after the promised 100 bytes, far over the 1 MiB cap
                writer.write(b"z" * 65536)
                await writer.drain()
        return False

    async def go() -> None:
        async with serve({"/long": long}) as srv, Fetcher(settings()) as f:
            t0 = time.monotonic()
            r = await f.fetch(srv.url("/long"))
            # The body ends where Content-Length says; the excess is never taken as body. Whether
            # aiohttp sees the excess (as a garbage next response) before we return is a race.
            if r.outcome is Outcome.OK:
                assert r.body == b"z" * 100
            else:
                assert r.outcome is Outcome.PROTOCOL_ERROR, r
                assert r.error is not None and r.error.startswith("malformed response from 127.0.0.1:")
                assert len(r.error) < 200
            assert time.monotonic() - t0 < 1.0

    run(go())


def test_reset_before_headers_is_connect_error() -> None:
    async def rst(req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        reset(writer)
        return False

    async def go() -> None:
        async with serve({"/rst": rst}) as srv, Fetcher(settings()) as f:
            r = await f.fetch(srv.url("/rst"))
            assert r.outcome is Outcome.CONNECT_ERROR
            assert r.error is not None and "before response headers" in r.error
            assert r.status_code is None

    run(go())


def test_reset_mid_body_is_protocol_error() -> None:
    async def rst(req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(head(200, [("Content-Length", "100000")]) + b"a" * 1000)
        await writer.drain()
        await asyncio.sleep(0.05)
        reset(writer)
        return False

    async def go() -> None:
        async with serve({"/rst": rst}) as srv, Fetcher(settings()) as f:
            r = await f.fetch(srv.url("/rst"))
            assert r.outcome is Outcome.PROTOCOL_ERROR
            assert r.error is not None and "1000 bytes" in r.error
            assert r.status_code == 200

    run(go())


def test_bad_gzip_mid_body_is_protocol_error() -> None:
    good = gzip.compress(b"<rss>" + b"x" * 5000)
    broken = good[:20] + bytes(range(256)) * 4  # a valid header and start, then garbage

    async def bad(req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        writer.write(head(200, [("Content-Encoding", "gzip"), ("Content-Length", str(len(broken)))]) + broken)
        await writer.drain()
        return True

    async def go() -> None:
        async with serve({"/bad": bad}) as srv, Fetcher(settings()) as f:
            r = await f.fetch(srv.url("/bad"))
            assert r.outcome is Outcome.PROTOCOL_ERROR
            assert r.error is not None and "bad compressed body" in r.error

    run(go())


@contextlib.contextmanager
def _full_backlog() -> Iterator[int]:
    """A listening socket whose accept queue is full, so a further SYN gets no answer."""
    lsock = socket.socket()
    lsock.bind(("127.0.0.1", 0))
    lsock.listen(0)
    port = lsock.getsockname()[1]
    fillers = []
    try:
        for _ in range(4):
            s = socket.socket()
            s.setblocking(False)
            with contextlib.suppress(BlockingIOError):
                s.connect(("127.0.0.1", port))
            fillers.append(s)
        time.sleep(0.05)
        yield port
    finally:
        for s in fillers:
            s.close()
        lsock.close()


def test_connect_timeout() -> None:
    with _full_backlog() as port:

        async def go() -> None:
            async with Fetcher(settings()) as f:
                t0 = time.monotonic()
                r = await f.fetch(f"http://127.0.0.1:{port}/feed")
                took = time.monotonic() - t0
                assert r.outcome is Outcome.TIMEOUT
                assert r.error == f"no connection to 127.0.0.1:{port} within 1 s"
                assert 0.9 <= took < 1.8

        run(go())
