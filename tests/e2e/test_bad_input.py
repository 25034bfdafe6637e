"""Every kind of bad input from the foundation issue, in one real pass of `watcher poll --once`.

Each bad source gets its own clear status on its row within bounded time and memory;
the good sources beside them are stored as usual; no entity is expanded, no file is
read, no forbidden address is fetched.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.support.hostile import HostileServer

BAD = {
    "never-headers": {"timeout"},
    "trickle": {"timeout"},
    "endless": {"too_large"},
    "gzip-bomb": {"too_large"},
    "billion-laughs": {"ok", "malformed", "not_a_feed"},
    "xxe": {"ok", "malformed", "not_a_feed"},
    "loop-a": {"too_many_redirects"},
    "to-metadata": {"forbidden_address"},
    "to-private": {"forbidden_address"},
    "429": {"rate_limited"},
    "500": {"http_error"},
    "reset": {"connect_error", "protocol_error"},
    "html": {"not_a_feed"},
    "random": {"not_a_feed", "malformed"},
    "bad-utf8": {"ok", "malformed", "not_a_feed"},
    "huge-item": {"too_large"},
}


def watcher(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "watcher", "--config", str(tmp / "sources.toml"),
                           "--db", f"sqlite:///{tmp}/w.sqlite3", *args], capture_output=True, text=True,
                          timeout=120)


def _with_peak_rss(tmp: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    """Run the command; its peak RSS in MB: the largest of the process and the workers it reaped (wait4
    reports this child alone, where RUSAGE_CHILDREN would count every earlier test's processes too)."""
    cmd = [sys.executable, "-m", "watcher", "--config", str(tmp / "sources.toml"), "--db", f"sqlite:///{tmp}/w.sqlite3",
           *args]
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, text=True)
        _pid, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        done = subprocess.CompletedProcess(cmd, proc.returncode, out.read(), err.read())
    return done, usage.ru_maxrss / 1024


@pytest.fixture(scope="module")
def server() -> HostileServer:
    with HostileServer(bomb_bytes=1 << 30) as srv:
        yield srv


def test_one_pass_over_every_bad_input(server: HostileServer, tmp_path: Path) -> None:
    lines = ["[fetch]", "connect_timeout = 2.0", "first_byte_timeout = 2.0", "total_timeout = 5.0",
             "max_body_bytes = 2097152", 'allow_private_hosts = ["127.0.0.1"]', ""]
    for name in [*BAD, "good1.xml", "good2.xml"]:
        path = "/" + name if name.endswith(".xml") else "/" + name
        lines += ["[[sources]]", f'name = "{name}"', f'url = "{server.url(path)}"', ""]
    (tmp_path / "sources.toml").write_text("\n".join(lines))
    assert watcher(tmp_path, "init", "--no-seed").returncode == 0

    started = time.monotonic()
    out, peak_mb = _with_peak_rss(tmp_path, "poll", "--once", "--json")
    took = time.monotonic() - started
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    summary = json.loads(out.stdout)
    assert summary["sources"] == len(BAD) + 2
    assert summary["errors"] >= 11
    assert took < 30, f"the pass took {took:.1f} s"
    # ~300 MB of it is the Korean analyser, loaded by a worker at the first Korean sentence; a 1 GiB gzip
    # bomb or an entity expansion that got through would be far above
    assert peak_mb < 700, f"peak RSS {peak_mb:.0f} MB"

    rows = {r["name"]: r for r in json.loads(watcher(tmp_path, "sources", "--json").stdout)}
    for name, allowed in BAD.items():
        assert rows[name]["last_status"] in allowed, (name, rows[name])
        if rows[name]["last_status"] not in ("ok", "not_modified"):
            assert rows[name]["last_error"], f"{name} has no reason"
            assert rows[name]["error_count"] == 1
    assert "169.254.169.254" in rows["to-metadata"]["last_error"]
    assert rows["good1.xml"]["last_status"] == "ok" and rows["good2.xml"]["last_status"] == "ok"
    assert rows["good1.xml"]["articles"] == 2 and rows["good2.xml"]["articles"] == 2

    # Retry-After pushed the next check at least two minutes out
    next_429 = dt.datetime.fromisoformat(rows["429"]["next_check_at"])
    assert next_429 >= dt.datetime.now(dt.UTC) + dt.timedelta(seconds=100)

    arts = json.loads(watcher(tmp_path, "articles", "--json", "--limit", "0").stdout)
    dump = json.dumps(arts) + (tmp_path / "w.sqlite3").read_bytes().decode("latin-1")
    passwd = Path("/etc/passwd").read_text().splitlines()[0]
    assert passwd not in dump
    assert "lollollol" not in dump
    assert not any("Stock markets" in a["title"] for a in arts)
    # nothing reached a forbidden address: the redirects were refused before connecting
    assert server.hits["/to-metadata"] == 1 and server.hits["/to-private"] == 1


def test_second_pass_is_conditional(server: HostileServer, tmp_path: Path) -> None:
    (tmp_path / "sources.toml").write_text(
        '[fetch]\nallow_private_hosts = ["127.0.0.1"]\n\n'
        f'[[sources]]\nname = "good"\nurl = "{server.url("/good1.xml")}"\n')
    assert watcher(tmp_path, "init", "--no-seed").returncode == 0
    first = json.loads(watcher(tmp_path, "poll", "--once", "--json").stdout)
    second = json.loads(watcher(tmp_path, "poll", "--once", "--json").stdout)
    assert first["new_articles"] == 2 and first["fetched"] == 1
    # the raw server sends no validators, so the unchanged body is recognised by its hash
    assert second["new_articles"] == 0 and second["not_modified"] == 1
