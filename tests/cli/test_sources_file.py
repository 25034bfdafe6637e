"""sources.toml edited by commands: `sources import` (OPML), `sources enable/disable`; the file stays valid."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def watcher(tmp: Path, *args: str, config: Path) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "watcher", "--db", f"sqlite:///{tmp}/w.sqlite3", "--config", str(config), *args]
    return subprocess.run(cmd, capture_output=True, text=True, cwd=tmp, timeout=120)


HOSTILE_OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0"><head/><body>
<outline text="Car&#13;riage &#127;del" xmlUrl="https://example.org/cr.xml"/>
<outline text="He said &quot;hi&quot; \\ back\\slash" xmlUrl="https://example.org/q.xml?a=&quot;b&quot;&amp;c=d"/>
<outline text="연합뉴스 · 日米韓 &#x202e;evil&#133;end" xmlUrl="https://例え.jp/フィード?q=사무국"/>
<outline text="Tab&#9;and&#10;newline" xmlUrl="https://example.org/t.xml"/>
</body></opml>
"""


def test_import_escapes_every_character_and_the_file_round_trips(tmp_path: Path) -> None:
    cfg = tmp_path / "sources.toml"
    cfg.write_text('# my feeds\n[[sources]]\nname = "Kyodo"\nurl = "https://english.kyodonews.net/rss/all.xml"',
                   encoding="utf-8")     # no final newline: the import must not glue its table to this line
    opml = tmp_path / "feeds.opml"
    opml.write_text(HOSTILE_OPML, encoding="utf-8")
    out = watcher(tmp_path, "sources", "import", str(opml), config=cfg)
    assert out.returncode == 0, out.stderr
    assert "4 sources added" in out.stdout
    raw = cfg.read_bytes()
    assert b"\r" not in raw and b"\x7f" not in raw and "\x85".encode() not in raw
    data = tomllib.loads(raw.decode("utf-8"))
    got = {(s["name"], s["url"]) for s in data["sources"]}
    assert got == {
        ("Kyodo", "https://english.kyodonews.net/rss/all.xml"),
        ("Car\rriage \x7fdel", "https://example.org/cr.xml"),
        ('He said "hi" \\ back\\slash', 'https://example.org/q.xml?a="b"&c=d'),
        ("연합뉴스 · 日米韓 \u202eevil\x85end", "https://例え.jp/フィード?q=사무국"),
        ("Tab\tand\nnewline", "https://example.org/t.xml"),
    }
    assert raw.decode("utf-8").startswith('# my feeds\n[[sources]]\nname = "Kyodo"\n')
    listing = watcher(tmp_path, "sources", "--json", config=cfg)     # every command still reads the file
    assert listing.returncode == 0 or "run `watcher init`" in listing.stderr, listing.stderr
    again = watcher(tmp_path, "sources", "import", str(opml), config=cfg)
    assert again.returncode == 0 and "0 sources added" in again.stdout and "4 already there" in again.stdout
    assert cfg.read_bytes() == raw


def test_a_bad_import_leaves_the_file_unchanged(tmp_path: Path) -> None:
    cfg = tmp_path / "sources.toml"
    cfg.write_text('[[sources]]\nname = "Kyodo"\nurl = "https://english.kyodonews.net/rss/all.xml"\n')
    before = cfg.read_bytes()
    opml = tmp_path / "feeds.opml"
    opml.write_text(HOSTILE_OPML, encoding="utf-8")
    out = watcher(tmp_path, "sources", "import", str(opml), "--interval", "5", config=cfg)
    assert out.returncode == 2 and "interval" in out.stderr and "Traceback" not in out.stderr
    assert cfg.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".sources.toml")], "temporary file left behind"
