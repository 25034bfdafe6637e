"""Requests, responses and the security rules every response follows.

- Every response carries a strict Content-Security-Policy (scripts only from this server,
  no inline script or style, no framing), ``X-Content-Type-Options: nosniff`` and
  ``Referrer-Policy: no-referrer``.
- A state-changing request is a POST whose form carries a CSRF token: an HMAC of a random
  cookie under a per-process secret (double submit); a cross-site Origin is refused too.
- With an access token configured, every request must present it: ``Authorization:
  Bearer``, the ``watcher_token`` cookie, or ``?token=`` once (it becomes that cookie).
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import hmac
import json
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, urlsplit

CSRF_COOKIE = "watcher_csrf"
TOKEN_COOKIE = "watcher_token"
MAX_FORM_BYTES = 64 * 1024

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "no-referrer"),
    ("Cross-Origin-Opener-Policy", "same-origin"),
]


class HTTPError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


MAX_ID = 2**31 - 1      # ids are 32-bit integers on PostgreSQL


def refuse_nul(values: dict[str, str], what: str) -> None:
    for k, v in values.items():
        if "\0" in k or "\0" in v:
            raise HTTPError(400, f"{what} {k.replace(chr(0), '?')!r}: contains a NUL character")


def ident(value: str, what: str = "id") -> int:
    """A row id from a path or a parameter; 400 naming ``what`` unless a whole number 1..MAX_ID."""
    v = value.strip()
    if not (v.isascii() and v.isdigit()) or len(v) > 12 or not 1 <= int(v) <= MAX_ID:
        shown = v if len(v) <= 40 else v[:40] + "…"
        raise HTTPError(400, f"{what}: {shown!r} is not an id (a whole number from 1 to {MAX_ID})")
    return int(v)


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]              # lower-case names
    cookies: dict[str, str]
    body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)     # from the route pattern
    csrf_cookie: str = ""                                     # the cookie this response sets or keeps
    set_csrf: bool = False

    @classmethod
    def from_environ(cls, environ: dict[str, Any]) -> Request:
        headers = {k[5:].replace("_", "-").lower(): str(v) for k, v in environ.items() if k.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = str(environ["CONTENT_TYPE"])
        cookies: dict[str, str] = {}
        try:
            jar: SimpleCookie = SimpleCookie(headers.get("cookie", ""))
            cookies = {k: m.value for k, m in jar.items()}
        except CookieError:
            pass
        raw_path = str(environ.get("PATH_INFO") or "/")
        try:   # wsgiref decodes the path as latin-1; undo that to get UTF-8 back
            path = raw_path.encode("latin-1").decode("utf-8")
        except UnicodeError:
            path = raw_path
        query = dict(parse_qsl(str(environ.get("QUERY_STRING") or ""), keep_blank_values=True))
        body = b""
        method = str(environ.get("REQUEST_METHOD") or "GET").upper()
        if method == "POST":
            try:
                n = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                n = 0
            if n > MAX_FORM_BYTES:
                raise HTTPError(413, "request body too large")
            body = environ["wsgi.input"].read(n) if n > 0 else b""
        return cls(method=method, path=path, query=query, headers=headers, cookies=cookies, body=body)

    def form(self) -> dict[str, str]:
        ctype = self.headers.get("content-type", "")
        if not ctype.startswith("application/x-www-form-urlencoded"):
            return {}
        form = dict(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))
        refuse_nul(form, "form field")
        return form

    def check_text(self) -> None:
        """No NUL in the path or a query parameter: no page, search or database takes one."""
        if "\0" in self.path:
            raise HTTPError(400, "path: the address contains a NUL character")
        refuse_nul(self.query, "parameter")

    def arg(self, name: str, default: str = "") -> str:
        return self.query.get(name, default).strip()

    def wants_json(self) -> bool:
        return self.path.startswith("/api/")


@dataclass
class Response:
    body: bytes | Iterable[bytes]
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    cache: str = "no-store"

    def status_line(self) -> str:
        try:
            return f"{self.status} {HTTPStatus(self.status).phrase}"
        except ValueError:
            return f"{self.status} Unknown"

    def header_list(self) -> list[tuple[str, str]]:
        out = [("Content-Type", self.content_type), ("Cache-Control", self.cache), *SECURITY_HEADERS]
        return out + self.headers


def _json_default(o: Any) -> Any:
    if isinstance(o, dt.datetime):
        if o.tzinfo is None:
            o = o.replace(tzinfo=dt.UTC)
        return o.isoformat()
    if isinstance(o, dt.date):
        return o.isoformat()
    if isinstance(o, set | frozenset | tuple):
        return list(o)
    if isinstance(o, decimal.Decimal):
        return float(o)
    if isinstance(o, bytes):
        return o.decode("utf-8", "replace")
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, default=_json_default)


def json_response(data: Any, status: int = 200) -> Response:
    return Response(to_json(data).encode("utf-8"), status=status, content_type="application/json; charset=utf-8")


def redirect(location: str, status: int = 303) -> Response:
    return Response(b"", status=status, headers=[("Location", location)])


def local_path(target: str, default: str = "/") -> str:
    """``target`` when it is a path on this server, else ``default`` (no open redirects)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in target):
        return default
    return target


def cookie_header(name: str, value: str, *, max_age: int | None = None, secure: bool = False) -> tuple[str, str]:
    extra = f"; Max-Age={max_age}" if max_age is not None else ""
    if secure:
        extra += "; Secure"
    return ("Set-Cookie", f"{name}={value}; Path=/; HttpOnly; SameSite=Strict{extra}")


def forwarded_https(req: Request) -> bool:
    """Did a proxy in front say the browser spoke HTTPS (``X-Forwarded-Proto`` or ``Forwarded: proto=``)?

    Trusted from any peer: all it can do is add ``Secure`` to the cookies of the response to
    the request that carries it, which loosens nothing.
    """
    proto = req.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    if proto == "https":
        return True
    forwarded = req.headers.get("forwarded", "").split(",")[0]
    return any(p.strip().lower() == "proto=https" for p in forwarded.split(";"))


class Guard:
    """CSRF tokens, the access token and the Host check for one server process."""

    def __init__(self, *, token: str | None, allowed_hosts: set[str] | None) -> None:
        self.secret = secrets.token_bytes(32)
        self.token = token
        self.allowed_hosts = allowed_hosts          # None: any Host (a token protects the server)

    # -- CSRF ----------------------------------------------------------------------------------
    def csrf_token(self, req: Request) -> str:
        if not req.csrf_cookie:
            req.csrf_cookie = req.cookies.get(CSRF_COOKIE, "")
            if not (16 <= len(req.csrf_cookie) <= 128 and req.csrf_cookie.isalnum()):
                req.csrf_cookie = secrets.token_hex(16)
                req.set_csrf = True
        return hmac.new(self.secret, req.csrf_cookie.encode(), hashlib.sha256).hexdigest()

    def check_csrf(self, req: Request, submitted: str) -> None:
        origin = req.headers.get("origin")
        host = req.headers.get("host", "")
        if origin and origin != "null" and urlsplit(origin).netloc != host:
            raise HTTPError(403, "cross-site request refused")
        cookie = req.cookies.get(CSRF_COOKIE, "")
        if not cookie or not submitted:
            raise HTTPError(403, "missing CSRF token: reload the page and try again")
        want = hmac.new(self.secret, cookie.encode(), hashlib.sha256).hexdigest()
        if not hmac.compare_digest(want, submitted):
            raise HTTPError(403, "bad CSRF token: reload the page and try again")

    # -- access --------------------------------------------------------------------------------
    def check_host(self, req: Request) -> None:
        if self.allowed_hosts is not None and req.headers.get("host", "").lower() not in self.allowed_hosts:
            raise HTTPError(421, "this server answers only on its loopback address")

    def authorised(self, req: Request) -> bool:
        if not self.token:
            return True
        given = ""
        auth = req.headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            given = auth[7:].strip()
        elif TOKEN_COOKIE in req.cookies:
            given = req.cookies[TOKEN_COOKIE]
        return bool(given) and hmac.compare_digest(given.encode(), self.token.encode())

    def token_in_query(self, req: Request) -> bool:
        given = req.query.get("token", "")
        return bool(self.token) and bool(given) and hmac.compare_digest(given.encode(), str(self.token).encode())
