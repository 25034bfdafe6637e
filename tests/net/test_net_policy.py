"""Address policy, static URL checks, Retry-After parsing and the filtering resolver (no network)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from tests.support.loopback import FakeResolver
from watcher.net import AddressPolicy, check_url, parse_retry_after
from watcher.net.connector import PolicyResolver
from watcher.net.outcomes import AddressRefused

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("::1", "loopback"),
    ("::ffff:127.0.0.1", "IPv4-mapped IPv6 address embedding 127.0.0.1: loopback"),
    ("[::ffff:127.0.0.1]", "IPv4-mapped"),
    ("::ffff:10.1.2.3", "private"),
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("100.64.0.1", "CGNAT"),
    ("100.127.255.254", "CGNAT"),
    ("169.254.169.254", "link-local address (cloud metadata endpoint)"),
    ("169.254.1.1", "link-local"),
    ("fe80::1", "link-local"),
    ("fe80::1%1", "link-local"),
    ("10.0.0.1", "private"),
    ("172.16.5.4", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("fc00::1", "unique local"),
    ("fd12:3456::1", "unique local"),
    ("224.0.0.1", "multicast"),
    ("ff02::1", "multicast"),
    ("255.255.255.255", "broadcast"),
    ("240.0.0.1", "reserved"),
    ("2002:7f00:1::", "6to4 IPv6 address embedding 127.0.0.1"),
    ("2002:a9fe:a9fe::1", "6to4 IPv6 address embedding 169.254.169.254"),
    ("64:ff9b::a00:1", "NAT64 IPv6 address embedding 10.0.0.1"),
    ("2001:0:4136:e378:8000:63bf:80ff:fffe", "Teredo IPv6 address embedding 127.0.0.1"),
    ("192.0.2.1", "non-public"),
    ("2001:db8::1", "non-public"),
    ("not-an-ip", "not an IP address"),
]

PUBLIC = ["8.8.8.8", "1.1.1.1", "93.184.216.34", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111"]


@pytest.mark.parametrize(("ip", "why"), REFUSED)
def test_default_policy_refuses_non_public(ip: str, why: str) -> None:
    policy = AddressPolicy([])
    assert not policy.is_allowed_ip(ip)
    reason = policy.refusal(ip)
    assert reason is not None and why in reason


@pytest.mark.parametrize("ip", PUBLIC)
def test_default_policy_allows_public(ip: str) -> None:
    policy = AddressPolicy(())
    assert policy.is_allowed_ip(ip)
    assert policy.refusal(ip) is None


def test_allow_list_ip_cidr_and_host() -> None:
    policy = AddressPolicy(["127.0.0.1", "10.1.0.0/16", "[fd00::1]", "Feeds.Local."])
    assert policy.is_allowed_ip("127.0.0.1")
    assert policy.is_allowed_ip("::ffff:127.0.0.1")  # the mapped form of an allowed v4
    assert not policy.is_allowed_ip("127.0.0.2")
    assert policy.is_allowed_ip("10.1.200.3")
    assert not policy.is_allowed_ip("10.2.0.1")
    assert policy.is_allowed_ip("fd00::1")
    assert not policy.is_allowed_ip("fd00::2")
    assert not policy.is_allowed_ip("169.254.169.254")
    assert policy.allows_host("feeds.local")
    assert policy.refusal("10.9.9.9", host="FEEDS.local") is None
    assert policy.refusal("10.9.9.9", host="other.local") == "private address"
    assert not policy.allows_host("evil.feeds.local")


def test_literal_refusal_only_for_ip_literals() -> None:
    policy = AddressPolicy(["127.0.0.1"])
    assert policy.literal_refusal("example.com") is None
    assert policy.literal_refusal("127.0.0.1") is None
    assert policy.literal_refusal("169.254.169.254") == "link-local address (cloud metadata endpoint)"
    assert policy.literal_refusal("::ffff:a9fe:a9fe") is not None


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("file:///etc/passwd", "scheme 'file' not allowed"),
        ("gopher://127.0.0.1:70/_x", "scheme 'gopher' not allowed"),
        ("ftp://example.com/feed", "scheme 'ftp' not allowed"),
        ("javascript:alert(1)", "scheme 'javascript' not allowed"),
        ("example.com/feed", "scheme '(none)' not allowed"),
        ("http://example.com\\@127.0.0.1/", "backslash"),
        ("http:\\\\example.com/", "backslash"),
        ("http://a@127.0.0.1/", "user info"),
        ("http://user:pw@example.com/feed", "user info"),
        ("http://example.com@169.254.169.254/", "user info"),
        ("http:///feed.xml", "no host"),
        ("http://example.com:99999/", "invalid URL"),
        ("http://example.com:0/", "invalid port"),
        ("http://exa mple.com/", "whitespace"),
        ("http://example.com/\r\nX: y", "control"),
        ("", "empty"),
    ],
)
def test_check_url_rejects(url: str, why: str) -> None:
    reason = check_url(url)
    assert reason is not None and why in reason


@pytest.mark.parametrize(
    "url",
    ["https://example.com/feed.xml", "http://example.com:8080/rss?x=1#frag", "http://[::1]:8080/x", "HTTPS://EXAMPLE.COM/"],
)
def test_check_url_accepts(url: str) -> None:
    assert check_url(url) is None


NOW = dt.datetime(2026, 1, 1, 12, 0, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (" 7 ", 7.0),
        ("0", 0.0),
        ("Thu, 01 Jan 2026 12:02:00 GMT", 120.0),
        ("Thu, 01 Jan 2026 11:00:00 GMT", 0.0),  # in the past
        ("Thursday, 01-Jan-26 12:00:30 GMT", 30.0),  # RFC 850 form
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, expected: float | None) -> None:
    assert parse_retry_after(value, NOW) == expected


def test_parse_retry_after_naive_now_is_utc() -> None:
    assert parse_retry_after("Thu, 01 Jan 2026 12:01:00 GMT", NOW.replace(tzinfo=None)) == 60.0


def test_resolver_drops_forbidden_addresses_and_refuses_when_none_left() -> None:
    fake = FakeResolver(
        {"mixed.example": ["10.0.0.7", "93.184.216.34"], "rebind.example": ["169.254.169.254"], "ok.local": ["10.0.0.8"]}
    )
    resolver = PolicyResolver(AddressPolicy(["ok.local"]), fake)

    async def go() -> None:
        mixed = await resolver.resolve("mixed.example", 80)
        assert [r["host"] for r in mixed] == ["93.184.216.34"]
        with pytest.raises(AddressRefused) as info:
            await resolver.resolve("rebind.example", 80)
        assert info.value.ip == "169.254.169.254" and "link-local" in info.value.reason
        allowed_by_name = await resolver.resolve("ok.local", 80)
        assert [r["host"] for r in allowed_by_name] == ["10.0.0.8"]

    asyncio.run(go())
