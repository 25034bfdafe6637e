"""What the listings print for people: safe text from hostile feeds and servers, readable tables."""

from __future__ import annotations

import json
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from tests.feedserver import FeedServer

ROOT = Path(__file__).resolve().parents[2]

ESC_TITLE = ("Trilateral \x1b]0;pwned\x07summit\x1b[2J of the United States, Japan and South Korea "
             "\u202edetaerc\u202c \x9b31m\x08")


def watcher(tmp: Path, *args: str, config: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "watcher", "--db", f"sqlite:///{tmp}/w.sqlite3", "--config", str(config), *args]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp, timeout=120)
    assert out.returncode == 0, out.stderr
    return out


def _hostile_reason(h: BaseHTTPRequestHandler) -> None:
    h.wfile.write(b"HTTP/1.1 503 Down \x1b]52;c;cHduZWQ=\x07\x1b[31mred \xe2\x80\xae\r\n"
                  b"Content-Length: 0\r\nConnection: close\r\n\r\n")


def test_terminal_escapes_from_feeds_and_servers_are_not_printed(tmp_path: Path) -> None:
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [{
        "id": "1", "url": "http://example.org/a1", "title": ESC_TITLE, "date_published": "2024-11-15T00:00:00Z",
        "content_text": "The United States, Japan and South Korea agreed to hold a trilateral summit. " * 3}]}
    with FeedServer() as srv:
        good = srv.route("/feed.json", json.dumps(feed), content_type="application/feed+json")
        bad = srv.route("/bad", _hostile_reason)
        cfg = tmp_path / "sources.toml"
        cfg.write_text('[fetch]\nallow_private_hosts = ["127.0.0.1"]\nextract_pages = false\n'
                       f'[[sources]]\nname = "Good \\u001b[1mfeed"\nurl = "{good}"\n'
                       f'[[sources]]\nname = "Bad"\nurl = "{bad}"\n')
        watcher(tmp_path, "init", "--no-seed", config=cfg)
        watcher(tmp_path, "poll", "--once", config=cfg)
    arts = json.loads(watcher(tmp_path, "articles", "--json", config=cfg).stdout)
    assert [a["title"] for a in arts] == [ESC_TITLE.strip()] or [a["title"] for a in arts] == [ESC_TITLE]
    srcs = {s["name"]: s for s in json.loads(watcher(tmp_path, "sources", "--json", config=cfg).stdout)}
    assert "\x1b" in srcs["Bad"]["last_error"], srcs["Bad"]          # JSON stays exact
    assert "Good \x1b[1mfeed" in srcs
    for args in (["articles"], ["sources"]):
        text = watcher(tmp_path, *args, config=cfg).stdout
        assert not any(ch in text for ch in "\x1b\x07\x08\x9b\u202e\u202c"), (args, text)
    listing = watcher(tmp_path, "articles", config=cfg).stdout
    assert "summit" in listing and "\\u202edetaerc" in listing
    health = watcher(tmp_path, "sources", config=cfg).stdout
    assert "Good [1mfeed" in health and "Down" in health


def _run(tmp: Path, *args: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "watcher", "--db", f"sqlite:///{tmp}/w.sqlite3"]
    if config is not None:
        cmd += ["--config", str(config)]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, cwd=tmp, timeout=120)


def test_arguments_naming_nothing_say_what_is_missing(tmp_path: Path) -> None:
    cfg = tmp_path / "sources.toml"
    cfg.write_text('[[sources]]\nname = "Kyodo"\nurl = "https://english.kyodonews.net/rss/all.xml"\n')
    assert _run(tmp_path, "init", "--no-seed", config=cfg).returncode == 0
    cases = [
        (["ingest", str(tmp_path / "nope.txt")], f"no such file: {tmp_path / 'nope.txt'}"),
        (["poll", "--once", "--source", "Kyodo", "--source", "Nope"], "no source named 'Nope'"),
        (["changes", "--commitment", "nope"], "no commitment 'nope'"),
    ]
    for args, message in cases:
        out = _run(tmp_path, *args, config=cfg)
        assert out.returncode == 2, (args, out.stdout, out.stderr)
        assert message in out.stderr and "bad configuration" not in out.stderr and "Traceback" not in out.stderr
        assert out.stdout == "", (args, out.stdout)
    known = _run(tmp_path, "changes", "--commitment", "trilateral_secretariat", config=cfg)
    assert known.returncode == 0 and known.stdout.strip() == "(none)"
