"""What each page shows, as plain data: the HTML page renders it, ``/api/`` returns it as JSON."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..cli.review import change_json
from ..store import web_queries as q
from .http import HTTPError, Request

PAGE_SIZE = 50


def parse_day(value: str, what: str, errors: list[str]) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        errors.append(f"{what}: {value!r} is not a date like 2024-11-15")
        return None


def utc(d: dt.date | None) -> dt.datetime | None:
    return dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC) if d else None


def page_number(req: Request) -> int:
    try:
        return max(1, min(int(req.arg("page", "1") or 1), 10_000))
    except ValueError:
        return 1


def change_out(r: dict[str, Any]) -> dict[str, Any]:
    """A change as ``watcher changes --json`` shows it, with the titles a reader needs."""
    out = change_json(r)
    out["commitment_title"] = r.get("commitment_title")
    out["article_id"] = r.get("article_id")
    out["article_title"] = r.get("article_title")
    out["article_source"] = r.get("article_source")
    return out


# ---- filters shared by pages, API and export ----------------------------------------------------

def change_filters(req: Request, errors: list[str]) -> dict[str, Any]:
    kind = req.arg("kind")
    status = req.arg("review")
    if kind and kind not in q.KINDS:
        errors.append(f"kind: {kind!r} is not one of {', '.join(q.KINDS)}")
        kind = ""
    if status and status not in ("pending", "confirmed", "rejected", "corrected"):
        errors.append(f"review: {status!r} is not pending, confirmed, rejected or corrected")
        status = ""
    since = parse_day(req.arg("from"), "from", errors)
    until = parse_day(req.arg("to"), "to", errors)
    return {"commitment": req.arg("commitment") or None, "kind": kind or None, "review_status": status or None,
            "since": utc(since), "until": utc(until + dt.timedelta(days=1)) if until else None}


def article_filter(req: Request, errors: list[str]) -> q.ArticleFilter:
    kind = req.arg("kind")
    if kind and kind not in q.KINDS:
        errors.append(f"change kind: {kind!r} is not one of {', '.join(q.KINDS)}")
        kind = ""
    since = parse_day(req.arg("from"), "from", errors)
    until = parse_day(req.arg("to"), "to", errors)
    return q.ArticleFilter(search=req.arg("q")[:500], source=req.arg("source"), language=req.arg("language"),
                           since=utc(since), until=utc(until + dt.timedelta(days=1)) if until else None,
                           commitment=req.arg("commitment"), kind=kind)


# ---- the pages --------------------------------------------------------------------------------

def overview(conn: Any) -> dict[str, Any]:
    latest = [change_out(r) for r in q.list_changes(conn, limit=25)]
    srcs = q.list_sources(conn)
    failing = sorted((s for s in srcs if s["failing"]), key=lambda s: (-s["error_count"], s["name"]))
    return {"latest_changes": latest, "sources_health": q.source_health(srcs),
            "failing_sources": [_source_out(s) for s in failing[:10]],
            "pending_reviews": q.pending_count(conn), "commitments": len(q.commitment_ids(conn))}


def commitments(conn: Any) -> dict[str, Any]:
    rows = q.list_commitments(conn)
    for r in rows:
        r["changes"] = [_timeline_change(c) for c in r["changes"]]
        r["last_change"] = r["changes"][-1] if r["changes"] else None
        moves = [c for c in r["changes"] if c["review_status"] != "rejected" and c["to_status"]
                 and c["from_status"] and c["from_status"] != c["to_status"]]
        r["last_move"] = moves[-1] if moves else None
    # most recently moved first (then most recently mentioned): what an analyst opens the page for
    rows.sort(key=lambda r: str(r["title"]).casefold())
    rows.sort(key=lambda r: (str((r["last_move"] or {}).get("published_at") or ""),
                             str((r["last_change"] or {}).get("published_at") or "")), reverse=True)
    return {"commitments": rows}


def commitment(conn: Any, cid: str) -> dict[str, Any]:
    row = q.get_commitment(conn, cid)
    if row is None:
        raise HTTPError(404, f"no commitment with id {cid!r}")
    row["changes"] = [change_out(c) for c in row["changes"]]
    history = q.review_history(conn, commitment=cid)
    keep = ("id", "title", "status", "deadline", "since", "source", "origin", "registry_status",
            "registry_deadline", "last_evidence", "last_changed_at", "aliases", "keywords", "changes", "pending")
    return {"commitment": {k: row.get(k) for k in keep}, "reviews": history}


def changes(conn: Any, req: Request) -> dict[str, Any]:
    errors: list[str] = []
    f = change_filters(req, errors)
    if "review" not in req.query and req.path in ("/review", "/api/review"):
        f["review_status"] = "pending"
    page = page_number(req)
    rows = q.list_changes(conn, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE, **f)
    return {"changes": [change_out(r) for r in rows[:PAGE_SIZE]], "page": page, "more": len(rows) > PAGE_SIZE,
            "filters": {k: req.arg(k) for k in ("commitment", "kind", "review", "from", "to")} |
            ({"review": f["review_status"] or ""}), "errors": errors,
            "reviews": q.review_history(conn, limit=30)}


def articles(conn: Any, req: Request) -> dict[str, Any]:
    errors: list[str] = []
    f = article_filter(req, errors)
    page = page_number(req)
    rows, total = q.search_articles(conn, f, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, with_text=True)
    for r in rows:
        r["excerpt"] = (r.pop("text") or "")[:4000]
    return {"articles": rows, "page": page, "total": total, "total_capped": total is not None and total > q.COUNT_CAP,
            "more": total is not None and total > page * PAGE_SIZE,
            "filters": {k: req.arg(k) for k in ("q", "source", "language", "from", "to", "commitment", "kind")},
            "errors": errors}


def article(conn: Any, article_id: int) -> dict[str, Any]:
    row = q.get_article(conn, article_id)
    if row is None:
        raise HTTPError(404, f"no article with id {article_id}")
    row["changes"] = [change_out(c) for c in row["changes"]]
    row.pop("relevance", None)
    return {"article": row}


def sources(conn: Any) -> dict[str, Any]:
    raw = q.list_sources(conn)
    return {"sources": [_source_out(s) for s in raw], "health": q.source_health(raw)}


def alerts(conn: Any, req: Request, channels: list[dict[str, str]]) -> dict[str, Any]:
    state = req.arg("state")
    rows, has_table = q.list_alerts(conn, state=state)
    return {"configured": bool(channels) or bool(rows), "has_outbox": has_table, "channels": channels,
            "counts": q.alert_counts(conn) if has_table else {}, "alerts": rows, "filters": {"state": state}}


def reviews(conn: Any, req: Request) -> dict[str, Any]:
    change_id = req.arg("change")
    return {"reviews": q.review_history(conn, change_id=int(change_id) if change_id.isdigit() else None,
                                        commitment=req.arg("commitment") or None)}


def facets(conn: Any) -> dict[str, Any]:
    """The choices of the article filters."""
    return {"sources": q.article_sources(conn), "languages": ["en", "ko", "ja"],
            "commitments": q.commitment_ids(conn), "kinds": list(q.KINDS)}


def _source_out(s: dict[str, Any]) -> dict[str, Any]:
    return {k: s[k] for k in ("id", "name", "url", "enabled", "muted", "official", "last_polled_at",
                              "last_success_at", "last_status", "last_error", "http_status", "error_count",
                              "next_check_at", "disabled_reason", "articles", "failing")}


def _timeline_change(c: dict[str, Any]) -> dict[str, Any]:
    return {k: c[k] for k in ("id", "kind", "from_status", "to_status", "evidence", "published_at", "detected_at",
                              "review_status", "article_id")}
