"""Polling benchmark: `watcher poll --once` against references on a farm of static feeds served by nginx.

    sudo .venv/bin/python benchmarks/poll.py                 # 1,000 feeds x 30 items, 3 runs, loopback + latency
    .venv/bin/python benchmarks/poll.py --quick              # smoke run: 100 feeds, 1 run
    .venv/bin/python benchmarks/poll.py --no-latency         # loopback only (no root needed for that part)

Scenarios: loopback (nginx on 127.0.0.1) and latency (nginx in network namespace ``wbench``, reached through a
link adding 50 ms each way = 100 ms RTT, see farm/server.py). In each, every run does, each as its own process:

    ceiling cold    aiohttp, 32 concurrent GETs, no parsing, validators written to a file
    ceiling steady  the same with If-None-Match / If-Modified-Since from that file (all 304)
    naive cold      one httpx.Client, one feed after another, feedparser.parse, storing nothing
    reader cold     lemon24 `reader`: fresh SQLite, add the feeds, update_feeds(scheduled=False)
    reader steady   update_feeds(scheduled=False) again on the same database (all 304)
    watcher init    watcher --config S --db sqlite:///... init --no-seed   (fresh database)
    watcher cold    watcher ... poll --once --json
    watcher steady  watcher ... poll --once --json again (all 304)

"pass" is the figure the process reports itself (first request to last write; the watcher's JSON ``seconds``),
"process" is the wall time of the whole process, start-up included. Medians over --runs; under latency the
naive and reader references (sequential, minutes each) run once. Also one watcher pass over the feedparser test
corpus (served by the same nginx) against its 60 s budget. Raw figures: benchmarks/out/poll.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from farm.generate import generate  # noqa: E402
from farm.server import FarmServer  # noqa: E402

FARM = HERE / "farm"
CORPUS = Path(os.environ.get("WATCHER_CORPUS", "/work/shared/corpora/feedparser-tests"))
PY = sys.executable
MB = 1024 * 1024

TARGETS = {
    # key: (description, limit)
    "loopback.steady.pass_vs_ceiling": ("loopback steady: watcher pass / ceiling pass", 1.3),
    "loopback.steady.process_vs_ceiling": ("loopback steady: watcher process / ceiling process", 2.0),
    "loopback.cold.pass_vs_naive": ("loopback cold: watcher pass / naive pass", 0.6),
    "loopback.cold.pass_vs_reader": ("loopback cold: watcher pass / reader pass", 0.25),
    "latency.cold.pass_vs_ceiling": ("latency cold: watcher pass / ceiling pass", 1.5),
    "latency.steady.pass_vs_ceiling": ("latency steady: watcher pass / ceiling pass", 1.5),
    "peak_memory_mb": ("peak memory of a watcher pass, MB", 200.0),
    "corpus.seconds": ("feedparser corpus: one watcher pass, s", 60.0),
}


# --- processes -----------------------------------------------------------------------------------------------

def _tree(pid: int) -> list[int]:
    """pid and its descendants (scans /proc: this kernel has no /proc/PID/task/TID/children)."""
    kids: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/stat", "rb") as f:
                stat = f.read()
            ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        except (OSError, ValueError):
            continue
        kids.setdefault(ppid, []).append(int(d))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(kids.get(p, ()))
    return out


def _mem(pids: list[int]) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) in bytes over pids."""
    rss = pss = 0
    for p in pids:
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                for line in f:
                    if line.startswith("Rss:"):
                        rss += int(line.split()[1]) * 1024
                    elif line.startswith("Pss:"):
                        pss += int(line.split()[1]) * 1024
        except OSError:
            pass
    return rss, pss


def run_proc(cmd: list[str], *, cwd: Path | None = None, timeout: float = 1800, sample_tree: bool = False) -> dict:
    """Run one process to the end; its wall time, exit code, peak RSS (wait4) and the JSON it printed."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WATCHER_")}
    load = os.getloadavg()[0]
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=fo, stderr=fe, stdin=subprocess.DEVNULL, cwd=cwd, env=env)
        killer = threading.Timer(timeout, p.kill)
        killer.start()
        peak = {"rss": 0, "pss": 0}
        done = threading.Event()

        def sampler() -> None:  # ~1 ms of CPU per sample: the tree is rescanned every 4th sample
            i, pids = 0, [p.pid]
            while not done.is_set():
                if i % 4 == 0:
                    pids = _tree(p.pid)
                rss, pss = _mem(pids)
                peak["rss"], peak["pss"] = max(peak["rss"], rss), max(peak["pss"], pss)
                i += 1
                done.wait(0.05)

        th = threading.Thread(target=sampler, daemon=True) if sample_tree else None
        if th:
            th.start()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        done.set()
        killer.cancel()
        if th:
            th.join()
        p.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        out, err = fo.read().decode(errors="replace"), fe.read().decode(errors="replace")
    js = _last_json(out)
    res: dict[str, Any] = {"cmd": " ".join(cmd[-6:]), "rc": p.returncode, "process": wall, "maxrss_mb": ru.ru_maxrss / 1024,
           "loadavg_before": load, "cpu_seconds": ru.ru_utime + ru.ru_stime,
           "json": js, "stderr_tail": err[-1500:] if (p.returncode or not js) else ""}
    if sample_tree:
        res["tree_rss_peak_mb"] = peak["rss"] / MB
        res["tree_pss_peak_mb"] = peak["pss"] / MB
    if js is not None and isinstance(js.get("seconds"), int | float):
        res["pass"] = float(js["seconds"])
    return res


def _last_json(text: str) -> dict | None:
    text = text.strip()
    if not text:
        return None
    try:
        v = json.loads(text)
        return v if isinstance(v, dict) else None
    except ValueError:
        pass
    for line in reversed(text.splitlines()):
        try:
            v = json.loads(line)
            if isinstance(v, dict):
                return v
        except ValueError:
            continue
    return None


def _git_state() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT,
                              timeout=10).stdout.strip() or "no commit"
        dirty = subprocess.run(["git", "status", "--short", "--", "watcher"], capture_output=True, text=True,
                               cwd=ROOT, timeout=10).stdout.splitlines()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return f"{head}" + (f" + {len(dirty)} uncommitted change(s) under watcher/" if dirty else "")


def watcher_cmd() -> list[str]:
    for cand in (ROOT / ".venv" / "bin" / "watcher", Path(PY).parent / "watcher"):
        if cand.exists():
            return [str(cand)]
    return [PY, "-m", "watcher"]


def watcher_ready() -> tuple[bool, str]:
    try:
        p = subprocess.run([*watcher_cmd(), "poll", "--help"], capture_output=True, text=True, timeout=60, cwd=ROOT)
    except (OSError, subprocess.TimeoutExpired) as e:
        return False, str(e)
    return (p.returncode == 0 and "--once" in p.stdout), (p.stdout + p.stderr)[-500:]


def write_sources(path: Path, urls: list[tuple[str, str]], allow: str, concurrency: int) -> None:
    lines = [
        "# generated by benchmarks/poll.py",
        "[fetch]",
        f'allow_private_hosts = ["{allow}"]',
        f"concurrency = {concurrency}",
        f"per_host = {concurrency}   # every farm feed is on one host; real feeds are spread over many",
        "",
    ]
    for name, url in urls:
        lines += ["[[sources]]", f"name = {json.dumps(name)}", f"url = {json.dumps(url)}", ""]
    path.write_text("\n".join(lines), encoding="utf-8")


# --- one scenario ----------------------------------------------------------------------------------------------

def scenario(name: str, latency_ms: float | None, a: argparse.Namespace, tmp: Path, log) -> dict:
    work = tmp / name
    srv = FarmServer(work / "nginx", work / "farm", latency_ms=latency_ms, mtu=a.mtu,
                     aliases={"/corpus": CORPUS} if (name == "loopback" and CORPUS.is_dir()) else None)
    t0 = time.perf_counter()
    manifest = generate(work / "farm", srv.base_url, a.feeds, a.items)
    log(f"[{name}] farm: {a.feeds} feeds x {a.items} items, {len(manifest['relevant'])} relevant items, "
        f"generated in {time.perf_counter() - t0:.1f} s; serving at {srv.base_url}")
    srv.start()
    log(f"[{name}] nginx up; TCP connect took {srv.connect_seconds * 1000:.1f} ms")
    urls_file = work / "urls.txt"
    urls_file.write_text("\n".join(manifest["feeds"]) + "\n")
    sources = work / "sources.toml"
    write_sources(sources, [(Path(u).stem, u) for u in manifest["feeds"]], srv.host, a.concurrency)
    runs: dict[str, list[dict]] = {}
    slow_once = latency_ms is not None

    def rec(key: str, res: dict) -> dict:
        runs.setdefault(key, []).append(res)
        extra = ""
        if res.get("json"):
            j = res["json"]
            extra = " ".join(f"{k}={j[k]}" for k in ("fetched", "not_modified", "errors", "new_articles", "entries")
                             if k in j)
        log(f"[{name}] {key:<15} pass {res.get('pass', float('nan')):8.3f} s  process {res['process']:8.3f} s  "
            f"cpu {res['cpu_seconds']:7.2f} s  rss {res['maxrss_mb']:6.1f} MB  load {res['loadavg_before']:4.1f}  "
            f"rc {res['rc']}  {extra}")
        if res["rc"] != 0 or ("pass" not in res and key != "watcher_init"):
            log(f"[{name}] {key} FAILED: {res['stderr_tail']}")
        return res

    ceiling = [PY, str(FARM / "ref_ceiling.py"), str(urls_file)]
    conc = ["--concurrency", str(a.concurrency)]
    try:
        # warm-up: page cache, nginx open_file_cache, interpreter files
        state = work / "warm-state.json"
        run_proc([*ceiling, str(state), *conc])
        run_proc([*ceiling, str(state), "--conditional", *conc])
        for r in range(a.runs):
            rdir = work / f"run{r}"
            rdir.mkdir()
            state = rdir / "ceiling-state.json"
            rec("ceiling_cold", run_proc([*ceiling, str(state), *conc]))
            base = []
            if a.watcher:
                db = f"sqlite:///{rdir / 'w.sqlite3'}"
                base = [*watcher_cmd(), "--config", str(sources), "--db", db]
                rec("watcher_init", run_proc([*base, "init", "--no-seed"], cwd=ROOT))
                rec("watcher_cold", run_proc([*base, "poll", "--once", "--json"], cwd=ROOT, sample_tree=True))
            # Steady passes last about a second: pairs of them, alternated, so that both sides of the ratio
            # meet the same moments of a noisy machine; the medians are over every pair of every run.
            for _ in range(a.steady_reps):
                rec("ceiling_steady", run_proc([*ceiling, str(state), "--conditional", *conc]))
                if a.watcher:
                    rec("watcher_steady", run_proc([*base, "poll", "--once", "--json"], cwd=ROOT, sample_tree=True))
            if slow_once and (r > 0 or a.skip_slow):
                continue
            rec("naive_cold", run_proc([PY, str(FARM / "ref_naive.py"), str(urls_file)]))
            rdb = str(rdir / "reader.sqlite")
            rec("reader_cold", run_proc([PY, str(FARM / "ref_reader.py"), str(urls_file), rdb, "--add"]))
            rec("reader_steady", run_proc([PY, str(FARM / "ref_reader.py"), str(urls_file), rdb]))
        corpus = None
        if name == "loopback" and a.corpus and a.watcher and CORPUS.is_dir():
            corpus = corpus_pass(srv, work, a, log)
    finally:
        srv.stop()
    return {"base_url": srv.base_url, "latency_ms": latency_ms or 0, "relevant_items": len(manifest["relevant"]),
            "distractor_items": len(manifest["distractors"]), "runs": runs, "median": medians(runs),
            "corpus": corpus}


def corpus_pass(srv: FarmServer, work: Path, a: argparse.Namespace, log) -> dict:
    files = sorted(p for p in CORPUS.rglob("*.xml") if p.is_file())
    srcs = [(str(p.relative_to(CORPUS)), f"{srv.base_url}/corpus/{urllib.parse.quote(str(p.relative_to(CORPUS)))}")
            for p in files]
    cfg = work / "corpus-sources.toml"
    write_sources(cfg, srcs, srv.host, a.concurrency)
    base = [*watcher_cmd(), "--config", str(cfg), "--db", f"sqlite:///{work / 'corpus.sqlite3'}"]
    init = run_proc([*base, "init", "--no-seed"], cwd=ROOT)
    res = run_proc([*base, "poll", "--once", "--json"], cwd=ROOT, sample_tree=True)
    j = res.get("json") or {}
    log(f"[corpus] {len(files)} files: init rc {init['rc']}; poll rc {res['rc']} pass {res.get('pass', float('nan')):.2f} s "
        f"process {res['process']:.2f} s rss {res['maxrss_mb']:.1f} MB  {j}")
    if res["rc"] != 0:
        log(f"[corpus] FAILED: {res['stderr_tail']}")
    return {"files": len(files), "init": init, "poll": res}


def medians(runs: dict[str, list[dict]]) -> dict[str, dict]:
    out = {}
    for key, rs in runs.items():
        ok = [r for r in rs if r["rc"] == 0 and ("pass" in r or key == "watcher_init")]
        if not ok:
            out[key] = {"n": 0}
            continue
        m = {"n": len(ok), "pass": statistics.median(r["pass"] for r in ok) if "pass" in ok[0] else None,
             "process": statistics.median(r["process"] for r in ok),
             "maxrss_mb": max(r["maxrss_mb"] for r in ok)}
        if any("tree_pss_peak_mb" in r for r in ok):
            m["tree_pss_peak_mb"] = max(r.get("tree_pss_peak_mb", 0) for r in ok)
            m["tree_rss_peak_mb"] = max(r.get("tree_rss_peak_mb", 0) for r in ok)
        out[key] = m
    return out


# --- ratios and the table ----------------------------------------------------------------------------------------

def ratios(res: dict) -> list[dict]:
    rows = []

    def ratio(key: str, scen: str, num: tuple[str, str], den: tuple[str, str], informative: str | None = None):
        med = res["scenarios"].get(scen, {}).get("median", {})
        n, d = med.get(num[0], {}), med.get(den[0], {})
        value = n[num[1]] / d[den[1]] if n.get("n") and d.get("n") and d[den[1]] > 0 else None
        desc, limit = TARGETS.get(key, (informative, None))
        rows.append({"key": key, "what": desc, "value": value, "target": limit,
                     "result": None if limit is None else ("n/a" if value is None else
                                                           ("PASS" if value <= limit else "FAIL"))})

    ratio("loopback.steady.pass_vs_ceiling", "loopback", ("watcher_steady", "pass"), ("ceiling_steady", "pass"))
    ratio("loopback.steady.process_vs_ceiling", "loopback", ("watcher_steady", "process"),
          ("ceiling_steady", "process"))
    ratio("loopback.cold.pass_vs_naive", "loopback", ("watcher_cold", "pass"), ("naive_cold", "pass"))
    ratio("loopback.cold.pass_vs_reader", "loopback", ("watcher_cold", "pass"), ("reader_cold", "pass"))
    ratio("loopback.cold.process_vs_naive", "loopback", ("watcher_cold", "process"), ("naive_cold", "process"),
          "loopback cold: watcher process / naive process (info)")
    ratio("loopback.cold.process_vs_reader", "loopback", ("watcher_cold", "process"), ("reader_cold", "process"),
          "loopback cold: watcher process / reader process (info)")
    ratio("loopback.cold.pass_vs_ceiling", "loopback", ("watcher_cold", "pass"), ("ceiling_cold", "pass"),
          "loopback cold: watcher pass / ceiling pass (info)")
    ratio("ref.reader_steady_vs_ceiling", "loopback", ("reader_steady", "pass"), ("ceiling_steady", "pass"),
          "reference: reader steady pass / ceiling pass (issue: 6.3x)")
    ratio("ref.naive_vs_ceiling_cold", "loopback", ("naive_cold", "pass"), ("ceiling_cold", "pass"),
          "reference: naive cold pass / ceiling cold pass (info)")
    ratio("latency.cold.pass_vs_ceiling", "latency", ("watcher_cold", "pass"), ("ceiling_cold", "pass"))
    ratio("latency.steady.pass_vs_ceiling", "latency", ("watcher_steady", "pass"), ("ceiling_steady", "pass"))
    ratio("latency.cold.process_vs_ceiling", "latency", ("watcher_cold", "process"), ("ceiling_cold", "process"),
          "latency cold: watcher process / ceiling process (info)")
    ratio("latency.steady.process_vs_ceiling", "latency", ("watcher_steady", "process"),
          ("ceiling_steady", "process"), "latency steady: watcher process / ceiling process (info)")
    ratio("latency.cold.pass_vs_naive", "latency", ("watcher_cold", "pass"), ("naive_cold", "pass"),
          "latency cold: watcher pass / naive pass (info)")
    ratio("latency.cold.pass_vs_reader", "latency", ("watcher_cold", "pass"), ("reader_cold", "pass"),
          "latency cold: watcher pass / reader pass (info)")

    # memory: the largest single process (wait4 ru_maxrss) and the whole process tree's PSS, whichever is larger
    peaks = []
    for scen in res["scenarios"].values():
        for key in ("watcher_cold", "watcher_steady"):
            m = scen["median"].get(key, {})
            if m.get("n"):
                peaks.append(max(m["maxrss_mb"], m.get("tree_pss_peak_mb", 0)))
    peak = max(peaks) if peaks else None
    rows.append({"key": "peak_memory_mb", "what": TARGETS["peak_memory_mb"][0], "value": peak, "target": 200.0,
                 "result": "n/a" if peak is None else ("PASS" if peak < 200 else "FAIL")})
    c = (res["scenarios"].get("loopback") or {}).get("corpus")
    cs = c["poll"].get("pass") if c and c["poll"]["rc"] == 0 else None
    rows.append({"key": "corpus.seconds", "what": TARGETS["corpus.seconds"][0] + (f" ({c['files']} files)" if c else ""),
                 "value": cs, "target": 60.0,
                 "result": "n/a" if cs is None else ("PASS" if cs < 60 else "FAIL")})
    return rows


LABELS = [
    ("ceiling_cold", "ceiling cold (aiohttp x32, no parse)"),
    ("ceiling_steady", "ceiling steady (304s)"),
    ("naive_cold", "naive cold (httpx seq + feedparser)"),
    ("reader_cold", "reader cold (update_feeds)"),
    ("reader_steady", "reader steady (304s)"),
    ("watcher_init", "watcher init --no-seed"),
    ("watcher_cold", "watcher poll --once, cold"),
    ("watcher_steady", "watcher poll --once, steady"),
]


def table(res: dict) -> str:
    out = []
    meta = res["meta"]
    out.append(f"Polling benchmark: {meta['feeds']} feeds x {meta['items']} items, concurrency {meta['concurrency']}, "
               f"{meta['runs']} run(s), median; {meta['cpus']} CPUs, Python {meta['python']}, {meta['nginx']}")
    out.append(f"watcher tree {meta.get('tree')}; {meta['date']}; load average at start "
               f"{meta.get('loadavg_at_start', [0.0])[0]:.1f}")
    out.append("")
    out.append(f"{'scenario':<9} {'reference':<38} {'pass s':>9} {'process s':>10} {'maxRSS MB':>10} "
               f"{'treePSS MB':>10} {'n':>3}")
    for sname, scen in res["scenarios"].items():
        label = sname if not scen["latency_ms"] else f"{sname}"
        for key, text in LABELS:
            m = scen["median"].get(key)
            if m is None:
                continue
            if not m.get("n"):
                out.append(f"{label:<9} {text:<38} {'failed':>9}")
                continue
            pss = f"{m['tree_pss_peak_mb']:10.1f}" if "tree_pss_peak_mb" in m else f"{'':>10}"
            ps = f"{m['pass']:9.3f}" if m.get("pass") is not None else f"{'-':>9}"
            out.append(f"{label:<9} {text:<38} {ps} {m['process']:10.3f} {m['maxrss_mb']:10.1f} "
                       f"{pss} {m['n']:>3}")
        c = scen.get("corpus")
        if c:
            p = c["poll"]
            ps = f"{p['pass']:9.3f}" if "pass" in p else f"{'failed':>9}"
            pss = f"{p.get('tree_pss_peak_mb', 0):10.1f}"
            out.append(f"{label:<9} {'watcher, feedparser corpus (' + str(c['files']) + ')':<38} {ps} "
                       f"{p['process']:10.3f} {p['maxrss_mb']:10.1f} {pss} {1:>3}")
    out.append("")
    out.append(f"{'ratio / figure':<58} {'value':>8} {'target':>8}  result")
    for r in res["ratios"]:
        v = "n/a" if r["value"] is None else f"{r['value']:.2f}"
        t = "" if r["target"] is None else (f"< {r['target']:g}" if r["key"] in ("peak_memory_mb", "corpus.seconds")
                                            else f"<= {r['target']:g}")
        out.append(f"{r['what']:<58} {v:>8} {t:>8}  {r['result'] or ''}")
    notes = res.get("notes") or []
    if notes:
        out.append("")
        out += [f"note: {n}" for n in notes]
    return "\n".join(out)


def checks(res: dict) -> list[str]:
    """Sanity notes: the watcher's counts against what the farm holds."""
    notes = []
    feeds = res["meta"]["feeds"]
    for sname, scen in res["scenarios"].items():
        for key, want in (("watcher_cold", "fetched"), ("watcher_steady", "not_modified"),
                          ("ceiling_steady", "not_modified"), ("ceiling_cold", "fetched")):
            for i, r in enumerate(scen["runs"].get(key, [])):
                j = r.get("json") or {}
                if r["rc"] != 0:
                    notes.append(f"{sname} {key} run {i}: exit code {r['rc']}")
                elif j.get(want) != feeds or j.get("errors"):
                    notes.append(f"{sname} {key} run {i}: {want}={j.get(want)} errors={j.get('errors')} "
                                 f"(expected {want}={feeds}, errors=0)")
        cold = [r.get("json") or {} for r in scen["runs"].get("watcher_cold", [])]
        if cold and "new_articles" in cold[0]:
            notes.append(f"{sname}: watcher stored {cold[0]['new_articles']} new articles on the cold pass; the farm "
                         f"has {scen['relevant_items']} items written to be relevant and {scen['distractor_items']} "
                         "distractors")
    return notes


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--items", type=int, default=30)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--steady-reps", type=int, default=5,
                    help="steady passes (ceiling, watcher, alternated) per run")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--latency-ms", type=float, default=100.0, help="round-trip time added in the latency scenario")
    ap.add_argument("--mtu", type=int, default=1500, help="MTU of the latency link")
    ap.add_argument("--no-latency", action="store_true", help="loopback only")
    ap.add_argument("--no-loopback", action="store_true", help="latency scenario only")
    ap.add_argument("--skip-slow", action="store_true",
                    help="skip the sequential references (naive, reader) under latency: minutes each")
    ap.add_argument("--no-corpus", dest="corpus", action="store_false", help="skip the feedparser-corpus pass")
    ap.add_argument("--no-watcher", dest="watcher", action="store_false", help="references only")
    ap.add_argument("--quick", action="store_true", help="smoke run: 100 feeds, 1 run")
    ap.add_argument("--out", type=Path, default=HERE / "out" / "poll.json")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    a = ap.parse_args()
    if a.quick:
        a.feeds, a.runs = 100, 1
    if not a.no_latency and os.geteuid() != 0:
        sys.exit("the latency scenario creates a network namespace: run as root, or pass --no-latency")
    if a.watcher:
        ok, why = watcher_ready()
        if not ok:
            sys.exit(f"`watcher poll --once` is not available ({why.strip()}); pass --no-watcher for references only")

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    tmp = Path(tempfile.mkdtemp(prefix="wbench-"))
    os.chmod(tmp, 0o755)
    nginx_v = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()
    res: dict = {
        "meta": {"date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "feeds": a.feeds, "items": a.items,
                 "runs": a.runs, "steady_reps": a.steady_reps, "concurrency": a.concurrency, "cpus": os.cpu_count(),
                 "python": platform.python_version(), "nginx": nginx_v, "latency_ms": a.latency_ms,
                 "latency_link": "user-space TUN delay link (benchmarks/farm/delaylink.py), half the RTT each "
                                 f"way, MTU {a.mtu}; this kernel has no sch_netem",
                 "watcher": a.watcher, "slow_refs_under_latency": "skipped" if a.skip_slow else "1 run",
                 "tree": _git_state(), "loadavg_at_start": os.getloadavg()},
        "scenarios": {},
    }
    try:
        if not a.no_loopback:
            res["scenarios"]["loopback"] = scenario("loopback", None, a, tmp, log)
        if not a.no_latency:
            res["scenarios"]["latency"] = scenario("latency", a.latency_ms, a, tmp, log)
    finally:
        if a.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    res["ratios"] = ratios(res)
    res["notes"] = checks(res)
    if "latency" in res["scenarios"] and a.skip_slow:
        res["notes"].append("under latency, the naive and reader references were skipped (--skip-slow)")
    elif "latency" in res["scenarios"] and a.runs > 1:
        res["notes"].append("under latency, naive and reader ran once (sequential: minutes each); the rest are "
                            f"medians of {a.runs}")
    a.out.parent.mkdir(parents=True, exist_ok=True)
    a.out.write_text(json.dumps(res, indent=1, default=str))
    print(table(res))
    log(f"raw figures: {a.out}")


if __name__ == "__main__":
    main()
