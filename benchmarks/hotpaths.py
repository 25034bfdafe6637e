"""Per-call speed of the pure hot paths, each against a reference measured in the same run.

The figures the test suite used to assert (and no longer does: a timed test fails on a loaded
machine and passes on a fast one, whatever the code does):

- ``relevance`` (watcher/content/relevance.py), one feed entry: against a plain lower-cased substring scan
  for the three countries' English names (the least a filter could do); budget 500 µs an entry;
- ``extract_article`` (watcher/content/page.py), one news page: against BeautifulSoup's
  ``get_text()`` over the same page (html.parser); budget 20 ms a page;
- ``simhash`` (watcher/content/text.py), a 15,000-character article: against SHA-256 of the same
  text; budget 100 ms.

Run: .venv/bin/python benchmarks/hotpaths.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bs4 import BeautifulSoup

from watcher.content.page import extract_article
from watcher.content.relevance import relevance
from watcher.content.text import simhash

TITLE = "Japan and South Korea agree to boost cooperation"
SUMMARY = ("Officials from Tokyo and Seoul met in Washington on Tuesday to discuss missile warning data. "
           + "Lorem ipsum dolor sit amet consectetur. " * 8)
OFF_TOPIC = ("Stocks rise in Europe", "Lorem ipsum dolor sit amet. " * 12)
PAGE = ("""<!doctype html><html><head><meta charset="utf-8"><title>Site | Allies meet</title>
<link rel="canonical" href="/news/123?utm_source=x&b=2&a=1#top">
<meta property="og:title" content="Allies meet in Seoul">
<meta property="article:published_time" content="2024-07-01T09:00:00+09:00">
<script>document.write("x")</script><style>p{color:red}</style></head>
<body><header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
<div class="share-buttons"><a>Share on X</a></div><article><h1>Allies meet in Seoul</h1>"""
        + "<p>Officials from the United States, Japan and South Korea met in Seoul on Monday.</p>" * 12
        + """<div class="related-articles"><h3>Related</h3><ul><li><a href="/a">Other story</a></li></ul></div>
</article><section id="comments"><p>Great article!</p></section><footer>(c) 2024 News</footer></body></html>""").encode()
ARTICLE = ("The leaders of the United States, Japan and South Korea agreed on Friday to hold trilateral summits "
           "every year and to share real-time missile warning data, in a step that officials called historic. ") * 75


def naive_relevance(title: str, summary: str) -> bool:
    text = f"{title} {summary}".lower()
    return all(any(n in text for n in names) for names in (("united states", "washington", "u.s."),
                                                             ("japan", "tokyo"), ("korea", "seoul")))


def per_call(fn: Callable[[], object], n: int, repeat: int) -> float:
    """Median over ``repeat`` runs of the seconds one call takes (after a warm-up)."""
    for _ in range(max(1, n // 10)):
        fn()
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(n):
            fn()
        runs.append((time.perf_counter() - t0) / n)
    return statistics.median(runs)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    rows = [
        ("relevance, on-topic entry", per_call(lambda: relevance(TITLE, SUMMARY), 2000, args.repeat),
         "substring scan", per_call(lambda: naive_relevance(TITLE, SUMMARY), 2000, args.repeat), 500e-6),
        ("relevance, off-topic entry", per_call(lambda: relevance(*OFF_TOPIC), 2000, args.repeat),
         "substring scan", per_call(lambda: naive_relevance(*OFF_TOPIC), 2000, args.repeat), 500e-6),
        ("extract_article, news page", per_call(lambda: extract_article(PAGE, url="https://e.org/x"), 200,
                                                args.repeat),
         "BeautifulSoup get_text", per_call(lambda: BeautifulSoup(PAGE, "html.parser").get_text(), 200,
                                            args.repeat), 20e-3),
        (f"simhash, {len(ARTICLE):,} characters", per_call(lambda: simhash(ARTICLE), 20, args.repeat),
         "SHA-256", per_call(lambda: hashlib.sha256(ARTICLE.encode()).hexdigest(), 20, args.repeat), 100e-3),
    ]
    print(f"{'path':34} {'per call':>10}  {'reference':24} {'per call':>10} {'ratio':>8}  {'budget':>8}  within")
    for name, took, ref_name, ref, budget in rows:
        print(f"{name:34} {took * 1e6:8.1f}µs  {ref_name:24} {ref * 1e6:8.1f}µs {took / ref:8.2f}  "
              f"{budget * 1e6:6.0f}µs  {'yes' if took < budget else 'NO'}")


if __name__ == "__main__":
    main()
