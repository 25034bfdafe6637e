"""CSV and JSON downloads of changes and articles, for the filters the page shows.

A CSV cell that a spreadsheet would read as a formula (``=``, ``+``, ``-``, ``@`` first) is
prefixed with an apostrophe: feed text never runs in the analyst's spreadsheet either.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import Any

from ..store import web_queries as q
from .http import Request, Response, to_json
from .views import article_filter, change_filters, change_out

MAX_ROWS = 100_000
CHANGE_COLUMNS = ("id", "published_at", "commitment", "commitment_title", "change", "from_status", "to_status",
                  "evidence", "outlets", "article_url", "doc", "article_title", "review_status", "confirmed",
                  "deadline", "detected_at")
ARTICLE_COLUMNS = ("id", "published_at", "source", "language", "title", "url", "doc", "fetched_at", "cluster_id")


def cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list | tuple):
        v = "; ".join(str(x) for x in v)
    s = str(v.isoformat() if hasattr(v, "isoformat") else v)
    if s[:1] in ("=", "+", "-", "@", "\t", "\r"):
        s = "'" + s
    return s


def _csv(rows: Sequence[dict[str, Any]], columns: Sequence[str]) -> Iterator[bytes]:
    buf = io.StringIO()
    w = csv.writer(buf)
    buf.write("\ufeff")     # a BOM: spreadsheets then read Korean and Japanese as UTF-8
    w.writerow(columns)
    for i, r in enumerate(rows, 1):
        w.writerow([cell(r.get(c)) for c in columns])
        if i % 500 == 0:
            yield buf.getvalue().encode("utf-8")
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode("utf-8")


def _download(name: str, fmt: str, rows: list[dict[str, Any]], columns: Sequence[str]) -> Response:
    if fmt == "csv":
        body: Any = _csv(rows, columns)
        ctype = "text/csv; charset=utf-8"
    else:
        body = [to_json(rows).encode("utf-8")]
        ctype = "application/json; charset=utf-8"
    return Response(body, content_type=ctype,
                    headers=[("Content-Disposition", f'attachment; filename="{name}.{fmt}"')])


def changes(conn: Any, req: Request, fmt: str) -> Response:
    f = change_filters(conn, req)
    rows = [change_out(r) for r in q.list_changes(conn, limit=MAX_ROWS, **f)]
    return _download("watcher-changes", fmt, rows, CHANGE_COLUMNS)


def articles(conn: Any, req: Request, fmt: str) -> Response:
    f = article_filter(conn, req)
    rows, _total = q.search_articles(conn, f, limit=MAX_ROWS, count=False)
    return _download("watcher-articles", fmt, rows, ARTICLE_COLUMNS)
