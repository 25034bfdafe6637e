"""Hostile and oversized input (anchors notes, fault cases 19-23, 25): real parsers, real loopback server."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.dtdserver import DtdServer
from watcher.errors import Outcome
from watcher.feeds.parse import parse_feed, strip_dtd
from watcher.types import ParseResult

PASSWD = Path("/etc/passwd").read_text(errors="replace") if Path("/etc/passwd").exists() else "root:x:0:0"
FIRST_PASSWD_LINE = PASSWD.splitlines()[0] if PASSWD.strip() else "root:x:0:0"


def _all_text(res: ParseResult) -> str:
    return (res.title or "") + "".join(e.title + e.summary + e.content + (e.url or "") for e in res.entries)


def _rss(items: str, prolog: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="utf-8"?>{prolog}<rss version="2.0"><channel><title>t</title>'
        f"{items}</channel></rss>"
    ).encode()


def test_quadratic_blowup_is_not_expanded() -> None:
    big = "A" * 100_000
    refs = "&big;" * 10_000
    body = _rss(f"<item><title>q</title><description>{refs}</description></item>",
                f'<!DOCTYPE rss [<!ENTITY big "{big}">]>')
    t0 = time.perf_counter()
    res = parse_feed(body, url="https://e.com/feed")
    elapsed = time.perf_counter() - t0
    assert elapsed < 1.0
    assert res.outcome is Outcome.OK
    assert len(_all_text(res)) < 200_000  # 10k expansions would be 1 GB
    assert "A" * 1000 not in _all_text(res)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-16-be", "utf-32"])
def test_billion_laughs_in_any_encoding(encoding: str) -> None:
    levels = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{i} "{("&l" + str(i - 1) + ";") * 10}">' for i in range(1, 10)
    ]
    doc = (
        f'<?xml version="1.0" encoding="{encoding}"?><!DOCTYPE rss [{"".join(levels)}]>'
        '<rss version="2.0"><channel><title>t</title><item><title>&l9;</title></item></channel></rss>'
    )
    t0 = time.perf_counter()
    res = parse_feed(doc.encode(encoding), url="https://e.com/feed")
    assert time.perf_counter() - t0 < 1.0
    assert res.outcome in (Outcome.OK, Outcome.MALFORMED)
    assert "lollol" not in _all_text(res)


def test_strip_dtd_keeps_the_document_and_drops_declarations() -> None:
    doc = (b'<?xml version="1.0"?>\n<!-- c --><!DOCTYPE rss PUBLIC "-//x//EN" "http://x/dtd" '
           b'[ <!-- ]> --> <!ENTITY a "]>"> <?pi ]>?> ]>\n<rss><a>x</a></rss>')
    out, root, removed = strip_dtd(doc)
    assert removed and b"ENTITY" not in out and b"DOCTYPE" not in out
    assert out[root:].startswith(b"<rss>") and out.endswith(b"<rss><a>x</a></rss>")
    assert strip_dtd(b"<rss/>") == (b"<rss/>", 0, False)
    # unterminated: swallows the rest, like a parser would
    assert strip_dtd(b'<!DOCTYPE x [ <!ENTITY a "x"> <rss/>')[0] == b""


def test_xxe_local_file_is_never_read() -> None:
    body = _rss("<item><title>a &xxe; b</title><description>&xxe;</description>"
                "<link>https://e.com/&xxe;</link></item>",
                '<!DOCTYPE rss [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>')
    res = parse_feed(body, url="https://e.com/feed")
    assert res.outcome is Outcome.OK
    assert FIRST_PASSWD_LINE not in _all_text(res)
    assert "root:" not in _all_text(res)


def test_external_dtd_and_entities_never_fetched(loopback: str) -> None:
    cases = [
        _rss("<item><title>&ext;</title></item>", f'<!DOCTYPE rss SYSTEM "{loopback}/x.dtd">'),
        _rss("<item><title>&ext;</title></item>", f'<!DOCTYPE rss [<!ENTITY % d SYSTEM "{loopback}/p.dtd"> %d;]>'),
        _rss("<item><title>&e;</title></item>", f'<!DOCTYPE rss [<!ENTITY e SYSTEM "{loopback}/e.txt">]>'),
        f"{loopback}/feed.xml".encode(),  # a body that is a URL: feedparser.parse() would fetch it
    ]
    for body in cases:
        res = parse_feed(body, url=f"{loopback}/feed", headers={"Content-Location": f"{loopback}/"})
        assert "EXTERNAL-DTD-WAS-READ" not in _all_text(res)
    time.sleep(0.2)
    assert DtdServer.hits == []


def test_body_naming_a_local_file_is_not_opened() -> None:
    # feedparser.parse(bytes) would open() a path; parse_feed treats the bytes as the document.
    res = parse_feed(b"/etc/passwd", url="https://e.com/feed")
    assert res.outcome is Outcome.NOT_A_FEED
    assert "root" not in (res.error or "")


def test_empty_body() -> None:
    assert parse_feed(b"", url="https://e.com/f").outcome is Outcome.EMPTY_BODY
    assert parse_feed(b" \r\n\t ", url="https://e.com/f").outcome is Outcome.EMPTY_BODY


def test_body_over_cap_is_refused_fast() -> None:
    body = _rss("<item><title>x</title><description>" + "x" * (50 * 1024 * 1024) + "</description></item>")
    t0 = time.perf_counter()
    res = parse_feed(body, url="https://e.com/feed")
    assert time.perf_counter() - t0 < 0.5
    assert res.outcome is Outcome.MALFORMED and "too large" in (res.error or "")


def test_huge_description_within_cap_is_capped() -> None:
    chunk = "<p>Japan and South Korea &amp; the U.S. met.</p> "
    desc = chunk * (15 * 1024 * 1024 // len(chunk))
    body = _rss(f"<item><title>big</title><description><![CDATA[{desc}]]></description></item>")
    t0 = time.perf_counter()
    res = parse_feed(body, url="https://e.com/feed", max_field_chars=10_000)
    elapsed = time.perf_counter() - t0
    assert res.outcome is Outcome.OK
    assert len(res.entries[0].summary) == 10_000
    assert elapsed < 10.0, elapsed


def test_huge_title_is_capped() -> None:
    body = _rss("<item><title>" + "T" * (5 * 1024 * 1024) + "</title></item>")
    res = parse_feed(body, url="https://e.com/feed")
    assert len(res.entries[0].title) == 200_000


def test_many_entries_are_cut_before_parsing() -> None:
    items = "".join(f"<item><title>n{i}</title><guid isPermaLink=\"false\">g{i}</guid></item>" for i in range(100_000))
    body = _rss(items)
    t0 = time.perf_counter()
    res = parse_feed(body, url="https://e.com/feed", max_entries=500)
    elapsed = time.perf_counter() - t0
    assert res.outcome is Outcome.OK and res.error is None  # the cut keeps the document well-formed
    assert len(res.entries) == 500 and res.skipped == 99_500
    assert res.entries[-1].guid == "g499"
    assert elapsed < 5.0, elapsed


def test_deeply_nested_json_is_malformed_not_a_crash() -> None:
    body = b'{"version": "https://jsonfeed.org/version/1", "items": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    res = parse_feed(body, url="https://e.com/feed.json")
    assert res.outcome in (Outcome.MALFORMED, Outcome.NOT_A_FEED)


def test_deeply_nested_xml() -> None:
    body = _rss("<item><title>x</title>" + "<a>" * 50_000 + "</a>" * 50_000 + "</item>")
    res = parse_feed(body, url="https://e.com/feed")
    assert res.outcome is Outcome.OK


def test_dates_are_clamped_relative_to_now() -> None:
    import datetime as dt

    body = _rss("<item><title>x</title><pubDate>Wed, 10 Jul 2024 00:00:00 GMT</pubDate></item>")
    early = dt.datetime(2024, 7, 1, tzinfo=dt.UTC)
    assert parse_feed(body, url="https://e.com/f", now=early).entries[0].published_at is None
    late = dt.datetime(2024, 7, 9, 1, tzinfo=dt.UTC)
    assert parse_feed(body, url="https://e.com/f", now=late).entries[0].published_at == dt.datetime(
        2024, 7, 10, tzinfo=dt.UTC
    )


def test_expat_reader_refuses_entity_declarations_itself() -> None:
    # Second line of defence, in case a DOCTYPE ever got past strip_dtd.
    import io
    import xml.sax

    from watcher.feeds.parse import _DefusedExpatParser

    for doc in (b'<!DOCTYPE r [<!ENTITY a "x">]><r>&a;</r>', b'<!DOCTYPE r [<!ENTITY a SYSTEM "file:///etc/passwd">]><r>&a;</r>'):
        reader = _DefusedExpatParser()
        reader.setContentHandler(xml.sax.handler.ContentHandler())
        source = xml.sax.xmlreader.InputSource()
        source.setByteStream(io.BytesIO(doc))
        with pytest.raises(xml.sax.SAXException):
            reader.parse(source)
