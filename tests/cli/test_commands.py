"""The commands as a user runs them, on a real fresh database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run(db: str, *args: str, config: Path | None = None, registry: Path | None = None,
        ok: bool = True) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "watcher", "--db", db, "--config", str(config or ROOT / "sources.toml")]
    if registry:
        cmd += ["--registry", str(registry)]
    out = subprocess.run([*cmd, *args], capture_output=True, text=True, cwd=ROOT, timeout=120)
    if ok:
        assert out.returncode == 0, out.stderr
    return out


def test_init_loads_seeds_once_and_is_idempotent(db_url: str) -> None:
    first = json.loads(run(db_url, "init", "--json").stdout)
    assert first["seed_articles_added"] == 5 and first["commitments"] >= 8
    again = json.loads(run(db_url, "init", "--json").stdout)
    assert again["seed_articles_added"] == 0 and again["commitments_added"] == 0
    arts = json.loads(run(db_url, "articles", "--json").stdout)
    assert len(arts) == 5
    assert arts[0]["published_at"].startswith("2024-11-15") and arts[-1]["published_at"].startswith("2021-05-05")
    assert "S. Korea, US, Japan to finalize trilateral secretariat when leaders meet this year" in {a["title"] for a in arts}
    srcs = json.loads(run(db_url, "sources", "--json").stdout)
    assert {"name", "url", "last_polled_at", "last_status", "last_error", "error_count", "next_check_at",
            "articles"} <= set(srcs[0])


def test_changes_commitments_and_replay_is_stable(db_url: str, shared: Path) -> None:
    run(db_url, "init", registry=shared / "eval" / "dev" / "registry.toml")
    changes = json.loads(run(db_url, "changes", "--json").stdout)
    assert changes, "the seed corpus should produce changes"
    keys = {"commitment", "change", "from_status", "to_status", "evidence", "article_url", "doc", "published_at",
            "detected_at"}
    assert keys <= set(changes[0])
    advanced = [c for c in changes if c["change"] == "advanced"]
    assert any(c["commitment"] == "trilateral_secretariat" and c["doc"] == "002_67b74054e764ba79.txt"
               for c in advanced)
    commitments = {c["id"]: c for c in json.loads(run(db_url, "commitments", "--json").stdout)}
    assert commitments["trilateral_secretariat"]["status"] == "in_progress"
    assert commitments["trilateral_secretariat"]["last_evidence"]

    def comparable(rows: list[dict[str, object]]) -> list[dict[str, object]]:
        return [{k: v for k, v in r.items() if k not in ("id", "detected_at")} for r in rows]

    run(db_url, "replay")
    once = comparable(json.loads(run(db_url, "changes", "--json").stdout))
    run(db_url, "replay")
    twice = comparable(json.loads(run(db_url, "changes", "--json").stdout))
    assert once == twice == comparable(changes)
    since = json.loads(run(db_url, "changes", "--json", "--since", "2024-11-01").stdout)
    assert since and all(c["published_at"] >= "2024-11-01" for c in since)


def test_ingest_a_statement(db_url: str, tmp_path: Path, shared: Path) -> None:
    run(db_url, "init", "--no-seed", registry=shared / "eval" / "dev" / "registry.toml")
    doc = tmp_path / "statement.txt"
    doc.write_text("Joint Statement\n\nThe leaders of the United States, Japan and the Republic of Korea announced "
                   "today that the Freedom Edge exercise scheduled for this month has been cancelled.\n")
    out = json.loads(run(db_url, "ingest", str(doc), "--published", "2025-03-01", "--official",
                         "--url", "https://example.gov/statement", "--json").stdout)
    assert out == [{"file": str(doc), "stored": True, "changes": 1, "reason": None}]
    (change,) = json.loads(run(db_url, "changes", "--json").stdout)
    assert (change["commitment"], change["change"], change["doc"]) == ("freedom_edge", "dropped", "statement.txt")
    assert "cancelled" in change["evidence"] and change["confirmed"] is True
    again = json.loads(run(db_url, "ingest", str(doc), "--published", "2025-03-01", "--json").stdout)
    assert again[0]["stored"] is False and again[0]["reason"] == "already stored"
    off = tmp_path / "rugby.txt"
    off.write_text("Wales beat England at rugby in Cardiff on Saturday.")
    skipped = json.loads(run(db_url, "ingest", str(off), "--json").stdout)
    assert skipped[0]["stored"] is False and "not about" in skipped[0]["reason"]


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/w.sqlite3"
    run(db, "init", "--no-seed")
    bad_date = run(db, "articles", "--since", "yesterday-ish", ok=False)
    assert bad_date.returncode == 2 and "yesterday-ish" in bad_date.stderr
    bad_reg = tmp_path / "reg.toml"
    bad_reg.write_text('schema_version = 1\n[[commitment]]\nid = "x"\nstatus = "sort of"\n[[commitment]]\ntitle = "t"\n')
    out = run(db, "init", registry=bad_reg, ok=False)
    assert out.returncode == 2
    assert "sort of" in out.stderr and out.stderr.count("commitment") >= 2


def test_uninitialised_database_is_a_clear_error(tmp_path: Path) -> None:
    out = run(f"sqlite:///{tmp_path}/none.sqlite3", "articles", ok=False)
    assert out.returncode == 1 and "watcher init" in out.stderr and "Traceback" not in out.stderr


def test_opml_round_trip(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/w.sqlite3"
    cfg = tmp_path / "sources.toml"
    cfg.write_text('[[sources]]\nname = "Kyodo"\nurl = "https://english.kyodonews.net/rss/all.xml"\n')
    opml = tmp_path / "feeds.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><head/><body>'
                    '<outline text="News"><outline text="Kyodo" xmlUrl="https://english.kyodonews.net/rss/all.xml"/>'
                    '<outline text="Yonhap &amp; Co" xmlUrl="https://en.yna.co.kr/RSS/news.xml"/></outline>'
                    '</body></opml>')
    out = run(db, "sources", "import", str(opml), config=cfg)
    assert "1 sources added" in out.stdout and "1 already there" in out.stdout
    exported = run(db, "sources", "export", config=cfg).stdout
    assert 'xmlUrl="https://en.yna.co.kr/RSS/news.xml"' in exported and 'text="Yonhap &amp; Co"' in exported
    bad = tmp_path / "bad.opml"
    bad.write_text('<opml><body><outline text="x" xmlUrl="file:///etc/passwd"/></body></opml>')
    res = run(db, "sources", "import", str(bad), config=cfg, ok=False)
    assert res.returncode == 2 and "file" in res.stderr


@pytest.mark.parametrize("query,title_part", [("사무국", None), ("secretariat", "secretariat")])
def test_articles_search(tmp_path: Path, query: str, title_part: str | None) -> None:
    db = f"sqlite:///{tmp_path}/w.sqlite3"
    run(db, "init")
    rows = json.loads(run(db, "articles", "--json", "--search", query).stdout)
    if title_part is None:
        assert rows == []
    else:
        assert rows and any(title_part in r["title"].lower() for r in rows)


def test_a_database_from_an_older_version_is_migrated_in_place(tmp_path: Path) -> None:
    from alembic import command

    from watcher.store import Store
    from watcher.store.migrate import alembic_config

    db = f"sqlite:///{tmp_path}/old.sqlite3"
    store = Store(db)
    cfg = alembic_config()
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")           # the schema of the first release
    assert store.is_initialised() and not store.is_current()
    cfg_file = tmp_path / "sources.toml"
    cfg_file.write_text("")
    out = run(db, "poll", "--once", "--json", config=cfg_file)
    assert json.loads(out.stdout)["sources"] == 0
    assert store.is_current()
    run(db, "alerts", "--json", config=cfg_file)   # the alerts table of a later migration exists
