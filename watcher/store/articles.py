"""Queries on ``articles``: insert with deduplication and story clustering, listing, search."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, and_, bindparam, or_, select, text, update

from ..types import Article
from .db import insert_new, search_clause
from .schema import articles

CLUSTER_WINDOW = dt.timedelta(days=7)
CLUSTER_DISTANCE = 3         # simhash bits: near-duplicate text
_MASK = (1 << 64) - 1


def to_signed(h: int) -> int:
    h &= _MASK
    return h - (1 << 64) if h >= 1 << 63 else h


def hamming(a: int, b: int) -> int:
    return ((a ^ b) & _MASK).bit_count()


@dataclass(frozen=True)
class Stored:
    """One article the store kept: its row id and cluster."""

    id: int
    cluster_id: int
    article: Article
    cluster_outlets: tuple[str, ...]   # every source in the cluster so far, this one included


def _guid_key(a: Article) -> str | None:
    return f"{a.source}\x1f{a.guid}" if a.guid else None


def _known(conn: Connection, batch: Sequence[Article]
           ) -> tuple[set[str], set[tuple[str, str]], set[tuple[str, str]], dict[str, int]]:
    """What is stored already: GUID keys, (source, canonical URL) and (source, content hash) pairs, and
    the story cluster each canonical URL belongs to (whichever source carried it)."""
    keys = [k for a in batch if (k := _guid_key(a))]
    urls = sorted({a.canonical_url for a in batch if a.canonical_url})
    hashes = [a.content_hash for a in batch if a.content_hash]
    seen_keys: set[str] = set()
    seen_urls: set[tuple[str, str]] = set()
    url_clusters: dict[str, int] = {}
    seen_hashes: set[tuple[str, str]] = set()
    for i in range(0, len(keys), 500):
        seen_keys.update(r[0] for r in conn.execute(select(articles.c.guid_key)
                                                    .where(articles.c.guid_key.in_(keys[i:i + 500]))))
    for i in range(0, len(urls), 500):
        for r in conn.execute(select(articles.c.source, articles.c.canonical_url, articles.c.id, articles.c.cluster_id)
                              .where(articles.c.canonical_url.in_(urls[i:i + 500])).order_by(articles.c.id)):
            seen_urls.add((r[0], r[1]))
            url_clusters.setdefault(r[1], r[3] or r[2])
    for i in range(0, len(hashes), 500):
        seen_hashes.update((r[0], r[1]) for r in conn.execute(
            select(articles.c.source, articles.c.content_hash).where(articles.c.content_hash.in_(hashes[i:i + 500]))))
    return seen_keys, seen_urls, seen_hashes, url_clusters


def _cluster_candidates(conn: Connection, since: dt.datetime) -> list[tuple[int, int, int, str]]:
    q = select(articles.c.id, articles.c.simhash, articles.c.cluster_id, articles.c.source).where(
        articles.c.simhash != 0,
        or_(articles.c.published_at >= since, and_(articles.c.published_at.is_(None), articles.c.fetched_at >= since)))
    return [(r[0], r[1], r[2] or r[0], r[3]) for r in conn.execute(q)]


class _Clusters:
    """Near-duplicate lookup over simhashes: 4 bands of 16 bits, so two hashes within 3 bits
    share at least one band exactly (pigeonhole) and only those are compared."""

    def __init__(self) -> None:
        self.bands: dict[tuple[int, int], list[tuple[int, object]]] = {}
        self.outlets: dict[object, set[str]] = {}

    def add(self, h: int, cluster: object, source: str) -> None:
        h &= _MASK
        for b in range(4):
            self.bands.setdefault((b, (h >> (16 * b)) & 0xFFFF), []).append((h, cluster))
        self.outlets.setdefault(cluster, set()).add(source)

    def find(self, h: int) -> object | None:
        h &= _MASK
        for b in range(4):
            for other, cluster in self.bands.get((b, (h >> (16 * b)) & 0xFFFF), ()):
                if hamming(other, h) <= CLUSTER_DISTANCE:
                    return cluster
        return None


def add(conn: Connection, batch: Sequence[Article], now: dt.datetime) -> list[Stored]:
    """Insert the articles not seen before; link copies and near-duplicates into one story cluster.

    The same article seen again from its source (same GUID, same canonical URL, or the same
    text) is skipped and changes nothing. Another source's copy (the same canonical URL, or
    near-duplicate text) is a row of its own in the same story cluster: no source suppresses
    another's article. All new rows go in with one statement, and their cluster ids with one more.
    """
    if not batch:
        return []
    seen_keys, seen_urls, seen_hashes, url_clusters = _known(conn, batch)
    batch_urls: dict[str, object] = {}     # canonical URL → cluster, for copies within this batch
    oldest = min((a.published_at or now) for a in batch)
    clusters = _Clusters()
    if any(a.simhash for a in batch):
        for _id, sh, clu, src in _cluster_candidates(conn, min(oldest, now) - CLUSTER_WINDOW):
            clusters.add(sh, clu, src)
    rows: list[dict[str, object]] = []
    kept: list[tuple[Article, object]] = []     # the article and its cluster: an id, or ("new", index)
    for a in batch:
        gkey = _guid_key(a)
        if (gkey and gkey in seen_keys) or (a.canonical_url and (a.source, a.canonical_url) in seen_urls) \
                or (a.content_hash and (a.source, a.content_hash) in seen_hashes):
            continue
        cluster: object | None = None
        if a.canonical_url and a.canonical_url in url_clusters:
            cluster = url_clusters[a.canonical_url]
            clusters.outlets.setdefault(cluster, set()).update(s for s, u in seen_urls if u == a.canonical_url)
        elif a.canonical_url:
            cluster = batch_urls.get(a.canonical_url)
        if cluster is None and a.simhash:
            cluster = clusters.find(a.simhash)
        if cluster is None:
            cluster = ("new", len(kept))
        if a.simhash:
            clusters.add(a.simhash, cluster, a.source)
        else:
            clusters.outlets.setdefault(cluster, set()).add(a.source)
        if gkey:
            seen_keys.add(gkey)
        if a.canonical_url:
            seen_urls.add((a.source, a.canonical_url))
            batch_urls.setdefault(a.canonical_url, cluster)
        seen_hashes.add((a.source, a.content_hash))
        rows.append({
            "source": a.source, "guid": a.guid, "guid_key": gkey, "url": a.url, "canonical_url": a.canonical_url,
            "doc": a.doc, "title": a.title, "text": a.text, "language": a.language, "official": a.official,
            "published_at": a.published_at, "fetched_at": a.fetched_at or now, "content_hash": a.content_hash,
            "simhash": to_signed(a.simhash), "cluster_id": cluster if isinstance(cluster, int) else None,
        })
        kept.append((a, cluster))
    if not rows:
        return []
    # Another process may have stored some of them since we looked (PostgreSQL): those are skipped.
    ids = insert_new(conn, articles, rows, key=("source", "guid_key", "canonical_url", "content_hash"))
    first: dict[int, int] = {}      # a new cluster → its first row stored (its leader may be skipped)
    for (_a, c), i in zip(kept, ids, strict=True):
        if i is not None and not isinstance(c, int):
            first.setdefault(c[1], i)   # type: ignore[index]
    out = [Stored(id=i, cluster_id=c if isinstance(c, int) else first[c[1]], article=a,   # type: ignore[index]
                  cluster_outlets=tuple(sorted(clusters.outlets[c])))
           for (a, c), i in zip(kept, ids, strict=True) if i is not None]
    if out:
        conn.execute(update(articles).where(articles.c.id == bindparam("b_id")).values(cluster_id=bindparam("b_c")),
                     [{"b_id": s.id, "b_c": s.cluster_id} for s in out])
    return out


def listing(conn: Connection, *, search: str | None = None, since: dt.datetime | None = None,
            limit: int | None = 100, source: str | None = None, with_text: bool = False) -> list[dict[str, Any]]:
    """Articles newest first (by publication date, then by when they were fetched)."""
    where = ["1=1"]
    params: dict[str, Any] = {}
    if search:
        clause, p = search_clause(conn, search)
        where.append(clause)
        params.update(p)
    if since:
        where.append("COALESCE(a.published_at, a.fetched_at) >= :since")
        params["since"] = since if conn.dialect.name != "sqlite" else since.astimezone(dt.UTC).replace(tzinfo=None)
    if source:
        where.append("a.source = :source")
        params["source"] = source
    cols = "a.id, a.source, a.guid, a.url, a.doc, a.title, a.language, a.published_at, a.fetched_at, a.cluster_id"
    if with_text:
        cols += ", a.text"
    sql = (f"SELECT {cols} FROM articles a WHERE {' AND '.join(where)} "
           "ORDER BY COALESCE(a.published_at, a.fetched_at) DESC, a.id DESC")
    if limit:
        sql += f" LIMIT {int(limit)}"
    rows = conn.execute(text(sql).columns(), params).mappings().all()
    out = []
    for r in rows:
        d = dict(r)
        for k in ("published_at", "fetched_at"):
            d[k] = _iso(d[k])
        out.append(d)
    return out


def _iso(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, str):
        v = dt.datetime.fromisoformat(v)
    if v.tzinfo is None:
        v = v.replace(tzinfo=dt.UTC)
    return str(v.astimezone(dt.UTC).isoformat())


def all_for_replay(conn: Connection) -> list[Any]:
    """Every stored article in publication order (ties by id), text included."""
    q = select(articles).order_by(articles.c.published_at.is_(None), articles.c.published_at, articles.c.id)
    return list(conn.execute(q))
