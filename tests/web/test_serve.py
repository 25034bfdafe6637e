"""`watcher serve` as a real process on loopback: slow and idle clients, the access log, cookies."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from .conftest import seeded

TOKEN = "tok-0123456789abcdef-SECRET"


@dataclass
class Proc:
    proc: subprocess.Popen[str]
    port: int
    lines: list[str] = field(default_factory=list)

    def threads(self) -> int:
        return len(os.listdir(f"/proc/{self.proc.pid}/task"))

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        return "".join(self.lines)


@pytest.fixture
def db_file(tmp_path: Path, registry: str) -> str:
    db = seeded(f"sqlite:///{tmp_path}/serve.sqlite3", registry)
    db.store.dispose()
    (tmp_path / "sources.toml").write_text("")
    return db.url


def start(tmp_path: Path, db_url: str, *args: str, env: dict[str, str] | None = None) -> Proc:
    cmd = [sys.executable, "-m", "watcher", "--config", str(tmp_path / "sources.toml"), "--db", db_url, "-v",
           "serve", "--port", "0", *args]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
                            env={**os.environ, **(env or {})})
    assert proc.stderr is not None
    lines: list[str] = []
    found = threading.Event()
    port: list[int] = []

    def drain() -> None:
        assert proc.stderr is not None
        for line in proc.stderr:
            lines.append(line)
            m = re.search(r"on http://127\.0\.0\.1:(\d+)/", line)
            if m and not port:
                port.append(int(m.group(1)))
                found.set()
        found.set()

    threading.Thread(target=drain, daemon=True).start()
    found.wait(30)
    assert port, "serve did not start: " + "".join(lines)
    return Proc(proc, port[0], lines)


@pytest.fixture
def serve(tmp_path: Path, db_file: str) -> Iterator[object]:
    procs: list[Proc] = []

    def run(*args: str, env: dict[str, str] | None = None) -> Proc:
        p = start(tmp_path, db_file, *args, env=env)
        procs.append(p)
        return p

    yield run
    for p in procs:
        p.stop()


def get(port: int, path: str, headers: dict[str, str] | None = None,
        timeout: float = 10) -> tuple[int, http.client.HTTPResponse, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request("GET", path, headers=headers or {})
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, resp, body


def test_idle_and_trickling_connections_do_not_starve_a_request(serve: object) -> None:
    srv: Proc = serve()   # type: ignore[operator]
    idle = [socket.create_connection(("127.0.0.1", srv.port)) for _ in range(300)]
    slow = [socket.create_connection(("127.0.0.1", srv.port)) for _ in range(20)]
    try:
        for s in slow:   # a request head that never ends
            s.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        time.sleep(0.5)
        t0 = time.monotonic()
        status, _r, body = get(srv.port, "/api/overview")
        took = time.monotonic() - t0
        assert status == 200 and b"latest_changes" in body
        assert took < 3.0, f"a normal request took {took:.1f} s behind 320 idle connections"
        threads = srv.threads()
        assert threads <= 16, f"{threads} threads for 320 idle connections"
    finally:
        for s in idle + slow:
            s.close()


def test_a_connection_that_does_not_send_its_request_in_time_is_closed(serve: object) -> None:
    srv: Proc = serve("--read-timeout", "1", "--workers", "2")   # type: ignore[operator]
    idle = [socket.create_connection(("127.0.0.1", srv.port)) for _ in range(40)]
    trickle = socket.create_connection(("127.0.0.1", srv.port))
    try:
        t0 = time.monotonic()
        trickle.sendall(b"GET / HTTP/1.1\r\n")
        answer = b""
        trickle.settimeout(0.2)
        while time.monotonic() - t0 < 5:      # one header byte every 0.2 s: never a whole request
            try:
                trickle.send(b"X")
                chunk = trickle.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                break
            if not chunk:
                break
            answer += chunk
        assert answer.startswith(b"HTTP/1.1 408"), answer[:100]
        assert time.monotonic() - t0 < 3
        for s in idle:
            s.settimeout(3)
            assert s.recv(10) == b"", "an idle connection was left open past --read-timeout"
        assert get(srv.port, "/api/overview")[0] == 200
    finally:
        for s in [*idle, trickle]:
            s.close()


def test_access_log_never_shows_the_token(serve: object) -> None:
    srv: Proc = serve("--token-env", "WEB_TOKEN", env={"WEB_TOKEN": TOKEN})   # type: ignore[operator]
    status, resp, _b = get(srv.port, f"/articles?q=summit&token={TOKEN}")
    assert status == 303 and TOKEN not in resp.headers["Location"]
    assert get(srv.port, f"/api/overview?token={TOKEN}&x=1")[0] == 303
    assert get(srv.port, "/api/overview", {"Authorization": f"Bearer {TOKEN}"})[0] == 200
    log = srv.stop()
    assert "GET /articles?q=summit&token=[redacted]" in log, log
    assert TOKEN not in log


def test_token_cookie_is_secure_behind_an_https_proxy(serve: object) -> None:
    srv: Proc = serve("--token-env", "WEB_TOKEN", env={"WEB_TOKEN": TOKEN})   # type: ignore[operator]
    _s, plain, _b = get(srv.port, f"/?token={TOKEN}")
    cookie = plain.headers["Set-Cookie"]
    assert cookie.startswith("watcher_token=") and "Secure" not in cookie    # plain HTTP on loopback: it works
    _s, proxied, _b = get(srv.port, f"/?token={TOKEN}", {"X-Forwarded-Proto": "https"})
    assert proxied.headers["Set-Cookie"].startswith("watcher_token=")
    assert "; Secure" in proxied.headers["Set-Cookie"]
    forced: Proc = serve("--token-env", "WEB_TOKEN", "--secure-cookies",   # type: ignore[operator]
                         env={"WEB_TOKEN": TOKEN})
    _s, r, _b = get(forced.port, f"/?token={TOKEN}")
    assert "; Secure" in r.headers["Set-Cookie"]
    _s, r, _b = get(forced.port, "/review", {"Authorization": f"Bearer {TOKEN}"})
    assert r.headers["Set-Cookie"].startswith("watcher_csrf=") and "; Secure" in r.headers["Set-Cookie"]


def test_a_busy_port_is_a_one_line_error(db_file: str, tmp_path: Path) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen(1)
    port = taken.getsockname()[1]
    try:
        out = subprocess.run([sys.executable, "-m", "watcher", "--config", str(tmp_path / "sources.toml"), "--db",
                              db_file, "serve", "--port", str(port)], capture_output=True, text=True, timeout=60)
    finally:
        taken.close()
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stderr
    lines = [ln for ln in out.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0] and "in use" in lines[0], out.stderr
