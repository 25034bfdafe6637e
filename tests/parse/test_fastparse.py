"""The lxml fast path (watcher/feeds/fastparse.py) gives exactly what the feedparser path gives.

parse_feed(fast=True) and parse_feed(fast=False) are compared (outcome, entries, title, skipped and error) on every
file of feedparser's own test corpus, every fixture in tests/data/feeds, and 300 generated news feeds; the hostile
cases of test_parse_hostile.py are replayed against the fast path explicitly.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from tests.support.dtdserver import DtdServer
from watcher.feeds import fastparse
from watcher.feeds import parse as parse_mod
from watcher.feeds.parse import parse_feed, strip_dtd
from watcher.types import ParseResult

DATA = Path(__file__).resolve().parents[1] / "data" / "feeds"
NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.UTC)
_HEADER = re.compile(rb"^Header:\s+([^:\r\n]+):(.*)$", re.M)


def _headers(raw: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in _HEADER.findall(raw[:4096]):
        value = re.sub(rb"\s+\(optional.*$", b"", value.strip())
        out[name.decode("latin-1").strip()] = value.decode("latin-1").strip()
    return out


class _Counter:
    def __init__(self) -> None:
        self.hits = 0

    def __call__(self, *args: Any) -> Any:
        res = _ORIGINAL_FAST(*args)
        self.hits += res is not None
        return res


_ORIGINAL_FAST = fastparse.parse


def _key(res: ParseResult) -> tuple[Any, ...]:
    # `error` is compared too: the fast path only runs when the strict parse would succeed, so the only error
    # either path can carry is the charset note from convert_to_utf8, which both share.
    return (res.outcome, res.entries, res.title, res.skipped, res.error)


def _compare(bodies: list[tuple[str, bytes, dict[str, str]]], monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[str]]:
    counter = _Counter()
    monkeypatch.setattr(parse_mod.fastparse, "parse", counter)
    diffs = []
    for name, raw, headers in bodies:
        url = "http://127.0.0.1:8097/" + name
        fast = parse_feed(raw, url=url, headers=headers, now=NOW, fast=True)
        slow = parse_feed(raw, url=url, headers=headers, now=NOW, fast=False)
        if _key(fast) != _key(slow):
            diffs.append(name)
    return counter.hits, diffs


def test_feedparser_corpus_same_answers(monkeypatch: pytest.MonkeyPatch, shared: Path) -> None:
    corpus = shared / "corpora" / "feedparser-tests"
    files = sorted(p for p in corpus.rglob("*") if p.suffix in (".xml", ".json") and p.is_file())
    assert len(files) >= 2000
    raws = [(p.relative_to(corpus).as_posix(), p.read_bytes()) for p in files]
    bodies = [(n, raw, _headers(raw)) for n, raw in raws]
    hits, diffs = _compare(bodies, monkeypatch)
    print(f"\nfeedparser corpus: {hits} of {len(files)} files took the fast path")
    assert diffs == []
    assert hits >= 500  # 766 when written


def test_data_feeds_same_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    files = sorted(p for p in DATA.iterdir() if p.is_file())
    hits, diffs = _compare([(p.name, p.read_bytes(), {}) for p in files], monkeypatch)
    print(f"\ntests/data/feeds: {hits} of {len(files)} files took the fast path")
    assert diffs == []
    assert hits >= 2


# --- generated news feeds ----------------------------------------------------------------------------------
_WORDS = ["Seoul", "Tokyo", "Washington", "trilateral", "summit", "missile", "economy", "rates", "storm", "council"]
_CJK = ["한미일 외교장관 회의", "日米韓首脳会談", "中国经济", "서울 날씨", "東京オリンピック"]
_TITLE_FORMS = [
    lambda rng, w: w,
    lambda rng, w: w + " &amp; more",
    lambda rng, w: f"<![CDATA[{w} <b>bold</b> & co]]>",
    lambda rng, w: f"{w} &lt;em&gt;quoted&lt;/em&gt;",
    lambda rng, w: f"{w} &#26085;&#31859;&#38867; &#x2014; news",
    lambda rng, w: rng.choice(_CJK),
    lambda rng, w: f"  {w}\n  spread over lines  ",
    lambda rng, w: f"{w} &#147;quoted&#148; &#8220;curly&#8221;",
    lambda rng, w: f"{w} Ã©tÃ© mojibake",
    lambda rng, w: "",
]
_DESC_FORMS = [
    lambda rng, w: f"<![CDATA[<p>{w} <a href=\"/rel\">link</a></p><img src=\"x.jpg\"/>]]>",
    lambda rng, w: f"&lt;p&gt;{w} &amp;amp; &lt;b&gt;x&lt;/b&gt;&lt;/p&gt;",
    lambda rng, w: f"{w} plain text, nothing else.",
    lambda rng, w: f"{w} &amp;nbsp; &amp;copy; 2026 &lt;br/&gt;",
    lambda rng, w: f"<![CDATA[{rng.choice(_CJK)} <script>alert(1)</script> 본문]]>",
    lambda rng, w: "",
    lambda rng, w: f"{w} 5 &lt; 6 &amp;&amp; 7 &gt; 3",
]
_GUIDS = [
    lambda rng, i: (f'<guid isPermaLink="false">urn:news:{i}</guid>', True),
    lambda rng, i: (f"<guid>https://news.example.com/a/{i}.html</guid>", True),
    lambda rng, i: (f"<guid>/relative/{i}</guid>", True),
    lambda rng, i: (f'<guid isPermaLink="true">a{i}</guid>', True),
    lambda rng, i: (f'<guid isPermaLink="False">g-{i}</guid>', True),
    lambda rng, i: (f"<guid>tag:news.example.com,2026:{i}</guid>", True),
    lambda rng, i: ("", False),
]
_LINKS = [
    lambda rng, i: f"<link>https://news.example.com/story/{i}?a=1&amp;b=2</link>",
    lambda rng, i: f"<link>/story/{i}</link>",
    lambda rng, i: f"<link>  https://news.example.com/s/{i}  </link>",
    lambda rng, i: f"<link>javascript:alert({i})</link>",
    lambda rng, i: "",
]


def _rfc822(rng: random.Random, when: dt.datetime) -> str:
    forms = [
        lambda: format_datetime(when),
        lambda: format_datetime(when.astimezone(dt.timezone(dt.timedelta(hours=9)))),
        lambda: when.strftime("%a, %d %b %Y %H:%M:%S GMT"),
        lambda: when.strftime("%d %b %Y %H:%M:%S EST"),
        lambda: when.strftime("%Y-%m-%dT%H:%M:%SZ"),
        lambda: when.strftime("%Y-%m-%dT%H:%M:%S+09:00"),
        lambda: "not a date",
        lambda: "Tue, 31 Feb 2026 10:00:00 GMT",
    ]
    return rng.choice(forms)()


def _rss_item(rng: random.Random, i: int, when: dt.datetime) -> str:
    w = " ".join(rng.sample(_WORDS, 3))
    parts = [
        f"<title>{rng.choice(_TITLE_FORMS)(rng, w)}</title>",
        rng.choice(_LINKS)(rng, i),
        rng.choice(_GUIDS)(rng, i)[0],
        rng.choice([f"<pubDate>{_rfc822(rng, when)}</pubDate>", f"<dc:date>{_rfc822(rng, when)}</dc:date>", ""]),
        rng.choice(["<dc:creator>Kim Min-jun</dc:creator>", "<author>reporter@example.com (Jane Roe)</author>",
                    "<dc:creator><![CDATA[ 田中 太郎 ]]></dc:creator>", ""]),
        rng.choice(["<category>World</category>", '<category domain="x">A</category><category>B</category>', ""]),
        rng.choice(['<enclosure url="https://cdn.example.com/a.jpg" type="image/jpeg" length="1"/>',
                    '<media:thumbnail url="https://cdn.example.com/t.jpg" width="120"/>', "",
                    "<comments>https://news.example.com/c</comments>", "<slash:comments>4</slash:comments>"]),
    ]
    desc = f"<description>{rng.choice(_DESC_FORMS)(rng, w)}</description>" if rng.random() < 0.9 else ""
    content = f"<content:encoded>{rng.choice(_DESC_FORMS)(rng, w)}</content:encoded>" if rng.random() < 0.4 else ""
    parts += [desc, content] if rng.random() < 0.5 else [content, desc]
    if rng.random() < 0.1:
        parts.append(f"<language>{rng.choice(['ko', 'ja', 'en-us'])}</language>")
    if rng.random() < 0.05:
        parts.append('<atom:link rel="alternate" href="https://alt.example.com/x"/>')
    rng.shuffle(parts)
    return "<item>" + "\n".join(p for p in parts if p) + "</item>\n"


def _atom_entry(rng: random.Random, i: int, when: dt.datetime) -> str:
    w = " ".join(rng.sample(_WORDS, 3))
    title_type = rng.choice(["", ' type="text"', ' type="html"'])
    title = rng.choice(_TITLE_FORMS)(rng, w)
    if title_type == ' type="html"' and rng.random() < 0.5:
        title = f"{w} &lt;b&gt;bold&lt;/b&gt; &amp;amp;"
    links = rng.choice([
        f'<link href="https://news.example.com/e/{i}"/>',
        f'<link rel="alternate" type="text/html" href="/e/{i}?x=1&amp;y=2"/>',
        f'<link rel="self" href="https://news.example.com/api/{i}"/><link rel="alternate" href="e/{i}"/>',
        f'<link rel="alternate" href="https://a.example.com/{i}"/><link rel="alternate" href="https://b.example.com/{i}"/>',
        f'<link rel="enclosure" type="audio/mpeg" href="https://cdn.example.com/{i}.mp3"/>',
        "",
    ])
    parts = [
        f"<title{title_type}>{title}</title>",
        links,
        rng.choice([f"<id>urn:uuid:0000-{i}</id>", f"<id>tag:example.com,2026:{i}</id>",
                    f"<id>https://news.example.com/id/{i}</id>", f"<id>rel/{i}</id>", ""]),
        rng.choice([f"<published>{when.isoformat()}</published>", ""]),
        rng.choice([f"<updated>{(when + dt.timedelta(minutes=5)).strftime('%Y-%m-%dT%H:%M:%SZ')}</updated>", ""]),
        rng.choice(["<author><name>Lee</name></author>",
                    "<author><name>Lee</name><email>lee@example.com</email></author>",
                    "<author>\n <name> Sato </name>\n <uri>https://example.com/sato</uri>\n</author>",
                    "<author><email>x@example.com</email></author>", ""]),
        rng.choice(['<category term="world"/>', ""]),
    ]
    summary_type = rng.choice(["", ' type="html"', ' type="text"'])
    content_type = rng.choice([' type="html"', ' type="text"', ""])
    if rng.random() < 0.8:
        parts.append(f"<summary{summary_type}>{rng.choice(_DESC_FORMS)(rng, w)}</summary>")
    if rng.random() < 0.5:
        parts.append(f"<content{content_type}>{rng.choice(_DESC_FORMS)(rng, w)}</content>")
    rng.shuffle(parts)
    return "<entry>" + "\n".join(p for p in parts if p) + "</entry>\n"


def _generated_feed(seed: int) -> tuple[bytes, dict[str, str]]:
    rng = random.Random(seed)
    base = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)
    n = rng.randint(1, 30)
    whens = [base - dt.timedelta(minutes=rng.randint(0, 5000)) for _ in range(n)]
    name = rng.choice(["Pacific Herald", "서울 데일리", "東京タイムズ", "News &amp; Views", "<![CDATA[The <Daily>]]>"])
    if rng.random() < 0.65:
        body = "".join(_rss_item(rng, i, whens[i]) for i in range(n))
        channel = (
            f"<title>{name}</title><link>https://news.example.com/</link><description>Latest</description>"
            + rng.choice(["<language>en</language>", "<language>ko-KR</language>", ""])
            + '<atom:link href="https://news.example.com/feed.xml" rel="self" type="application/rss+xml"/>'
            + rng.choice(["<image><url>https://news.example.com/logo.png</url><title>Logo</title>"
                          "<link>https://news.example.com/</link></image>", "", "<ttl>15</ttl>"])
        )
        doc = (
            '<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:atom="http://www.w3.org/2005/Atom" '
            'xmlns:media="http://search.yahoo.com/mrss/" xmlns:slash="http://purl.org/rss/1.0/modules/slash/">'
            f"<channel>{channel}\n{body}</channel></rss>"
        )
    else:
        body = "".join(_atom_entry(rng, i, whens[i]) for i in range(n))
        lang = rng.choice(["", ' xml:lang="ja"', ' xml:lang="en-US"'])
        doc = (
            f'<feed xmlns="http://www.w3.org/2005/Atom"{lang}><title type="{rng.choice(["text", "html"])}">{name}</title>'
            f'<link rel="self" href="https://news.example.com/atom"/><id>urn:feed</id>'
            f"<updated>{base.isoformat()}</updated>\n{body}</feed>"
        )
    prolog = rng.choice(['<?xml version="1.0" encoding="utf-8"?>\n', "", "\ufeff", '<?xml version="1.0"?>'])
    headers = rng.choice([{}, {"Content-Type": "application/rss+xml; charset=utf-8"}, {"Content-Type": "text/xml"},
                          {"Content-Language": "ko"}, {"Content-Location": "https://mirror.example.org/feeds/"}])
    return (prolog + doc).encode("utf-8"), headers


def test_generated_feeds_same_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    bodies = [(f"gen{seed:03d}.xml", *_generated_feed(seed)) for seed in range(300)]
    hits, diffs = _compare(bodies, monkeypatch)
    print(f"\ngenerated feeds: {hits} of {len(bodies)} took the fast path")
    assert diffs == []
    assert hits >= 200


def test_fast_path_is_taken_and_faster() -> None:
    body, headers = _generated_feed(7)
    assert fastparse.parse(b"<rss><channel><item><title>x</title></item></channel></rss>", "https://e.com/", None)
    fast = parse_feed(body, url="https://e.com/feed", headers=headers, now=NOW, fast=True)
    slow = parse_feed(body, url="https://e.com/feed", headers=headers, now=NOW, fast=False)
    assert fast == slow


# --- hostile input, aimed at the fast path -----------------------------------------------------------------
def _rss(items: str, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{prolog}<rss version="2.0"><channel><title>t</title>'
        f"{items}</channel></rss>"
    ).encode()


def _both(body: bytes, **kw: Any) -> ParseResult:
    fast = parse_feed(body, url="https://e.com/feed", fast=True, **kw)
    slow = parse_feed(body, url="https://e.com/feed", fast=False, **kw)
    assert _key(fast) == _key(slow)
    return fast


def test_fast_billion_laughs_and_quadratic_blowup() -> None:
    levels = ['<!ENTITY l0 "lol">'] + [f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)]
    laughs = _rss("<item><title>&l9;</title></item>", f'<!DOCTYPE rss [{"".join(levels)}]>')
    quad = _rss("<item><title>q</title><description>" + "&big;" * 10_000 + "</description></item>",
                f'<!DOCTYPE rss [<!ENTITY big "{"A" * 100_000}">]>')
    for body in (laughs, quad):
        t0 = time.perf_counter()
        assert fastparse.parse(body, "https://e.com/", None) is None  # declarations present: never parsed here
        stripped = strip_dtd(body)[0]
        assert fastparse.parse(stripped, "https://e.com/", None) is None  # undefined entity: lxml refuses
        res = _both(body)
        assert time.perf_counter() - t0 < 2.0
        assert "lollol" not in str(res) and "A" * 1000 not in str(res)


def test_fast_xxe_never_reads_files() -> None:
    body = _rss("<item><title>a &xxe; b</title><description>&xxe;</description></item>",
                '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
    assert fastparse.parse(body, "https://e.com/", None) is None
    assert fastparse.parse(strip_dtd(body)[0], "https://e.com/", None) is None
    res = _both(body)
    assert "root:" not in str(res)


def test_fast_external_dtd_and_entities_never_fetched(loopback: str) -> None:
    cases = [
        _rss("<item><title>&ext;</title></item>", f'<!DOCTYPE rss SYSTEM "{loopback}/x.dtd">'),
        _rss("<item><title>&ext;</title></item>", f'<!DOCTYPE rss [<!ENTITY % d SYSTEM "{loopback}/p.dtd"> %d;]>'),
        _rss("<item><title>&e;</title></item>", f'<!DOCTYPE rss [<!ENTITY e SYSTEM "{loopback}/e.txt">]>'),
        _rss(f'<item><title xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="{loopback}/i"/></title>'
             "</item>"),
        _rss(f'<item><link xml:base="{loopback}/">x</link></item>'),
    ]
    for body in cases:
        for data in (body, strip_dtd(body)[0]):
            res = fastparse.parse(data, f"{loopback}/feed", None)
            assert res is None or "EXTERNAL-DTD-WAS-READ" not in str(res)
        res2 = _both(body, headers={"Content-Location": f"{loopback}/"})
        assert "EXTERNAL-DTD-WAS-READ" not in str(res2)
    time.sleep(0.2)
    assert DtdServer.hits == []


def test_fast_caps_and_deep_nesting() -> None:
    items = "".join(f'<item><title>n{i}</title><guid isPermaLink="false">g{i}</guid></item>' for i in range(5_000))
    res = _both(_rss(items), max_entries=500)
    assert len(res.entries) == 500 and res.skipped == 4_500
    res = _both(_rss("<item><title>" + "T" * 300_000 + "</title></item>"), max_field_chars=1000)
    assert len(res.entries[0].title) == 1000
    assert fastparse.parse(_rss("<item><title>x</title>" + "<a>" * 5_000 + "</a>" * 5_000 + "</item>"),
                           "https://e.com/", None) is None
    _both(_rss("<item><title>x</title>" + "<a>" * 5_000 + "</a>" * 5_000 + "</item>"))


def test_fast_declines_the_unusual() -> None:
    base = "https://e.com/feed"
    declined = [
        _rss('<item xml:base="https://other/"><link>x</link></item>'),
        _rss('<item><title type="xhtml">x</title></item>'),
        _rss('<item><description mode="base64">eA==</description></item>'),
        _rss("<item><description>a</description><description>b</description></item>"),
        _rss('<item><x:title xmlns:x="urn:unknown">t</x:title></item>'),
        _rss('<item><dc:title xmlns:dc="http://www.w3.org/2005/Atom">t</dc:title></item>'),
        _rss("<item><title>a<b>b</b></title></item>"),
        _rss("<item><itunes:summary xmlns:itunes='http://www.itunes.com/DTDs/PodCast-1.0.dtd'>s</itunes:summary></item>"),
        b"<html><body>not a feed</body></html>",
        b"<rss><channel><item><title>&nbsp;</title></item></channel></rss>",
    ]
    for body in declined:
        assert fastparse.parse(body, base, None) is None, body
        _both(body)
