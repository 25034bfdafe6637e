"""Claim-core benchmark: quality on the dev set and the hard cases, and speed.

Quality runs the REAL commands on a fresh database, as a user would:
``watcher init --no-seed --registry R``, ``watcher ingest DOC --published DATE`` for each
document, ``watcher replay``, ``watcher changes --json``; the changes are scored with
``../shared/eval/score.py`` over (document, commitment, change kind).

Speed: ``watcher replay`` over a generated archive of 10,000 stored articles (one core),
and the daemon's per-article overhead (store + claims + diff in one transaction).

    .venv/bin/python benchmarks/claims.py                 # dev set + hard cases + speed
    .venv/bin/python benchmarks/claims.py --no-speed
    .venv/bin/python benchmarks/claims.py --articles 2000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SCORE = SHARED / "eval" / "score.py"
DEV = SHARED / "eval" / "dev"
SEEDS = SHARED / "seeds"
HARD = ROOT / "benchmarks" / "claims_hard"
DEV_DATES = {  # event dates read from each text (see the dev set's README)
    "004_a716308952571d9f.txt": "2021-05-05", "000_6cc96326cead42cc.txt": "2024-09-23",
    "001_dae193e24c3e5ff8.txt": "2024-10-16", "002_67b74054e764ba79.txt": "2024-11-15",
    "003_5b6e0684267322a9.txt": "2024-11-15",
}


def watcher(db: str, registry: Path | None, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "watcher", "--config", os.devnull, "--db", db]
    if registry:
        cmd += ["--registry", str(registry)]
    out = subprocess.run([*cmd, *args], capture_output=True, text=True, cwd=ROOT)
    if check and out.returncode != 0:
        raise SystemExit(f"watcher {' '.join(args)} failed ({out.returncode}):\n{out.stderr}")
    return out


Doc = tuple[Path, str, bool, "str | None"]


def _changes_for(registry: Path, docs: list[Doc], tmp: str) -> tuple[list[dict[str, object]], bool]:
    """One fresh database: init, ingest each doc, replay twice; the changes and whether replay was stable."""
    db = f"sqlite:///{tmp}/claims.sqlite3"
    watcher(db, registry, "init", "--no-seed")
    for path, date, official, source in docs:
        args = ["ingest", str(path), "--published", date, "--force"]
        if official:
            args.append("--official")
        if source:
            args += ["--source", source]
        watcher(db, registry, *args)
    watcher(db, registry, "replay")
    first = json.loads(watcher(db, registry, "changes", "--json").stdout)
    watcher(db, registry, "replay")
    second = json.loads(watcher(db, registry, "changes", "--json").stdout)
    strip = lambda rows: [{k: v for k, v in c.items() if k not in ("id", "detected_at")} for c in rows]  # noqa: E731
    return first, strip(first) == strip(second)


def run_set(name: str, registry: Path, groups: list[list[Doc]], gold: Path, catalog: Path | None,
            doc_dirs: list[Path]) -> str:
    """Each group of documents on its own fresh database (through the CLI), then score them all."""
    changes: list[dict[str, object]] = []
    stable = True
    for docs in groups:
        with tempfile.TemporaryDirectory() as tmp:
            rows, ok = _changes_for(registry, docs, tmp)
        changes += rows
        stable &= ok
    with tempfile.TemporaryDirectory() as tmp:
        pred = Path(tmp) / "pred.jsonl"
        with pred.open("w") as fh:
            for c in changes:
                if c["change"] == "overdue":
                    continue
                fh.write(json.dumps({"doc": c["doc"], "commitment": c["commitment"],
                                     "change": str(c["change"]).upper(), "evidence": c["evidence"]}) + "\n")
        cmd = [sys.executable, str(SCORE), str(gold), str(pred)]
        if catalog:
            cmd += ["--catalog", str(catalog)]
        for d in doc_dirs:
            cmd += ["--docs", str(d)]
        scored = subprocess.run(cmd, capture_output=True, text=True).stdout
    n = sum(len(g) for g in groups)
    return f"== {name} ({n} documents in {len(groups)} databases; replay twice gives the same changes: {stable})\n{scored}"


def dev_set() -> str:
    docs = [(SEEDS / f, d, False, None) for f, d in sorted(DEV_DATES.items(), key=lambda x: (x[1], x[0]))]
    return run_set("dev set", DEV / "registry.toml", [docs], DEV / "gold.jsonl", DEV / "commitments.toml", [SEEDS])


def hard_set() -> str | None:
    gold = HARD / "gold.jsonl"
    if not gold.exists():
        return None
    meta = {}
    index = HARD / "index.toml"
    if index.exists():
        meta = {d["file"]: d for d in tomllib.loads(index.read_text()).get("doc", [])}
    groups: dict[str, list[Doc]] = {}
    stripped = Path(tempfile.mkdtemp(prefix="claims-hard-"))
    for p in sorted((HARD / "docs").glob("*.txt")):
        lines = p.read_text(encoding="utf-8").splitlines()
        head = {k.strip(): v.strip() for k, v in (line[2:].split(":", 1) for line in lines
                                                  if line.startswith("# ") and ":" in line)}
        body = "\n".join(line for line in lines if not line.startswith("# ")).strip() + "\n"
        (stripped / p.name).write_text(body, encoding="utf-8")     # the header is for us, not the watcher
        m = meta.get(p.name, {})
        date = (m.get("published") or head.get("published", "2025-01-01")).strip()
        official = str(m.get("official", head.get("official", "false"))).strip().lower() == "true"
        source = (m.get("source") or head.get("source") or "").strip() or None
        # each document against the fresh registry on its own, unless it shares a `# group:`
        groups.setdefault(head.get("group", p.name), []).append((stripped / p.name, date, official, source))
    ordered = [sorted(g, key=lambda d: (d[1], d[0].name)) for _, g in sorted(groups.items())]
    registry = HARD / "registry.toml" if (HARD / "registry.toml").exists() else DEV / "registry.toml"
    catalog = HARD / "commitments.toml" if (HARD / "commitments.toml").exists() else None
    return run_set("hard cases", registry, ordered, gold, catalog, [HARD / "docs"])


# A generated archive shaped like wire copy: 10-25 sentences an article, about one in six a
# claim of the three governments, the rest the background, quotes and colour news carries.
CLAIMS = [
    "The leaders of South Korea, the United States and Japan agreed to {verb} a trilateral {thing} {when}.",
    "Foreign ministers of the three countries reaffirmed their commitment to the {thing}, the ministry said.",
    "The {thing} was postponed to next year, officials in Seoul said.",
    "The three sides will consider establishing a {thing} {when}.",
    "Defense officials of the three nations said the {thing} was cancelled because of a typhoon.",
    "The joint statement said the three countries would continue the {thing}.",
]
FILLER = [
    "Analysts said the {thing} could face hurdles under a new administration in {city}.",
    "Stocks rose {n} percent in {city} as investors awaited data from Washington.",
    "The meeting took place on the sidelines of a regional forum in {city}.",
    "{name}, a professor at a university in {city}, said the region faced its most serious test in years.",
    "North Korea fired {n} ballistic missiles into the sea last month, according to the military.",
    "Relations between Seoul and Tokyo have improved since {year}, when a dispute over wartime labour eased.",
    "The talks lasted about {n} minutes, a spokesperson said.",
    "Officials declined to give details of the discussions.",
    "The ministry in {city} issued a statement on Tuesday.",
    "Trade between the two countries reached {n} billion dollars in {year}.",
    "Protesters gathered outside the venue in {city}, police said.",
    "The weather agency warned of heavy rain across the region this week.",
    "{name} is expected to visit {city} later this month.",
    "The exchange rate stood at {n} won to the dollar on Monday.",
    "Critics argue that the partnership depends too heavily on the leaders' personal ties.",
    "Previous rounds of talks were held in {city} and Washington.",
]
THINGS = ["secretariat", "maritime dialogue", "Freedom Edge exercise", "missile warning data sharing mechanism",
          "technology framework", "supply chain early warning pilot", "cyber working group", "coast guard exercise"]
VERBS = ["launch", "establish", "hold", "expand", "create"]
WHENS = ["before the end of the year", "by 2026", "next year", "at least once a year", ""]
CITIES = ["Seoul", "Tokyo", "Washington", "Busan", "Osaka", "Honolulu", "Jakarta", "Lima"]
NAMES = ["Kim Min-jun", "Sato Haruki", "Emily Carter", "Lee Ji-woo", "Tanaka Yui", "David Brooks"]


def generate(n: int, rnd: random.Random) -> list[tuple[str, str, dt.datetime]]:
    out = []
    start = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    for i in range(n):
        sentences = []
        for _ in range(rnd.randint(10, 25)):
            template = rnd.choice(CLAIMS) if rnd.random() < 0.16 else rnd.choice(FILLER)
            sentences.append(template.format(verb=rnd.choice(VERBS), thing=rnd.choice(THINGS),
                                             when=rnd.choice(WHENS), city=rnd.choice(CITIES),
                                             name=rnd.choice(NAMES), n=rnd.randint(2, 900),
                                             year=rnd.randint(2015, 2024)).replace("  ", " ").replace(" .", "."))
        paragraphs = [" ".join(sentences[j:j + 3]) for j in range(0, len(sentences), 3)]
        out.append((f"Trilateral report {i}", "\n\n".join(paragraphs), start + dt.timedelta(hours=i)))
    return out


def speed(n: int) -> str:
    sys.path.insert(0, str(ROOT))
    from watcher.intake import Analyzer, load_registry_into, store_articles
    from watcher.store import Store
    from watcher.textutil import content_hash, simhash
    from watcher.types import Article

    rnd = random.Random(42)
    docs = generate(n, rnd)
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/speed.sqlite3"
        store = Store(db)
        store.migrate()
        with store.write() as conn:
            load_registry_into(conn, str(ROOT / "db" / "commitments.toml"))
        now = dt.datetime.now(dt.UTC)
        arts = [Article(source=f"outlet{i % 7}", guid=f"g{i}", url=f"https://news.example/{i}",
                        canonical_url=f"https://news.example/{i}", title=t, text=b, published_at=p, fetched_at=now,
                        content_hash=content_hash(f"{t} {b} {i}"), simhash=simhash(b) ^ i)
                for i, (t, b, p) in enumerate(docs)]
        # the daemon's path: one transaction per article (store + claims + diff + outbox)
        sample = arts[:500]
        analyzer = Analyzer.from_store(store)
        t0 = time.perf_counter()
        for a in sample:
            store_articles(store, [a], now=now, analyzer=analyzer)
        with_core = (time.perf_counter() - t0) / len(sample)
        t0 = time.perf_counter()
        for a in arts[500:1000]:
            store_articles(store, [a], now=now, analyzer=None)
        without = (time.perf_counter() - t0) / 500
        lines.append(f"daemon per-article overhead of claims+diff: {(with_core - without) * 1000:.2f} ms "
                     f"(store alone {without * 1000:.2f} ms, store+claims+diff {with_core * 1000:.2f} ms; target < 5 ms)")
        store.add_articles(arts[1000:], now)
        store.dispose()
        t0 = time.perf_counter()
        out = subprocess.run([sys.executable, "-m", "watcher", "--config", os.devnull, "--db", db, "replay", "--json"],
                             capture_output=True, text=True, cwd=ROOT,
                             env={**os.environ, "PYTHONHASHSEED": "0"})
        took = time.perf_counter() - t0
        if out.returncode != 0:
            raise SystemExit(out.stderr)
        info = json.loads(out.stdout)
        lines.append(f"watcher replay over {info['articles']} stored articles: {info['seconds']:.2f} s the rebuild "
                     f"itself, {took:.2f} s whole process, {info['changes']} changes "
                     f"({info['seconds'] / max(info['articles'], 1) * 1000:.2f} ms/article; target < 10 s for 10,000)")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--articles", type=int, default=10_000)
    args = ap.parse_args()
    print(dev_set())
    hard = hard_set()
    if hard:
        print(hard)
    if not args.no_speed:
        print("== speed\n" + speed(args.articles))


if __name__ == "__main__":
    main()
