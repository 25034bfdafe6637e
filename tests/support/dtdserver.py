"""A loopback server that records every external DTD or entity a parser asks for (tests/parse)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator

import pytest


class DtdServer(http.server.BaseHTTPRequestHandler):
    """Serves an entity declaration at every path and records each path asked for: a parser that
    reads an external DTD or entity shows up in ``hits``."""

    hits: list[str] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        payload = b'<!ENTITY ext "EXTERNAL-DTD-WAS-READ">'
        self.send_response(200)
        self.send_header("Content-Type", "application/xml-dtd")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def loopback() -> Iterator[str]:
    """The base URL of a :class:`DtdServer` on 127.0.0.1 (its ``hits`` emptied first)."""
    DtdServer.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), DtdServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
