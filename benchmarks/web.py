"""Web interface benchmark: every page under 200 ms with 100,000 articles in the database.

Fills a fresh SQLite database (registry and seed corpus through ``watcher init``'s code,
then 100,000 generated articles in English, Korean and Japanese by SQLAlchemy Core
executemany; the FTS triggers index them), adds changes, claims and alert rows, starts
the real server on a loopback port and times each page over real HTTP: the median, p95
and worst of N requests after one warm-up request.

    .venv/bin/python benchmarks/web.py                  # 100,000 articles, 15 requests a page
    .venv/bin/python benchmarks/web.py --articles 20000 --requests 5 --keep /tmp/web.sqlite3
    .venv/bin/python benchmarks/web.py --db-url postgresql+psycopg://postgres@127.0.0.1/test
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import random
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select  # noqa: E402

from watcher.cli._context import Ctx  # noqa: E402
from watcher.cli.commands import initialise  # noqa: E402
from watcher.store import Store  # noqa: E402
from watcher.store.schema import articles, changes, claims, commitments, metadata  # noqa: E402

LIMIT_MS = 200.0
RARE = "zanzibarite"          # in a handful of articles
COMMON = "trilateral"         # in nearly every article
KO_COMMON = "사무국"

EN = ("The foreign ministers of the United States, Japan and South Korea met in {city} on {day} and agreed to "
      "expand trilateral cooperation on {topic}. Officials said the {thing} would be reviewed at the next summit. "
      "Analysts in Seoul and Tokyo said the {thing} marks a step for the trilateral partnership, while critics "
      "warned that domestic politics could slow progress on {topic}. ")
KO = ("한미일 외교장관은 {day} {city}에서 만나 {topic_ko} 분야의 3국 협력을 확대하기로 합의했다. 정부 관계자는 "
      "사무국 설치와 정상회의 정례화를 다음 회의에서 점검할 것이라고 말했다. ")
JA = ("日米韓の外相は{day}に{city}で会談し、{topic_ja}での三カ国協力を拡大することで一致した。事務局の設置について"
      "次回の首脳会議で確認するという。")
CITIES = ["Seoul", "Tokyo", "Washington", "Jakarta", "New York", "Lima", "Camp David", "Busan", "Osaka", "Honolulu"]
TOPICS = ["missile warning data", "maritime security", "supply chains", "critical technologies", "energy security",
          "North Korea", "cyber defence", "semiconductors", "economic security", "humanitarian aid"]
THINGS = ["secretariat", "framework", "exercise", "dialogue", "working group", "hotline", "roadmap"]


def generate(n: int, sources: list[str], seed: int = 7) -> list[dict[str, Any]]:
    rnd = random.Random(seed)
    start = dt.datetime(2019, 1, 1, tzinfo=dt.UTC)
    span = int((dt.datetime(2026, 6, 1, tzinfo=dt.UTC) - start).total_seconds())
    rows = []
    for i in range(n):
        when = start + dt.timedelta(seconds=rnd.randrange(span))
        topic, thing, city = rnd.choice(TOPICS), rnd.choice(THINGS), rnd.choice(CITIES)
        lang = rnd.choices(["en", "ko", "ja"], weights=[7, 2, 1])[0]
        day = when.strftime("%B %d")
        if lang == "en":
            title = f"US, Japan, South Korea {rnd.choice(['agree on', 'review', 'discuss', 'delay'])} {topic} {thing}"
            text = EN.format(city=city, day=day, topic=topic, thing=thing) * rnd.randint(1, 3)
        elif lang == "ko":
            title = f"한미일, {city} 회의서 {thing} 논의"
            text = KO.format(city=city, day=day, topic_ko="해양 안보") * rnd.randint(1, 3) + f" ({topic})"
        else:
            title = f"日米韓、{city}で{topic}協力"
            text = JA.format(city=city, day=day, topic_ja="海洋安全保障") * rnd.randint(1, 3) + f" trilateral {topic}"
        if i % 25_000 == 17:
            text += f" The delegation visited a {RARE} exhibition."
        url = f"https://news{i % 97}.example.org/{when:%Y/%m/%d}/story-{i}"
        rows.append({"source": sources[i % len(sources)], "guid": f"bench-{i}", "guid_key": f"bench\x1fbench-{i}",
                     "url": url, "canonical_url": url, "doc": None, "title": title, "text": text, "language": lang,
                     "official": i % 50 == 0, "published_at": when, "fetched_at": when + dt.timedelta(minutes=7),
                     "content_hash": hashlib.sha256(f"{i}".encode()).hexdigest(), "simhash": 0, "cluster_id": None})
    return rows


def fill(url: str, n: int) -> dict[str, Any]:
    ctx = Ctx(config_path=str(ROOT / "sources.toml"), db_url=url, registry_path=None)
    t0 = time.perf_counter()
    initialise(ctx, seed=True)
    store = ctx.store()
    with store.read() as conn:
        names = [r[0] for r in conn.execute(select(metadata.tables["sources"].c.name))] or ["bench"]
        cids = [r[0] for r in conn.execute(select(commitments.c.id))]
    rows = generate(n, names)
    t1 = time.perf_counter()
    for i in range(0, len(rows), 5000):
        with store.write("bulk insert") as conn:
            conn.execute(articles.insert(), rows[i:i + 5000])
    t2 = time.perf_counter()
    rnd = random.Random(11)
    with store.write("bench changes") as conn:
        ids = [r[0] for r in conn.execute(select(articles.c.id).where(articles.c.guid.like("bench-%"))
                                          .order_by(articles.c.id))]
        kinds = ["reaffirmed", "advanced", "delayed", "weakened", "reaffirmed", "dropped"]
        change_rows = []
        for k in range(3000):
            aid = ids[rnd.randrange(len(ids))]
            change_rows.append({"commitment_id": cids[k % len(cids)], "kind": kinds[k % len(kinds)],
                                "from_status": "agreed", "to_status": "in_progress" if k % 6 == 1 else "agreed",
                                "evidence": "The three countries agreed to expand trilateral cooperation.",
                                "article_id": aid, "doc": None, "article_url": None,
                                "published_at": dt.datetime(2019, 1, 1, tzinfo=dt.UTC) + dt.timedelta(hours=k * 17),
                                "detected_at": dt.datetime.now(dt.UTC), "confirmed": True,
                                "outlets": ["bench"], "deadline": None, "review_status": "pending"})
        conn.execute(changes.insert(), change_rows)
        conn.execute(claims.insert(), [{"article_id": ids[0], "start": 0, "end": 60, "sentence": "x" * 60,
                                        "modality": "agreed", "action": "expand", "negated": False,
                                        "commitment_id": cids[0]}])
        alerts = metadata.tables.get("alerts")
        if alerts is not None:
            first = conn.execute(select(func.min(changes.c.id))).scalar_one()
            now = dt.datetime.now(dt.UTC)
            conn.execute(alerts.insert(), [{
                "id": f"bench-{k}", "change_id": first + k, "channel": "desk", "kind": "change",
                "state": ["sent", "failed", "pending"][k % 3], "attempts": k % 4, "next_attempt_at": now,
                "last_error": "SMTP 451 try later" if k % 3 == 1 else None, "created_at": now,
                "sent_at": now if k % 3 == 0 else None} for k in range(2000)])
    if store.dialect == "postgresql":   # what autovacuum does to a table that stopped growing
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    t3 = time.perf_counter()
    return {"store": store, "article_id": ids[len(ids) // 2], "fill_seconds": round(t3 - t0, 1),
            "insert_seconds": round(t2 - t1, 1), "commitment": cids[0]}


def timed(base: str, path: str, n: int) -> tuple[list[float], int, int]:
    def once() -> tuple[float, int, int]:
        t = time.perf_counter()
        with urllib.request.urlopen(base + path, timeout=60) as r:
            body = r.read()
            status = r.status
        return (time.perf_counter() - t) * 1000, status, len(body)

    once()   # warm-up: templates compiled, pages of the database in the cache
    runs = [once() for _ in range(n)]
    return [r[0] for r in runs], runs[-1][1], runs[-1][2]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--articles", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=15, help="timed requests per page (median reported)")
    ap.add_argument("--keep", metavar="PATH", help="build the SQLite database here and keep it")
    ap.add_argument("--db-url", help="use this (empty) database instead of a fresh SQLite file")
    ap.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = ap.parse_args(argv)

    from watcher.web.app import WebApp
    from watcher.web.server import serve_in_thread

    tmp = tempfile.TemporaryDirectory(prefix="watcher-web-bench-")
    url = args.db_url or f"sqlite:///{args.keep or Path(tmp.name) / 'bench.sqlite3'}"
    if not args.db_url and args.keep and Path(args.keep).exists():
        Path(args.keep).unlink()
    print(f"filling {url.split('@')[-1]} with {args.articles:,} generated articles ...", flush=True)
    info = fill(url, args.articles)
    store: Store = info["store"]
    print(f"  {store.article_count():,} articles in {info['fill_seconds']} s "
          f"(bulk insert with FTS indexing {info['insert_seconds']} s)", flush=True)
    server, _thread = serve_in_thread(WebApp(store))
    base = f"http://127.0.0.1:{server.server_address[1]}"
    aid, cid = info["article_id"], info["commitment"]
    pages = [
        ("overview", "/"),
        ("commitments", "/commitments"),
        ("commitment timeline", f"/commitments/{cid}"),
        ("articles (no search)", "/articles"),
        (f"search rare '{RARE}'", f"/articles?q={RARE}"),
        (f"search common '{COMMON}'", f"/articles?q={COMMON}"),
        ("search Korean '사무국'", "/articles?q=%EC%82%AC%EB%AC%B4%EA%B5%AD"),
        ("search + source + dates", f"/articles?q={COMMON}&source=Yonhap&from=2024-01-01&to=2024-12-31"),
        ("articles by commitment", f"/articles?commitment={cid}&kind=advanced"),
        ("articles page 20", f"/articles?q={COMMON}&page=20"),
        ("article page", f"/articles/{aid}"),
        ("sources", "/sources"),
        ("alerts", "/alerts"),
        ("review queue", "/review"),
        ("api overview", "/api/overview"),
        ("api articles search", f"/api/articles?q={COMMON}"),
        ("api commitments", "/api/commitments"),
        ("export changes csv", "/export/changes.csv"),
    ]
    results = []
    print(f"\n{'page':34} {'median ms':>9} {'p95 ms':>8} {'max ms':>8} {'KiB':>6}  verdict")
    for name, path in pages:
        ms, status, size = timed(base, path, args.requests)
        med = statistics.median(ms)
        p95 = sorted(ms)[max(0, int(len(ms) * 0.95) - 1)]
        ok = status == 200 and med < LIMIT_MS
        results.append({"page": name, "path": path, "median_ms": round(med, 1), "p95_ms": round(p95, 1),
                        "max_ms": round(max(ms), 1), "bytes": size, "status": status, "pass": ok})
        print(f"{name:34} {med:9.1f} {p95:8.1f} {max(ms):8.1f} {size / 1024:6.0f}  {'PASS' if ok else 'FAIL'}",
              flush=True)
    server.shutdown()
    server.server_close()
    failed = [r for r in results if not r["pass"]]
    print(f"\n{len(results) - len(failed)}/{len(results)} pages under {LIMIT_MS:.0f} ms (median of {args.requests}) "
          f"with {args.articles:,} articles")
    if args.json:
        print(json.dumps(results, indent=2))
    store.dispose()
    tmp.cleanup()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
