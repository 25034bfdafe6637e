"""A WSGI server (standard library) for :class:`~watcher.web.app.WebApp` that a slow or idle
client cannot exhaust.

- The main thread only accepts connections. A connection then waits in a *waiting room*: one
  thread that reads every waiting socket without blocking (a selector) until the request's head
  and its body (up to the app's form limit) have arrived. A connection that does not deliver
  its request within ``read_timeout`` seconds of being accepted (idle, or trickling a byte at
  a time) is closed; a full room drops its oldest connection first, so a flood of idle sockets
  cannot keep a new, real request out.
- Only a complete request goes to one of ``workers`` threads (a fixed pool), so the number of
  threads never depends on the number of clients; each answer must be written within
  ``write_timeout`` seconds per write. When every worker is busy and the queue is full, the
  request gets a 503 at once.
- The access log never records the value of a ``token`` query parameter.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import queue
import re
import selectors
import socket
import threading
import time
from io import BytesIO
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

from .http import MAX_FORM_BYTES

log = logging.getLogger("watcher.web.access")

WORKERS = 8
READ_TIMEOUT = 10.0
WRITE_TIMEOUT = 30.0
MAX_HEAD_BYTES = 64 * 1024
_HEAD_END = re.compile(rb"\r?\n\r?\n")
_CONTENT_LENGTH = re.compile(rb"^content-length[ \t]*:[ \t]*(\d{1,12})[ \t]*\r?$", re.I | re.M)
_EXPECT = re.compile(rb"^expect[ \t]*:[ \t]*100-continue[ \t]*\r?$", re.I | re.M)
_TOKEN_VALUE = re.compile(r"([?&;]token=)[^&;\s\"]*", re.I)


def redact_token(line: str) -> str:
    """``GET /x?token=abc&q=1`` → ``GET /x?token=[redacted]&q=1``."""
    return _TOKEN_VALUE.sub(r"\1[redacted]", line)


class _Writer:
    """The response side of a socket: every write is sent whole or fails within the socket's timeout."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock

    def write(self, data: bytes) -> int:
        self.sock.sendall(data)
        return len(data)

    def flush(self) -> None:
        pass


class _Handler(WSGIRequestHandler):
    """One request whose head and body the waiting room already read into memory."""

    def __init__(self, request: Any, client_address: Any, server: Any, buffered: bytes) -> None:
        self.buffered = buffered
        super().__init__(request, client_address, server)

    def setup(self) -> None:
        self.connection = self.request
        self.rfile = BytesIO(self.buffered)
        self.wfile = _Writer(self.request)    # type: ignore[assignment]

    def finish(self) -> None:
        pass

    def handle_expect_100(self) -> bool:
        return True   # the waiting room already sent "100 Continue" and read the body

    def log_message(self, format: str, *args: Any) -> None:
        log.info("%s %s", self.address_string(), redact_token(format % args))


class _Waiting:
    __slots__ = ("sock", "addr", "buf", "deadline", "continued")

    def __init__(self, sock: socket.socket, addr: Any, deadline: float) -> None:
        self.sock = sock
        self.addr = addr
        self.buf = bytearray()
        self.deadline = deadline
        self.continued = False


def _complete(w: _Waiting) -> bool:
    """Has the request's head arrived, and its body when it is small enough to be read at all?"""
    buf = w.buf
    end = _HEAD_END.search(buf)
    if end is None:
        return len(buf) > MAX_HEAD_BYTES          # the handler answers 414/431
    m = _CONTENT_LENGTH.search(buf, 0, end.start() + 2)
    length = int(m.group(1)) if m else 0
    if length > MAX_FORM_BYTES or len(buf) >= end.end() + length:     # too large: the app answers 413
        return True
    if not w.continued and _EXPECT.search(buf, 0, end.start() + 2):   # curl waits for this before the body
        w.continued = True
        with contextlib.suppress(OSError):
            w.sock.send(b"HTTP/1.1 100 Continue\r\n\r\n")
    return False


def _fd_budget() -> int:
    """How many connections may wait at once: well inside the process's file descriptor limit."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        want = 4096 if hard == resource.RLIM_INFINITY else min(hard, 4096)
        if soft != resource.RLIM_INFINITY and soft < want:
            with contextlib.suppress(ValueError, OSError):
                resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
                soft = want
    except ImportError:   # not on POSIX
        soft = 1024
    limit = 4096 if soft == -1 else int(soft)
    return max(16, min(2048, limit // 2))


class PooledWSGIServer(WSGIServer):
    """See the module docstring. ``serve_forever``, ``shutdown`` and ``server_close`` as usual."""

    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], *, workers: int = WORKERS, read_timeout: float = READ_TIMEOUT,
                 write_timeout: float = WRITE_TIMEOUT) -> None:
        self.read_timeout = read_timeout
        self.write_timeout = write_timeout
        self.max_waiting = _fd_budget()
        self._jobs: queue.Queue[tuple[socket.socket, Any, bytes] | None] = queue.Queue(maxsize=workers * 16)
        self._incoming: list[tuple[socket.socket, Any]] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._threads: list[threading.Thread] = []
        super().__init__(address, WSGIRequestHandler)   # each request gets a _Handler (see _work)
        self._threads = [threading.Thread(target=self._waiting_room, name="watcher-web-read", daemon=True)]
        self._threads += [threading.Thread(target=self._work, name=f"watcher-web-{i}", daemon=True)
                          for i in range(workers)]
        for t in self._threads:
            t.start()

    # -- the main thread: accept and hand over --------------------------------------------------
    def process_request(self, request: Any, client_address: Any) -> None:
        request.setblocking(False)
        with self._lock:
            self._incoming.append((request, client_address))
        with contextlib.suppress(OSError):
            self._wake_w.send(b"\0")

    def server_close(self) -> None:
        super().server_close()
        if self._stop.is_set():
            return
        self._stop.set()
        with contextlib.suppress(OSError):
            self._wake_w.send(b"\0")
        for _ in self._threads[1:]:
            with contextlib.suppress(queue.Full):
                self._jobs.put(None, timeout=1)
        for t in self._threads:
            t.join(timeout=2)
        self._wake_r.close()
        self._wake_w.close()

    # -- the waiting room -----------------------------------------------------------------------
    def _waiting_room(self) -> None:
        sel = selectors.DefaultSelector()
        sel.register(self._wake_r, selectors.EVENT_READ, None)
        waiting: dict[socket.socket, _Waiting] = {}     # in order of arrival
        try:
            while not self._stop.is_set():
                now = time.monotonic()
                first = next(iter(waiting.values()), None)
                timeout = 0.5 if first is None else max(0.0, min(0.5, first.deadline - now))
                for key, _ev in sel.select(timeout):
                    if key.data is None:
                        with contextlib.suppress(OSError):
                            while self._wake_r.recv(4096):
                                pass
                        continue
                    self._read(key.data, sel, waiting)
                with self._lock:
                    arrived, self._incoming = self._incoming, []
                now = time.monotonic()
                for sock, addr in arrived:
                    while len(waiting) >= self.max_waiting:      # full: the oldest waiter goes
                        self._drop(next(iter(waiting.values())), sel, waiting, answer=False)
                    w = _Waiting(sock, addr, now + self.read_timeout)
                    waiting[sock] = w
                    sel.register(sock, selectors.EVENT_READ, w)
                for w in list(waiting.values()):                 # arrival order = deadline order
                    if w.deadline > now:
                        break
                    self._drop(w, sel, waiting, answer=bool(w.buf))
        finally:
            for w in list(waiting.values()):
                self._drop(w, sel, waiting, answer=False)
            sel.close()

    def _read(self, w: _Waiting, sel: selectors.BaseSelector, waiting: dict[socket.socket, _Waiting]) -> None:
        try:
            data = w.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._drop(w, sel, waiting, answer=False)
            return
        w.buf += data
        if not _complete(w):
            return
        sel.unregister(w.sock)
        del waiting[w.sock]
        try:
            self._jobs.put_nowait((w.sock, w.addr, bytes(w.buf)))
        except queue.Full:
            log.warning("%s every worker is busy: answered 503", w.addr[0])
            self._answer(w.sock, b"503 Service Unavailable", b"the server is busy: try again in a moment\n")
            self.shutdown_request(w.sock)

    def _drop(self, w: _Waiting, sel: selectors.BaseSelector, waiting: dict[socket.socket, _Waiting], *,
              answer: bool) -> None:
        with contextlib.suppress(KeyError, ValueError):
            sel.unregister(w.sock)
        waiting.pop(w.sock, None)
        if answer:   # a request began but did not arrive in time
            log.info("%s request not received within %.0f s: closed", w.addr[0], self.read_timeout)
            self._answer(w.sock, b"408 Request Timeout", b"the request did not arrive in time\n")
        with contextlib.suppress(OSError):
            w.sock.close()

    @staticmethod
    def _answer(sock: socket.socket, status: bytes, body: bytes) -> None:
        head = (b"HTTP/1.1 " + status + b"\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + str(len(body)).encode() + b"\r\nConnection: close\r\n\r\n")
        with contextlib.suppress(OSError):
            sock.send(head + body)     # non-blocking: a client that does not read gets nothing

    # -- the workers ----------------------------------------------------------------------------
    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            sock, addr, buffered = job
            try:
                sock.settimeout(self.write_timeout)
                _Handler(sock, addr, self, buffered)
            except (OSError, ValueError) as exc:   # the client went away, or stopped reading
                log.info("%s connection ended early: %s", addr[0], exc.__class__.__name__)
            except Exception:
                logging.getLogger(__name__).exception("error answering %s", addr[0])
            finally:
                self.shutdown_request(sock)


class _Server6(PooledWSGIServer):
    address_family = socket.AF_INET6


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


def make(app: Any, host: str, port: int, *, workers: int = WORKERS,
         read_timeout: float = READ_TIMEOUT) -> PooledWSGIServer:
    cls = _Server6 if ":" in host else PooledWSGIServer
    server = cls((host.strip("[]"), port), workers=workers, read_timeout=read_timeout)
    server.set_app(app)
    return server


def serve_in_thread(app: Any, host: str = "127.0.0.1", port: int = 0,
                    **kw: Any) -> tuple[PooledWSGIServer, threading.Thread]:
    """Start ``app`` on ``host:port`` (0: a free port) in a daemon thread; for tests and benchmarks."""
    server = make(app, host, port, **kw)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True,
                              name="watcher-web")
    thread.start()
    return server, thread
