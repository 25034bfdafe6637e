"""Values at the ends of the calendar and of integer ranges, and NUL, over real HTTP on SQLite
and PostgreSQL: every page answers, or says 400 and which parameter was wrong; never 500 or 503."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import update

from watcher.store.schema import changes, commitments
from watcher.types import Article

from .conftest import Client, Served

FAR = dt.datetime(9999, 12, 31, 12, tzinfo=dt.UTC)


def _far_future(s: Served) -> int:
    """A registry deadline of 9999-12-31 (an open-ended placeholder) and an article published that day."""
    store = s.db.store
    art = Article(source="Far Wire", guid="far-1", url="https://example.org/far", canonical_url="https://example.org/far",
                  title="Trilateral placeholder date", text="The United States, Japan and South Korea met.",
                  published_at=FAR, language="en", fetched_at=FAR, content_hash="far00001")
    aid = store.add_articles([art], now=dt.datetime(2025, 1, 1, tzinfo=dt.UTC))[0].id
    with store.write("far dates") as conn:
        conn.execute(update(commitments).where(commitments.c.id == "trilateral_secretariat")
                     .values(deadline=dt.date(9999, 12, 31), registry_deadline=dt.date(9999, 12, 31)))
        conn.execute(update(changes).where(changes.c.id == s.db.change_id)
                     .values(published_at=FAR, article_id=aid))
    return aid


def test_dates_at_the_end_of_the_calendar(served_any: Served) -> None:
    aid = _far_future(served_any)
    c = Client(served_any.base)
    for path in ("/", "/commitments", "/commitments/trilateral_secretariat", "/commitments/minted_hostile",
                 f"/articles/{aid}", "/review", "/api/commitments", "/api/overview", "/export/changes.csv"):
        status, _h, body = c.get(path)
        assert status == 200, (path, body[:300])
    page = c.get("/commitments/trilateral_secretariat")[2].decode()
    assert "deadline 9999-12-31" in page
    for path in ("/articles?to=9999-12-31", "/api/articles?to=9999-12-31", "/review?to=9999-12-31",
                 "/api/changes?to=9999-12-31&from=0001-01-01", "/export/articles.csv?to=9999-12-31",
                 "/export/changes.json?to=9999-12-31", "/api/articles?from=9999-12-31"):
        status, _h, body = c.get(path)
        assert status == 200, (path, body[:300])
    arts = c.json("/api/articles?from=9999-12-31&to=9999-12-31")["articles"]
    assert [a["title"] for a in arts] == ["Trilateral placeholder date"]
    assert c.json("/api/changes?from=9999-12-31&to=9999-12-31")["changes"][0]["id"] == served_any.db.change_id


def test_ids_out_of_range_are_400(served_any: Served) -> None:
    c = Client(served_any.base)
    token = c.csrf()
    for n in (2**31, 2**63, 10**30):
        for path in (f"/articles/{n}", f"/api/articles/{n}", f"/changes/{n}", f"/api/reviews?change={n}"):
            status, _h, body = c.get(path)
            assert status == 400 and b"id" in body, (path, status, body[:200])
        for path in (f"/changes/{n}/review", f"/sources/{n}/mute"):
            status, _h, body = c.request("POST", path, form={"csrf": token, "decision": "confirm",
                                                              "reviewer": "Kim"})
            assert status == 400, (path, status, body[:200])
    assert c.get(f"/articles/{2**31 - 1}")[0] == 404          # in range, just absent
    assert c.get("/api/articles/999999")[0] == 404


def test_nul_in_a_request_is_400(served_any: Served) -> None:
    c = Client(served_any.base)
    for path, name in (("/articles?q=summit%00x", "q"), ("/api/articles?source=a%00b", "source"),
                       ("/api/changes?commitment=%00", "commitment"), ("/commitments/abc%00", "path"),
                       ("/api/commitments/abc%00", "path"), ("/export/articles.csv?q=%00", "q")):
        status, _h, body = c.get(path)
        assert status == 400, (path, status, body[:300])
        assert name.encode() in body and b"NUL" in body, body[:300]
    token = c.csrf()
    status, _h, body = c.request("POST", f"/changes/{served_any.db.change_id}/review",
                                 form={"csrf": token, "decision": "confirm", "reviewer": "K\x00m"})
    assert status == 400 and b"reviewer" in body
    assert json.loads(c.get("/api/articles?q=summit")[2])["articles"]      # the server is fine afterwards
