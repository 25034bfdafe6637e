"""process_feed: parse + relevance in a worker process; only relevant entries come back."""

from __future__ import annotations

import pickle
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from watcher.errors import Outcome
from watcher.ingest.jobs import ProcessedFeed, process_feed

DATA = Path(__file__).resolve().parents[1] / "data" / "feeds"


def test_process_feed_in_a_process_pool() -> None:
    body = (DATA / "rss20_basic.xml").read_bytes()
    headers = (("Content-Type", "application/rss+xml; charset=utf-8"),)
    with ProcessPoolExecutor(max_workers=2) as pool:
        res = pool.submit(process_feed, body, "https://example.com/feed.xml", headers, 500).result(timeout=60)
    assert isinstance(res, ProcessedFeed)
    assert res.outcome is Outcome.OK and res.title == "World News" and res.total_entries == 2
    assert len(res.relevant) == 1
    entry, rel = res.relevant[0]
    assert entry.guid == "tri-1" and rel.relevant
    assert pickle.loads(pickle.dumps(res)) == res


def test_process_feed_counts_skipped_and_never_raises() -> None:
    items = "".join(f"<item><title>Japan, South Korea and the U.S. meet {i}</title></item>" for i in range(50))
    body = f'<rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()
    res = process_feed(body, "https://e.com/f", (), 10)
    assert (res.total_entries, res.skipped, len(res.relevant)) == (50, 40, 10)
    bad = process_feed(body, "https://e.com/f", (("Content-Type",),), 10)  # type: ignore[arg-type]
    assert bad.outcome is Outcome.INTERNAL_ERROR and bad.error


def test_parse_speed_30_items() -> None:
    items = "".join(
        f"<item><title>Item {i}: Japan and South Korea talks &amp; U.S. role</title>"
        f"<link>https://example.com/news/{i}</link><guid isPermaLink='false'>id-{i}</guid>"
        f"<pubDate>Tue, 02 Jul 2024 10:00:00 GMT</pubDate><description><![CDATA[<p>Officials from <b>Tokyo</b> "
        f"and Seoul met in Washington. {'Lorem ipsum dolor sit amet. ' * 10}</p>]]></description></item>"
        for i in range(30)
    )
    body = f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>{items}</channel></rss>'
    raw = body.encode()
    for _ in range(5):
        process_feed(raw, "https://example.com/feed", (), 500)
    times = []
    for _ in range(30):
        t0 = time.perf_counter()
        process_feed(raw, "https://example.com/feed", (), 500)
        times.append(time.perf_counter() - t0)
    times.sort()
    print(f"\nprocess_feed, 30-item RSS: median {times[15] * 1000:.1f} ms, best {times[0] * 1000:.1f} ms")
    assert times[15] < 0.2
