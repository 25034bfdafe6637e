"""process_feed over every file of feedparser's own test suite (2,107 feeds): an Outcome for each, no exception,
the whole pass well under a minute. Headers come from the files' ``Header:`` lines."""

from __future__ import annotations

import collections
import re
import time
from pathlib import Path

from watcher.errors import Outcome
from watcher.ingest.jobs import process_feed

_HEADER = re.compile(rb"^Header:\s+([^:\r\n]+):(.*)$", re.M)


def _headers(raw: bytes) -> tuple[tuple[str, str], ...]:
    out = []
    for name, value in _HEADER.findall(raw[:4096]):
        value = re.sub(rb"\s+\(optional.*$", b"", value.strip())
        out.append((name.decode("latin-1").strip(), value.decode("latin-1").strip()))
    return tuple(out)


def test_feedparser_corpus_yields_outcomes(shared: Path) -> None:
    corpus = shared / "corpora" / "feedparser-tests"
    files = sorted(p for p in corpus.rglob("*") if p.suffix in (".xml", ".json") and p.is_file())
    assert len(files) >= 2000
    counts: collections.Counter[str] = collections.Counter()
    t0 = time.perf_counter()
    for path in files:
        raw = path.read_bytes()
        rel = path.relative_to(corpus).as_posix()
        res = process_feed(raw, f"http://127.0.0.1:8097/{rel}", _headers(raw), 500)
        assert isinstance(res.outcome, Outcome), rel
        assert res.outcome is not Outcome.INTERNAL_ERROR, (rel, res.error)
        counts[res.outcome.value] += 1
    elapsed = time.perf_counter() - t0
    print(f"\nfeedparser corpus: {len(files)} files in {elapsed:.1f} s: {dict(counts.most_common())}")
    assert counts["ok"] > 0.9 * len(files)
