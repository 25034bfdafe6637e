"""Redirects followed by hand, and the address policy at every hop (SSRF), against loopback servers only."""

from __future__ import annotations

import asyncio
import time

import pytest

from tests.support.loopback import FakeResolver, redirect, respond, run, serve, settings
from watcher.errors import Outcome
from watcher.net import AddressPolicy, Fetcher

RSS = b"<rss version='2.0'><channel/></rss>"


def _chain(n: int, status: int = 302) -> dict:
    routes = {f"/c{i}": redirect(f"/c{i - 1}", status) for i in range(1, n + 1)}
    routes["/c0"] = respond(200, RSS)
    return routes


def test_chain_at_the_cap_is_followed() -> None:
    async def go() -> None:
        async with serve(_chain(5)) as srv, Fetcher(settings()) as f:
            r = await f.fetch(srv.url("/c5"))
            assert r.outcome is Outcome.OK and r.body == RSS
            assert r.url == srv.url("/c5") and r.final_url == srv.url("/c0")
            assert r.permanent_redirect is False
            assert srv.paths() == ["/c5", "/c4", "/c3", "/c2", "/c1", "/c0"]

    run(go())


def test_chain_over_the_cap_is_refused() -> None:
    async def go() -> None:
        async with serve(_chain(6)) as srv, Fetcher(settings()) as f:
            r = await f.fetch(srv.url("/c6"))
            assert r.outcome is Outcome.TOO_MANY_REDIRECTS
            assert r.error == "more than 5 redirects"
            assert r.url == srv.url("/c6")
            assert "/c0" not in srv.paths() and len(srv.hits) == 6

    run(go())


def test_redirect_loop_is_detected() -> None:
    async def go() -> None:
        routes = {"/a": redirect("/b"), "/b": redirect("/a")}
        async with serve(routes) as srv, Fetcher(settings(max_redirects=20)) as f:
            r = await f.fetch(srv.url("/a"))
            assert r.outcome is Outcome.TOO_MANY_REDIRECTS
            assert r.error == f"redirect loop back to {srv.url('/a')}"
            assert srv.paths() == ["/a", "/b"]

    run(go())


@pytest.mark.parametrize(("statuses", "permanent"), [((301,), True), ((308,), True), ((302, 301), True), ((302, 307), False)])
def test_permanent_redirect_flag(statuses: tuple[int, ...], permanent: bool) -> None:
    async def go() -> None:
        routes = {f"/r{i}": redirect(f"/r{i + 1}", s) for i, s in enumerate(statuses)}
        routes[f"/r{len(statuses)}"] = respond(200, RSS)
        async with serve(routes) as srv, Fetcher(settings()) as f:
            r = await f.fetch(srv.url("/r0"))
            assert r.outcome is Outcome.OK
            assert r.final_url == srv.url(f"/r{len(statuses)}")
            assert r.permanent_redirect is permanent

    run(go())


def test_redirect_without_location_is_protocol_error() -> None:
    async def go() -> None:
        async with serve({"/r": respond(302, b"")}) as srv, Fetcher(settings()) as f:
            r = await f.fetch(srv.url("/r"))
            assert r.outcome is Outcome.PROTOCOL_ERROR
            assert r.error == "HTTP 302 redirect without a Location"

    run(go())


@pytest.mark.parametrize(
    ("location", "reason"),
    [
        ("http://169.254.169.254/latest/meta-data/", "redirect to 169.254.169.254 refused: link-local address (cloud metadata endpoint)"),
        ("http://10.0.0.1/", "redirect to 10.0.0.1 refused: private address"),
        ("http://[::ffff:169.254.169.254]/", "redirect to ::ffff:a9fe:a9fe refused: IPv4-mapped IPv6 address embedding 169.254.169.254"),
        ("http://100.64.0.1:8080/", "redirect to 100.64.0.1 refused: shared (CGNAT) address"),
        ("file:///etc/passwd", "redirect to file:///etc/passwd refused: scheme 'file' not allowed"),
        ("http://a@127.0.0.1/", "refused: URL contains user info"),
        ("http://x\\@127.0.0.1/", "refused: URL contains a backslash"),
    ],
)
def test_redirect_to_forbidden_target_is_refused_without_connecting(location: str, reason: str) -> None:
    async def go() -> None:
        async with serve({"/r": redirect(location)}) as srv, Fetcher(settings()) as f:
            t0 = time.monotonic()
            r = await f.fetch(srv.url("/r"))
            took = time.monotonic() - t0
            assert r.outcome is Outcome.FORBIDDEN_ADDRESS
            assert r.error is not None and reason in r.error, r.error
            assert took < 0.5
            assert srv.paths() == ["/r"]

    run(go())


@pytest.mark.parametrize(
    ("host", "reason"),
    [
        ("127.0.0.1", "127.0.0.1 refused: loopback address"),
        ("[::ffff:127.0.0.1]", "::ffff:7f00:1 refused: IPv4-mapped IPv6 address embedding 127.0.0.1: loopback"),
        ("0.0.0.0", "0.0.0.0 refused: unspecified address"),
        ("127.1", "refused URL"),
        ("2130706433", "refused URL"),
    ],
)
def test_loopback_refused_with_empty_allow_list_and_server_sees_nothing(host: str, reason: str) -> None:
    async def go() -> None:
        async with serve({"/feed": respond(200, RSS)}) as srv, Fetcher(settings(allow_private_hosts=())) as f:
            t0 = time.monotonic()
            r = await f.fetch(f"http://{host}:{srv.port}/feed")
            assert r.outcome is Outcome.FORBIDDEN_ADDRESS
            assert r.error is not None and r.error.startswith(reason), r.error
            assert time.monotonic() - t0 < 0.5
            assert srv.connections == 0 and srv.hits == []

    run(go())


def test_0000_refused_even_when_loopback_is_allowed() -> None:
    async def go() -> None:
        async with serve({"/feed": respond(200, RSS)}) as srv, Fetcher(settings()) as f:
            r = await f.fetch(f"http://0.0.0.0:{srv.port}/feed")
            assert r.outcome is Outcome.FORBIDDEN_ADDRESS
            assert srv.connections == 0

    run(go())


def test_allowed_name_redirecting_to_loopback_literal_is_refused_on_that_hop() -> None:
    async def go() -> None:
        async with serve({"/feed": respond(200, RSS)}) as inner:
            outer_routes = {"/r": redirect(inner.url("/feed"))}
            async with serve(outer_routes) as outer:
                resolver = FakeResolver({"feeds.example": ["127.0.0.1"]})
                policy = AddressPolicy(["feeds.example"])  # the name is trusted; 127.0.0.1 itself is not
                async with Fetcher(settings(allow_private_hosts=()), policy=policy, resolver=resolver) as f:
                    r = await f.fetch(f"http://feeds.example:{outer.port}/r")
                    assert r.outcome is Outcome.FORBIDDEN_ADDRESS
                    assert r.error == "redirect to 127.0.0.1 refused: loopback address"
                    assert r.final_url == inner.url("/feed")
                    assert outer.paths() == ["/r"]
                    assert inner.connections == 0

    run(go())


def test_name_resolving_to_forbidden_address_is_refused_at_connect() -> None:
    async def go() -> None:
        async with serve({"/feed": respond(200, RSS), "/r": redirect("/feed")}) as srv:
            resolver = FakeResolver({"rebind.example": ["127.0.0.1"]})
            async with Fetcher(settings(allow_private_hosts=()), resolver=resolver) as f:
                r = await f.fetch(f"http://rebind.example:{srv.port}/feed")
                assert r.outcome is Outcome.FORBIDDEN_ADDRESS
                assert r.error == f"rebind.example:{srv.port} refused: it resolves to 127.0.0.1, loopback address"
                assert resolver.asked == ["rebind.example"]
                assert srv.connections == 0

    run(go())


def test_resolver_dials_only_allowed_addresses() -> None:
    async def go() -> None:
        resolver = FakeResolver({"mixed.example": ["127.0.0.2", "127.0.0.1"]})
        # The decoy listens on the same port on 127.0.0.2: it gets the connection if the refused address is dialled.
        async with (
            serve({"/feed": respond(200, RSS)}) as good,
            serve({"/feed": respond(200, b"wrong")}, host="127.0.0.2", port=good.port) as decoy,
            Fetcher(settings(), resolver=resolver) as f,
        ):
            r = await f.fetch(f"http://mixed.example:{good.port}/feed")
            assert r.outcome is Outcome.OK and r.body == RSS
            assert decoy.connections == 0 and len(good.hits) == 1
            assert resolver.asked == ["mixed.example"]

    run(go())


def test_peer_address_is_checked_after_connect() -> None:
    async def go() -> None:
        async with serve({"/feed": respond(200, RSS)}) as srv, Fetcher(settings(allow_private_hosts=())) as f:
            # Bypass the filtering resolver (as a resolver bug would): the peer check must still refuse.
            connector = f._session.connector  # type: ignore[union-attr]
            assert hasattr(connector, "_resolver")
            connector._resolver = FakeResolver({"sneaky.example": ["127.0.0.1"]})  # type: ignore[union-attr]
            r = await f.fetch(f"http://sneaky.example:{srv.port}/feed")
            assert r.outcome is Outcome.FORBIDDEN_ADDRESS
            assert r.error == f"sneaky.example:{srv.port} refused: connected to 127.0.0.1, loopback address"
            await asyncio.sleep(0.05)
            assert srv.connections == 1  # the TCP connection was made (only the peer check can refuse now) ...
            assert srv.hits == []  # ... but not one byte of HTTP was sent on it

    run(go())
