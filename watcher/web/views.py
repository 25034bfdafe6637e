"""What each page shows, as plain data: the HTML page renders it, ``/api/`` returns it as JSON."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from ..commitments.change_json import change_json
from ..store import web_queries as q
from .http import HTTPError, Request, ident

PAGE_SIZE = 50
MAX_PAGE = 10_000
REVIEW_STATES = ("pending", "confirmed", "rejected", "corrected")
ALERT_STATES = ("pending", "sending", "sent", "failed", "queued", "digested")
LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z]{2,4})?")


def parse_day(value: str, what: str, errors: list[str]) -> dt.date | None:
    """``2024-11-15`` (or an ISO date and time: its day); a message naming ``what`` otherwise."""
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value) if len(value) <= 10 else dt.datetime.fromisoformat(value).date()
    except ValueError:
        shown = value if len(value) <= 40 else value[:40] + "…"
        errors.append(f"{what}: {shown!r} is not a date like 2024-11-15")
        return None


def refuse(errors: list[str]) -> None:
    """A filter that cannot be applied is a 400 naming it: never results that look filtered but are not."""
    if errors:
        raise HTTPError(400, "; ".join(errors))


def utc(d: dt.date | None) -> dt.datetime | None:
    return dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC) if d else None


def day_after(d: dt.date | None) -> dt.datetime | None:
    """The exclusive upper bound for "up to and including ``d``" (9999-12-31 included)."""
    if d is None:
        return None
    if d == dt.date.max:
        return dt.datetime.max.replace(tzinfo=dt.UTC)
    return utc(d + dt.timedelta(days=1))


def page_number(req: Request, errors: list[str]) -> int:
    raw = req.arg("page")
    if not raw:
        return 1
    if not (raw.isascii() and raw.isdigit() and len(raw) <= 6 and 1 <= int(raw) <= MAX_PAGE):
        shown = raw if len(raw) <= 40 else raw[:40] + "…"
        errors.append(f"page: {shown!r} is not a page number from 1 to {MAX_PAGE}")
        return 1
    return int(raw)


def change_out(r: dict[str, Any]) -> dict[str, Any]:
    """A change as ``watcher changes --json`` shows it, with the titles a reader needs."""
    out = change_json(r)
    out["commitment_title"] = r.get("commitment_title")
    out["article_id"] = r.get("article_id")
    out["article_title"] = r.get("article_title")
    out["article_source"] = r.get("article_source")
    return out


# ---- filters shared by pages, API and export ----------------------------------------------------

def _dates(req: Request, errors: list[str]) -> tuple[dt.datetime | None, dt.datetime | None]:
    since = parse_day(req.arg("from"), "from", errors)
    until = parse_day(req.arg("to"), "to", errors)
    if since and until and since > until:
        errors.append(f"from: {since.isoformat()} is after to: {until.isoformat()}")
    return utc(since), day_after(until)


def _kind(req: Request, errors: list[str]) -> str:
    kind = req.arg("kind")
    if kind and kind not in q.KINDS:
        errors.append(f"kind: {kind!r} is not a change kind ({', '.join(q.KINDS)})")
    return kind


def _commitment(conn: Any, req: Request, errors: list[str]) -> str:
    cid = req.arg("commitment")
    if cid and not q.commitment_exists(conn, cid):
        shown = cid if len(cid) <= 60 else cid[:60] + "…"
        errors.append(f"commitment: there is no commitment with id {shown!r}")
    return cid


def change_filters(conn: Any, req: Request, errors: list[str] | None = None) -> dict[str, Any]:
    """The filters of the review queue, the changes API and the changes export; 400 naming every bad
    one (with the ``errors`` already found)."""
    errors = [] if errors is None else errors
    kind = _kind(req, errors)
    status = req.arg("review")
    if status and status not in REVIEW_STATES:
        errors.append(f"review: {status!r} is not {', '.join(REVIEW_STATES[:-1])} or {REVIEW_STATES[-1]}")
    since, until = _dates(req, errors)
    cid = _commitment(conn, req, errors)
    refuse(errors)
    return {"commitment": cid or None, "kind": kind or None, "review_status": status or None,
            "since": since, "until": until}


def article_filter(conn: Any, req: Request, errors: list[str] | None = None) -> q.ArticleFilter:
    """The filters of the article search, its API and its export; 400 naming every bad one."""
    errors = [] if errors is None else errors
    kind = _kind(req, errors)
    language = req.arg("language")
    if language and not LANGUAGE.fullmatch(language):
        shown = language if len(language) <= 40 else language[:40] + "…"
        errors.append(f"language: {shown!r} is not a language code such as en, ko, ja")
    since, until = _dates(req, errors)
    cid = _commitment(conn, req, errors)
    refuse(errors)
    return q.ArticleFilter(search=req.arg("q")[:500], source=req.arg("source"), language=language,
                           since=since, until=until, commitment=cid, kind=kind)


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
    page = page_number(req, errors)
    f = change_filters(conn, req, errors)
    if "review" not in req.query and req.path in ("/review", "/api/review"):
        f["review_status"] = "pending"
    rows = q.list_changes(conn, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE, **f)
    return {"changes": [change_out(r) for r in rows[:PAGE_SIZE]], "page": page, "more": len(rows) > PAGE_SIZE,
            "filters": {k: req.arg(k) for k in ("commitment", "kind", "review", "from", "to")} |
            ({"review": f["review_status"] or ""}), "errors": errors,
            "reviews": q.review_history(conn, limit=30)}


def articles(conn: Any, req: Request) -> dict[str, Any]:
    errors: list[str] = []
    page = page_number(req, errors)
    f = article_filter(conn, req, errors)
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
    if state and state not in ALERT_STATES:
        refuse([f"state: {state!r} is not an alert state ({', '.join(ALERT_STATES)})"])
    rows, has_table = q.list_alerts(conn, state=state)
    return {"configured": bool(channels) or bool(rows), "has_outbox": has_table, "channels": channels,
            "counts": q.alert_counts(conn) if has_table else {}, "alerts": rows, "filters": {"state": state}}


def reviews(conn: Any, req: Request) -> dict[str, Any]:
    change_id = req.arg("change")
    errors: list[str] = []
    cid = _commitment(conn, req, errors)
    refuse(errors)
    return {"reviews": q.review_history(conn, change_id=ident(change_id, "change") if change_id else None,
                                        commitment=cid or None)}


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
