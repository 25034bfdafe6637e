"""What an analyst sees, in Debian's Chromium through Playwright, against the real server."""

from __future__ import annotations

import csv
import io
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from .conftest import XSS_IMG, XSS_TITLE, Served

pytestmark = pytest.mark.browser


def _pwned(page: Any) -> Any:
    return page.evaluate("() => window.__pwned")


def test_overview_shows_changes_and_source_health(page: Any, served: Served) -> None:
    page.goto(served.base + "/")
    assert page.locator("h1").inner_text() == "Overview"
    health = page.locator("#source-health").inner_text()
    assert re.search(r"1\s+of \d+ sources failing, the oldest since 2024-11-29", health), health
    first = page.locator("article.change").first
    assert first.locator(".badge").first.inner_text() in {"new", "advanced", "reaffirmed", "delayed", "weakened",
                                                          "dropped", "overdue"}
    assert first.locator("blockquote.evidence").inner_text().strip()
    assert "Reported by" in page.locator("article.change .change-meta").first.inner_text()
    assert page.locator("table.compact td.err").first.inner_text().startswith("timeout: read timed out <img")
    assert _pwned(page) is None


def test_search_highlights_english_and_korean(page: Any, served: Served) -> None:
    page.goto(served.base + "/articles")
    page.fill("input[name=q]", "secretariat")
    page.click("form.search button")
    page.wait_for_url(re.compile(r"q=secretariat"))
    marks = page.locator("ol.results mark")
    assert marks.count() >= 3
    assert {m.lower() for m in marks.all_inner_texts()} == {"secretariat"}
    assert "match, newest first" in page.locator("#result-count").inner_text()
    page.fill("input[name=q]", "사무국")
    page.click("form.search button")
    page.wait_for_url(re.compile(r"q=%EC%82%AC"))
    results = page.locator("li.result")
    assert results.count() == 1
    assert results.locator("a.title mark").inner_text() == "사무국"
    assert results.locator("a.title").inner_text() == "한미일 사무국 출범 준비"
    results.locator("a.title").click()
    assert page.locator("h1.article-title").inner_text() == "한미일 사무국 출범 준비"


def test_filter_by_source_and_date(page: Any, served: Served) -> None:
    page.goto(served.base + "/articles")
    page.select_option("select[name=source]", "Hostile Wire")
    page.click("form.search button")
    page.wait_for_url(re.compile(r"source=Hostile"))
    titles = page.locator("li.result a.title").all_inner_texts()
    assert sorted(titles) == sorted([f"Freedom Edge drill {XSS_IMG}", XSS_TITLE])
    page.select_option("select[name=source]", "")
    page.fill("input[name=from]", "2024-12-04")
    page.fill("input[name=to]", "2024-12-05")
    page.click("form.search button")
    page.wait_for_url(re.compile(r"from=2024-12-04"))
    assert sorted(page.locator("li.result a.title").all_inner_texts()) == sorted(
        ["한미일 사무국 출범 준비", "日米韓、事務局設置で一致"])
    assert page.locator("#result-count").inner_text().startswith("2 articles match")


def test_commitment_timeline_marks_and_evidence(page: Any, served: Served) -> None:
    page.goto(served.base + "/commitments")
    cards = page.locator("section.commitment-card")
    assert cards.count() >= 9 and page.locator("svg.timeline").count() == cards.count()
    card = page.locator("#c-trilateral_secretariat")
    assert card.locator(".badge.status-in_progress").inner_text() == "in progress"
    assert "deadline 2024-12-31" in card.locator("span.deadline").inner_text()
    assert card.locator("svg.timeline a.mark").count() == 4
    card.locator("h2 a").click()
    page.wait_for_url(re.compile(r"/commitments/trilateral_secretariat$"))
    marks = page.locator("svg.timeline a.mark")
    assert marks.count() == page.locator("article.change").count() == 4
    advanced = page.locator('svg.timeline a.mark[data-kind="advanced"]')
    advanced.hover()
    tip = page.locator(".tooltip")
    tip.wait_for(state="visible")
    assert "advanced (agreed → in progress)" in tip.inner_text() and "secretariat" in tip.inner_text()
    advanced.click()
    assert re.search(r"#change-\d+$", page.url)
    target = page.locator("article.change:target")
    assert target.locator(".badge").first.inner_text() == "advanced"
    assert "secretariat" in target.locator("blockquote").inner_text()


def test_export_csv_of_the_current_search(page: Any, served: Served) -> None:
    page.goto(served.base + "/articles?q=secretariat")
    shown = page.locator("li.result a.title").all_inner_texts()
    with page.expect_download() as info:
        page.click("#result-count a:text('CSV')")
    dl = info.value
    assert dl.suggested_filename == "watcher-articles.csv"
    rows = list(csv.DictReader(io.StringIO(Path(dl.path()).read_text(encoding="utf-8-sig"))))
    assert [r["title"] for r in rows] == shown
    assert rows and all(r["id"] and r["source"] for r in rows)


def test_review_reject_and_confirm_with_history(page: Any, served: Served) -> None:
    page.goto(served.base + "/commitments/trilateral_secretariat")
    blocks = page.locator("div.change-block")
    assert blocks.count() == 4

    def decide(i: int, who: str, comment: str, button: str) -> None:
        block = page.locator("div.change-block").nth(i)
        field = block.locator("input[name=reviewer]")
        if not field.input_value():
            field.fill(who)
        block.locator("input[name=comment]").fill(comment)
        block.locator(f"button.{button}").click()
        page.wait_for_url(re.compile(r"notice=reviewed"))

    decide(3, "Kim Analyst", "machine translation, same event", "reject")
    assert "Your decision is saved" in page.locator(".notice").inner_text()
    decide(2, "Kim Analyst", "a plan announced, not a launch", "reject")
    assert page.locator(".facts .badge").first.inner_text() == "agreed"
    decide(0, "Kim Analyst", "", "confirm")
    rows = page.locator("table.history tbody tr")
    assert rows.count() == 3
    assert "confirm" in rows.nth(0).inner_text() and "Kim Analyst" in rows.nth(0).inner_text()
    assert "a plan announced, not a launch" in rows.nth(1).inner_text()
    assert page.locator("span.review-rejected").count() == 2
    assert page.locator('svg.timeline a.mark[data-kind="advanced"] polygon').get_attribute("fill") == "#ffffff"
    # the reviewer's name is remembered by this browser
    page.goto(served.base + "/review")
    assert page.locator("input[name=reviewer]").first.input_value() == "Kim Analyst"


def test_hostile_feed_content_never_runs(page: Any, served: Served) -> None:
    aid = served.db.ids["web-test-1"]
    for path in ("/", "/articles", "/articles?q=summit", f"/articles/{aid}", "/commitments",
                 "/commitments/minted_hostile", "/sources", "/alerts", "/review"):
        page.goto(served.base + path)
        assert _pwned(page) is None, path
        assert page.locator("img[src=x]").count() == 0, path
        assert page.locator('a[href^="javascript:" i]').count() == 0, path
    page.goto(f"{served.base}/articles/{aid}")
    assert page.locator("h1.article-title").inner_text() == XSS_TITLE      # shown as text, not run
    assert page.locator("a.original").count() == 0
    assert "javascript:" in page.locator(".unsafe-link").inner_text()
    claim = page.locator(".article-text mark.claim").first
    assert claim.inner_text() == "The United States, Japan and South Korea met."
    claim.hover()
    assert "about minted_hostile" in page.locator(".tooltip").inner_text()
    assert XSS_IMG in page.locator(".article-text").inner_text()
    page.goto(served.base + "/commitments")
    page.locator("#c-minted_hostile svg.timeline a.mark").hover()
    assert XSS_IMG in page.locator(".tooltip").inner_text()
    page.goto(served.base + "/alerts")
    assert XSS_IMG in page.locator("table.alerts td.err").first.inner_text()
    assert _pwned(page) is None
    assert not [e for e in page.errors if "Content Security Policy" in e]


def _families_with(chars: set[str]) -> set[str]:
    """The installed font families (fontconfig, as Chromium sees them) that have a glyph for every char."""
    charset = " ".join(f"{ord(c):x}" for c in sorted(chars))
    out = subprocess.run(["fc-list", f":charset={charset}", "family"], capture_output=True, text=True, timeout=30)
    return {name.strip() for line in out.stdout.splitlines() for name in line.split(",") if name.strip()}


_DRAW = """([text, font]) => {
  const canvas = document.createElement('canvas');
  canvas.width = 80; canvas.height = 80;
  const g = canvas.getContext('2d');
  const draw = (ch) => {
    g.clearRect(0, 0, 80, 80); g.font = font; g.fillStyle = '#000'; g.fillText(ch, 8, 60);
    return Array.from(g.getImageData(0, 0, 80, 80).data).join(',');
  };
  const tofu = draw('\\u0378');            // an unassigned code point: the missing-glyph box
  return [...text].filter((ch) => ch.trim()).map((ch) => [ch, draw(ch) !== tofu, g.measureText(ch).width]);
}"""


@pytest.mark.parametrize(("guid", "title"), [("web-test-3", "한미일 사무국 출범 준비"),
                                             ("web-test-4", "日米韓、事務局設置で一致")])
def test_korean_and_japanese_titles_render_with_real_glyphs(page: Any, served: Served, guid: str,
                                                            title: str) -> None:
    page.goto(f"{served.base}/articles/{served.db.ids[guid]}")
    heading = page.locator("h1.article-title")
    assert heading.inner_text() == title
    assert heading.bounding_box()["width"] > 0
    # which fonts Chromium really drew the heading with, and how many glyphs each
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "h1.article-title"})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cjk = {c for c in title if ord(c) >= 0x3000}
    able = _families_with(cjk)
    drawn = sum(f["glyphCount"] for f in fonts if f["familyName"] in able)
    assert drawn >= len([c for c in title if c in cjk]), (
        f"{title!r} drawn with {[(f['familyName'], f['glyphCount']) for f in fonts]}; no installed font has "
        f"these glyphs ({sorted(able) or 'none'}): apt-get install fonts-noto-cjk")
    # and each character's pixels differ from the missing-glyph box
    font = page.evaluate("() => getComputedStyle(document.querySelector('h1.article-title')).font")
    for ch, real, width in page.evaluate(_DRAW, [title, font]):
        assert real and width > 0, f"{ch!r} renders as the missing-glyph box"
