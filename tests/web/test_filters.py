"""A filter the server cannot apply is a 400 naming the parameter, on the page and in the API
alike (it was silently dropped: the analyst saw unfiltered results as if filtered)."""

from __future__ import annotations

import json

from .conftest import Client, Served

BAD = [
    ("/articles", "from=yesterday", "from"),
    ("/articles", "to=2024-13-45", "to"),
    ("/articles", "from=2024-12-05&to=2024-12-01", "from"),
    ("/articles", "kind=exploded", "kind"),
    ("/articles", "language=klingon", "language"),
    ("/articles", "page=two", "page"),
    ("/articles", "page=0", "page"),
    ("/articles", "commitment=no_such_commitment", "commitment"),
    ("/review", "review=maybe", "review"),
    ("/review", "kind=exploded", "kind"),
    ("/review", "from=2024-02-30", "from"),
    ("/review", "page=1.5", "page"),
    ("/changes", "commitment=nope", "commitment"),
    ("/alerts", "state=lost", "state"),
]


def test_a_bad_filter_is_400_naming_it_on_page_and_api(served: Served) -> None:
    c = Client(served.base)
    for path, query, name in BAD:
        status, headers, body = c.get(f"{path}?{query}")
        assert status == 400 and headers["content-type"].startswith("text/html"), (path, query, status)
        assert f"{name}:" in body.decode(), (path, query, body.decode()[-800:])
        status, _h, body = c.get(f"/api{path}?{query}")
        err = json.loads(body)
        assert status == 400 and err["status"] == 400 and err["error"].startswith(f"{name}:"), (path, query, err)


def test_exports_and_reviews_refuse_bad_filters_too(served_any: Served) -> None:
    c = Client(served_any.base)
    for path in ("/export/changes.csv?kind=exploded", "/export/articles.json?from=soon",
                 "/export/articles.csv?language=xx-yyyyyy", "/api/reviews?change=abc",
                 "/api/reviews?commitment=nope"):
        status, _h, body = c.get(path)
        assert status == 400, (path, body[:200])
        assert json.loads(body)["error"].split(":")[0] in path
    # good filters still work, on both databases
    assert c.get("/articles?from=2024-12-01&to=2024-12-31&language=ko&page=1&kind=new")[0] == 200
    assert c.json("/api/review?review=pending&commitment=minted_hostile")["changes"]
    assert c.get("/alerts?state=failed")[0] == 200
    assert c.get("/export/changes.csv?commitment=trilateral_secretariat&from=2020-01-01")[0] == 200
