"""Fetcher against a real loopback server: conditional GET, status codes, rate limits, per-host limits."""

from __future__ import annotations

import asyncio
import email.utils
import gzip
import time

import pytest

from tests.support.loopback import Request, respond, run, serve, settings
from watcher.errors import FetchError, Outcome
from watcher.net import ACCEPT_ENCODING, Fetcher
from watcher.types import FetchSettings, Validators

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
LAST_MOD = "Wed, 01 Jan 2025 00:00:00 GMT"


def test_etag_then_304_keeps_validators() -> None:
    async def conditional(req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        if req.headers.get("if-none-match") == '"v1"':
            return await respond(304)(req, reader, writer)
        return await respond(200, RSS, [("ETag", '"v1"'), ("Last-Modified", LAST_MOD)])(req, reader, writer)

    async def go() -> None:
        async with serve({"/feed": conditional}) as srv, Fetcher(settings()) as f:
            first = await f.fetch(srv.url("/feed"))
            assert first.outcome is Outcome.OK and first.status_code == 200
            assert first.body == RSS
            assert first.validators == Validators('"v1"', LAST_MOD)
            assert first.final_url == srv.url("/feed") and first.error is None
            second = await f.fetch(srv.url("/feed"), first.validators)
            assert second.outcome is Outcome.NOT_MODIFIED and second.status_code == 304
            assert second.body is None
            assert second.validators == first.validators  # kept: the 304 carried none
            first_hit, second_hit = srv.hits
            assert "if-none-match" not in first_hit.headers
            assert second_hit.headers["if-none-match"] == '"v1"'
            assert second_hit.headers["if-modified-since"] == LAST_MOD
            assert first_hit.headers["user-agent"] == settings().user_agent
            assert first_hit.headers["accept-encoding"] == ACCEPT_ENCODING
            assert "rss+xml" in first_hit.headers["accept"]

    run(go())


def test_304_with_new_etag_updates_validators() -> None:
    async def go() -> None:
        routes = {"/feed": respond(304, headers=[("ETag", '"v2"')])}
        async with serve(routes) as srv, Fetcher(settings()) as f:
            r = await f.fetch(srv.url("/feed"), Validators('"v1"', LAST_MOD))
            assert r.outcome is Outcome.NOT_MODIFIED
            assert r.validators == Validators('"v2"', LAST_MOD)

    run(go())


def test_gzip_body_is_decompressed() -> None:
    async def go() -> None:
        routes = {"/gz": respond(200, gzip.compress(RSS * 50), [("Content-Encoding", "gzip")])}
        async with serve(routes) as srv, Fetcher(settings()) as f:
            r = await f.fetch(srv.url("/gz"))
            assert r.outcome is Outcome.OK and r.body == RSS * 50

    run(go())


@pytest.mark.parametrize(
    ("status", "headers", "outcome", "reason"),
    [
        (500, [], Outcome.HTTP_ERROR, "HTTP 500"),
        (404, [], Outcome.HTTP_ERROR, "HTTP 404"),
        (503, [], Outcome.HTTP_ERROR, "HTTP 503"),
        (410, [], Outcome.GONE, "HTTP 410"),
        (429, [("Retry-After", "120")], Outcome.RATE_LIMITED, "retry after 120 s"),
        (503, [("Retry-After", "30")], Outcome.RATE_LIMITED, "retry after 30 s"),
        (429, [], Outcome.RATE_LIMITED, "HTTP 429"),
    ],
)
def test_error_statuses(status: int, headers: list[tuple[str, str]], outcome: Outcome, reason: str) -> None:
    async def go() -> None:
        async with serve({"/x": respond(status, b"oops", headers)}) as srv, Fetcher(settings()) as f:
            r = await f.fetch(srv.url("/x"))
            assert r.outcome is outcome
            assert r.status_code == status
            assert r.error is not None and reason in r.error
            assert r.body is None
            if headers:
                assert r.retry_after == float(headers[0][1])
            else:
                assert r.retry_after is None

    run(go())


def test_429_with_http_date() -> None:
    async def go() -> None:
        when = email.utils.formatdate(time.time() + 120, usegmt=True)
        async with serve({"/x": respond(429, b"", [("Retry-After", when)])}) as srv, Fetcher(settings()) as f:
            r = await f.fetch(srv.url("/x"))
            assert r.outcome is Outcome.RATE_LIMITED
            assert r.retry_after is not None and 115 <= r.retry_after <= 121

    run(go())


def test_empty_200_is_empty_body() -> None:
    async def go() -> None:
        async with serve({"/e": respond(200, b"")}) as srv, Fetcher(settings()) as f:
            r = await f.fetch(srv.url("/e"))
            assert r.outcome is Outcome.EMPTY_BODY and r.status_code == 200
            assert r.error == "HTTP 200 with an empty body"

    run(go())


def test_closed_port_is_connect_error() -> None:
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()

    async def go() -> None:
        async with Fetcher(settings()) as f:
            r = await f.fetch(f"http://127.0.0.1:{port}/feed")
            assert r.outcome is Outcome.CONNECT_ERROR
            assert r.error is not None and "Connection refused" in r.error and str(port) in r.error

    run(go())


def test_per_host_concurrency_is_capped() -> None:
    async def slow(req: Request, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> bool:
        await asyncio.sleep(0.1)
        return await respond(200, RSS)(req, reader, writer)

    async def go() -> None:
        routes = {f"/f{i}": slow for i in range(20)}
        async with serve(routes) as srv, Fetcher(settings(per_host=3, concurrency=32)) as f:
            results = await asyncio.gather(*(f.fetch(srv.url(f"/f{i}")) for i in range(20)))
            assert [r.outcome for r in results] == [Outcome.OK] * 20
            assert len(srv.hits) == 20
            assert srv.max_open == 3  # saturated, never above the cap

    run(go())


def test_fetch_outside_context_is_a_bug() -> None:
    async def go() -> None:
        with pytest.raises(FetchError):
            await Fetcher(FetchSettings()).fetch("http://127.0.0.1:1/")

    run(go())
