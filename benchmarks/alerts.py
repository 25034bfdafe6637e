"""Alert delivery figures (docs/benchmarks.md, "Alerts").

1. Latency in a running daemon: ``watcher run`` (a real process) polls N loopback feeds that
   each carry one new trilateral item; the webhook receiver (this process) notes when each
   alert arrives. Latency = arrival - ``changes.detected_at`` (when the change was stored).
   Also measured: a change stored by another process (``watcher ingest``) while the daemon runs.
2. Drain: 1,000 alerts queued (changes and outbox rows written through the store) delivered to
   a loopback webhook by the notifier; seconds to deliver them all, and how many arrived twice.

    .venv/bin/python benchmarks/alerts.py [--feeds 40] [--alerts 1000] [--pg URL]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT)]

from tests.support.alerting import Clock, Receiver, add_changes, config, make_store, states  # noqa: E402
from tests.support.feedserver import FeedServer, rss  # noqa: E402
from watcher.notify.worker import Notifier  # noqa: E402

WATCHER = str(Path(sys.executable).with_name("watcher"))


def _item(i: int) -> dict[str, object]:
    return {"title": f"US, Japan and South Korea agree on cooperation item {i}", "guid": f"b{i}",
            "link": f"http://news.invalid/{i}", "pub": dt.datetime(2025, 1, 6, 9, i % 60, tzinfo=dt.UTC),
            "description": ("The foreign ministers of South Korea, Japan and the United States agreed on Tuesday "
                            f"to establish a new trilateral item-{i} technology working group, officials in "
                            "Seoul said.")}


def _detected(db: Path) -> dict[int, float]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as c:
        return {int(i): dt.datetime.fromisoformat(str(t)).replace(tzinfo=dt.UTC).timestamp()
                for i, t in c.execute("SELECT id, detected_at FROM changes")}


def latency(n_feeds: int, tmp: Path) -> dict[str, float]:
    with FeedServer() as srv, Receiver() as rc:
        lines = ["[fetch]", 'allow_private_hosts = ["127.0.0.1"]', "extract_pages = false", "jitter = 0.0", "",
                 "[[alerts.webhook]]", 'name = "bench"', f'url = "{rc.url()}"',
                 'kinds = ["new", "advanced", "reaffirmed", "delayed", "weakened", "dropped", "overdue"]', ""]
        for i in range(n_feeds):
            srv.route(f"/f{i}.xml", rss([_item(i)]))
            lines += ["[[sources]]", f'name = "f{i}"', f'url = "{srv.url(f"/f{i}.xml")}"', "interval = 3600", ""]
        (tmp / "sources.toml").write_text("\n".join(lines))
        base = [WATCHER, "--config", str(tmp / "sources.toml"), "--db", f"sqlite:///{tmp}/w.sqlite3"]
        subprocess.run([*base, "init", "--no-seed"], check=True, capture_output=True)
        proc = subprocess.Popen([*base, "run"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            end = time.monotonic() + 60
            while len(rc.hits) < n_feeds and time.monotonic() < end:
                time.sleep(0.05)
            in_daemon = len(rc.hits)
            # a change stored by another process: the daemon finds it on its next look (<= 1 s)
            for k in range(10):
                doc = tmp / f"doc{k}.txt"
                doc.write_text(str(_item(10_000 + k)["description"]))
                subprocess.run([*base, "ingest", str(doc), "--published", "2025-01-07"], check=True,
                               capture_output=True)
                time.sleep(0.3)
            time.sleep(1.5)
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=15)
        arrivals = {h.json["id"]: h.wall for h in rc.hits}
        order = [h.json["id"] for h in rc.hits]
    detected = _detected(tmp / "w.sqlite3")
    lat = [arrivals[c] - detected[c] for c in order[:in_daemon]]
    lat_x = [arrivals[c] - detected[c] for c in order[in_daemon:]]
    return {"in_daemon_n": len(lat), "in_daemon_median_s": statistics.median(lat),
            "in_daemon_p90_s": sorted(lat)[int(0.9 * (len(lat) - 1))], "in_daemon_max_s": max(lat),
            "other_process_n": len(lat_x), "other_process_median_s": statistics.median(lat_x) if lat_x else float("nan"),
            "other_process_max_s": max(lat_x) if lat_x else float("nan")}


def drain(n: int, url: str) -> dict[str, float]:
    with Receiver() as rc:
        store = make_store(url)
        cfg = config({"webhook": [{"name": "bench", "url": rc.url()}]})
        add_changes(store, cfg, n)
        notifier = Notifier(cfg, store, Clock())

        async def go() -> float:
            t0 = time.perf_counter()
            while len(rc.hits) < n:
                await notifier.run_once()
            took = time.perf_counter() - t0
            await notifier.aclose()
            return took

        took = asyncio.run(go())
        ids = Counter(rc.ids())
        body_ids = [h.json["id"] for h in rc.hits]
        assert states(store) == {"sent": n}, states(store)
        store.dispose()
    return {"alerts": n, "seconds": took, "per_second": n / took, "twice": sum(v - 1 for v in ids.values()),
            "in_order": float(body_ids == sorted(body_ids))}


@contextmanager
def _scratch(url: str) -> Iterator[str]:
    """SQLite as is; PostgreSQL in a fresh schema, dropped afterwards."""
    if url.startswith("sqlite"):
        yield url
        return
    import uuid

    from sqlalchemy import create_engine, text

    schema = "bench_" + uuid.uuid4().hex[:10]
    eng = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT")
    with eng.connect() as c:
        c.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public"))
        c.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        sep = "&" if "?" in url else "?"
        yield f"{url}{sep}options=-csearch_path%3D{schema},public"
    finally:
        with eng.connect() as c:
            c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        eng.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=40)
    ap.add_argument("--alerts", type=int, default=1000)
    ap.add_argument("--pg", default=os.environ.get("WATCHER_BENCH_PG"),
                    help="also drain on this PostgreSQL URL (a scratch database)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        lat = latency(args.feeds, tmp)
        print(f"latency, change stored in the daemon -> webhook received ({lat['in_daemon_n']:.0f} changes): "
              f"median {lat['in_daemon_median_s'] * 1000:.0f} ms, p90 {lat['in_daemon_p90_s'] * 1000:.0f} ms, "
              f"max {lat['in_daemon_max_s'] * 1000:.0f} ms")
        print(f"latency, change stored by another process (watcher ingest, {lat['other_process_n']:.0f}): "
              f"median {lat['other_process_median_s'] * 1000:.0f} ms, max {lat['other_process_max_s'] * 1000:.0f} ms")
        targets = [("sqlite", f"sqlite:///{tmp}/drain.sqlite3")] + ([("postgresql", args.pg)] if args.pg else [])
        for name, url in targets:
            with _scratch(url) as scratch:
                r = drain(args.alerts, scratch)
            print(f"drain {name}: {r['alerts']:.0f} alerts delivered in {r['seconds']:.2f} s "
                  f"({r['per_second']:.0f}/s), {r['twice']:.0f} twice, in order: {bool(r['in_order'])}")


if __name__ == "__main__":
    main()
