"""Naive poller: one httpx.Client, one feed after another, feedparser.parse on each body, storing nothing.

    python ref_naive.py URLS_FILE

Prints one JSON line: ``seconds`` is from the first request to the end of the last parse.
"""

import json
import sys
import time

import feedparser
import httpx


def main() -> None:
    with open(sys.argv[1]) as f:
        urls = [u.strip() for u in f if u.strip()]
    fetched = errors = entries = 0
    with httpx.Client() as client:
        t0 = time.perf_counter()
        for url in urls:
            try:
                r = client.get(url)
            except httpx.HTTPError:
                errors += 1
                continue
            if r.status_code != 200:
                errors += 1
                continue
            fetched += 1
            entries += len(feedparser.parse(r.content).entries)
        seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "sources": len(urls), "fetched": fetched, "errors": errors,
                      "entries": entries}))


if __name__ == "__main__":
    main()
