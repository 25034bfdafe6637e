"""Claim-core benchmark: quality on the dev set, the hard cases and dev2 (English, Korean/Japanese), and speed.

Quality runs the REAL commands on a fresh database, as a user would:
``watcher init --no-seed --registry R``, ``watcher ingest DOC --published DATE`` for each
document, ``watcher replay``, ``watcher changes --json``; the changes are scored with
``../shared/eval/score.py`` over (document, commitment, change kind). dev2 runs each language's
documents and distractors in date order on one database and scores the tuning part and the held-out
part (every document whose two-digit number is 3 mod 4: never tuned on) separately, per language and
per kind, with the changes reported on distractors.

Speed: ``watcher replay`` over a generated archive of 10,000 stored articles (one core),
and the daemon's per-article overhead (store + claims + diff in one transaction).

    .venv/bin/python benchmarks/claims.py                 # dev set + hard cases + speed
    .venv/bin/python benchmarks/claims.py --no-speed
    .venv/bin/python benchmarks/claims.py --articles 2000
    .venv/bin/python benchmarks/claims.py --no-quality
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
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
DEV2 = SHARED / "eval" / "dev2"
KINDS = ("NEW", "ADVANCED", "REAFFIRMED", "DELAYED", "WEAKENED", "DROPPED")
_NUM = re.compile(r"^[a-z]+?(\d\d)_")


def held_out(name: str) -> bool:
    """The kept-aside part of dev2, chosen before any tuning: every document (and distractor) whose
    two-digit number is 3 mod 4. It is scored, never tuned on."""
    m = _NUM.match(name)
    return m is not None and int(m.group(1)) % 4 == 3


def language_of(name: str) -> str:
    return "ko" if "_ko_" in name else "ja" if "_ja_" in name else "en"


def _changes_for(registry: Path, docs: list[Doc], tmp: str) -> tuple[list[dict[str, object]], bool]:
    """One fresh database: init, ingest each doc, replay twice; the changes and whether replay was stable."""
    db = f"sqlite:///{tmp}/claims.sqlite3"
    watcher(db, registry, "init", "--no-seed")
    lang_opt = "--language" in watcher(db, registry, "ingest", "--help").stdout
    for path, date, official, source in docs:
        args = ["ingest", str(path), "--published", date, "--force"]
        if official:
            args.append("--official")
        if source:
            args += ["--source", source]
        if lang_opt and language_of(path.name) != "en":
            args += ["--language", language_of(path.name)]
        watcher(db, registry, *args)
    watcher(db, registry, "replay")
    first = json.loads(watcher(db, registry, "changes", "--json").stdout)
    watcher(db, registry, "replay")
    second = json.loads(watcher(db, registry, "changes", "--json").stdout)
    strip = lambda rows: [{k: v for k, v in c.items() if k not in ("id", "detected_at")} for c in rows]  # noqa: E731
    return first, strip(first) == strip(second)


def _score(gold_rows: list[str], changes: list[dict[str, object]], catalog: Path | None, doc_dirs: list[Path],
           keep: Callable[[str], bool]) -> dict[str, object]:
    """score.py over the documents ``keep`` selects: per kind (gold, pred, tp, P, R, F1), evidence found."""
    with tempfile.TemporaryDirectory() as tmp:
        gold, pred = Path(tmp) / "gold.jsonl", Path(tmp) / "pred.jsonl"
        gold.write_text("".join(r + "\n" for r in gold_rows if keep(json.loads(r)["doc"])), encoding="utf-8")
        with pred.open("w", encoding="utf-8") as fh:
            for c in changes:
                if c["change"] != "overdue" and keep(str(c["doc"])):
                    fh.write(json.dumps({"doc": c["doc"], "commitment": c["commitment"],
                                         "change": str(c["change"]).upper(), "evidence": c["evidence"]},
                                        ensure_ascii=False) + "\n")
        cmd = [sys.executable, str(SCORE), str(gold), str(pred)]
        if catalog:
            cmd += ["--catalog", str(catalog)]
        for d in doc_dirs:
            cmd += ["--docs", str(d)]
        out = subprocess.run(cmd, capture_output=True, text=True).stdout
    rows = {}
    for line in out.splitlines():
        parts = line.split()
        if parts and parts[0] in (*KINDS, "OVERALL") and len(parts) >= 7:
            rows[parts[0]] = tuple(parts[1:7])
    ev = re.search(r"verbatim in the cited doc: (\d+)/(\d+)", out)
    return {"kinds": rows, "evidence": (int(ev.group(1)), int(ev.group(2))) if ev else (0, 0)}


def _report(name: str, result: dict[str, object], distractor_changes: int | None = None) -> str:
    kinds = result["kinds"]
    assert isinstance(kinds, dict)
    evidence = result["evidence"]
    assert isinstance(evidence, tuple)
    found, total = evidence
    head = f"  {name:<48}"
    overall = kinds.get("OVERALL", ("0",) * 6)
    line = (f"{head} P {float(overall[3]):.3f}  R {float(overall[4]):.3f}  F1 {float(overall[5]):.3f}  "
            f"(gold {overall[0]}, predicted {overall[1]}, right {overall[2]}; evidence verbatim {found}/{total}")
    line += f"; changes on distractors: {distractor_changes})" if distractor_changes is not None else ")"
    per_kind = "  ".join(f"{k.lower()} {float(v[5]):.2f} ({v[2]}/{v[0]})" for k, v in kinds.items()
                         if k != "OVERALL" and int(v[0]) + int(v[1]) > 0)
    return f"{line}\n  {'':<48} per kind F1 (right/gold): {per_kind}"


def _dev2_docs(lang: str) -> tuple[list[Doc], Path]:
    """dev2's documents and distractors in date order, as the files are: `watcher ingest` reads their
    `title:/date:/url:/outlet:/note:` header as front matter (never as text); the date is also passed."""
    base = DEV2 / lang
    out: list[Doc] = []
    for p in sorted([*(base / "docs").glob("*.txt"), *(base / "distractors").glob("*.txt")]):
        head, _, _body = p.read_text(encoding="utf-8").partition("\n---\n")
        meta = {k.strip(): v.strip() for k, v in (x.split(":", 1) for x in head.splitlines() if ":" in x)}
        out.append((p, meta["date"], False, meta.get("outlet") or None))
    out.sort(key=lambda d: (d[1], d[0].name))
    return out, base


def _selector(held: bool, lang: str) -> Callable[[str], bool]:
    def keep(name: str) -> bool:
        return held_out(name) == held and (lang == "all" or language_of(name) == lang)
    return keep


def dev2_set(lang: str) -> str:
    docs, base = _dev2_docs(lang)
    with tempfile.TemporaryDirectory() as tmp:
        changes, stable = _changes_for(base / "registry.toml", docs, tmp)
    gold = [r for r in (base / "gold.jsonl").read_text(encoding="utf-8").splitlines() if r.strip()]
    dirs = [base / "docs", base / "distractors"]
    distractors = {p.name for p in (base / "distractors").glob("*.txt")}
    langs = sorted({language_of(d[0].name) for d in docs})
    lines = [f"== dev2/{lang}: {len(docs)} documents ({len(distractors)} distractors) in date order on one "
             f"database; replay twice gives the same changes: {stable}"]
    for part, label in (("tune", "tuning part"), ("held", "held-out part (3 mod 4, never tuned on)")):
        for lg in (["all", *langs] if len(langs) > 1 else langs):
            keep = _selector(part == "held", lg)
            on_distractors = sum(1 for c in changes if c["change"] != "overdue" and c["doc"] in distractors
                                 and keep(str(c["doc"])))
            lines.append(_report(f"{label}, {lg}", _score(gold, changes, base / "commitments.toml", dirs, keep),
                                 on_distractors))
    return "\n".join(lines)


def dev_set() -> str:
    docs: list[Doc] = [(SEEDS / f, d, False, None) for f, d in sorted(DEV_DATES.items(), key=lambda x: (x[1], x[0]))]
    with tempfile.TemporaryDirectory() as tmp:
        changes, stable = _changes_for(DEV / "registry.toml", docs, tmp)
    gold = [r for r in (DEV / "gold.jsonl").read_text(encoding="utf-8").splitlines() if r.strip()]
    res = _score(gold, changes, DEV / "commitments.toml", [SEEDS], lambda n: True)
    return f"== dev (the five seeds, en; replay twice gives the same changes: {stable})\n" + _report("all, en", res)


def hard_set() -> str | None:
    gold_path = HARD / "gold.jsonl"
    if not gold_path.exists():
        return None
    groups: dict[str, list[Doc]] = {}
    stripped = Path(tempfile.mkdtemp(prefix="claims-hard-"))
    for p in sorted((HARD / "docs").glob("*.txt")):
        lines = p.read_text(encoding="utf-8").splitlines()
        head = {k.strip(): v.strip() for k, v in (line[2:].split(":", 1) for line in lines
                                                  if line.startswith("# ") and ":" in line)}
        body = "\n".join(line for line in lines if not line.startswith("# ")).strip() + "\n"
        (stripped / p.name).write_text(body, encoding="utf-8")     # the header is for us, not the watcher
        date = head.get("published", "2025-01-01")
        official = head.get("official", "false").lower() == "true"
        # each document against the fresh registry on its own, unless it shares a `# group:`
        groups.setdefault(head.get("group", p.name), []).append((stripped / p.name, date, official,
                                                                 head.get("source") or None))
    registry = HARD / "registry.toml" if (HARD / "registry.toml").exists() else DEV / "registry.toml"
    catalog = HARD / "commitments.toml" if (HARD / "commitments.toml").exists() else None
    changes: list[dict[str, object]] = []
    for _, g in sorted(groups.items()):
        with tempfile.TemporaryDirectory() as tmp:
            changes += _changes_for(registry, sorted(g, key=lambda d: (d[1], d[0].name)), tmp)[0]
    gold = [r for r in gold_path.read_text(encoding="utf-8").splitlines() if r.strip()]
    res = _score(gold, changes, catalog, [HARD / "docs"], lambda n: True)
    return f"== hard cases ({len(groups)} databases)\n" + _report("all, en", res)


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


# The same shape in Korean and Japanese (wire copy from Seoul and Tokyo): a third of the archive.
KO_CLAIMS = [
    "한미일 정상은 올해 안에 3국 {thing_ko}를 {verb_ko}하기로 합의했다.",
    "한미일 외교장관은 {thing_ko}에 대한 공약을 재확인했다고 외교부가 밝혔다.",
    "한미일 {thing_ko}는 내년으로 연기됐다고 정부 관계자가 말했다.",
    "3국은 {thing_ko} 설치를 검토하기로 했다.",
    "한미일 국방장관은 {thing_ko}를 정례적으로 실시하기로 했다.",
]
KO_FILLER = [
    "전문가들은 {city}의 새 정부가 출범하면 협력이 어려워질 수 있다고 분석했다.",
    "이날 {city} 증시는 {n}% 상승 마감했다.",
    "북한은 지난달 탄도미사일 {n}발을 동해상으로 발사했다.",
    "회담은 약 {n}분간 진행됐다고 대변인이 전했다.",
    "{name} 교수는 지역 정세가 엄중하다고 말했다.",
    "기상청은 이번 주 전국에 많은 비가 내릴 것으로 예보했다.",
]
JA_CLAIMS = [
    "日米韓の首脳は年内に3か国の{thing_ja}を{verb_ja}することで合意した。",
    "日米韓の外相は{thing_ja}への関与を再確認したと外務省が明らかにした。",
    "日米韓の{thing_ja}は来年に延期されたと政府関係者が述べた。",
    "3か国は{thing_ja}の設置を検討する方針だ。",
    "日米韓の防衛相は{thing_ja}を定期的に実施することで一致した。",
]
JA_FILLER = [
    "専門家は{city}の新政権の発足で協力が難しくなる可能性があると指摘した。",
    "この日の{city}市場で株価は{n}％上昇した。",
    "北朝鮮は先月、弾道ミサイル{n}発を日本海に向けて発射した。",
    "会談は約{n}分間行われたと報道官が説明した。",
    "{name}教授は地域情勢は厳しいと述べた。",
    "気象庁は今週、全国的に大雨になると予報した。",
]
THINGS_KO = ["사무국", "해양 대화", "프리덤 에지 훈련", "미사일 경보 정보 공유", "기술 협력 체계", "사이버 실무그룹"]
THINGS_JA = ["事務局", "海洋対話", "フリーダム・エッジ訓練", "ミサイル警戒データ共有", "技術協力枠組み", "サイバー作業部会"]
VERBS_KO = ["출범", "설립", "개최", "확대"]
VERBS_JA = ["発足", "設立", "開催", "拡大"]


def generate(n: int, rnd: random.Random) -> list[tuple[str, str, dt.datetime, str]]:
    """(title, body, published, language): two thirds English, one sixth Korean, one sixth Japanese."""
    out = []
    start = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    for i in range(n):
        lang = "en" if i % 3 else ("ko" if i % 6 == 0 else "ja")
        claims, filler, sep = {"en": (CLAIMS, FILLER, " "), "ko": (KO_CLAIMS, KO_FILLER, " "),
                               "ja": (JA_CLAIMS, JA_FILLER, "")}[lang]
        sentences = []
        for _ in range(rnd.randint(10, 25)):
            template = rnd.choice(claims) if rnd.random() < 0.16 else rnd.choice(filler)
            sentences.append(template.format(
                verb=rnd.choice(VERBS), thing=rnd.choice(THINGS), when=rnd.choice(WHENS), city=rnd.choice(CITIES),
                name=rnd.choice(NAMES), n=rnd.randint(2, 900), year=rnd.randint(2015, 2024),
                thing_ko=rnd.choice(THINGS_KO), verb_ko=rnd.choice(VERBS_KO), thing_ja=rnd.choice(THINGS_JA),
                verb_ja=rnd.choice(VERBS_JA)).replace("  ", " ").replace(" .", "."))
        paragraphs = [sep.join(sentences[j:j + 3]) for j in range(0, len(sentences), 3)]
        title = {"en": "Trilateral report", "ko": "한미일 협력 보도", "ja": "日米韓協力の報道"}[lang]
        out.append((f"{title} {i}", "\n\n".join(paragraphs), start + dt.timedelta(hours=i), lang))
    return out


def per_article(docs: list[tuple[str, str, dt.datetime, str]]) -> str:
    """Claims + diff for one article against the registry's states, median and 95th percentile per
    language (in-process, one core; the first 50 articles warm the caches and are not counted)."""
    import inspect

    from watcher.claims import extract_claims
    from watcher.diff import Document, diff_document, initial_states
    from watcher.registry import load_registry

    states = initial_states(load_registry(ROOT / "db" / "commitments.toml"))
    takes_language = "language" in inspect.signature(extract_claims).parameters
    times: dict[str, list[float]] = {}
    for i, (title, body, published, lang) in enumerate(docs):
        kw = {"language": lang} if takes_language else {}
        doc = Document(doc=f"d{i}", url=None, title=title, text=body, published_at=published.date(),
                       source=f"outlet{i % 7}")
        t0 = time.perf_counter()
        found = extract_claims(body, published=published.date(), **kw)
        states = diff_document(states, doc, found).states
        if i >= 50:
            times.setdefault(lang, []).append(time.perf_counter() - t0)
    parts = []
    for lang, ts in sorted(times.items()):
        ts.sort()
        parts.append(f"{lang} median {statistics.median(ts) * 1000:.2f} ms, p95 {ts[int(len(ts) * .95)] * 1000:.2f} ms "
                     f"({len(ts)} articles)")
    return "claims + diff per article (target: median < 5 ms in every language): " + "; ".join(parts)


def speed(n: int) -> str:
    sys.path.insert(0, str(ROOT))
    from watcher.intake import Analyzer, load_registry_into, store_articles
    from watcher.store import Store
    from watcher.textutil import content_hash, simhash
    from watcher.types import Article

    rnd = random.Random(42)
    docs = generate(n, rnd)
    lines = [per_article(docs[:3000])]
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{tmp}/speed.sqlite3"
        store = Store(db)
        store.migrate()
        with store.write() as conn:
            load_registry_into(conn, str(ROOT / "db" / "commitments.toml"))
        now = dt.datetime.now(dt.UTC)
        arts = [Article(source=f"outlet{i % 7}", guid=f"g{i}", url=f"https://news.example/{i}",
                        canonical_url=f"https://news.example/{i}", title=t, text=b, published_at=p, fetched_at=now,
                        content_hash=content_hash(f"{t} {b} {i}"), simhash=simhash(b) ^ i, language=lang)
                for i, (t, b, p, lang) in enumerate(docs)]
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
                     f"({info['seconds'] / max(info['articles'], 1) * 1000:.2f} ms/article; one third Korean or Japanese; "
                     f"target < 15 s for 10,000 on one core)")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--no-quality", action="store_true", help="speed only")
    args = ap.parse_args()
    if not args.no_quality:
        print(dev_set())
        hard = hard_set()
        if hard:
            print(hard)
        for lang in ("en", "ko-ja"):
            if (DEV2 / lang / "gold.jsonl").exists():
                print(dev2_set(lang))
    if not args.no_speed:
        print("== speed\n" + speed(args.articles))


if __name__ == "__main__":
    main()
