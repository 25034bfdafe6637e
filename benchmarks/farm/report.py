"""The polling benchmark's figures: medians over runs, ratios against the same run's references, the printed
table and the sanity notes (``benchmarks/poll.py`` runs the processes; this turns their records into figures).
"""

from __future__ import annotations

import statistics

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
