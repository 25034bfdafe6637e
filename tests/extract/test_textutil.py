"""Pure helpers: canonical URLs, hashes, simhash, HTML → text."""

from __future__ import annotations

import time

import pytest

from watcher.content.text import (
    canonical_url,
    collapse_spaces,
    content_hash,
    html_to_text,
    near_duplicate,
    normalize_text,
    simhash,
)


def test_canonical_url() -> None:
    assert canonical_url("HTTPS://News.Example.COM:443/a/b?utm_source=x&b=2&a=1&fbclid=z#frag") == (
        "https://news.example.com/a/b?a=1&b=2"
    )
    assert canonical_url("http://e.com:80") == "http://e.com/"
    assert canonical_url("http://e.com:8080/x?ref=home&gclid=1") == "http://e.com:8080/x"
    assert canonical_url("../c?q=1", base="https://e.com/a/b/") == "https://e.com/a/c?q=1"
    assert canonical_url("http://[::1]:8000/x") == "http://[::1]:8000/x"
    assert canonical_url("http://[::1") == "http://[::1"  # unparseable: returned, never raises
    assert canonical_url(" https://e.com/x?utm_medium=rss ") == "https://e.com/x"


def test_content_hash_ignores_case_width_and_whitespace() -> None:
    assert content_hash("Hello  World\n") == content_hash("hello world")
    assert content_hash("ＡＢＣ") == content_hash("abc")
    assert content_hash("a") != content_hash("b")


def test_normalize_text() -> None:
    assert normalize_text(" a\u00a0\u3000b\n\tc ") == "a b c"


ARTICLE = (
    "The leaders of the United States, Japan and South Korea agreed on Friday to hold trilateral summits every "
    "year and to share real-time missile warning data, in a step that officials called historic. "
) * 3


def test_simhash_near_duplicates() -> None:
    a = simhash(ARTICLE + " Reported by Agency A.")
    b = simhash(ARTICLE + " Reported by Outlet B.")
    c = simhash("A completely different story about football results and the weather in Europe. " * 5)
    assert near_duplicate(a, b, max_distance=8)
    assert not near_duplicate(a, c)
    assert simhash("") == 0 and 0 <= a < 2**64
    assert simhash(ARTICLE) == simhash(ARTICLE)  # stable


def test_simhash_cjk() -> None:
    ko = "한미일 정상은 캠프 데이비드에서 만나 3국 협력을 제도화하기로 합의했다. 매년 정상회의를 열기로 했다. " * 3
    a = simhash(ko + "연합뉴스")
    b = simhash(ko + "뉴시스")
    c = simhash("오늘 서울의 날씨는 맑고 기온은 영상 10도까지 오르겠습니다. 내일은 비가 오겠습니다. " * 3)
    assert near_duplicate(a, b, max_distance=8)
    assert not near_duplicate(a, c)


def test_html_to_text() -> None:
    assert html_to_text("<p>fo<b>o</b></p><p>bar &amp; baz&nbsp;!</p>") == "foo bar & baz !"
    assert html_to_text("<script>alert(1)</script><style>x{}</style><!-- c -->ok") == "ok"
    assert html_to_text("&lt;script&gt;") == "<script>"  # decoded to text, never re-parsed
    assert html_to_text("a < b and c > d") == "a < b and c > d"
    assert html_to_text("x" * 1000, max_chars=10) == "x" * 10


def test_html_to_text_is_linear_on_hostile_input() -> None:
    for hostile in ("<a" * 200_000, "<!--" * 200_000, "<script" * 100_000, "<p " * 200_000):
        t0 = time.perf_counter()
        html_to_text(hostile)
        assert time.perf_counter() - t0 < 0.5, hostile[:10]


@pytest.mark.parametrize(("text", "expected"), [
    ("The leaders of South Korea, the United States and Japan agreed to launch a trilateral secretariat.",
     0xAC9235426BC62C82),
    ("한미일 정상은 리마에서 만나 한미일 사무국 출범에 합의했다.", 0xBF5A2C4BCE77E86E),
    ("日米韓の首脳はペルーのリマで会談し、日米韓事務局の設立で合意した。", 0x6040B93F932DE6B6),
    ("ＡＢＣ ﬁnance Summit 2024 in Seoul 서울", 0x9E5E0EE9F39E5FF2),
])
def test_simhash_values_never_change(text: str, expected: int) -> None:
    """Stored articles keep the simhash they were given, and new ones are clustered against them: a new
    way of computing it must give the same bits (these were computed by the first implementation)."""
    assert simhash(text) == expected


def test_collapse_spaces_takes_every_unicode_space_and_keeps_paragraphs() -> None:
    spaces = "\t\u00a0\u2003\u2009\u202f\u3000 "
    assert collapse_spaces(f"a{spaces * 3}b\nc\n\n \n\u3000\n\nd") == "a b\nc\n\nd"
    assert collapse_spaces("") == ""
    big = collapse_spaces("x" + "\u2003" * 1_000_000 + "y" + "\n" * 100_000 + "z")
    assert big == "x y\n\nz"


def test_an_ingested_document_has_no_run_of_spaces(tmp_path: object) -> None:
    from pathlib import Path

    from watcher.ingest.documents import read_document

    path = Path(str(tmp_path)) / "statement.txt"
    path.write_text("Title\n\nThe three leaders agreed" + "\u2003" * 60_000 + "to meet.\n\n\n\nNext.\n")
    art = read_document(path)
    assert art.text == "Title\n\nThe three leaders agreed to meet.\n\nNext."
