"""Wire ceiling: concurrent aiohttp GETs of every feed, no parsing, nothing stored but the validators.

    python ref_ceiling.py URLS_FILE STATE_FILE [--conditional] [--concurrency 32]

Cold (no --conditional): plain GETs, bodies read in full, each feed's ETag / Last-Modified written to STATE_FILE.
Steady (--conditional): If-None-Match / If-Modified-Since from STATE_FILE, expects 304s, rewrites STATE_FILE.
Prints one JSON line: ``seconds`` is from the first request to the last write (STATE_FILE flushed).
"""

import argparse
import asyncio
import json
import time

import aiohttp


async def run(urls: list[str], state: dict, conditional: bool, concurrency: int) -> dict:
    out: dict[str, list] = {}
    counts = {"fetched": 0, "not_modified": 0, "errors": 0, "bytes": 0}
    it = iter(urls)
    conn = aiohttp.TCPConnector(limit=concurrency, limit_per_host=0, ttl_dns_cache=None)
    async with aiohttp.ClientSession(connector=conn) as session:

        async def worker() -> None:
            for url in it:
                headers = {}
                if conditional and url in state:
                    etag, lm = state[url]
                    if etag:
                        headers["If-None-Match"] = etag
                    if lm:
                        headers["If-Modified-Since"] = lm
                try:
                    async with session.get(url, headers=headers) as r:
                        body = await r.read()
                        if r.status == 304:
                            counts["not_modified"] += 1
                            out[url] = state.get(url, [None, None])
                        elif r.status == 200:
                            counts["fetched"] += 1
                            counts["bytes"] += len(body)
                            out[url] = [r.headers.get("ETag"), r.headers.get("Last-Modified")]
                        else:
                            counts["errors"] += 1
                except (TimeoutError, aiohttp.ClientError):
                    counts["errors"] += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return {"validators": out, **counts}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("urls")
    ap.add_argument("state")
    ap.add_argument("--conditional", action="store_true")
    ap.add_argument("--concurrency", type=int, default=32)
    a = ap.parse_args()
    with open(a.urls) as f:
        urls = [u.strip() for u in f if u.strip()]
    state = {}
    if a.conditional:
        with open(a.state) as f:
            state = json.load(f)
    t0 = time.perf_counter()
    res = asyncio.run(run(urls, state, a.conditional, a.concurrency))
    with open(a.state, "w") as f:
        json.dump(res.pop("validators"), f)
    seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "sources": len(urls), **res}))


if __name__ == "__main__":
    main()
