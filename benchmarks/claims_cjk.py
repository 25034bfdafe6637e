"""Korean/Japanese claims on dev2/ko-ja through the pure core: the whole set in date order,
scored on the tuning part and on the held-out part (two-digit number 3 mod 4) separately, and
the claims + diff time per article.

    python benchmarks/claims_cjk.py                  # scores (tuning, held-out) and speed
    python benchmarks/claims_cjk.py --claims k05     # the claims of the tuning documents named (never held-out ones)
    python benchmarks/claims_cjk.py --triples        # the tuning part's triples: TP, FP, FN
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from claims_dev2 import (  # noqa: E402
    DEV2,
    docs_of,
    held_out,
    read_dev2,
    run,
    score_part,
)

from watcher.claims import cjk_extract, extract_claims  # noqa: E402
from watcher.claims.cjk_extract import preload  # noqa: E402
from watcher.commitments.diff import diff_document, initial_states  # noqa: E402
from watcher.commitments.registry import load_registry  # noqa: E402


def speed(rounds: int = 5) -> None:
    """Median claims + diff time per article (analysers loaded first, as the poller does; the
    analysed-sentence cache emptied before each article, so every sentence is read afresh)."""
    preload()
    states = initial_states(load_registry(DEV2 / "ko-ja" / "registry.toml"))
    docs = [read_dev2(p)[0] for p in docs_of("ko-ja")]
    times: dict[str, list[float]] = {"ko": [], "ja": []}
    for _ in range(rounds):
        for d in docs:
            cjk_extract._analysed.cache_clear()
            t0 = time.perf_counter()
            claims = extract_claims(d.text, published=d.published_at)
            diff_document(states, d, claims)
            times["ko" if "_ko_" in d.doc else "ja"].append(time.perf_counter() - t0)
    for lang, t in times.items():
        print(f"claims + diff per article, {lang} ({len(t) // rounds} real texts x {rounds}, every sentence analysed "
              f"afresh): median {statistics.median(t) * 1e3:.2f} ms, p90 {sorted(t)[int(len(t) * 0.9)] * 1e3:.2f} ms")

def show(names: list[str]) -> None:
    for p in docs_of("ko-ja"):
        if held_out(p.name) or not any(p.name.startswith(n) for n in names):
            continue
        d, _ = read_dev2(p)
        print(f"== {p.name}")
        for c in extract_claims(d.text, published=d.published_at):
            print(f"  [{c.klass}/{c.action}/{c.modality}] actor={c.actor!r} scope={c.trilateral_scope} "
                  f"neg={c.negated} den={c.denial} spec={c.speculative} retro={c.retrospective} "
                  f"creation={c.creation}/{c.creation_decided} dl={c.deadline}\n"
                  f"     obj={c.obj!r} gloss={c.gloss!r}\n     clause={c.clause[:100]!r}")


def diff_tuning() -> None:
    """Predicted and gold triples of the tuning part, ids mapped through the catalog as the scorer does."""
    import importlib.util
    import json

    spec = importlib.util.spec_from_file_location("score", DEV2.parent / "score.py")
    assert spec is not None and spec.loader is not None
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    alias = score.load_catalog(str(DEV2 / "ko-ja" / "commitments.toml"))
    pred = {(ch.doc[:3], alias.get(score.slug(ch.commitment), ch.commitment), ch.kind.upper())
            for ch in run("ko-ja") if ch.kind != "overdue" and not held_out(ch.doc)}
    gold = {(g["doc"][:3], g["commitment"], g["change"]) for g in map(json.loads, (DEV2 / "ko-ja" / "gold.jsonl")
            .read_text().splitlines()) if not held_out(g["doc"])}
    for t in sorted(pred | gold):
        print("TP" if t in pred and t in gold else ("FP" if t in pred else "FN"), *t)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--claims", nargs="*")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--triples", action="store_true", help="the tuning part's TP / FP / FN triples")
    args = ap.parse_args()
    if args.triples:
        diff_tuning()
        return 0
    if args.claims:
        show(args.claims)
        return 0
    changes = run("ko-ja")
    for part in ("tune", "held"):
        print(f"== dev2/ko-ja, {'tuning part' if part == 'tune' else 'held-out part (3 mod 4)'}")
        print(score_part("ko-ja", changes, part))
    if not args.no_speed:
        speed()
    return 0


if __name__ == "__main__":
    sys.exit(main())
