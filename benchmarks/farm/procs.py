"""Running one benchmark process to its end: wall time, exit code, CPU, peak memory and the JSON it printed.

Peak memory is ``wait4``'s ``ru_maxrss`` of the process itself and, when ``sample_tree`` is set, the summed
RSS and PSS of its whole process tree (worker processes included), sampled every 50 ms from /proc.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

MB = 1024 * 1024


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
