"""Scale-out figures (docs/benchmarks.md, "Scale-out"): `watcher worker` processes against one PostgreSQL.

A loopback farm (an aiohttp process of its own; ``--changing`` of the feeds answer 200 with a new body every
time, the rest 304 to their ETag) and N sources in a fresh PostgreSQL schema. For 1, 2, 4 workers:

- burst: every source due at the same instant T; the pass lasts until the last source's write. Against the
  reference, one ``watcher poll --once`` pass (the single-process orchestrator) over the same database and
  farm state: the queue's overhead is the ratio of the two pass times (goal at one worker: <= 1.2x);
- steady: the sources' due times spread evenly over one interval; schedule lag = when the farm saw the
  request - when the source was due (p50, p99).

PostgreSQL's CPU is the CPU time its processes used in the phase (local server, read from /proc).
Optionally (``--daemon-sources 100000``) the single-process daemon with that many sources configured:
start-up (process start to "watcher running") and resident memory.

    .venv/bin/python benchmarks/scale.py [--sources 2000] [--workers 1,2,4] [--concurrency 32]
        [--changing 0.2] [--interval 60] [--daemon-sources 0] [--pg postgresql+psycopg://...]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WATCHER = str(Path(sys.executable).with_name("watcher"))
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=test"
PG_BASE = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

FARM = r'''
import hashlib, json, sys, time
from aiohttp import web
n, changing, portfile = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
hits = {}
count = {}
def body(i, k):
    items = "".join(f"<item><title>Market report {i}-{j}</title><guid>g{i}-{j}</guid><link>http://news.invalid/{i}/{j}</link>"
                    f"<description>Prices moved in quiet trading on day {j}.</description></item>" for j in range(k, k + 5))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>feed {i}</title>'
            f"<link>http://example.org/</link><description>d</description>{items}</channel></rss>").encode()
static = {}
async def feed(request):
    i = int(request.match_info["i"])
    hits.setdefault(i, []).append(time.time())
    if i < n * changing:
        count[i] = count.get(i, 0) + 1
        return web.Response(body=body(i, count[i]), content_type="application/rss+xml")
    b = static.get(i) or static.setdefault(i, body(i, 0))
    tag = '"' + hashlib.sha1(b).hexdigest()[:16] + '"'
    if request.headers.get("If-None-Match") == tag:
        return web.Response(status=304, headers={"ETag": tag})
    return web.Response(body=b, content_type="application/rss+xml", headers={"ETag": tag})
async def stats(request):
    return web.json_response(hits)
async def reset(request):
    hits.clear()
    return web.Response(text="ok")
async def main():
    app = web.Application()
    app.router.add_get("/f{i}.xml", feed)
    app.router.add_get("/stats", stats)
    app.router.add_post("/reset", reset)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
    await site.start()
    open(portfile, "w").write(str(runner.addresses[0][1]))
    while True:
        await __import__("asyncio").sleep(3600)
import asyncio
asyncio.run(main())
'''


def pg_cpu(pids: set[int] | None = None) -> float:
    """CPU seconds used so far by the local PostgreSQL server's processes (or by ``pids``)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            comm = Path(f"/proc/{pid}/comm").read_text().strip()
            if (comm.startswith("postgres") and pids is None) or (pids is not None and int(pid) in pids):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            continue
    return total


class Farm:
    def __init__(self, n: int, changing: float, tmp: Path) -> None:
        portfile = tmp / "farm.port"
        self.proc = subprocess.Popen([sys.executable, "-c", FARM, str(n), str(changing), str(portfile)])
        for _ in range(100):
            if portfile.exists() and portfile.read_text():
                break
            time.sleep(0.1)
        self.port = int(portfile.read_text())

    def url(self, i: int) -> str:
        return f"http://127.0.0.1:{self.port}/f{i}.xml"

    def stats(self) -> dict[int, list[float]]:
        import urllib.request

        raw = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{self.port}/stats", timeout=60).read())
        return {int(k): v for k, v in raw.items()}

    def reset(self) -> None:
        import urllib.request

        urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{self.port}/reset", method="POST"),
                               timeout=60).read()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


class Schema:
    """A fresh PostgreSQL schema for one scenario (dropped at the end)."""

    def __init__(self, base: str) -> None:
        import psycopg
        from sqlalchemy import create_engine

        self.name = "bench_" + uuid.uuid4().hex[:10]
        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
            c.execute(f"CREATE SCHEMA {self.name}")
        self.url = f"{base}?options=-csearch_path%3D{self.name},public"
        self.engine = create_engine(self.url)

    def q(self, sql: str, **kw: Any) -> list[Any]:
        from sqlalchemy import text

        with self.engine.begin() as c:
            return list(c.execute(text(sql), kw))

    def x(self, sql: str, **kw: Any) -> None:
        from sqlalchemy import text

        with self.engine.begin() as c:
            c.execute(text(sql), kw)

    def drop(self) -> None:
        import psycopg

        self.engine.dispose()
        with psycopg.connect(PG_ADMIN, autocommit=True) as c:
            c.execute(f"DROP SCHEMA IF EXISTS {self.name} CASCADE")


def write_config(tmp: Path, farm: Farm, n: int, interval: int, concurrency: int) -> Path:
    lines = ["[fetch]", 'allow_private_hosts = ["127.0.0.1"]', "extract_pages = false", "jitter = 0.0",
             f"concurrency = {concurrency}", "per_host = 100000", ""]
    for i in range(n):
        lines += ["[[sources]]", f'name = "s{i}"', f'url = "{farm.url(i)}"', f"interval = {interval}", ""]
    path = tmp / "sources.toml"
    path.write_text("\n".join(lines))
    return path


def watcher(tmp: Path, db: str, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run([WATCHER, "--config", str(tmp / "sources.toml"), "--db", db, *args], capture_output=True,
                          text=True, **kw)


def quantile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


def wait_all_polled(db: Schema, since: float, n: int, timeout: float) -> float:
    """Seconds from ``since`` until every source's last write is after it (the pass's end)."""
    end = time.time() + timeout
    while time.time() < end:
        rows = db.q("SELECT count(*), max(extract(epoch FROM last_polled_at)) FROM sources "
                    "WHERE last_polled_at >= to_timestamp(:t)", t=since)
        if rows[0][0] >= n:
            return float(rows[0][1]) - since
        time.sleep(0.2)
    raise SystemExit(f"not every source was polled within {timeout} s")


def scenario(workers: int, args: argparse.Namespace, farm: Farm, tmp: Path) -> dict[str, Any]:
    n = args.sources
    db = Schema(args.pg)
    out: dict[str, Any] = {"workers": workers}
    procs: list[subprocess.Popen[bytes]] = []
    try:
        write_config(tmp, farm, n, args.interval, args.concurrency)
        init = watcher(tmp, db.url, "init", "--no-seed")
        assert init.returncode == 0, init.stderr
        cold = watcher(tmp, db.url, "poll", "--once", "--json")          # validators for the 304s
        assert cold.returncode == 0, cold.stderr
        ref = json.loads(watcher(tmp, db.url, "poll", "--once", "--json").stdout)   # the reference pass
        out["reference_pass_s"] = ref["seconds"]
        log = open(tmp / f"workers{workers}.log", "ab")  # noqa: SIM115
        procs = [subprocess.Popen([WATCHER, "--config", str(tmp / "sources.toml"), "--db", db.url, "worker",
                                   "--concurrency", str(args.concurrency)], stdout=log, stderr=log)
                 for _ in range(workers)]
        time.sleep(5)
        # burst: everything due at T (dispatch defers each poll for T within its 15 s lookahead)
        t = time.time() + 20
        db.x("UPDATE sources SET next_check_at = to_timestamp(:t)", t=t)
        cpu0, wcpu0 = pg_cpu(), pg_cpu({p.pid for p in procs})
        burst = wait_all_polled(db, t, n, 600)
        out["burst_worker_cpu_s"] = round(pg_cpu({p.pid for p in procs}) - wcpu0, 2)
        out["burst_pass_s"] = round(burst, 3)
        out["burst_polls_per_s"] = round(n / burst, 1)
        out["burst_pg_cpu_s"] = round(pg_cpu() - cpu0, 2)
        out["overhead_vs_reference"] = round(burst / ref["seconds"], 2)
        # steady: due times spread over one interval, from T0
        time.sleep(3)
        farm.reset()
        t0 = time.time() + 20
        due = {i: t0 + args.interval * i / n for i in range(n)}
        db.x("UPDATE sources SET next_check_at = to_timestamp(:t0 + :iv * (CAST(substr(name, 2) AS float) / :n))",
             t0=t0, iv=args.interval, n=n)
        cpu0 = pg_cpu()
        wait_all_polled(db, t0, n, args.interval + 120)
        cpu = pg_cpu() - cpu0
        hits = farm.stats()
        lags = [min(h for h in hits[i] if h >= due[i] - 1) - due[i] for i in range(n) if hits.get(i)]
        out["steady_polls_per_s"] = round(n / args.interval, 1)
        out["steady_lag_p50_s"] = round(quantile(lags, 0.5), 3)
        out["steady_lag_p99_s"] = round(quantile(lags, 0.99), 3)
        out["steady_lag_max_s"] = round(max(lags), 3)
        out["steady_pg_cpu_share"] = round(cpu / (args.interval + 0.0), 3)
        out["jobs_left"] = db.q("SELECT count(*) FROM procrastinate_jobs WHERE status NOT IN ('todo', 'doing')")[0][0]
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(60)
            except subprocess.TimeoutExpired:
                p.kill()
        db.drop()
    return out


def daemon_scenario(n: int, args: argparse.Namespace, farm: Farm, tmp: Path) -> dict[str, Any]:
    """The single-process daemon with ``n`` sources configured (interval 1 day: start-up and memory)."""
    db = Schema(args.pg)
    try:
        write_config(tmp, farm, n, 86400, args.concurrency)
        init = watcher(tmp, db.url, "init", "--no-seed")
        assert init.returncode == 0, init.stderr
        db.x("UPDATE sources SET next_check_at = now() + interval '1 day'")   # nothing due: start-up only
        started = time.time()
        proc = subprocess.Popen([WATCHER, "--config", str(tmp / "sources.toml"), "--db", db.url, "run"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        assert proc.stderr is not None
        for line in proc.stderr:
            if "watcher running" in line:
                break
        startup = time.time() - started
        import threading

        threading.Thread(target=proc.stderr.read, daemon=True).start()    # keep draining its log
        time.sleep(10)
        rss = 0
        for pid in [proc.pid, *[int(p) for p in subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True,
                                                                  text=True).stdout.split()]]:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    rss += int(line.split()[1])
        stopping = time.time()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
            stop_s: float | None = round(time.time() - stopping, 2)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            stop_s = None
        return {"daemon_sources": n, "startup_s": round(startup, 2), "rss_mb": round(rss / 1024, 1),
                "stop_s": stop_s}
    finally:
        db.drop()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sources", type=int, default=2000)
    ap.add_argument("--workers", default="1,2,4")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--changing", type=float, default=0.2, help="share of feeds answering 200 with a new body")
    ap.add_argument("--interval", type=int, default=60)
    ap.add_argument("--daemon-sources", type=int, default=0)
    ap.add_argument("--pg", default=PG_BASE)
    args = ap.parse_args()
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="wscale") as d:
        tmp = Path(d)
        farm = Farm(max(args.sources, args.daemon_sources), args.changing, tmp)
        try:
            for w in [int(x) for x in args.workers.split(",") if x]:
                res = scenario(w, args, farm, tmp)
                results.append(res)
                print(json.dumps(res), flush=True)
            if args.daemon_sources:
                res = daemon_scenario(args.daemon_sources, args, farm, tmp)
                results.append(res)
                print(json.dumps(res), flush=True)
        finally:
            farm.stop()
    print(f"\n{args.sources} sources ({args.changing:.0%} answering 200, the rest 304), interval {args.interval} s, "
          f"concurrency {args.concurrency}")
    print("workers  burst pass  polls/s  vs poll --once  PG CPU  | steady lag p50   p99    max   PG CPU share")
    for r in results:
        if "workers" in r:
            print(f"{r['workers']:>7}  {r['burst_pass_s']:>8.2f} s  {r['burst_polls_per_s']:>7}  "
                  f"{r['overhead_vs_reference']:>10.2f}x  {r['burst_pg_cpu_s']:>5.1f} s | "
                  f"{r['steady_lag_p50_s']:>9.2f} s {r['steady_lag_p99_s']:>5.2f} s {r['steady_lag_max_s']:>5.2f} s "
                  f"{r['steady_pg_cpu_share']:>7.1%}   (reference pass {r['reference_pass_s']:.2f} s, "
                  f"workers' CPU in the burst {r['burst_worker_cpu_s']:.1f} s)")
        else:
            stopped = f"{r['stop_s']} s" if r["stop_s"] is not None else "more than 60 s (killed)"
            print(f"daemon, {r['daemon_sources']} sources: start-up {r['startup_s']} s, RSS {r['rss_mb']} MB "
                  f"10 s after start-up, SIGTERM to exit {stopped}")


if __name__ == "__main__":
    main()
