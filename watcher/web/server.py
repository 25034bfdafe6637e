"""A threaded WSGI server (standard library) for :class:`~watcher.web.app.WebApp`."""

from __future__ import annotations

import ipaddress
import logging
import socket
import socketserver
import threading
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

log = logging.getLogger("watcher.web.access")


class _Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), format % args)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def loopback_hosts(host: str, port: int) -> set[str]:
    """The Host headers a browser sends to a loopback server (anything else is DNS rebinding)."""
    names = {"127.0.0.1", "localhost", "[::1]", host if ":" not in host else f"[{host.strip('[]')}]"}
    return {f"{n}:{port}" for n in names} | ({n for n in names} if port == 80 else set())


def make(app: Any, host: str, port: int) -> WSGIServer:
    cls = _Server6 if ":" in host else _Server
    return make_server(host.strip("[]"), port, app, server_class=cls, handler_class=_Handler)


def serve_in_thread(app: Any, host: str = "127.0.0.1", port: int = 0) -> tuple[WSGIServer, threading.Thread]:
    """Start ``app`` on ``host:port`` (0: a free port) in a daemon thread; for tests and benchmarks."""
    server = make(app, host, port)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True,
                              name="watcher-web")
    thread.start()
    return server, thread
