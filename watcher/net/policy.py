"""The one address gate: which URLs and IP addresses the watcher may talk to.

Everything that opens an outgoing connection (the fetcher, the page extractor, the
notifiers) asks :class:`AddressPolicy`. The fetcher asks it three times per
connection: on IP-literal hosts before connecting, on every address the resolver
returns (so only allowed addresses are ever dialled, which defeats DNS rebinding),
and on the peer address of the connected socket.

:func:`check_url` is the static half (scheme, backslash, user info, host); config
validation uses it to refuse bad feed and webhook URLs up front.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

ALLOWED_SCHEMES = frozenset({"http", "https"})

_V4 = ipaddress.IPv4Network
_V6 = ipaddress.IPv6Network

# (network, reason) checked in order; the first match names the refusal.
_V4_RULES: tuple[tuple[IPNetwork, str], ...] = (
    (_V4("0.0.0.0/8"), "unspecified address"),
    (_V4("127.0.0.0/8"), "loopback address"),
    (_V4("169.254.169.254/32"), "link-local address (cloud metadata endpoint)"),
    (_V4("169.254.0.0/16"), "link-local address"),
    (_V4("10.0.0.0/8"), "private address"),
    (_V4("172.16.0.0/12"), "private address"),
    (_V4("192.168.0.0/16"), "private address"),
    (_V4("100.64.0.0/10"), "shared (CGNAT) address"),
    (_V4("224.0.0.0/4"), "multicast address"),
    (_V4("255.255.255.255/32"), "broadcast address"),
    (_V4("240.0.0.0/4"), "reserved address"),
)
_V6_RULES: tuple[tuple[IPNetwork, str], ...] = (
    (_V6("::/128"), "unspecified address"),
    (_V6("::1/128"), "loopback address"),
    (_V6("fe80::/10"), "link-local address"),
    (_V6("fc00::/7"), "private (unique local) address"),
    (_V6("ff00::/8"), "multicast address"),
    (_V6("fec0::/10"), "reserved (site-local) address"),
)
_NAT64 = (_V6("64:ff9b::/96"), _V6("64:ff9b:1::/48"))
_CACHE_MAX = 8192
_BAD_CHARS = re.compile(r"[\x00-\x20\x7f\\]")


def _parse_ip(value: str | IPAddress) -> IPAddress | None:
    if isinstance(value, ipaddress.IPv4Address | ipaddress.IPv6Address):
        return value
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def _embedded_v4(ip: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """The IPv4 address an IPv6 address carries (mapped, NAT64, 6to4, Teredo), if any."""
    if ip.ipv4_mapped is not None:
        return "IPv4-mapped", ip.ipv4_mapped
    if any(ip in net for net in _NAT64):
        return "NAT64", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.sixtofour is not None:
        return "6to4", ip.sixtofour
    if ip.teredo is not None:
        return "Teredo", ip.teredo[1]
    return None


def classify_ip(ip: IPAddress) -> str | None:
    """Why ``ip`` is not a public unicast address, or None when it is."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.scope_id:
            ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
        embedded = _embedded_v4(ip)
        if embedded is not None:
            kind, v4 = embedded
            inner = classify_ip(v4)
            if inner is not None:
                return f"{kind} IPv6 address embedding {v4}: {inner}"
            return None
        rules = _V6_RULES
    else:
        rules = _V4_RULES
    for net, reason in rules:
        if ip in net:
            return reason
    if ip.is_multicast:
        return "multicast address"
    if ip.is_reserved:
        return "reserved address"
    if not ip.is_global:
        return "non-public (special-purpose) address"
    return None


class AddressPolicy:
    """Refuses non-public addresses unless the address, its network or the host name is allow-listed.

    ``allow`` entries are host names (``feeds.local``), IP addresses (``127.0.0.1``,
    ``::1``) or CIDRs (``10.1.0.0/16``). An IPv4-mapped IPv6 address is also matched
    through the IPv4 address it carries.
    """

    __slots__ = ("_cache", "_hosts", "_literal_cache", "_nets")

    def __init__(self, allow: Iterable[str] = ()) -> None:
        hosts: set[str] = set()
        nets: list[IPNetwork] = []
        for raw in allow:
            entry = raw.strip()
            if not entry:
                continue
            if entry.startswith("[") and entry.endswith("]"):
                entry = entry[1:-1]
            try:
                nets.append(ipaddress.ip_network(entry, strict=False))
            except ValueError:
                hosts.add(entry.lower().rstrip("."))
        self._hosts = frozenset(hosts)
        self._nets = tuple(nets)
        self._cache: dict[str, str | None] = {}
        self._literal_cache: dict[str, str | None] = {}

    def __repr__(self) -> str:
        allow = sorted(self._hosts) + [str(n) for n in self._nets]
        return f"AddressPolicy(allow={allow!r})"

    def allows_host(self, host: str | None) -> bool:
        """True when the host name itself is allow-listed (every address it resolves to is allowed)."""
        if not host or not self._hosts:
            return False
        return host.lower().rstrip(".") in self._hosts

    def _allow_listed(self, ip: IPAddress) -> bool:
        for net in self._nets:
            if ip.version == net.version and ip in net:
                return True
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            return self._allow_listed(ip.ipv4_mapped)
        return False

    def refusal(self, ip: str | IPAddress, host: str | None = None) -> str | None:
        """Why a connection to ``ip`` (reached as ``host``) is refused, or None when it is allowed."""
        if host is not None and self.allows_host(host):
            return None
        key = str(ip)
        try:
            return self._cache[key]
        except KeyError:
            pass
        parsed = _parse_ip(ip)
        if parsed is None:
            reason: str | None = f"not an IP address: {key!r}"
        elif self._allow_listed(parsed):
            reason = None
        else:
            reason = classify_ip(parsed)
        if len(self._cache) >= _CACHE_MAX:
            self._cache.clear()
        self._cache[key] = reason
        return reason

    def is_allowed_ip(self, ip: str | IPAddress) -> bool:
        """True when a connection to ``ip`` is allowed."""
        return self.refusal(ip) is None

    def literal_refusal(self, host: str) -> str | None:
        """For an IP-literal URL host: why it is refused (None if allowed); None for host names."""
        try:
            return self._literal_cache[host]
        except KeyError:
            pass
        parsed = _parse_ip(host)
        reason = None if parsed is None else self.refusal(parsed, host)
        if len(self._literal_cache) >= _CACHE_MAX:
            self._literal_cache.clear()
        self._literal_cache[host] = reason
        return reason


def check_url(url: str) -> str | None:
    """Static validation of a URL to fetch: the reason it is refused, or None when it is acceptable.

    Only ``http`` and ``https``; no backslash (parser differentials), no whitespace or
    control characters, no user info (``http://a@127.0.0.1``), a host present, a valid port.
    Whether the host's *address* is allowed is decided at connect time by :class:`AddressPolicy`.
    """
    if not isinstance(url, str) or not url:
        return "empty URL"
    bad = _BAD_CHARS.search(url)
    if bad is not None:
        if bad.group() == "\\":
            return "URL contains a backslash"
        return "URL contains whitespace or control characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        return f"invalid URL: {exc}"
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        shown = scheme or "(none)"
        return f"scheme {shown!r} not allowed (only http and https)"
    if "@" in parts.netloc or parts.username is not None or parts.password is not None:
        return "URL contains user info"
    if not parts.hostname:
        return "URL has no host"
    if port == 0:
        return "invalid port 0"
    return None
