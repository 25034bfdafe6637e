"""Development scorer for dev2 (pure core, no database): the whole set in date order, scored on
the tuning part and the held-out part separately (documents whose two-digit number is 3 mod 4).

    python benchmarks/claims_dev2.py en [-v] [--part tune|held|all]
    python benchmarks/claims_dev2.py en --root benchmarks/claims_real --part all   # the kept-aside real texts
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from watcher.claims import extract_claims  # noqa: E402
from watcher.commitments.diff import Change, Document, replay  # noqa: E402
from watcher.commitments.registry import load_registry  # noqa: E402

DEV2 = ROOT.parent / "shared" / "eval" / "dev2"
SCORE = ROOT.parent / "shared" / "eval" / "score.py"
_NUM = re.compile(r"^[a-z]+?(\d\d)_")


def held_out(name: str) -> bool:
    """The kept-aside part: documents (and distractors) whose two-digit number is 3 mod 4."""
    m = _NUM.match(name)
    return bool(m) and int(m.group(1)) % 4 == 3


def read_dev2(path: Path) -> tuple[Document, str]:
    """A dev2 file: ``key: value`` header lines up to ``---``, then the body."""
    raw = path.read_text(encoding="utf-8")
    head, _, body = raw.partition("\n---\n")
    meta = dict(line.split(":", 1) for line in head.splitlines() if ":" in line)
    meta = {k.strip(): v.strip() for k, v in meta.items()}
    text = body.strip()
    doc = Document(doc=path.name, url=meta.get("url"), title=meta.get("title", ""), text=text,
                   published_at=dt.date.fromisoformat(meta["date"]), source=meta.get("outlet", "press"))
    return doc, text


def docs_of(lang: str) -> list[Path]:
    base = DEV2 / lang
    return sorted([*(base / "docs").glob("*.txt"), *(base / "distractors").glob("*.txt")])


def run(lang: str) -> list[Change]:
    registry = load_registry(DEV2 / lang / "registry.toml")
    pairs = []
    for p in docs_of(lang):
        d, _ = read_dev2(p)
        pairs.append((d, extract_claims(d.text, published=d.published_at)))
    return list(replay(registry, pairs).changes)


def score_part(lang: str, changes: list[Change], part: str) -> str:
    base = DEV2 / lang
    keep = (lambda n: True) if part == "all" else (lambda n: held_out(n) == (part == "held"))
    with tempfile.TemporaryDirectory() as tmp:
        gold = Path(tmp) / "gold.jsonl"
        pred = Path(tmp) / "pred.jsonl"
        gold.write_text("".join(line + "\n" for line in (base / "gold.jsonl").read_text().splitlines()
                                if line.strip() and keep(json.loads(line)["doc"])))
        with pred.open("w") as fh:
            for ch in changes:
                if ch.kind != "overdue" and keep(ch.doc):
                    fh.write(json.dumps({"doc": ch.doc, "commitment": ch.commitment, "change": ch.kind.upper(),
                                         "evidence": ch.evidence}, ensure_ascii=False) + "\n")
        cmd = [sys.executable, str(SCORE), str(gold), str(pred), "--catalog", str(base / "commitments.toml"),
               "--docs", str(base / "docs"), "--docs", str(base / "distractors")]
        return subprocess.run(cmd, capture_output=True, text=True, check=False).stdout


def main() -> int:
    global DEV2
    ap = argparse.ArgumentParser()
    ap.add_argument("lang", choices=["en", "ko-ja"])
    ap.add_argument("--part", default="tune", choices=["tune", "held", "all"])
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--root", type=Path, default=DEV2,
                    help="a folder in dev2's layout (en/, ko-ja/): dev2 by default; benchmarks/claims_real is kept aside")
    args = ap.parse_args()
    DEV2 = args.root.resolve()
    changes = run(args.lang)
    if args.verbose:
        gold = [json.loads(x) for x in (DEV2 / args.lang / "gold.jsonl").read_text().splitlines() if x.strip()]
        ok = (lambda n: held_out(n) == (args.part == "held")) if args.part != "all" else (lambda n: True)
        for ch in changes:
            if ok(ch.doc):
                print(f"P {ch.doc[:3]} {ch.commitment:<44} {ch.kind:<10} {ch.to_status:<11} {ch.evidence[:110]!r}")
        for g in gold:
            if ok(g["doc"]):
                print(f"G {g['doc'][:3]} {g['commitment']:<44} {g['change']:<10} {g['evidence'][:110]!r}")
    print(score_part(args.lang, changes, args.part))
    return 0


if __name__ == "__main__":
    sys.exit(main())
