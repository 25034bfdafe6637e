"""The pieces a page is built from: review logic (both databases), escaping, highlighting, SVG."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from sqlalchemy import select

from watcher.store import web_queries as q
from watcher.store.schema import changes, commitments
from watcher.web import markup, timeline

from .conftest import ROOT, XSS_IMG, seeded


def test_apply_review_and_recompute_status(db_url: str, registry: str) -> None:
    db = seeded(db_url, registry)
    with db.store.write() as conn:
        rows = q.list_changes(conn, commitment="trilateral_secretariat", limit=None, oldest_first=True)
        adv = next(r for r in rows if r["kind"] == "advanced")
        assert q.recompute_status(conn, "trilateral_secretariat") == "in_progress"
        for r in rows:
            if (r["published_at"], r["id"]) >= (adv["published_at"], adv["id"]):
                out = q.apply_review(conn, r["id"], "reject", reviewer="Kim", comment="not yet")
        assert out["commitment_status"] == "agreed"
        assert conn.execute(select(commitments.c.status).where(commitments.c.id == "trilateral_secretariat")) \
            .scalar() == "agreed"
        assert conn.execute(select(changes.c.review_status).where(changes.c.id == adv["id"])).scalar() == "rejected"
        # a correction: the advance was really a drop
        out = q.apply_review(conn, adv["id"], "correct", reviewer="Lee", new_kind="dropped", comment="cancelled")
        assert out["commitment_status"] == "dropped" and out["old_kind"] == "advanced"
        ch = q.get_change(conn, adv["id"])
        assert ch and (ch["kind"], ch["to_status"], ch["review_status"]) == ("dropped", "dropped", "corrected")
        # reject everything: the registry's word stands
        for r in q.list_changes(conn, commitment="trilateral_secretariat", limit=None):
            q.apply_review(conn, r["id"], "reject", reviewer="Park")
        assert q.recompute_status(conn, "trilateral_secretariat") == "agreed"
        hist = q.review_history(conn, commitment="trilateral_secretariat")
        assert hist[0]["reviewer"] == "Park" and {h["decision"] for h in hist} == {"reject", "correct"}
        with pytest.raises(q.ReviewError):
            q.apply_review(conn, adv["id"], "maybe", reviewer="Kim")
        with pytest.raises(q.ReviewError):
            q.apply_review(conn, adv["id"], "confirm", reviewer=" ")
        with pytest.raises(q.ReviewError):
            q.apply_review(conn, 10**9, "confirm", reviewer="Kim")
        assert q.recompute_status(conn, "no_such_commitment") is None
    db.store.dispose()


def test_reviews_survive_replay(db_url: str, registry: str) -> None:
    """Reviews made before `watcher replay` hold for the rebuilt changes; a change the rebuild does not make
    again (here one written by hand) keeps its review in the history, unlinked."""
    from watcher.ingest.replay import replay_store

    db = seeded(db_url, registry)
    with db.store.write() as conn:
        q.apply_review(conn, db.change_id, "confirm", reviewer="Kim", comment="ok")
        rows = q.list_changes(conn, commitment="trilateral_secretariat", limit=None, oldest_first=True)
        adv = next(r for r in rows if r["kind"] == "advanced")
        other = next(r for r in rows if r["id"] != adv["id"])
        q.apply_review(conn, adv["id"], "reject", reviewer="Park", comment="too early")
        q.apply_review(conn, adv["id"], "correct", reviewer="Lee", new_kind="reaffirmed", comment="a restatement")
        q.apply_review(conn, other["id"], "confirm", reviewer="Kim")
        status_before = conn.execute(select(commitments.c.status)
                                     .where(commitments.c.id == "trilateral_secretariat")).scalar()
    info = replay_store(db.store)
    assert info["reviews"] == 2
    with db.store.read() as conn:
        (h,) = q.review_history(conn, commitment="minted_hostile")
        assert h["reviewer"] == "Kim" and h["change_id"] is None and h["old_kind"] == "new"
        rebuilt = {(r["article_id"], r["kind"]): r for r in
                   q.list_changes(conn, commitment="trilateral_secretariat", limit=None, oldest_first=True)}
        corrected = rebuilt[adv["article_id"], "reaffirmed"]
        assert corrected["review_status"] == "corrected"
        assert rebuilt[other["article_id"], other["kind"]]["review_status"] == "confirmed"
        hist = q.review_history(conn, commitment="trilateral_secretariat")
        assert {h["reviewer"]: h["change_id"] for h in hist if h["reviewer"] in ("Park", "Lee")} == {
            "Park": corrected["id"], "Lee": corrected["id"]}
        assert conn.execute(select(commitments.c.status).where(commitments.c.id == "trilateral_secretariat")) \
            .scalar() == status_before
    again = replay_store(db.store)   # the second replay finds them all again
    assert again["reviews"] == 2
    db.store.dispose()


def test_highlight_escapes_and_marks() -> None:
    pat = markup.terms_pattern('secretariat "Freedom Edge" 사무국')
    out = str(markup.highlight(f"The SECRETARIAT {XSS_IMG} freedom edge 사무국", pat))
    assert "<img" not in out and "&lt;img src=x onerror=" in out
    assert out.count("<mark>") == 3 and "<mark>SECRETARIAT</mark>" in out and "<mark>사무국</mark>" in out
    assert str(markup.highlight("<b>", None)) == "&lt;b&gt;"
    snip = str(markup.snippet("word " * 200 + "secretariat is here " + "tail " * 200, pat))
    assert snip.startswith("… ") and "<mark>secretariat</mark>" in snip and snip.endswith(" …")


def test_claims_marked_by_offset_or_sentence() -> None:
    text = "First <b>one</b>. Second sentence here. Third."
    claims = [{"id": 1, "start": 18, "end": 39, "sentence": "Second sentence here.", "commitment_id": "x"},
              {"id": 2, "start": 0, "end": 0, "sentence": "Third.", "modality": "will"}]
    out = str(markup.mark_claims(text, claims, ["Second sentence here."]))
    assert "&lt;b&gt;one&lt;/b&gt;" in out
    assert '<mark class="claim about evidence" id="claim-1"' in out and ">Second sentence here.</mark>" in out
    assert '<mark class="claim" id="claim-2" data-tip="Claim: will">Third.</mark>' in out


@pytest.mark.parametrize("url", ["javascript:alert(1)", " JaVaScRiPt:alert(1)", "data:text/html,x", "vbscript:x",
                                 "http://exa\nmple.org", "//evil.example", "http://x/\"onmouseover=1", ""])
def test_unsafe_urls_are_not_links(url: str) -> None:
    assert markup.safe_url(url) is None


def test_safe_urls_stay() -> None:
    assert markup.safe_url("https://en.yna.co.kr/view/AEN2024?x=1&y=2") == "https://en.yna.co.kr/view/AEN2024?x=1&y=2"


def test_timeline_svg_marks_and_escapes() -> None:
    c = {"id": "x", "title": f"T {XSS_IMG}", "registry_status": "agreed", "status": "in_progress",
         "deadline": dt.date(2024, 12, 31), "since": "2023",
         "changes": [{"id": 1, "kind": "reaffirmed", "from_status": "agreed", "to_status": "agreed",
                      "evidence": f"said {XSS_IMG}", "published_at": dt.datetime(2024, 3, 1, tzinfo=dt.UTC)},
                     {"id": 2, "kind": "advanced", "from_status": "agreed", "to_status": "in_progress",
                      "evidence": "launched", "published_at": dt.datetime(2024, 11, 15, tzinfo=dt.UTC)},
                     {"id": 3, "kind": "dropped", "from_status": "in_progress", "to_status": "dropped",
                      "evidence": "cancelled", "review_status": "rejected",
                      "published_at": dt.datetime(2025, 2, 1, tzinfo=dt.UTC)}]}
    start, end = timeline.span([c], dt.date(2025, 6, 1))
    svg = str(timeline.svg(c, start, end, today=dt.date(2025, 6, 1), link_base="/commitments/x"))
    assert "<img" not in svg and "&lt;img" in svg
    assert svg.count('class="mark"') == 3 and 'href="/commitments/x#change-2"' in svg
    assert "deadline 2024-12-31" in svg and "<polygon" in svg
    assert 'fill="#ffffff" stroke="#8c959f"' in svg   # the rejected drop: hollow, grey
    assert "in_progress" not in svg.split("<title>")[0]


def test_serve_refuses_a_public_address_without_token() -> None:
    cmd = [sys.executable, "-m", "watcher", "--db", "sqlite:///:memory:", "serve", "--host", "0.0.0.0"]
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert out.returncode == 2 and "token" in out.stderr
    out = subprocess.run(cmd + ["--token-env", "WATCHER_WEB_TEST_TOKEN"], capture_output=True, text=True, cwd=ROOT,
                         timeout=60, env={"PATH": "/usr/bin:/bin", "WATCHER_WEB_TEST_TOKEN": "short"})
    assert out.returncode == 2 and "16 or more" in out.stderr
    helped = subprocess.run([sys.executable, "-m", "watcher", "serve", "--help"], capture_output=True, text=True,
                            cwd=ROOT, timeout=60)
    assert helped.returncode == 0 and "--token-env" in helped.stdout and "127.0.0.1" in helped.stdout
