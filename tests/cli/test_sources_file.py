"""sources.toml edited by commands: `sources import` (OPML), `sources enable/disable`; the file stays valid."""

from __future__ import annotations

import json
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


FEEDS = """# my feeds
[fetch]
connect_timeout = 2.0

# --- Seoul ---
[[sources]]
name = "A"
url = "https://a.example.org/rss"   # the wire
enabled   =   false    # muted while they fix their feed
tags = ["wire"]

[[sources]]
name = "B"
url = "https://b.example.org/rss"
interval = "15m"

# trailing comment of B

[[sources]]
name = "C"
url = "https://c.example.org/rss"
"""


def test_enable_and_disable_edit_only_that_entry_of_the_file(tmp_path: Path) -> None:
    cfg = tmp_path / "sources.toml"
    cfg.write_text(FEEDS, encoding="utf-8")
    assert watcher(tmp_path, "init", "--no-seed", config=cfg).returncode == 0

    def enabled() -> dict[str, bool]:
        out = watcher(tmp_path, "sources", "--json", config=cfg)
        assert out.returncode == 0, out.stderr
        return {s["name"]: s["enabled"] for s in json.loads(out.stdout)}

    assert enabled() == {"A": False, "B": True, "C": True}
    out = watcher(tmp_path, "sources", "enable", "A", config=cfg)
    assert out.returncode == 0 and "A: enabled" in out.stdout, out.stderr
    assert cfg.read_text(encoding="utf-8") == FEEDS.replace("enabled   =   false", "enabled   =   true")
    out = watcher(tmp_path, "sources", "disable", "B", config=cfg)
    assert out.returncode == 0, out.stderr
    after_b = FEEDS.replace("enabled   =   false", "enabled   =   true").replace(
        'interval = "15m"\n', 'interval = "15m"\nenabled = false\n')
    assert cfg.read_text(encoding="utf-8") == after_b
    assert enabled() == {"A": True, "B": False, "C": True}
    again = watcher(tmp_path, "sources", "disable", "B", config=cfg)
    assert again.returncode == 0 and "already disabled" in again.stdout
    assert cfg.read_text(encoding="utf-8") == after_b
    nope = watcher(tmp_path, "sources", "enable", "Nope", config=cfg)
    assert nope.returncode == 2 and "no source named 'Nope'" in nope.stderr


def test_the_file_says_why_not_when_it_cannot_be_edited(tmp_path: Path) -> None:
    cfg = tmp_path / "sources.toml"
    inline = 'sources = [{name = "A", url = "https://a.example.org/rss", enabled = false}]\n'
    cfg.write_text(inline)
    assert watcher(tmp_path, "init", "--no-seed", config=cfg).returncode == 0
    out = watcher(tmp_path, "sources", "enable", "A", config=cfg)
    assert out.returncode == 2 and "cannot enable 'A'" in out.stderr and "by hand" in out.stderr
    assert cfg.read_text() == inline
    cfg.write_text(FEEDS)
    cfg.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        import os
        if os.geteuid() != 0:     # root writes anyway
            out = watcher(tmp_path, "sources", "disable", "C", config=cfg)
            assert out.returncode == 2 and "cannot disable 'C'" in out.stderr and "Traceback" not in out.stderr
            assert cfg.read_text() == FEEDS
    finally:
        tmp_path.chmod(0o755)
        cfg.chmod(0o644)


def test_sources_removed_from_the_file_are_kept_but_not_listed_counted_or_polled(tmp_path: Path) -> None:
    from sqlalchemy import text

    from watcher.store import Store
    from watcher.store.web_queries import list_sources, source_health

    cfg = tmp_path / "sources.toml"
    cfg.write_text(FEEDS, encoding="utf-8")
    assert watcher(tmp_path, "init", "--no-seed", config=cfg).returncode == 0
    db = f"sqlite:///{tmp_path}/w.sqlite3"
    store = Store(db)
    with store.write() as conn:    # C has been failing for a while
        conn.execute(text("UPDATE sources SET error_count = 7, last_status = 'timeout' WHERE name = 'C'"))
    cfg.write_text(FEEDS[:FEEDS.index('[[sources]]\nname = "C"')], encoding="utf-8")
    listed = json.loads(watcher(tmp_path, "sources", "--json", config=cfg).stdout)
    assert [s["name"] for s in listed] == ["A", "B"]
    everything = {s["name"]: s for s in json.loads(watcher(tmp_path, "sources", "--json", "--all", config=cfg).stdout)}
    assert set(everything) == {"A", "B", "C"} and everything["C"]["removed_at"] and not everything["A"]["removed_at"]
    assert everything["C"]["error_count"] == 7 and everything["C"]["enabled"] is False     # history kept
    assert "removed_at" in watcher(tmp_path, "sources", "--all", config=cfg).stdout
    with store.read() as conn:
        health = source_health(list_sources(conn))
    assert health["total"] == 2 and health["failing"] == 0
    out = watcher(tmp_path, "sources", "enable", "C", config=cfg)
    assert out.returncode == 2 and "removed from" in out.stderr
    cfg.write_text(FEEDS, encoding="utf-8")      # put back: listed again, not removed
    listed = json.loads(watcher(tmp_path, "sources", "--json", config=cfg).stdout)
    assert [s["name"] for s in listed] == ["A", "B", "C"]
    store.dispose()
