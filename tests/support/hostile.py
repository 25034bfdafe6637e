"""A threaded raw-socket HTTP server on loopback that misbehaves on purpose.

Each path is one kind of bad input from the foundation issue; ``GOOD_FEED`` paths serve
ordinary trilateral news so tests can check the good sources beside the bad are stored.
Runs in its own threads, so a ``watcher`` subprocess or an in-process poller can use it.
"""

from __future__ import annotations

import gzip
import os
import socket
import socketserver
import struct
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable
from email.utils import format_datetime

GOOD_ITEMS = [
    ("Leaders of South Korea, the United States and Japan agree to launch trilateral secretariat",
     "The leaders of South Korea, the United States and Japan agreed on Friday to launch a trilateral "
     "secretariat to institutionalize their cooperation, the White House said."),
    ("US, Japan, South Korea hold Freedom Edge exercise",
     "The militaries of the United States, Japan and South Korea began the trilateral Freedom Edge exercise "
     "on Wednesday, the defense ministry in Seoul said."),
]


def good_feed(tag: str, base: str) -> bytes:
    items = []
    for i, (title, desc) in enumerate(GOOD_ITEMS):
        pub = format_datetime(__import__("datetime").datetime(2024, 11, 15 - i, 9, tzinfo=__import__("datetime").UTC))
        items.append(f"<item><title>{title} ({tag})</title><link>{base}/article/{tag}/{i}</link>"
                     f"<guid>{tag}-{i}</guid><description>{desc} {desc}</description><pubDate>{pub}</pubDate></item>")
    items.append(f"<item><title>Stock markets close higher ({tag})</title><link>{base}/article/{tag}/x</link>"
                 f"<guid>{tag}-x</guid><description>Shares rose in London.</description></item>")
    return ('<?xml version="1.0"?><rss version="2.0"><channel><title>Good</title><link>http://x/</link>'
            f"<description>d</description>{''.join(items)}</channel></rss>").encode()


def _gzip_bomb(decompressed: int) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)
    chunk = b"\0" * (1 << 20)
    out = [comp.compress(chunk) for _ in range(decompressed >> 20)]
    out.append(comp.flush())
    return b"".join(out)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<rss version="2.0"><channel><title>&lol9;</title><item><title>South Korea, Japan and US &lol9;</title>
<description>trilateral &lol9;</description></item></channel></rss>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>x</title><item><title>South Korea, Japan and the United States &xxe;</title>
<description>Trilateral secretariat &xxe;</description><guid>xxe-1</guid></item></channel></rss>"""


class HostileServer:
    """``srv.url(path)``; ``srv.hits`` counts requests per path."""

    def __init__(self, *, bomb_bytes: int = 1 << 30) -> None:
        self.hits: Counter[str] = Counter()
        self._bomb = _gzip_bomb(bomb_bytes)
        outer = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                sock: socket.socket = self.request
                sock.settimeout(30)
                data = b""
                try:
                    while b"\r\n\r\n" not in data:
                        more = sock.recv(4096)
                        if not more:
                            return
                        data += more
                except OSError:
                    return
                path = data.split(b" ", 2)[1].decode("latin-1").split("?", 1)[0]
                outer.hits[path] += 1
                route = outer.routes().get(path)
                try:
                    if route is None and path.startswith("/article/"):
                        body = (f"<html><body><article><p>{GOOD_ITEMS[0][1]}</p><p>{GOOD_ITEMS[0][1]}</p>"
                                "</article></body></html>").encode()
                        send(sock, 200, body, "text/html")
                    elif route is None:
                        send(sock, 404, b"no", "text/plain")
                    else:
                        route(sock)
                except OSError:
                    pass

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler, bind_and_activate=False)
        self.server.allow_reuse_address = True
        self.server.daemon_threads = True
        self.server.server_bind()
        self.server.server_activate()
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def url(self, path: str) -> str:
        return self.base + path

    def routes(self) -> dict[str, Callable[[socket.socket], None]]:
        base = self.base
        return {
            "/good1.xml": lambda s: send(s, 200, good_feed("one", base), "application/rss+xml"),
            "/good2.xml": lambda s: send(s, 200, good_feed("two", base), "application/rss+xml"),
            "/never-headers": lambda s: time.sleep(20),
            "/trickle": trickle,
            "/endless": endless,
            "/gzip-bomb": lambda s: send(s, 200, self._bomb, "application/rss+xml", {"Content-Encoding": "gzip"}),
            "/billion-laughs": lambda s: send(s, 200, BILLION_LAUGHS, "application/rss+xml"),
            "/xxe": lambda s: send(s, 200, XXE, "application/rss+xml"),
            "/loop-a": lambda s: send(s, 302, b"", "text/plain", {"Location": base + "/loop-b"}),
            "/loop-b": lambda s: send(s, 302, b"", "text/plain", {"Location": base + "/loop-a"}),
            "/to-metadata": lambda s: send(s, 302, b"", "text/plain",
                                           {"Location": "http://169.254.169.254/latest/meta-data/"}),
            "/to-private": lambda s: send(s, 301, b"", "text/plain", {"Location": "http://10.11.12.13/feed.xml"}),
            "/429": lambda s: send(s, 429, b"slow down", "text/plain", {"Retry-After": "120"}),
            "/500": lambda s: send(s, 500, b"oops", "text/plain"),
            "/reset": reset,
            "/html": lambda s: send(s, 200, b"<!doctype html><html><head><title>Login</title></head>"
                                            b"<body><form>Please log in</form></body></html>", "text/html"),
            "/random": lambda s: send(s, 200, os.urandom(4096), "application/octet-stream"),
            "/bad-utf8": lambda s: send(s, 200, b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0">'
                                                b"<channel><title>\xff\xfe\xc3</title><item><title>Seoul \xe9\x80"
                                                b"</title></item></channel></rss>", "application/rss+xml"),
            "/huge-item": lambda s: send(s, 200, b'<?xml version="1.0"?><rss version="2.0"><channel><title>x'
                                                 b"</title><item><title>big</title><description>"
                                                 + b"A" * (50 * 1024 * 1024) + b"</description></item></channel></rss>",
                                         "application/rss+xml"),
        }


def send(sock: socket.socket, status: int, body: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
    head = [f"HTTP/1.1 {status} X", f"Content-Type: {ctype}", f"Content-Length: {len(body)}", "Connection: close"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    sock.sendall(("\r\n".join(head) + "\r\n\r\n").encode() + body)


def trickle(sock: socket.socket) -> None:
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n")
    for _ in range(60):
        sock.sendall(b"<")
        time.sleep(1)


def endless(sock: socket.socket) -> None:
    sock.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nTransfer-Encoding: chunked\r\n\r\n")
    chunk = b"<item>" * 10000
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        sock.sendall(framed)


def reset(sock: socket.socket) -> None:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


_ = gzip  # gzip framing comes from zlib wbits=31
