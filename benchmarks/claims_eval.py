"""Quick development scorer for the pure claim core (no database, no CLI).

    python benchmarks/claims_eval.py                 # dev set (seeds) + hard cases, scored
    python benchmarks/claims_eval.py --dev           # dev set only
    python benchmarks/claims_eval.py --hard          # hard cases only
    python benchmarks/claims_eval.py --speed [-n N]  # N synthetic articles through claims + diff

Documents may carry a header of ``# key: value`` lines (published, source, official, cluster,
group, expect); the header is stripped before extraction. Predictions are written to
benchmarks/out/ as {doc, commitment, change, evidence} and scored with shared/eval/score.py.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from watcher.claims import extract_claims  # noqa: E402
from watcher.commitments.diff import Change, Document, replay  # noqa: E402
from watcher.commitments.registry import load_registry  # noqa: E402

SHARED = Path("/work/shared")
SCORE = SHARED / "eval" / "score.py"
DEV = SHARED / "eval" / "dev"
SEEDS = SHARED / "seeds"
HARD = ROOT / "benchmarks" / "claims_hard"
OUT = ROOT / "benchmarks" / "out"
# Dates from shared/eval/dev/README.md, "Notes on this set"; all seeds are press (official=False).
DEV_DATES = {"000": "2024-09-23", "001": "2024-10-16", "002": "2024-11-15", "003": "2024-11-15", "004": "2021-05-05"}
SCORED_KINDS = {"new", "advanced", "reaffirmed", "delayed", "weakened", "dropped"}


def read_doc(path: Path, published: str | None = None) -> tuple[Document, dict[str, str]]:
    raw = path.read_text(encoding="utf-8")
    header: dict[str, str] = {}
    lines = raw.split("\n")
    i = 0
    while i < len(lines) and lines[i].startswith("#"):
        key, _, value = lines[i][1:].partition(":")
        key = key.strip().lower()
        header[key] = f"{header[key]}; {value.strip()}" if key in header else value.strip()
        i += 1
    body = "\n".join(lines[i:]).lstrip("\n")
    pub = published or header.get("published")
    doc = Document(
        doc=path.name, url=header.get("url") or None, title=body.split("\n", 1)[0][:200], text=body,
        published_at=dt.date.fromisoformat(pub) if pub else None, source=header.get("source", "press"),
        official=header.get("official", "false").lower() == "true", cluster=header.get("cluster") or None,
    )
    return doc, header


def run(registry_path: Path, docs: list[Document], groups: dict[str, str] | None = None) -> list[Change]:
    registry = load_registry(registry_path)
    batches: dict[str, list[Document]] = {}
    for d in docs:
        batches.setdefault((groups or {}).get(d.doc, "all"), []).append(d)
    changes: list[Change] = []
    for batch in batches.values():
        pairs = [(d, extract_claims(d.text, published=d.published_at)) for d in batch]
        changes.extend(replay(registry, pairs).changes)
    return changes


def write_predictions(changes: list[Change], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for ch in changes:
            if ch.kind in SCORED_KINDS:
                row = {"doc": ch.doc, "commitment": ch.commitment, "change": ch.kind.upper(), "evidence": ch.evidence}
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def score(gold: Path, pred: Path, catalog: Path | None, docs_dir: Path | None) -> None:
    cmd = [sys.executable, str(SCORE), str(gold), str(pred)]
    if catalog and catalog.exists():
        cmd += ["--catalog", str(catalog)]
    if docs_dir:
        cmd += ["--docs", str(docs_dir)]
    print(subprocess.run(cmd, capture_output=True, text=True, check=False).stdout)


def dev(verbose: bool) -> None:
    docs = [read_doc(p, DEV_DATES[p.name[:3]])[0] for p in sorted(SEEDS.glob("*.txt"))]
    changes = run(DEV / "registry.toml", docs)
    pred = OUT / "claims_dev_pred.jsonl"
    write_predictions(changes, pred)
    if verbose:
        for ch in changes:
            print(f"  {ch.doc[:3]} {ch.commitment:<44} {ch.kind:<10} {ch.evidence[:90]!r}")
    print("== dev set (seeds) ==")
    score(DEV / "gold.jsonl", pred, DEV / "commitments.toml", SEEDS)


def hard(verbose: bool) -> None:
    docs, groups = [], {}
    for p in sorted((HARD / "docs").glob("*.txt")):
        d, header = read_doc(p)
        docs.append(d)
        groups[d.doc] = header.get("group", d.doc)   # each doc against the fresh registry unless grouped
    changes = run(HARD / "registry.toml", docs, groups)
    pred = OUT / "claims_hard_pred.jsonl"
    write_predictions(changes, pred)
    if verbose:
        for ch in changes:
            print(f"  {ch.doc:<34} {ch.commitment:<36} {ch.kind:<10} {ch.evidence[:70]!r}")
    print("== hard cases ==")
    score(HARD / "gold.jsonl", pred, HARD / "commitments.toml", HARD / "docs")


# ----------------------------------------------------------------- speed
_ACTORS = ["The foreign ministers of South Korea, the United States and Japan", "The three leaders",
           "Defense chiefs of the U.S., Japan and South Korea", "A State Department spokesperson said the allies",
           "Officials in Seoul, Tokyo and Washington", "The joint statement said the three countries"]
_VERBS = ["agreed to establish", "reaffirmed their commitment to", "will consider launching", "postponed",
          "decided to hold", "praised progress on", "plan to develop", "cancelled", "launched", "noted"]
_OBJS = ["a trilateral maritime dialogue", "the trilateral secretariat", "the Freedom Edge exercise",
         "real-time missile warning data sharing", "a trilateral cyber working group", "the annual summit",
         "a supply chain early warning pilot", "complete denuclearization of the Korean Peninsula",
         "a trilateral framework on critical minerals", "the Young Trilateral Leaders program"]
_FILLER = ["Markets in Asia were mixed on Tuesday.", "Analysts said the move could reshape regional ties.",
           "The meeting lasted about an hour, officials said.", "North Korea fired a ballistic missile last week.",
           "China criticised the talks as bloc politics.", "The talks took place on the sidelines of a forum.",
           "Experts expect further steps next year.", "Prime Minister Ishiba later met President Yoon."]
_TAILS = ["", " before the end of the year", " next year", " by 2026", " at least once a year", " indefinitely"]


def synthetic(n: int, seed: int = 7) -> list[Document]:
    rng = random.Random(seed)
    docs = []
    base = dt.date(2024, 1, 1)
    for i in range(n):
        parts = []
        for _ in range(rng.randint(8, 16)):
            if rng.random() < 0.45:
                parts.append(f"{rng.choice(_ACTORS)} {rng.choice(_VERBS)} {rng.choice(_OBJS)}{rng.choice(_TAILS)}.")
            else:
                parts.append(rng.choice(_FILLER))
        text = " ".join(parts[:4]) + "\n\n" + " ".join(parts[4:])
        docs.append(Document(doc=f"syn{i:05d}.txt", url=None, title="", text=text,
                             published_at=base + dt.timedelta(days=i // 20), source=f"outlet{i % 7}",
                             official=i % 11 == 0, cluster=f"c{i // 3}" if i % 5 == 0 else None))
    return docs


def speed(n: int) -> None:
    registry = load_registry(DEV / "registry.toml")
    docs = synthetic(n)
    t0, c0 = time.perf_counter(), time.process_time()
    pairs = [(d, extract_claims(d.text, published=d.published_at)) for d in docs]
    t1, c1 = time.perf_counter(), time.process_time()
    res = replay(registry, pairs)
    t2, c2 = time.perf_counter(), time.process_time()
    total = t2 - t0
    print(f"speed: {n} articles, {sum(len(c) for _, c in pairs)} claims, {len(res.changes)} changes")
    print(f"  claims {t1 - t0:.2f} s + diff {t2 - t1:.2f} s = {total:.2f} s  ({1000 * total / n:.3f} ms/article)")
    # CPU time of this process: steadier than wall time on a shared machine
    print(f"  cpu: claims {c1 - c0:.2f} s + diff {c2 - c1:.2f} s = {c2 - c0:.2f} s  "
          f"({1000 * (c2 - c0) / n:.3f} ms/article)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dev", action="store_true")
    ap.add_argument("--hard", action="store_true")
    ap.add_argument("--speed", action="store_true")
    ap.add_argument("-n", type=int, default=10_000)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)
    if args.speed:
        speed(args.n)
        return 0
    if args.dev or not args.hard:
        dev(args.verbose)
    if (args.hard or not args.dev) and (HARD / "gold.jsonl").exists():
        hard(args.verbose)
    return 0


if __name__ == "__main__":
    sys.exit(main())
