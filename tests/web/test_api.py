"""The JSON API, exports, actions and security rules over real HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from .conftest import XSS_IMG, XSS_TITLE, Client, Served


def test_api_mirrors_the_pages(served_any: Served) -> None:
    c = Client(served_any.base)
    assert "/api/articles" in c.json("/api/")["endpoints"]
    ov = c.json("/api/overview")
    assert ov["latest_changes"] and ov["commitments"] >= 8
    first = ov["latest_changes"][0]
    assert {"commitment", "change", "evidence", "outlets", "published_at", "review_status"} <= set(first)
    dates = [ch["published_at"] for ch in ov["latest_changes"] if ch["published_at"]]
    assert dates == sorted(dates, reverse=True), "newest first"
    assert ov["sources_health"]["failing"] == 1 and ov["sources_health"]["failing_since"]
    coms = {x["id"]: x for x in c.json("/api/commitments")["commitments"]}
    assert coms["trilateral_secretariat"]["status"] == "in_progress"
    assert any(ch["kind"] == "advanced" for ch in coms["trilateral_secretariat"]["changes"])
    one = c.json("/api/commitments/trilateral_secretariat")
    assert one["commitment"]["id"] == "trilateral_secretariat" and one["commitment"]["changes"]
    srcs = c.json("/api/sources")["sources"]
    assert {"name", "last_polled_at", "last_status", "last_error", "error_count", "next_check_at",
            "articles"} <= set(srcs[0])
    alerts = c.json("/api/alerts")
    assert alerts["has_outbox"] is False or alerts["alerts"][0]["state"] == "failed"


def test_search_filters_and_article(served_any: Served) -> None:
    c = Client(served_any.base)
    hits = c.json("/api/articles?q=secretariat")["articles"]
    assert hits and all("secretariat" in (h["title"] + h["excerpt"]).lower() for h in hits)
    ko = c.json("/api/articles?q=%EC%82%AC%EB%AC%B4%EA%B5%AD")          # 사무국
    assert [a["title"] for a in ko["articles"]] == ["한미일 사무국 출범 준비"] and ko["total"] == 1
    ja = c.json("/api/articles?q=%E4%BA%8B%E5%8B%99%E5%B1%80")          # 事務局 (two... three characters)
    assert [a["language"] for a in ja["articles"]] == ["ja"]
    assert c.json("/api/articles?q=nosuchwordanywhere")["total"] == 0
    by_source = c.json("/api/articles?source=Hostile%20Wire")["articles"]
    assert {a["source"] for a in by_source} == {"Hostile Wire"} and len(by_source) == 2
    ranged = c.json("/api/articles?from=2024-12-04&to=2024-12-05")["articles"]
    assert {a["title"] for a in ranged} == {"한미일 사무국 출범 준비", "日米韓、事務局設置で一致"}
    assert c.json("/api/articles?language=ko")["articles"][0]["language"] == "ko"
    by_commitment = c.json("/api/articles?commitment=minted_hostile&kind=new")["articles"]
    assert [a["title"] for a in by_commitment] == [XSS_TITLE]
    status, _h, bad = c.get("/api/articles?from=yesterday")
    assert status == 400 and b"from:" in bad
    art = c.json(f"/api/articles/{served_any.db.ids['web-test-1']}")["article"]
    assert art["title"] == XSS_TITLE and art["claims"][0]["commitment_id"] == "minted_hostile"
    assert art["changes"][0]["commitment"] == "minted_hostile"
    status, _h, _b = c.get("/api/articles/999999")
    assert status == 404


def test_export_csv_and_json_follow_the_filters(served_any: Served) -> None:
    c = Client(served_any.base)
    status, headers, body = c.get("/export/changes.csv?commitment=trilateral_secretariat")
    assert status == 200 and headers["content-type"].startswith("text/csv")
    assert "attachment" in headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows and {r["commitment"] for r in rows} == {"trilateral_secretariat"}
    assert "advanced" in {r["change"] for r in rows}
    js = json.loads(c.get("/export/changes.json?kind=new")[2])
    assert js and {r["change"] for r in js} == {"new"}
    arts = list(csv.DictReader(io.StringIO(c.get("/export/articles.csv?q=secretariat")[2].decode("utf-8-sig"))))
    assert arts and all("secretariat" in r["title"].lower() for r in arts)
    hostile = list(csv.DictReader(io.StringIO(c.get("/export/articles.csv?source=Hostile%20Wire")[2]
                                              .decode("utf-8-sig"))))
    assert {r["title"] for r in hostile} == {XSS_TITLE, f"Freedom Edge drill {XSS_IMG}"}


def test_review_needs_csrf_and_moves_the_status(served_any: Served) -> None:
    c = Client(served_any.base)
    adv = [x for x in c.json("/api/changes?commitment=trilateral_secretariat&kind=advanced")["changes"]]
    assert adv and c.json("/api/commitments/trilateral_secretariat")["commitment"]["status"] == "in_progress"
    path = f"/changes/{adv[0]['id']}/review"
    form = {"decision": "reject", "reviewer": "Kim", "comment": "a plan, not a launch"}
    status, _h, body = c.request("POST", path, form=form)
    assert status == 403 and b"CSRF" in body
    token = c.csrf()
    status, _h, _b = c.request("POST", path, form={**form, "csrf": token}, headers={"Origin": "http://evil.example"})
    assert status == 403
    status, headers, _b = c.request("POST", path, form={**form, "csrf": token, "next": "//evil.example/x"})
    assert status == 303 and headers["location"].startswith("/review?notice=reviewed")
    after = c.json("/api/commitments/trilateral_secretariat")
    assert after["reviews"][0]["reviewer"] == "Kim" and after["reviews"][0]["decision"] == "reject"
    # the status follows the latest change not rejected: reject the ones after the advance too
    later = [x for x in after["commitment"]["changes"] if x["id"] != adv[0]["id"]
             and (x["published_at"], x["id"]) > (adv[0]["published_at"], adv[0]["id"])]
    for x in later:
        assert c.request("POST", f"/changes/{x['id']}/review",
                         form={"decision": "reject", "reviewer": "Kim", "csrf": token})[0] == 303
    assert c.json("/api/commitments/trilateral_secretariat")["commitment"]["status"] == "agreed"
    status, _h, _b = c.request("POST", path, form={"decision": "confirm", "reviewer": "Lee", "csrf": token})
    assert status == 303
    assert c.json("/api/commitments/trilateral_secretariat")["commitment"]["status"] == "in_progress"
    history = c.json(f"/api/reviews?change={adv[0]['id']}")["reviews"]
    assert [h["reviewer"] for h in history] == ["Lee", "Kim"]
    status, _h, body = c.request("POST", path, form={"decision": "correct", "reviewer": "Lee", "csrf": token})
    assert status == 400 and b"kind" in body
    status, _h, _b = c.request("GET", path)
    assert status == 405


def test_mute_and_replay_are_csrf_posts(served_any: Served) -> None:
    c = Client(served_any.base)
    src = c.json("/api/sources")["sources"][0]
    assert c.request("POST", f"/sources/{src['id']}/mute", form={})[0] == 403
    token = c.csrf("/sources")
    assert c.request("POST", f"/sources/{src['id']}/mute", form={"csrf": token})[0] == 303
    assert c.json("/api/sources")["sources"][0]["muted"] is True
    assert c.request("POST", f"/sources/{src['id']}/unmute", form={"csrf": token})[0] == 303
    assert c.json("/api/sources")["sources"][0]["error_count"] == 0
    # the fixture adds its multilingual articles after the seeds, some published before them: replay reads
    # in publication order, so the first one may differ from the arrival order; a second one changes nothing
    assert c.request("POST", "/replay", form={"csrf": token})[0] == 303
    first = [(x["doc"], x["change"], x["from_status"], x["to_status"])
             for x in c.json("/api/changes?commitment=trilateral_secretariat")["changes"]]
    assert first
    assert c.request("POST", "/replay", form={"csrf": token})[0] == 303
    assert [(x["doc"], x["change"], x["from_status"], x["to_status"])
            for x in c.json("/api/changes?commitment=trilateral_secretariat")["changes"]] == first


def test_headers_host_check_and_escaping(served: Served) -> None:
    c = Client(served.base)
    status, headers, body = c.get("/")
    assert status == 200
    csp = headers["content-security-policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert headers["x-content-type-options"] == "nosniff"
    assert b"<script>window" not in body and b"<img src=x" not in body
    for path in ("/articles", f"/articles/{served.db.ids['web-test-1']}", "/commitments", "/sources", "/alerts",
                 "/review", "/commitments/minted_hostile", "/articles?q=summit"):
        status, _h, body = c.get(path)
        assert status == 200, path
        assert b"<script>window" not in body and b"<img src=x" not in body and b'href="javascript:' not in body, path
    assert c.get("/", headers={"Host": "evil.example:80"})[0] == 421
    assert c.get("/static/../app.py")[0] == 404
    assert c.get("/nope")[0] == 404


def test_token_required_off_loopback(tmp_path: Path, registry: str) -> None:
    from .conftest import _serve, seeded

    db = seeded(f"sqlite:///{tmp_path}/t.sqlite3", registry)
    gen = _serve(db, token="s3cret-token-0123456789")
    s = next(gen)
    try:
        s.app.guard.allowed_hosts = None          # as when bound to 0.0.0.0
        c = Client(s.base)
        assert c.get("/api/overview")[0] == 401
        assert c.get("/api/overview", headers={"Authorization": "Bearer wrong"})[0] == 401
        assert c.get("/api/overview", headers={"Authorization": "Bearer s3cret-token-0123456789"})[0] == 200
        status, headers, _b = c.get("/articles?token=s3cret-token-0123456789&q=x")
        assert status == 303 and "token" not in headers["location"]
        assert c.get("/api/overview")[0] == 200          # the cookie now carries it
    finally:
        next(gen, None)         # runs _serve's cleanup
