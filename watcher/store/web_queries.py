"""Queries behind the web review interface (watcher.web): read-mostly, bounded, indexed.

Every listing has a LIMIT; the article search orders by the ``(published_at, id)`` index
and counts matches only up to :data:`COUNT_CAP`, so a page stays fast with 100,000 articles.
The one write, :func:`apply_review` (an analyst's decision on a detected change), lives in
:mod:`watcher.store.reviews` and is re-exported here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, func, select, text, update

from .commitments import pending_of
from .db import is_sqlite, search_clause, search_terms
from .reviews import (
    DECISIONS,
    KINDS,
    REVIEW_STATUS,
    STATUSES,
    ReviewError,
    apply_review,
    pending_count,
    recompute_status,
    review_history,
)
from .schema import articles, changes, claims, commitments, metadata, sources

__all__ = [  # the review API is re-exported from watcher.store.reviews
    "ArticleFilter",
    "COUNT_CAP",
    "DECISIONS",
    "FTS_PROBE",
    "KINDS",
    "PG_COMMON",
    "REVIEW_STATUS",
    "ReviewError",
    "STATUSES",
    "_A",
    "_LIST_COLS",
    "alert_counts",
    "apply_review",
    "article_sources",
    "commitment_ids",
    "get_article",
    "get_change",
    "get_commitment",
    "list_alerts",
    "list_changes",
    "list_commitments",
    "list_sources",
    "pending_count",
    "recompute_status",
    "review_history",
    "search_articles",
    "set_muted",
    "source_health",
]

COUNT_CAP = 1000
FTS_PROBE = 5000      # SQLite: a query matching more articles than this is "common" (see _search)
PG_COMMON = 20        # PostgreSQL: as many matches among the newest 1,000 articles make a query common


# ---- changes ----------------------------------------------------------------------------------

def _change_select() -> Select[Any]:
    return (select(changes, commitments.c.title.label("commitment_title"),
                   articles.c.title.label("article_title"), articles.c.source.label("article_source"))
            .select_from(changes.outerjoin(commitments, changes.c.commitment_id == commitments.c.id)
                         .outerjoin(articles, changes.c.article_id == articles.c.id)))


def _newest_first(q: Select[Any]) -> Select[Any]:
    when = func.coalesce(changes.c.published_at, changes.c.detected_at)
    return q.order_by(when.desc(), changes.c.id.desc())


def list_changes(conn: Connection, *, commitment: str | None = None, kind: str | None = None,
                 review_status: str | None = None, since: dt.datetime | None = None,
                 until: dt.datetime | None = None, limit: int | None = 50, offset: int = 0,
                 oldest_first: bool = False) -> list[dict[str, Any]]:
    """Detected changes with their commitment's title and article's title and outlet."""
    q = _change_select()
    if commitment:
        q = q.where(changes.c.commitment_id == commitment)
    if kind:
        q = q.where(changes.c.kind == kind)
    if review_status:
        q = q.where(changes.c.review_status == review_status)
    if since is not None:
        q = q.where(changes.c.published_at >= since)
    if until is not None:
        q = q.where(changes.c.published_at < until)
    if oldest_first:
        q = q.order_by(func.coalesce(changes.c.published_at, changes.c.detected_at), changes.c.id)
    else:
        q = _newest_first(q)
    if limit:
        q = q.limit(limit).offset(offset)
    return [dict(r) for r in conn.execute(q).mappings()]


def get_change(conn: Connection, change_id: int) -> dict[str, Any] | None:
    r = conn.execute(_change_select().where(changes.c.id == change_id)).mappings().first()
    return dict(r) if r else None


# ---- commitments ------------------------------------------------------------------------------

def list_commitments(conn: Connection) -> list[dict[str, Any]]:
    """Every commitment with its changes (oldest first) for the timeline, and its review counts."""
    rows = [dict(r) for r in conn.execute(select(
        commitments.c.id, commitments.c.title, commitments.c.status, commitments.c.deadline,
        commitments.c.since, commitments.c.origin, commitments.c.registry_status, commitments.c.last_evidence,
        commitments.c.last_changed_at, commitments.c.aliases, commitments.c.source, commitments.c.state)
        .order_by(commitments.c.id)).mappings()]
    for r in rows:
        r["pending"] = pending_of(r.pop("state"))
    by_id = {r["id"]: r for r in rows}
    for r in rows:
        r["changes"] = []
    q = select(changes.c.id, changes.c.commitment_id, changes.c.kind, changes.c.from_status, changes.c.to_status,
               func.substr(changes.c.evidence, 1, 400).label("evidence"), changes.c.published_at,
               changes.c.detected_at, changes.c.review_status, changes.c.article_id) \
        .order_by(func.coalesce(changes.c.published_at, changes.c.detected_at), changes.c.id)
    for c in conn.execute(q).mappings():
        if c["commitment_id"] in by_id:
            by_id[c["commitment_id"]]["changes"].append(dict(c))
    return rows


def get_commitment(conn: Connection, cid: str) -> dict[str, Any] | None:
    r = conn.execute(select(commitments).where(commitments.c.id == cid)).mappings().first()
    if r is None:
        return None
    out = dict(r)
    out["pending"] = pending_of(out.get("state"))
    out["changes"] = list_changes(conn, commitment=cid, limit=None, oldest_first=True)
    return out


def commitment_ids(conn: Connection) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in conn.execute(select(commitments.c.id, commitments.c.title).order_by(commitments.c.id))]


# ---- articles ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class ArticleFilter:
    search: str = ""
    source: str = ""
    language: str = ""
    since: dt.datetime | None = None
    until: dt.datetime | None = None
    commitment: str = ""
    kind: str = ""


_A = articles.alias("a")
_LIST_COLS = (_A.c.id, _A.c.source, _A.c.url, _A.c.doc, _A.c.title, _A.c.language, _A.c.published_at,
              _A.c.fetched_at, _A.c.cluster_id, _A.c.official)


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _search(conn: Connection, query: str) -> tuple[Any, int | None]:
    """The condition for a full-text query, and the number of matches when it is known cheaply
    (``FTS_PROBE`` standing for "thousands").

    PostgreSQL: the pg_trgm condition of :func:`search_clause`; its planner picks index or scan.
    SQLite: the trigram index is asked first how many articles match, up to FTS_PROBE. A rare
    query keeps the index (``id IN`` its matches); a common one (every fifth article, say) reads
    the newest articles in date order and tests each with LIKE, which finds a page of results
    after a few hundred rows instead of materialising a hundred thousand matches.
    """
    if not is_sqlite(conn):
        clause, pg_params = search_clause(conn, query)
        cond = text(clause).bindparams(**pg_params)
        _pg_common(conn, clause, pg_params)
        return cond, None
    terms = search_terms(query)
    long_terms = [t for t in terms if len(t) >= 3]
    if long_terms:
        fts = " ".join('"' + t.replace('"', '""') + '"' for t in long_terms)
        n = int(conn.execute(text("SELECT count(*) FROM (SELECT rowid FROM articles_fts "
                                  "WHERE articles_fts MATCH :fts LIMIT :cap)"), {"fts": fts, "cap": FTS_PROBE})
                .scalar_one())
        if n < FTS_PROBE:
            clause, fts_params = search_clause(conn, query)
            return text(clause).bindparams(**fts_params), (n if len(long_terms) == len(terms) else None)
        common = len(long_terms) == len(terms)
    else:
        common = False
    conds = []
    params: dict[str, str] = {}
    for i, t in enumerate(terms):
        params[f"t{i}"] = _like(t)
        conds.append(f"(a.title LIKE :t{i} ESCAPE '\\' OR a.text LIKE :t{i} ESCAPE '\\')")
    return text(" AND ".join(conds) or "1=1").bindparams(**params), (FTS_PROBE if common else None)


def _pg_common(conn: Connection, clause: str, params: dict[str, str]) -> None:
    """PostgreSQL: when the newest 1,000 articles already hold PG_COMMON matches, read in date order.

    The planner cannot estimate a trigram ILIKE well and would build a bitmap of every match
    and sort them; for a common term the date index finds a page of results in a few hundred
    rows. ``SET LOCAL`` lasts for this read transaction only.
    """
    sample = conn.execute(text(
        "SELECT count(*) FROM (SELECT a.title, a.text FROM articles a "
        "ORDER BY a.published_at DESC NULLS LAST, a.id DESC LIMIT 1000) a WHERE " + clause), params).scalar_one()
    if int(sample) >= PG_COMMON:
        conn.execute(text("SET LOCAL enable_bitmapscan = off"))


def _plain(f: ArticleFilter) -> bool:   # no filter but the search: the match count is the result count
    return not (f.source or f.language or f.since or f.until or f.commitment or f.kind)


def _article_where(conn: Connection, f: ArticleFilter, q: Select[Any],
                   cond: Any = None) -> Select[Any]:
    if cond is not None:
        q = q.where(cond)
    if f.source:
        q = q.where(_A.c.source == f.source)
    if f.language:
        q = q.where(_A.c.language == f.language)
    if f.since is not None:
        q = q.where(_A.c.published_at >= f.since)
    if f.until is not None:
        q = q.where(_A.c.published_at < f.until)
    if f.commitment or f.kind:
        sub = select(changes.c.article_id).where(changes.c.article_id.is_not(None))
        if f.commitment:
            sub = sub.where(changes.c.commitment_id == f.commitment)
        if f.kind:
            sub = sub.where(changes.c.kind == f.kind)
        q = q.where(_A.c.id.in_(sub))
    return q


def search_articles(conn: Connection, f: ArticleFilter, *, limit: int = 50, offset: int = 0,
                    with_text: bool = False, count: bool = True) -> tuple[list[dict[str, Any]], int | None]:
    """Articles matching ``f``, newest first, and how many match (capped at COUNT_CAP + 1)."""
    cols = (*_LIST_COLS, _A.c.text) if with_text else _LIST_COLS
    cond, known = _search(conn, f.search) if f.search.strip() else (None, None)
    q = _article_where(conn, f, select(*cols), cond)
    if is_sqlite(conn):   # NULL dates sort last in a descending SQLite index scan
        q = q.order_by(_A.c.published_at.desc(), _A.c.id.desc())
    else:
        q = q.order_by(_A.c.published_at.desc().nulls_last(), _A.c.id.desc())
    rows = [dict(r) for r in conn.execute(q.limit(limit).offset(offset)).mappings()]
    total = None
    if count:
        if offset == 0 and len(rows) < limit:
            total = len(rows)
        elif known is not None and _plain(f):
            total = known
        else:
            inner = _article_where(conn, f, select(_A.c.id), cond).limit(COUNT_CAP + 1).subquery()
            total = int(conn.execute(select(func.count()).select_from(inner)).scalar_one())
    return rows, total


def article_sources(conn: Connection) -> list[str]:
    """Outlet names for the filter: configured sources and every outlet articles came from."""
    names = {r[0] for r in conn.execute(select(articles.c.source).distinct())}
    names.update(r[0] for r in conn.execute(select(sources.c.name)))
    return sorted(names, key=str.casefold)


def get_article(conn: Connection, article_id: int) -> dict[str, Any] | None:
    r = conn.execute(select(articles).where(articles.c.id == article_id)).mappings().first()
    if r is None:
        return None
    out = dict(r)
    out["claims"] = [dict(c) for c in conn.execute(select(claims).where(claims.c.article_id == article_id)
                                                   .order_by(claims.c.start, claims.c.id)).mappings()]
    out["changes"] = [dict(c) for c in conn.execute(_change_select().where(changes.c.article_id == article_id)
                                                    .order_by(changes.c.id)).mappings()]
    out["siblings"] = []
    if r.cluster_id is not None:
        out["siblings"] = [dict(s) for s in conn.execute(
            select(articles.c.id, articles.c.source, articles.c.title)
            .where(articles.c.cluster_id == r.cluster_id, articles.c.id != article_id)
            .order_by(articles.c.id).limit(50)).mappings()]
    return out


# ---- sources and alerts -----------------------------------------------------------------------

def list_sources(conn: Connection) -> list[dict[str, Any]]:
    counts = {r[0]: int(r[1]) for r in conn.execute(
        select(articles.c.source, func.count()).group_by(articles.c.source))}
    out = []
    for r in conn.execute(select(sources).order_by(sources.c.name)).mappings():
        d = {k: r[k] for k in ("id", "name", "url", "enabled", "muted", "official", "last_polled_at",
                               "last_success_at", "last_status", "last_error", "http_status", "next_check_at",
                               "disabled_reason")}
        d["error_count"] = int(r["error_count"] or 0)
        d["articles"] = counts.get(r["name"], 0)
        d["failing"] = d["error_count"] > 0
        out.append(d)
    return out


def source_health(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """At a glance: how many sources, how many failing, muted or disabled, and since when."""
    failing = [r for r in rows if r["failing"]]
    since = [r["last_success_at"] for r in failing if r["last_success_at"] is not None]
    return {"total": len(rows), "failing": len(failing), "muted": sum(1 for r in rows if r["muted"]),
            "disabled": sum(1 for r in rows if r["disabled_reason"] or not r["enabled"]),
            "never_polled": sum(1 for r in rows if r["last_polled_at"] is None),
            "failing_since": min(since) if since else None,
            "never_succeeded": sum(1 for r in failing if r["last_success_at"] is None)}


def set_muted(conn: Connection, source_id: int, muted: bool) -> str | None:
    name = conn.execute(select(sources.c.name).where(sources.c.id == source_id)).scalar()
    if name is None:
        return None
    values: dict[str, Any] = {"muted": muted}
    if not muted:
        values.update(error_count=0, next_check_at=None, disabled_reason=None)
    conn.execute(update(sources).where(sources.c.id == source_id).values(**values))
    return str(name)


def list_alerts(conn: Connection, *, state: str = "", limit: int = 200) -> tuple[list[dict[str, Any]], bool]:
    """The alert outbox, newest first; (rows, True) or ([], False) when there is no outbox table."""
    alerts = metadata.tables.get("alerts")
    if alerts is None:
        return [], False
    q = (select(alerts, changes.c.kind.label("change_kind"), changes.c.commitment_id,
                changes.c.evidence.label("change_evidence"))
         .select_from(alerts.outerjoin(changes, alerts.c.change_id == changes.c.id))
         .order_by(alerts.c.created_at.desc(), alerts.c.id).limit(limit))
    if state:
        q = q.where(alerts.c.state == state)
    return [dict(r) for r in conn.execute(q).mappings()], True


def alert_counts(conn: Connection) -> dict[str, dict[str, int]]:
    alerts = metadata.tables.get("alerts")
    out: dict[str, dict[str, int]] = {}
    if alerts is None:
        return out
    for r in conn.execute(select(alerts.c.channel, alerts.c.state, func.count())
                          .group_by(alerts.c.channel, alerts.c.state)):
        out.setdefault(str(r[0]), {})[str(r[1])] = int(r[2])
    return out
