"""The trial's cases (issue 12, point 4): the live pass and `watcher replay` agree on every change, a
rejected change is rejected in both, an unconfirmed press report waits beside the confirmed status, an
agreement to launch by a date keeps its deadline, and weakening one commitment leaves another alone."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from watcher.claims import extract_claims
from watcher.commitments.diff import Document, diff_document, initial_states, replay
from watcher.commitments.registry import parse_registry
from watcher.ingest.documents import read_document
from watcher.ingest.intake import Analyzer, load_registry_into, store_articles
from watcher.ingest.replay import replay_store
from watcher.store import Store
from watcher.store import reviews as _reviews
from watcher.store import web_queries as q

ROOT = Path(__file__).resolve().parents[2]
DEV2 = ROOT.parent / "shared" / "eval" / "dev2" / "en"
NOW = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

REGISTRY = """
schema_version = 1
[[commitment]]
id = "trilateral_secretariat"
title = "Trilateral Secretariat"
aliases = ["trilateral secretariat"]
keywords = ["secretariat"]
status = "agreed"
[[commitment]]
id = "freedom_edge"
title = "Freedom Edge trilateral exercise"
aliases = ["Freedom Edge"]
keywords = ["exercise"]
status = "in_progress"
recurring = true
"""


def _store(db_url: str, tmp_path: Path, registry: str = REGISTRY) -> tuple[Store, Path]:
    path = tmp_path / "registry.toml"
    path.write_text(registry, encoding="utf-8")
    store = Store(db_url)
    store.migrate()
    with store.write() as conn:
        load_registry_into(conn, str(path), today=dt.date(2014, 1, 1))
    return store, path


def _ingest(store: Store, path: Path, published: dt.date, *, source: str = "ingest", official: bool = False) -> int:
    """One document as `watcher ingest` takes it: a fresh analyzer on the stored states."""
    now = dt.datetime.now(dt.UTC)     # stored when ingested: a review made between two ingests comes between them
    art = read_document(path, published=dt.datetime.combine(published, dt.time(), dt.UTC), source=source,
                        official=official, now=now)
    return store_articles(store, [art], now=now, analyzer=Analyzer.from_store(store)).changes


def _changes(store: Store) -> list[tuple[object, ...]]:
    with store.read() as conn:
        rows = q.list_changes(conn, limit=None, oldest_first=True)
    return [(r["doc"], r["commitment_id"], r["kind"], r["from_status"], r["to_status"], r["evidence"],
             bool(r["confirmed"]), r["review_status"]) for r in rows]


def _doc(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


def test_replay_after_a_rejected_change_rebuilds_the_live_transition(db_url: str, tmp_path: Path) -> None:
    store, _ = _store(db_url, tmp_path)
    cancel = _doc(tmp_path, "a-cancel.txt", "Seoul report\n\nThe leaders of the United States, Japan and South "
                  "Korea cancelled the trilateral secretariat, officials said.\n")
    launch = _doc(tmp_path, "b-launch.txt", "Launch\n\nSouth Korea, the United States and Japan officially launched "
                  "the trilateral secretariat in Seoul on Monday.\n")
    assert _ingest(store, cancel, dt.date(2024, 10, 1)) == 1
    with store.write() as conn:
        (dropped,) = [r for r in q.list_changes(conn, limit=None) if r["kind"] == "dropped"]
        out = _reviews.apply_review(conn, dropped["id"], "reject", reviewer="Kim", comment="a misreading")
    assert out["commitment_status"] == "agreed"
    assert _ingest(store, launch, dt.date(2024, 11, 20)) == 1
    live = _changes(store)
    assert [c[1:5] for c in live] == [("trilateral_secretariat", "dropped", "agreed", "dropped"),
                                      ("trilateral_secretariat", "advanced", "agreed", "implemented")]
    replay_store(store)
    assert _changes(store) == live
    store.dispose()


def test_a_running_analyzer_follows_a_review_made_elsewhere(db_url: str, tmp_path: Path) -> None:
    """The daemon keeps one analyzer; a change rejected in the web interface meanwhile is no longer the
    status the next article is read against (as `watcher replay` will read it)."""
    store, _ = _store(db_url, tmp_path)
    analyzer = Analyzer.from_store(store)
    cancel = _doc(tmp_path, "a-cancel.txt", "Seoul report\n\nThe leaders of the United States, Japan and South "
                  "Korea cancelled the trilateral secretariat, officials said.\n")
    launch = _doc(tmp_path, "b-launch.txt", "Launch\n\nSouth Korea, the United States and Japan officially launched "
                  "the trilateral secretariat in Seoul on Monday.\n")
    for path, day in ((cancel, 1), (launch, 20)):
        now = dt.datetime.now(dt.UTC)
        art = read_document(path, published=dt.datetime(2024, 11, day, tzinfo=dt.UTC), now=now)
        store_articles(store, [art], now=now, analyzer=analyzer)
        if day == 1:
            with store.write() as conn:
                (dropped,) = q.list_changes(conn, limit=None)
                _reviews.apply_review(conn, dropped["id"], "reject", reviewer="Kim")
    live = _changes(store)
    assert live[-1][2:5] == ("advanced", "agreed", "implemented")
    replay_store(store)
    assert _changes(store) == live
    store.dispose()


def test_a_set_ingested_live_equals_its_replay(db_url: str, tmp_path: Path) -> None:
    """Real texts one by one as `watcher ingest` takes them, then `watcher replay`: the same changes."""
    store, _ = _store(db_url, tmp_path, (DEV2 / "registry.toml").read_text(encoding="utf-8"))
    docs = sorted((DEV2 / "docs").glob("e*.txt"))[8:22]
    for p in docs:
        head, _, body = p.read_text(encoding="utf-8").partition("\n---\n")
        date = dt.date.fromisoformat(next(x for x in head.splitlines() if x.startswith("date:"))[5:].strip())
        outlet = next(x for x in head.splitlines() if x.startswith("outlet:"))[7:].strip()
        _ingest(store, _doc(tmp_path, p.name, body.strip() + "\n"), date, source=outlet)
    live = _changes(store)
    assert len(live) >= 10 and any(c[2] == "new" for c in live)
    replay_store(store)
    assert _changes(store) == live
    store.dispose()


def test_unconfirmed_press_report_waits_beside_the_confirmed_status(db_url: str, tmp_path: Path) -> None:
    store, registry = _store(db_url, tmp_path)
    launch = _doc(tmp_path, "press.txt", "Launch\n\nSouth Korea, the United States and Japan officially launched "
                  "the trilateral secretariat in Seoul on Monday.\n")
    _ingest(store, launch, dt.date(2024, 11, 20), source="Some Wire")
    db = ["--db", db_url, "--config", str(ROOT / "sources.toml"), "--registry", str(registry)]

    def listing() -> dict[str, dict[str, object]]:
        out = subprocess.run([sys.executable, "-m", "watcher", *db, "commitments", "--json"], capture_output=True,
                             text=True, cwd=ROOT, check=True)
        return {c["id"]: c for c in json.loads(out.stdout)}

    sec = listing()["trilateral_secretariat"]
    assert sec["status"] == sec["confirmed_status"] == "agreed"
    assert sec["pending"] == {"kind": "advanced", "to_status": "implemented", "doc": "press.txt",
                              "evidence": "South Korea, the United States and Japan officially launched the "
                                          "trilateral secretariat in Seoul on Monday.",
                              "waiting_for": "an official source, a second outlet or a reviewer"}
    text = subprocess.run([sys.executable, "-m", "watcher", *db, "commitments"], capture_output=True, text=True,
                          cwd=ROOT, check=True).stdout
    line = next(x for x in text.splitlines() if x.startswith("trilateral_secretariat"))
    assert "agreed" in line and "unconfirmed: advanced → implemented" in line
    for page in ("/commitments", "/commitments/trilateral_secretariat"):
        html = _web_page(store, page)
        assert '<span class="pending"' in html and "unconfirmed: advanced → implemented (press.txt)" in html
    # an official source backs it: the confirmed status moves, nothing is left waiting
    official = _doc(tmp_path, "statement.txt", "Statement\n\nThe trilateral secretariat was launched in Seoul, "
                    "the foreign ministries of the United States, Japan and the Republic of Korea said.\n")
    _ingest(store, official, dt.date(2024, 11, 21), source="MOFA", official=True)
    sec = listing()["trilateral_secretariat"]
    assert (sec["status"], sec["pending"]) == ("implemented", None)
    store.dispose()


def _web_page(store: Store, path: str) -> str:
    """A page of the web interface, served on loopback as `watcher serve` does."""
    import urllib.request

    from watcher.web.app import WebApp
    from watcher.web.server import loopback_hosts, serve_in_thread

    app = WebApp(store, today=lambda: dt.date(2026, 1, 15))
    server, thread = serve_in_thread(app)
    port = server.server_address[1]
    app.guard.allowed_hosts = loopback_hosts("127.0.0.1", port)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=30) as resp:
            return str(resp.read().decode("utf-8"))
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _claims_diff(text: str, registry: str = REGISTRY) -> list[tuple[str, str, str, dt.date | None]]:
    reg = parse_registry(registry)
    doc = Document(doc="d.txt", url=None, title="", text=text, published_at=dt.date(2024, 9, 1), source="wire")
    res = diff_document(initial_states(reg), doc, extract_claims(text, published=doc.published_at))
    return [(c.commitment, c.kind, c.to_status, c.deadline) for c in res.changes]


def test_agreed_to_launch_by_a_date_is_agreed_with_that_deadline() -> None:
    reg = REGISTRY.replace('status = "agreed"', 'status = "proposed"', 1)
    text = ("The foreign ministers of the United States, Japan and South Korea agreed to launch the trilateral "
            "secretariat by June 2025.")
    assert _claims_diff(text, reg) == [("trilateral_secretariat", "advanced", "agreed", dt.date(2025, 6, 30))]
    res = replay(parse_registry(reg), [(Document("d.txt", None, "", text, dt.date(2024, 9, 1), "wire"),
                                        extract_claims(text, published=dt.date(2024, 9, 1)))])
    assert res.states["trilateral_secretariat"].deadline == dt.date(2025, 6, 30)
    # already agreed: restated with its deadline, not advanced
    assert _claims_diff(text) == [("trilateral_secretariat", "reaffirmed", "agreed", dt.date(2025, 6, 30))]


def test_weakening_one_commitment_leaves_the_other_named_alone() -> None:
    text = ("The defense ministers of the United States, Japan and South Korea agreed to scale back the Freedom Edge "
            "exercise and reaffirmed the trilateral secretariat.")
    assert sorted(_claims_diff(text)) == [("freedom_edge", "weakened", "in_progress", None),
                                          ("trilateral_secretariat", "reaffirmed", "agreed", None)]


def test_a_pasted_documents_header_is_front_matter_not_text(tmp_path: Path) -> None:
    p = _doc(tmp_path, "e99.txt", "title: Leaders agree\ndate: 2024-11-15\nurl: https://example.org/a\n"
             "outlet: Some Wire\nnote: the leaders agreed to launch a trilateral secretariat (a labeller's note)\n"
             "---\nThe leaders of the United States, Japan and South Korea met in Lima.\n")
    art = read_document(p, now=NOW)
    assert (art.title, art.url, art.source) == ("Leaders agree", "https://example.org/a", "Some Wire")
    assert art.published_at == dt.datetime(2024, 11, 15, tzinfo=dt.UTC)
    assert art.text == "The leaders of the United States, Japan and South Korea met in Lima."
    plain = _doc(tmp_path, "plain.txt", "Washington: the leaders met.\n\nNothing else.\n")
    assert read_document(plain, now=NOW).text == "Washington: the leaders met.\n\nNothing else."
