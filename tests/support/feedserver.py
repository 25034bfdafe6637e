"""A real HTTP server on loopback serving feeds and pages, for end-to-end tests.

    with FeedServer() as srv:
        srv.route("/feed.xml", rss([...]))
        url = srv.url("/feed.xml")

Routes answer with ETag validators (304 on If-None-Match); ``srv.hits`` counts requests.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape


@dataclass
class Route:
    body: bytes
    status: int = 200
    content_type: str = "application/rss+xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: bool = True


class FeedServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route | Callable[[BaseHTTPRequestHandler], None]] = {}
        self.hits: Counter[str] = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a: Any) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                server.hits[path] += 1
                r = server.routes.get(path)
                if r is None:
                    self._send(404, b"not found", "text/plain", {})
                    return
                if callable(r):
                    r(self)
                    return
                tag = '"' + hashlib.sha1(r.body).hexdigest()[:16] + '"'
                if r.etag and r.status == 200 and self.headers.get("If-None-Match") == tag:
                    self._send(304, b"", None, {"ETag": tag})
                    return
                extra = dict(r.headers)
                if r.etag and r.status == 200:
                    extra["ETag"] = tag
                self._send(r.status, r.body, r.content_type, extra)

            def _send(self, status: int, body: bytes, ctype: str | None, headers: dict[str, str]) -> None:
                self.send_response(status)
                if ctype:
                    self.send_header("Content-Type", ctype)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if body:
                    self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> FeedServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def route(self, path: str, body: bytes | str | Route | Callable[[BaseHTTPRequestHandler], None], **kw: Any) -> str:
        if isinstance(body, str):
            body = body.encode("utf-8")
        self.routes[path] = body if isinstance(body, Route) or callable(body) else Route(body=body, **kw)
        return self.url(path)


def rss(items: list[dict[str, Any]], title: str = "Test feed") -> str:
    """An RSS 2.0 document; each item: title, link, description, guid, pub (datetime)."""
    parts = ['<?xml version="1.0" encoding="utf-8"?>', '<rss version="2.0"><channel>',
             f"<title>{escape(title)}</title><link>http://example.org/</link><description>t</description>"]
    for it in items:
        parts.append("<item>")
        parts.append(f"<title>{escape(it['title'])}</title>")
        if it.get("link"):
            parts.append(f"<link>{escape(it['link'])}</link>")
        parts.append(f"<guid isPermaLink=\"false\">{escape(it.get('guid') or it['title'])}</guid>")
        parts.append(f"<description>{escape(it.get('description', ''))}</description>")
        if it.get("pub") is not None:
            parts.append(f"<pubDate>{format_datetime(it['pub'])}</pubDate>")
        parts.append("</item>")
    parts.append("</channel></rss>")
    return "\n".join(parts)
