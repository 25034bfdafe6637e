"""Main-text extraction from news pages (selectolax, BeautifulSoup fallback)."""

from __future__ import annotations

import datetime as dt

import pytest

import watcher.content.page as extract_mod
from watcher.content.page import extract_article, parse_date
from watcher.errors import Outcome

PAGE = b"""<!doctype html><html><head><meta charset="utf-8"><title>Site | Allies meet</title>
<link rel="canonical" href="/news/123?utm_source=x&b=2&a=1#top">
<meta property="og:title" content="Allies meet in Seoul">
<meta property="article:published_time" content="2024-07-01T09:00:00+09:00">
<script>document.write("SCRIPT-TEXT")</script><style>p{color:red}</style></head>
<body><header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
<div class="share-buttons"><a>Share on X</a></div>
<article><h1>Allies meet in Seoul</h1>
<p>Officials from the United States, Japan and South Korea met in Seoul on Monday.</p>
<p>They agreed to hold the <b>Freedom Edge</b> exercise again next year.</p>
<div class="related-articles"><h3>Related</h3><ul><li><a href="/a">Other story</a></li></ul></div>
<p>Advertisement</p><p>The next summit will be held in Tokyo.</p>
<img src=x onerror="alert('XSS')"></article>
<section id="comments"><p>Great article!</p></section><footer>(c) 2024 News</footer></body></html>"""


def test_news_page() -> None:
    r = extract_article(PAGE, url="https://News.Example.com/world/x")
    assert r.outcome is Outcome.OK
    assert r.title == "Allies meet in Seoul"
    assert r.canonical_url == "https://news.example.com/news/123?a=1&b=2"
    assert r.published_at == dt.datetime(2024, 7, 1, 0, 0, tzinfo=dt.UTC)
    assert r.text.split("\n\n") == [
        "Officials from the United States, Japan and South Korea met in Seoul on Monday.",
        "They agreed to hold the Freedom Edge exercise again next year.",
        "The next summit will be held in Tokyo.",
    ]
    for junk in ("SCRIPT-TEXT", "color:red", "Share on X", "Other story", "Great article", "Home", "XSS", "<"):
        assert junk not in r.text


def test_korean_page_with_br_body_in_euc_kr() -> None:
    html = """<html><head><meta http-equiv="Content-Type" content="text/html; charset=euc-kr">
    <title>한미일 정상회의</title><meta name="pubdate" content="2024.08.18 14:30"></head><body>
    <div class="menu">홈 | 정치 | 국제</div>
    <div id="articleBody">한·미·일 정상이 캠프 데이비드에서 만났다.<br><br>세 정상은 3국 협력을 제도화하기로 했다.<br>
    <br>저작권자 뉴스 무단 전재 및 재배포 금지</div><div class="footer-info">회사소개</div></body></html>"""
    r = extract_article(html.encode("euc-kr"), url="https://news.example.kr/a/1")
    assert r.outcome is Outcome.OK
    assert r.text == "한·미·일 정상이 캠프 데이비드에서 만났다.\n\n세 정상은 3국 협력을 제도화하기로 했다."
    assert r.title == "한미일 정상회의"
    assert r.published_at == dt.datetime(2024, 8, 18, 14, 30, tzinfo=dt.UTC)


def test_charset_from_http_header_and_json_ld_date() -> None:
    html = """<html><head><script type="application/ld+json">{"@type": "NewsArticle",
    "datePublished": "2024-03-02T01:02:03Z"}</script></head><body><main><p>日米韓の協力について首脳が会談した。</p>
    </main></body></html>"""
    r = extract_article(html.encode("shift_jis"), content_type="text/html; charset=Shift_JIS")
    assert r.text == "日米韓の協力について首脳が会談した。"
    assert r.published_at == dt.datetime(2024, 3, 2, 1, 2, 3, tzinfo=dt.UTC)
    assert r.canonical_url is None


def test_empty_binary_and_textless() -> None:
    assert extract_article(b"").outcome is Outcome.EMPTY_BODY
    assert extract_article("   ").outcome is Outcome.EMPTY_BODY
    assert extract_article(bytes(range(256)) * 64).outcome is Outcome.MALFORMED
    r = extract_article(b"<html><head><script>x()</script></head><body><nav>menu</nav></body></html>")
    assert r.outcome is Outcome.MALFORMED and r.text == ""


def test_unsafe_canonical_and_far_future_date_dropped() -> None:
    html = ('<html><head><link rel="canonical" href="javascript:alert(1)">'
            '<meta property="article:published_time" content="2999-01-01T00:00:00Z"></head>'
            "<body><p>Some text that is long enough to be the body.</p></body></html>")
    r = extract_article(html, url="https://e.com/a")
    assert r.canonical_url is None and r.published_at is None and r.outcome is Outcome.OK


def test_max_chars() -> None:
    html = "<html><body><article>" + "".join(f"<p>word {i} word word.</p>" for i in range(5000)) + "</article></body></html>"
    r = extract_article(html, max_chars=1000)
    assert len(r.text) == 1000


def test_bs4_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("lexbor failed")

    monkeypatch.setattr(extract_mod, "_lexbor_extract", boom)
    r = extract_article(PAGE, url="https://news.example.com/world/x")
    assert r.outcome is Outcome.OK
    assert "Officials from the United States" in r.text and "SCRIPT-TEXT" not in r.text
    assert r.canonical_url == "https://news.example.com/news/123?a=1&b=2"


def test_parse_date_forms() -> None:
    now = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    assert parse_date("Tue, 02 Jan 2024 12:04:05 +0900", now) == dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert parse_date("2024-01-02", now) == dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    assert parse_date("1970-01-01T00:00:00Z", now) is None
    assert parse_date("garbage", now) is None
