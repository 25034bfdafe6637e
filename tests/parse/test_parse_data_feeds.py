"""Every file in tests/data/feeds/ says what it expects in a header (an XML comment, or "_expect" in JSON):

    <!-- expect: outcome=ok entries=2 relevant=1 url0=https://... date0=none title0="..." -->

Keys: outcome, entries, relevant (via process_feed), urlN / dateN / titleN (entry N; "none" for None),
maxchars (total text of all entries at most this), bozo=yes (an error is recorded), header=Name:value.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from watcher.errors import Outcome
from watcher.feeds.parse import parse_feed
from watcher.ingest.jobs import process_feed

DATA = Path(__file__).resolve().parents[1] / "data" / "feeds"
FILES = sorted(p for p in DATA.iterdir() if p.is_file())
PASSWD_MARKERS = ("root:x:0:0", "/bin/bash", "/usr/sbin/nologin")
_PAIR = re.compile(r'(\w+)=("[^"]*"|\S+)')


def _expectations(raw: bytes) -> dict[str, str]:
    if raw.lstrip().startswith(b"{"):
        m = re.search(rb'"_expect"\s*:\s*"([^"]*)"', raw)
        assert m, "JSON fixture without _expect"
        line = m.group(1).decode()
    else:
        m = re.search(rb"expect:(.*?)-->", raw, re.S)
        assert m, "fixture without an expect: header"
        enc = re.search(rb'encoding="([\w-]+)"', raw[:100])
        try:
            line = m.group(1).decode("utf-8")
        except UnicodeDecodeError:
            line = m.group(1).decode(enc.group(1).decode() if enc else "latin-1")
    return {k: v.strip('"') for k, v in _PAIR.findall(line)}


def test_fixture_set_is_complete() -> None:
    assert len(FILES) >= 20


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_data_feed(path: Path) -> None:
    raw = path.read_bytes()
    exp = _expectations(raw)
    headers: dict[str, str] = {}
    if "header" in exp:
        name, _, value = exp["header"].partition(":")
        headers[name] = value
    url = "https://feeds.example.com/" + path.name
    res = parse_feed(raw, url=url, headers=headers)
    assert res.outcome == Outcome(exp["outcome"]), res.error
    if "entries" in exp:
        assert len(res.entries) == int(exp["entries"])
    for key, want in exp.items():
        m = re.fullmatch(r"(url|date|title)(\d+)", key)
        if not m:
            continue
        entry = res.entries[int(m.group(2))]
        if m.group(1) == "url":
            assert entry.url == (None if want == "none" else want)
        elif m.group(1) == "title":
            assert entry.title == want
        else:
            got = entry.published_at
            assert got == (None if want == "none" else dt.datetime.fromisoformat(want))
            if got is not None:
                assert got.tzinfo is not None and got.utcoffset() == dt.timedelta(0)
    text = "".join(e.title + e.summary + e.content for e in res.entries)
    if "maxchars" in exp:
        assert len(text) <= int(exp["maxchars"])
    if exp.get("bozo") == "yes":
        assert res.error
    assert not any(marker in text for marker in PASSWD_MARKERS)
    if "relevant" in exp:
        processed = process_feed(raw, url, tuple(headers.items()), 500)
        assert processed.outcome == res.outcome
        assert len(processed.relevant) == int(exp["relevant"]), [r.reasons for _, r in processed.relevant]


def test_rss_entry_fields_are_plain_text() -> None:
    res = parse_feed((DATA / "rss20_basic.xml").read_bytes(), url="https://example.com/feed.xml")
    first = res.entries[0]
    assert res.title == "World News"
    assert first.guid == "tri-1"
    assert first.summary == "Leaders met at Camp David."
    assert "<" not in first.summary and "alert" not in first.summary


def test_atom_html_title_is_stripped() -> None:
    res = parse_feed((DATA / "atom10_xml_base.xml").read_bytes(), url="https://feeds.example.com/a.xml")
    assert res.entries[0].title == "Freedom Edge drill begins"
    assert res.entries[1].content == "Sunny."


def test_json_feed_fields() -> None:
    res = parse_feed((DATA / "jsonfeed_basic.json").read_bytes(), url="https://example.org/feed.json",
                     headers={"Content-Type": "application/feed+json"})
    assert res.title == "JSON News"
    e = res.entries[0]
    assert e.guid == "1" and e.content == "한·미·일 3국 장관이 만났다."
    assert e.published_at == dt.datetime(2024, 9, 23, 1, 0, tzinfo=dt.UTC)
    assert res.entries[1].url is None  # javascript: never becomes a link


def test_json_feed_caps() -> None:
    items = [{"id": str(i), "title": "x" * 50, "content_text": "y" * 5000} for i in range(30)]
    body = json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": items}).encode()
    res = parse_feed(body, url="https://e.com/f.json", max_entries=10, max_field_chars=100)
    assert res.outcome is Outcome.OK and len(res.entries) == 10 and res.skipped == 20
    assert all(len(e.content) == 100 for e in res.entries)
