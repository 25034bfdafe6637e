"""The single-process daemon (``watcher run``) with many sources (docs/benchmarks.md, "The daemon with 100,000
sources"): start-up, memory, schedule lag and stop, on a fresh SQLite database.

A loopback farm (an aiohttp process of its own) serves N tiny feeds: 304 to the ETag every source row already
holds, a 3-item feed otherwise. ``watcher init --no-seed`` writes the N source rows; the script then gives each
row that ETag, its feed's body hash and a due time (``next_check_at``), spread evenly over one interval from
T0 = start + ``--lead`` seconds, as a daemon that has run before would have them. Then a real ``watcher run``:

- start-up: process start to its "watcher running" line;
- RSS: the largest resident memory of the process and its children, sampled every second;
- schedule lag: for each source due in the ``--window`` seconds after T0, when the farm saw its request minus
  its due time (p50, p99, max; a source not polled within the window + 30 s is counted as missed);
- stop: SIGTERM to exit (killed after 60 s).

    .venv/bin/python benchmarks/daemon_scale.py [--sources 100000] [--interval 1800] [--window 120] [--lead 30]
        [--burst S] [--code DIR]

``--burst S``: every row due at the start instead; SIGTERM S seconds after the start line (start-up, memory,
polls done and the stop, in the middle of polling).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TAG = '"v1"'

FARM = r'''
import asyncio, sys, time
from aiohttp import web
portfile = sys.argv[1]
hits = {}
def body(i):
    items = "".join(f"<item><title>Report {i}-{j}</title><guid>g{i}-{j}</guid><link>http://news.invalid/{i}/{j}</link>"
                    f"<description>Quiet day {j}.</description></item>" for j in range(3))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>feed {i}</title>'
            f"<link>http://example.org/</link><description>d</description>{items}</channel></rss>").encode()
async def feed(request):
    i = int(request.match_info["i"])
    hits.setdefault(i, []).append(time.time())
    if request.headers.get("If-None-Match") == '"v1"':
        return web.Response(status=304, headers={"ETag": '"v1"'})
    return web.Response(body=body(i), content_type="application/rss+xml", headers={"ETag": '"v1"'})
async def stats(request):
    return web.json_response(hits)
async def main():
    app = web.Application()
    app.router.add_get("/f{i}.xml", feed)
    app.router.add_get("/stats", stats)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, backlog=4096)
    await site.start()
    open(portfile, "w").write(str(runner.addresses[0][1]))
    while True:
        await asyncio.sleep(3600)
asyncio.run(main())
'''


def feed_body(i: int) -> bytes:
    """The farm's 200 body for feed ``i`` (its hash goes in the row, as after an earlier poll)."""
    items = "".join(f"<item><title>Report {i}-{j}</title><guid>g{i}-{j}</guid><link>http://news.invalid/{i}/{j}</link>"
                    f"<description>Quiet day {j}.</description></item>" for j in range(3))
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>feed {i}</title>'
            f"<link>http://example.org/</link><description>d</description>{items}</channel></rss>").encode()


def quantile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


def rss_kb(pid: int) -> int:
    total = 0
    kids = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    for p in [pid, *map(int, kids)]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def stamp(t: float) -> str:
    """A time as SQLAlchemy stores a UTC DateTime in SQLite."""
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def run(args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    n, interval = args.sources, args.interval
    portfile = tmp / "farm.port"
    farm = subprocess.Popen([sys.executable, "-c", FARM, str(portfile)])
    proc: subprocess.Popen[str] | None = None
    try:
        for _ in range(100):
            if portfile.exists() and portfile.read_text():
                break
            time.sleep(0.1)
        port = int(portfile.read_text())
        lines = ["[fetch]", 'allow_private_hosts = ["127.0.0.1"]', "extract_pages = false", "jitter = 0.0",
                 "per_host = 100000", ""]
        for i in range(n):
            lines += ["[[sources]]", f'name = "s{i}"', f'url = "http://127.0.0.1:{port}/f{i}.xml"',
                      f"interval = {interval}", ""]
        (tmp / "sources.toml").write_text("\n".join(lines))
        db = tmp / "w.sqlite3"
        base = [sys.executable, "-m", "watcher", "--config", str(tmp / "sources.toml"), "--db", f"sqlite:///{db}"]
        env = {**os.environ, "PYTHONPATH": str(Path(args.code).resolve())}
        init = subprocess.run([*base, "init", "--no-seed"], capture_output=True, text=True, env=env)
        assert init.returncode == 0, init.stderr
        with sqlite3.connect(db) as c:
            ids = {name: int(name[1:]) for (name,) in c.execute("SELECT name FROM sources")}
            assert len(ids) == n, len(ids)
        t0 = time.time() + args.lead
        due = {i: t0 + interval * i / n for i in range(n)} if not args.burst else {i: t0 - 3600 for i in range(n)}
        with sqlite3.connect(db) as c:
            c.executemany("UPDATE sources SET etag = ?, body_hash = ?, next_check_at = ?, last_success_at = ?, "
                          "last_polled_at = ?, last_status = 'not_modified' WHERE name = ?",
                          [(TAG, hashlib.sha256(feed_body(i)).hexdigest(), stamp(due[i]), stamp(due[i] - interval),
                            stamp(due[i] - interval), name) for name, i in ids.items()])
        started = time.time()
        proc = subprocess.Popen([*base, "run"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                env=env)
        assert proc.stderr is not None
        startup = None
        for line in proc.stderr:
            if "watcher running" in line:
                startup = time.time() - started
                break
        log_lines: list[str] = []
        threading.Thread(target=lambda: log_lines.extend(proc.stderr), daemon=True).start()  # type: ignore[arg-type]
        peak = 0
        if args.burst:
            return burst(args, proc, port, startup)
        end = t0 + args.window + 30
        while time.time() < end and proc.poll() is None:
            peak = max(peak, rss_kb(proc.pid))
            time.sleep(1.0)
        hits = {int(k): v for k, v in json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/stats",
                                                                        timeout=120).read()).items()}
        window = [i for i in range(n) if due[i] <= t0 + args.window]
        lags, missed = [], 0
        for i in window:
            seen = [h for h in hits.get(i, []) if h >= due[i] - 1.0]
            if seen:
                lags.append(min(seen) - due[i])
            else:
                missed += 1
        early = sum(1 for i in range(n) for h in hits.get(i, []) if h < due[i] - 1.0)
        stopping = time.time()
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(60)
            stop_s: float | None = round(time.time() - stopping, 2)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            stop_s = None
        return {"sources": n, "interval_s": interval, "startup_s": round(startup, 2) if startup else None,
                "rss_peak_mb": round(peak / 1024, 1), "due_in_window": len(window), "polled": len(lags),
                "missed": missed, "early_requests": early, "lag_p50_s": round(quantile(lags, 0.5), 3),
                "lag_p99_s": round(quantile(lags, 0.99), 3), "lag_max_s": round(max(lags), 3) if lags else None,
                "stop_s": stop_s, "exit_code": proc.returncode}
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
        farm.terminate()
        farm.wait(10)


def burst(args: argparse.Namespace, proc: subprocess.Popen[str], port: int, startup: float | None) -> dict[str, Any]:
    """``--burst S``: every source due at the start (the daemon spreads them over its first 30 s, the rest
    run at once); SIGTERM S seconds after the start line, in the middle of the polls."""
    peak = 0
    end = time.time() + args.burst
    while time.time() < end and proc.poll() is None:
        peak = max(peak, rss_kb(proc.pid))
        time.sleep(1.0)
    stopping = time.time()
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(60)
        stop_s: float | None = round(time.time() - stopping, 2)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        stop_s = None
    hits = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/stats", timeout=120).read())
    polled = sum(1 for v in hits.values() for h in v if h < stopping)
    return {"sources": args.sources, "burst_sigterm_after_s": args.burst, "startup_s": round(startup, 2)
            if startup else None, "rss_peak_mb": round(peak / 1024, 1), "polled_before_sigterm": polled,
            "stop_s": stop_s, "exit_code": proc.returncode}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sources", type=int, default=100_000)
    ap.add_argument("--interval", type=int, default=1800, help="every source's interval (s)")
    ap.add_argument("--window", type=int, default=120, help="seconds after T0 whose due sources are measured")
    ap.add_argument("--lead", type=int, default=30, help="T0 = the daemon's start + this (s)")
    ap.add_argument("--code", default=str(ROOT), help="the checkout whose watcher runs (the before figures: "
                    "`git worktree`-free, e.g. `git archive BASE | tar -x -C /tmp/before`)")
    ap.add_argument("--burst", type=int, default=0, help="every source due at the start; SIGTERM this many "
                    "seconds after the start line (no lag figures)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="wdaemon") as d:
        res = run(args, Path(d))
    print(json.dumps(res), flush=True)
    if args.burst:
        print(f"\ndaemon, {res['sources']} sources all due at the start: start-up {res['startup_s']} s, peak RSS "
              f"{res['rss_peak_mb']} MB, {res['polled_before_sigterm']} polls in the {args.burst} s before SIGTERM, "
              f"SIGTERM to exit {res['stop_s']} s (None: more than 60 s, killed)")
        return
    stopped = f"{res['stop_s']} s" if res["stop_s"] is not None else "more than 60 s (killed)"
    print(f"\ndaemon, {res['sources']} sources at interval {res['interval_s']} s: start-up {res['startup_s']} s, "
          f"peak RSS {res['rss_peak_mb']} MB, lag p50 {res['lag_p50_s']} s / p99 {res['lag_p99_s']} s / "
          f"max {res['lag_max_s']} s over {res['polled']} polls ({res['missed']} missed, {res['early_requests']} "
          f"early), SIGTERM to exit {stopped}")


if __name__ == "__main__":
    main()
