"""What the listings print for people: safe text from hostile feeds and servers, readable tables."""

from __future__ import annotations

import json
import subprocess
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from tests.support.feedserver import FeedServer

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
    assert "summit" in listing and "\\u202e" in listing
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


KO_DOC = ("한미일 정상, 사무국 출범 합의\n\n한국과 미국, 일본 정상은 리마에서 한미일 협력 사무국을 출범하기로 "
          "합의했다. 한미일 3국 협력을 제도화하기 위한 조치다.\n")
JA_DOC = ("日米韓首脳、事務局の設置で合意\n\n日本と米国、韓国の首脳はリマで会談し、日米韓の協力を制度化するため"
          "事務局を設置することで合意した。韓国側も歓迎した。\n")


def _db_run(db: str, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    cfg = tmp / "sources.toml"
    if not cfg.exists():
        cfg.write_text("")
    cmd = [sys.executable, "-m", "watcher", "--db", db, "--config", str(cfg), *args]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp, timeout=120)
    assert out.returncode == 0, out.stderr
    return out


def test_search_or_and_phrases_mean_the_same_on_both_databases(db_url: str, tmp_path: Path) -> None:
    _db_run(db_url, tmp_path, "init")
    for name, body in (("ko.txt", KO_DOC), ("ja.txt", JA_DOC)):
        (tmp_path / name).write_text(body, encoding="utf-8")
        _db_run(db_url, tmp_path, "ingest", str(tmp_path / name), "--force")
    everything = json.loads(_db_run(db_url, tmp_path, "articles", "--json", "--limit", "0").stdout)
    texts = {}
    from watcher.store import Store
    store = Store(db_url)
    with store.read() as conn:
        from sqlalchemy import text
        for row in conn.execute(text("SELECT doc, title, text FROM articles")):
            texts[row.doc] = (row.title + " " + row.text).lower()
    store.dispose()
    assert len(everything) == len(texts) == 7

    def oracle(groups: list[list[str]]) -> set[str]:
        return {d for d, t in texts.items() if all(any(term.lower() in t for term in g) for g in groups)}

    queries = {
        "Lima OR 사무국": [["lima", "사무국"]],
        '"Camp David"': [["camp david"]],
        '"secretariat Lima"': [["secretariat lima"]],
        "secretariat Lima": [["secretariat"], ["lima"]],
        "Peru OR 韓国": [["peru", "韓国"]],
        '"close three-way cooperation" OR 事務局 Blinken OR 리마': [["close three-way cooperation", "事務局"],
                                                                  ["blinken", "리마"]],
        'trilateral "OR"': [["trilateral"], ["or"]],
    }
    for q, groups in queries.items():
        rows = json.loads(_db_run(db_url, tmp_path, "articles", "--json", "--limit", "0", "--search", q).stdout)
        assert {r["doc"] for r in rows} == oracle(groups), q
    assert {"ko.txt", "002_67b74054e764ba79.txt", "003_5b6e0684267322a9.txt"} <= oracle([["lima", "사무국"]])
    assert oracle([["secretariat lima"]]) == set() and oracle([["secretariat"], ["lima"]])
    assert "ja.txt" in oracle([["peru", "韓国"]]) and oracle([["camp david"]]) < set(texts)


def test_tables_align_korean_and_japanese_and_show_whole_names_ids_urls_and_seconds(tmp_path: Path) -> None:
    import re
    import unicodedata

    def width(s: str) -> int:
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)

    names = ["연합뉴스 정치 (한미일 협력 속보)", "日本経済新聞 政治・外交", "Kyodo News (English): politics and diplomacy, all"]
    items = [{"id": "a1", "url": "http://example.org/a1", "title": "한미일 정상, 사무국 출범 합의",
              "date_published": "2024-11-15T09:30:05.123456Z", "content_text": KO_DOC}]
    feed = {"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": items}
    with FeedServer() as srv:
        url = srv.route("/feed.json", json.dumps(feed), content_type="application/feed+json")
        cfg = tmp_path / "sources.toml"
        cfg.write_text('[fetch]\nallow_private_hosts = ["127.0.0.1"]\nextract_pages = false\n' + "".join(
            f'[[sources]]\nname = "{n}"\nurl = "{url}?{i}"\n' for i, n in enumerate(names)))
        watcher(tmp_path, "init", "--no-seed", config=cfg)
        watcher(tmp_path, "poll", "--once", config=cfg)
    lines = watcher(tmp_path, "sources", config=cfg).stdout.splitlines()
    header, rows = lines[0], lines[1:]
    column = width(header[:header.index("last_status")])
    for n in names:
        (row,) = [r for r in rows if r.startswith(n)]      # the whole name, not cut
        rest = row[len(n):]
        assert width(n) + len(rest) - len(rest.lstrip(" ")) == column, (n, lines)
        stamps = re.findall(r"\d{4}-\d\d-\d\d[ T][\d:.+Z]*", row)
        assert len(stamps) == 2 and all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ", s) for s in stamps), row
        assert not re.search(r"\d\d:\d\d:\d\d\.\d", row), row
    listing = watcher(tmp_path, "articles", config=cfg).stdout.splitlines()
    assert listing[0].split() == ["id", "published_at", "source", "title", "url"]
    arts = json.loads(watcher(tmp_path, "articles", "--json", config=cfg).stdout)
    assert len(arts) == len(names)         # one row per source (dedupe is per source)
    assert len(listing[1:]) == len(names)
    for art, line in zip(arts, listing[1:], strict=True):
        assert line.startswith(f"{art['id']} ") and line.rstrip().endswith("http://example.org/a1")
        assert "2024-11-15 09:30:05Z" in line
