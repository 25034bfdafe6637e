"""feedparser's own 2,107 test feeds served as sources: one pass gives every one a status
and lets no traceback escape."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.support.feedserver import FeedServer, Route
from watcher.config import Settings
from watcher.errors import Outcome
from watcher.ingest.poller import Poller
from watcher.store import Store
from watcher.types import FetchSettings, Source


@pytest.mark.slow
def test_feedparser_corpus_one_pass(tmp_path: Path, caplog: pytest.LogCaptureFixture, shared: Path) -> None:
    corpus = shared / "corpora" / "feedparser-tests"
    files = sorted(p for p in corpus.rglob("*") if p.is_file() and p.suffix in (".xml", ".json", ".rdf", ".atom"))
    assert len(files) > 2000
    store = Store(f"sqlite:///{tmp_path}/corpus.sqlite3")
    store.migrate()
    with FeedServer() as srv:
        sources = []
        for i, p in enumerate(files):
            ctype = "application/json" if p.suffix == ".json" else "application/xml"
            srv.route(f"/c/{i}", Route(body=p.read_bytes(), content_type=ctype))
            sources.append(Source(name=str(p.relative_to(corpus)), url=srv.url(f"/c/{i}")))
        settings = Settings(sources=tuple(sources), fetch=FetchSettings(
            allow_private_hosts=("127.0.0.1",), extract_pages=False, connect_timeout=5, first_byte_timeout=10,
            total_timeout=20, concurrency=16, per_host=16))

        async def main() -> object:
            async with Poller(settings, store) as poller:
                return await poller.poll()

        started = time.monotonic()
        with caplog.at_level(logging.ERROR):
            report = asyncio.run(main())
        took = time.monotonic() - started
    rows = store.list_sources()
    statuses = Counter(r["last_status"] for r in rows)
    print(f"\nfeedparser corpus: {len(rows)} feeds in {took:.1f} s: {dict(statuses)}")
    assert report.sources == len(files) == len(rows)
    assert all(r["last_status"] for r in rows), "a source was left without a status"
    assert statuses[Outcome.INTERNAL_ERROR.value] == 0, [r for r in rows if r["last_status"] == "internal_error"][:3]
    assert "Traceback" not in caplog.text
    assert statuses["ok"] > len(files) * 0.8
