"""The `reader` library (lemon24) as a reference poller.

    python ref_reader.py URLS_FILE DB_PATH [--add]

--add: add every feed to the (fresh) database first (not timed). Then ``update_feeds(scheduled=False)`` (one
worker, its default; every feed, not only those due), timed from its call to its return (reader fetches, parses and stores every entry).
Prints one JSON line with ``seconds``, the entry count and how many feeds reported an error.
"""

import argparse
import json
import time

from reader import make_reader


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("urls")
    ap.add_argument("db")
    ap.add_argument("--add", action="store_true")
    a = ap.parse_args()
    with open(a.urls) as f:
        urls = [u.strip() for u in f if u.strip()]
    reader = make_reader(a.db)
    if a.add:
        for url in urls:
            reader.add_feed(url, exist_ok=True)
    t0 = time.perf_counter()
    reader.update_feeds(scheduled=False)  # every feed, like `watcher poll --once`
    seconds = time.perf_counter() - t0
    counts = reader.get_entry_counts()
    errors = sum(1 for feed in reader.get_feeds() if feed.last_exception)
    reader.close()
    print(json.dumps({"seconds": seconds, "sources": len(urls), "entries": counts.total, "errors": errors}))


if __name__ == "__main__":
    main()
