"""Write a deterministic farm of static RSS 2.0 feeds and the article pages they link to.

    python benchmarks/farm/generate.py OUTDIR --base-url http://127.0.0.1:8080 [--feeds 1000] [--items 30]

Layout under OUTDIR:
    feeds/f0000.xml ...             one RSS 2.0 feed per outlet, ``--items`` items each
    articles/f0000/i00.html ...     the page each item links to
    manifest.json                   feed URLs and the guids of the items written to be relevant / distractors

About 5% of the items are about US-Japan-South Korea trilateral cooperation, in varied wordings (some in Korean
or Japanese); about 6% are distractors (China-Japan-Korea, US-Japan-Philippines, US-Japan-Australia, bilateral
US-ROK or Japan-ROK news); the rest is ordinary news. Same seed, same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
from email.utils import format_datetime
from html import escape
from pathlib import Path

RELEVANT_SHARE = 0.05
DISTRACTOR_SHARE = 0.06
BASE_DATE = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)

# --- relevant: the three countries together, or an explicit trilateral phrase -------------------------------

_US = ["the United States", "the US", "Washington", "the U.S."]
_JP = ["Japan", "Tokyo"]
_KR = ["South Korea", "Seoul", "the Republic of Korea", "the ROK"]
_OFFICIALS = [
    "foreign ministers", "defense chiefs", "national security advisers", "vice foreign ministers",
    "coast guard commanders", "finance ministers", "top nuclear envoys", "leaders",
]
_TOPICS_REL = [
    ("missile warning", "real-time sharing of North Korean missile-warning data"),
    ("Freedom Edge", "the Freedom Edge multi-domain exercise"),
    ("secretariat", "the trilateral cooperation secretariat"),
    ("summit", "an annual leaders' summit"),
    ("supply chains", "an early-warning system for semiconductor supply chains"),
    ("cyber", "joint work against North Korean cyber theft and crypto laundering"),
    ("maritime", "coordinated maritime patrols and ballistic missile defense drills"),
    ("commitment to consult", "the Commitment to Consult on regional threats"),
    ("economic security", "an economic security dialogue and critical minerals partnership"),
]
_REL_TITLES = [
    "{us}, {jp} and {kr} agree to deepen {short} cooperation",
    "US-Japan-South Korea {officials} meet on {short}",
    "Trilateral talks: {officials} of US, Japan, ROK reaffirm {short} pledge",
    "US, Japan, South Korea hold trilateral {short} meeting in {city}",
    "Seoul, Tokyo and Washington step up {short} coordination",
    "Camp David partners review progress on {short}",
    "U.S.-Japan-ROK trilateral framework: {short} on the agenda",
]
_REL_SENTENCES = [
    "The {officials} of {us}, {jp} and {kr} agreed on {long}, according to a joint statement released on {day}.",
    "Officials said the three countries would launch {long} before the end of the year.",
    "The trilateral meeting in {city} was the first since the Camp David summit set out a framework for regular consultations.",
    "{kr_cap} and {jp_cap} also pledged to keep working with {us} on {long}.",
    "A senior official said the plan for {long} had been postponed to next year because of scheduling problems.",
    "Analysts said the US-Japan-South Korea partnership now rests on institutions rather than on individual leaders.",
    "The three governments reaffirmed their commitment to {long} and to a free and open Indo-Pacific.",
    "The ministers said they would consider expanding {long} to include new areas.",
    "The joint statement did not mention {long}, which had been expected to feature prominently.",
]
_REL_KO = [
    ("한미일 {o} 회의, {t} 협력 강화 합의",
     "한미일 3국은 {d}에 열린 회의에서 {t} 협력을 강화하기로 합의했다. 3국 {o}은 공동성명을 통해 북한의 위협에 공동 대응하겠다고 밝혔다. "
     "정부 관계자는 후속 협의를 연내에 개최할 예정이라고 말했다."),
    ("한·미·일, {t} 공조 재확인",
     "한·미·일 {o}이 서울에서 만나 {t} 공조를 재확인했다. 3국은 정례 협의체를 유지하기로 했다."),
]
_REL_JA = [
    ("日米韓{o}会合、{t}で連携強化",
     "日米韓の{o}は{d}、{t}での協力を強化することで一致した。3カ国は共同声明で北朝鮮のミサイル発射を非難した。"
     "関係者によると、次回の会合は年内に東京で開かれる予定だ。"),
    ("日米韓、{t}の協力を確認",
     "日本、米国、韓国の3カ国は{t}に関する協力を確認した。事務局の設置についても議論した。"),
]
_TOPICS_KO = ["미사일 경보 정보 공유", "프리덤 에지 훈련", "경제 안보", "사이버 안보", "공급망"]
_TOPICS_JA = ["ミサイル警戒データ共有", "フリーダム・エッジ訓練", "経済安全保障", "サイバー安全保障", "サプライチェーン"]
_OFFICIALS_KO = ["외교장관", "국방장관", "안보실장", "정상"]
_OFFICIALS_JA = ["外相", "防衛相", "国家安全保障局長", "首脳"]

# --- distractors: other trilaterals and bilaterals ---------------------------------------------------------

_DISTRACTORS = [
    ("China, Japan and South Korea agree to revive trilateral summit",
     "Leaders of China, Japan and South Korea agreed to hold their trilateral summit regularly again. "
     "The China-Japan-Korea secretariat in Seoul will prepare a free trade agenda. "
     "Beijing said the meeting showed that regional cooperation could move forward."),
    ("US, Japan and Philippines hold joint maritime patrol in South China Sea",
     "Coast guards of the United States, Japan and the Philippines held a joint patrol near Scarborough Shoal. "
     "The US-Japan-Philippines trilateral framework was launched at a White House summit. "
     "Manila welcomed the show of support."),
    ("Australia, Japan and US defense chiefs meet in Canberra",
     "The US-Japan-Australia trilateral defense ministers' meeting focused on intelligence sharing and long-range missiles. "
     "The three countries also discussed cooperation with Pacific island states."),
    ("US and South Korea begin annual Ulchi Freedom Shield drills",
     "The United States and South Korea began their annual combined exercise on Monday. "
     "North Korea condemned the drills as a rehearsal for invasion. "
     "Officials in Seoul said the exercise was purely defensive."),
    ("Japan and South Korea leaders discuss shuttle diplomacy",
     "The leaders of Japan and South Korea met in Tokyo and agreed to continue shuttle diplomacy. "
     "They discussed historical issues and cooperation on energy security."),
    ("한중일 정상회의 개최 합의", "한국, 중국, 일본 3국은 한중일 정상회의를 정례화하기로 합의했다. 3국 협력 사무국이 준비를 맡는다."),
    ("日中韓首脳会談、来年開催で調整", "日本、中国、韓国の3カ国は日中韓首脳会談を来年開催する方向で調整している。"),
    ("US, Japan and India review Quad agenda",
     "Officials from the United States, Japan, India and Australia reviewed the Quad agenda ahead of the leaders' meeting. "
     "They discussed health security, critical technologies and maritime domain awareness."),
]

# --- ordinary news -------------------------------------------------------------------------------------------

_CITIES = ["Seoul", "Tokyo", "Washington", "Busan", "Osaka", "Honolulu", "Jeju", "Hiroshima", "Manila", "Singapore",
           "Berlin", "Nairobi", "Lima", "Toronto", "Madrid", "Cairo", "Jakarta", "Oslo"]
_SUBJECTS = ["The central bank", "City officials", "The health ministry", "Local residents", "The city council",
             "Researchers", "The opposition party", "Farmers", "Airline executives", "The weather agency",
             "A coalition of unions", "The education ministry", "Investors", "Police", "The football club",
             "Engineers", "The port authority", "Hospital staff", "Scientists", "Retailers"]
_VERBS = ["announced", "warned of", "welcomed", "criticised", "proposed", "postponed", "approved", "rejected",
          "reported", "celebrated", "investigated", "unveiled"]
_OBJECTS = ["a new interest rate decision", "record rainfall", "plans for a high-speed rail line", "a budget shortfall",
            "a vaccination drive", "a cyberattack on hospitals", "a new semiconductor plant", "higher food prices",
            "a strike at the port", "a surge in tourism", "a plan to reform pensions", "an early cherry blossom season",
            "a championship victory", "wildfire risks", "a housing shortage", "an AI research programme",
            "a drop in exports", "a spike in electricity demand", "a new museum", "a shortage of nurses"]
_SECTIONS = ["Economy", "Weather", "Sports", "Technology", "Health", "Politics", "Culture", "Business", "World",
             "Science"]
_FILLER = [
    "The decision is expected to affect thousands of people over the coming months.",
    "Critics said the plan lacked detail and would take years to carry out.",
    "Officials promised to publish further information next week.",
    "Market analysts said the news had been widely expected.",
    "A spokesperson declined to comment on the timing.",
    "Similar measures were introduced last year with mixed results.",
    "Residents interviewed on Tuesday expressed cautious optimism.",
    "The figures will be reviewed again at the end of the quarter.",
    "Opposition lawmakers called for a public hearing.",
    "Experts warned that costs could rise further.",
]
_OUTLET_WORDS = ["Daily", "Herald", "Times", "Post", "Journal", "Observer", "Tribune", "Wire", "Gazette", "Review",
                 "Report", "Monitor", "Courier", "Dispatch", "Chronicle"]
_OUTLET_PLACES = ["Pacific", "Korea", "Asia", "Harbor", "Capital", "Metro", "Northern", "Eastern", "Global",
                  "Coastal", "Valley", "Island"]


def _fill(rng: random.Random, template: str, day: str, topic: tuple[str, str]) -> str:
    us, jp, kr = rng.choice(_US), rng.choice(_JP), rng.choice(_KR)
    return template.format(
        us=us, jp=jp, kr=kr, kr_cap=kr[0].upper() + kr[1:], jp_cap=jp[0].upper() + jp[1:],
        officials=rng.choice(_OFFICIALS), short=topic[0], long=topic[1], city=rng.choice(_CITIES[:8]), day=day,
    )


def _relevant(rng: random.Random, day: str) -> tuple[str, str, list[str], str]:
    """(title, description, extra paragraphs, language)."""
    roll = rng.random()
    if roll < 0.12:
        t, d = rng.choice(_REL_KO)
        kw = dict(o=rng.choice(_OFFICIALS_KO), t=rng.choice(_TOPICS_KO), d=day)
        return t.format(**kw), d.format(**kw), [d.format(**kw)], "ko"
    if roll < 0.24:
        t, d = rng.choice(_REL_JA)
        kw = dict(o=rng.choice(_OFFICIALS_JA), t=rng.choice(_TOPICS_JA), d=day)
        return t.format(**kw), d.format(**kw), [d.format(**kw)], "ja"
    topic = rng.choice(_TOPICS_REL)
    title = _fill(rng, rng.choice(_REL_TITLES), day, topic)
    title = title[0].upper() + title[1:]
    n = rng.randint(2, 4)
    sents = [_fill(rng, s, day, topic) for s in rng.sample(_REL_SENTENCES, n)]
    extra = [_fill(rng, s, day, topic) for s in rng.sample(_REL_SENTENCES, 3)] + rng.sample(_FILLER, 2)
    return title, " ".join(sents), extra, "en"


def _ordinary(rng: random.Random) -> tuple[str, str, list[str], str]:
    subj, verb, obj, city = rng.choice(_SUBJECTS), rng.choice(_VERBS), rng.choice(_OBJECTS), rng.choice(_CITIES)
    title = f"{city}: {subj} {verb} {obj}"
    first = f"{subj} in {city} {verb} {obj} on {rng.choice(['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'])}."
    sents = [first] + rng.sample(_FILLER, rng.randint(1, 3))
    extra = rng.sample(_FILLER, 4)
    return title, " ".join(sents), extra, "en"


def _page(title: str, paragraphs: list[str], outlet: str, lang: str) -> str:
    body = "\n".join(f"      <p>{escape(p)}</p>" for p in paragraphs)
    return (
        f'<!doctype html>\n<html lang="{lang}">\n<head><meta charset="utf-8"><title>{escape(title)} | {outlet}</title>\n'
        '<link rel="stylesheet" href="/static/site.css"></head>\n<body>\n'
        f'  <header><a href="/">{outlet}</a><nav><a href="/world">World</a> <a href="/business">Business</a> '
        '<a href="/sports">Sports</a> <a href="/subscribe">Subscribe</a></nav></header>\n'
        f"  <main>\n    <article>\n      <h1>{escape(title)}</h1>\n{body}\n    </article>\n"
        '    <aside class="related"><h2>Most read</h2><ul><li><a href="/a">Markets close higher</a></li>'
        '<li><a href="/b">Storm warning issued</a></li></ul></aside>\n  </main>\n'
        f"  <footer>&copy; 2026 {outlet}. All rights reserved. <a href=\"/privacy\">Privacy</a></footer>\n"
        "</body>\n</html>\n"
    )


def generate(out: Path, base_url: str, feeds: int = 1000, items: int = 30, seed: int = 20261120) -> dict:
    """Write the farm under ``out``; return the manifest (also written to out/manifest.json)."""
    rng = random.Random(seed)
    base_url = base_url.rstrip("/")
    out.mkdir(parents=True, exist_ok=True)
    (out / "feeds").mkdir(exist_ok=True)
    (out / "articles").mkdir(exist_ok=True)
    manifest: dict = {"base_url": base_url, "seed": seed, "feeds": [], "relevant": [], "distractors": [],
                      "items": feeds * items}
    for f in range(feeds):
        outlet = f"{rng.choice(_OUTLET_PLACES)} {rng.choice(_OUTLET_WORDS)} {f:04d}"
        fid = f"f{f:04d}"
        adir = out / "articles" / fid
        adir.mkdir(exist_ok=True)
        feed_url = f"{base_url}/feeds/{fid}.xml"
        parts = [
            '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n'
            f"<channel>\n<title>{escape(outlet)}</title>\n<link>{base_url}/</link>\n"
            f"<description>Latest news from {escape(outlet)}</description>\n<language>en</language>\n"
            f'<atom:link href="{feed_url}" rel="self" type="application/rss+xml"/>\n'
            f"<lastBuildDate>{format_datetime(BASE_DATE)}</lastBuildDate>\n"
        ]
        for i in range(items):
            published = BASE_DATE - dt.timedelta(minutes=f * 7 + i * 37 + rng.randint(0, 30))
            day = published.strftime("%B %-d")
            roll = rng.random()
            guid = f"urn:farm:{seed}:{fid}:{i:02d}"
            if roll < RELEVANT_SHARE:
                title, desc, extra, lang = _relevant(rng, day)
                section = "World"
                manifest["relevant"].append(guid)
            elif roll < RELEVANT_SHARE + DISTRACTOR_SHARE:
                title, desc = rng.choice(_DISTRACTORS)
                extra, lang, section = rng.sample(_FILLER, 3), "en", "World"
                manifest["distractors"].append(guid)
            else:
                title, desc, extra, lang = _ordinary(rng)
                section = rng.choice(_SECTIONS)
            link = f"{base_url}/articles/{fid}/i{i:02d}.html"
            (adir / f"i{i:02d}.html").write_text(_page(title, [desc, *extra], outlet, lang), encoding="utf-8")
            parts.append(
                f"<item>\n<title>{escape(title)}</title>\n<link>{link}</link>\n"
                f'<guid isPermaLink="false">{guid}</guid>\n<pubDate>{format_datetime(published)}</pubDate>\n'
                f"<category>{section}</category>\n<description>{escape(desc)}</description>\n</item>\n"
            )
        parts.append("</channel>\n</rss>\n")
        (out / "feeds" / f"{fid}.xml").write_text("".join(parts), encoding="utf-8")
        manifest["feeds"].append(feed_url)
    (out / "manifest.json").write_text(json.dumps(manifest, indent=0), encoding="utf-8")
    # nginx workers may run unprivileged: make the tree world-readable.
    for root, _dirs, files in os.walk(out):
        os.chmod(root, 0o755)
        for name in files:
            os.chmod(os.path.join(root, name), 0o644)
    return manifest


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--base-url", required=True, help="e.g. http://127.0.0.1:8080")
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--items", type=int, default=30)
    ap.add_argument("--seed", type=int, default=20261120)
    a = ap.parse_args()
    m = generate(a.out, a.base_url, a.feeds, a.items, a.seed)
    print(f"{len(m['feeds'])} feeds, {m['items']} items, {len(m['relevant'])} relevant, "
          f"{len(m['distractors'])} distractors -> {a.out}")


if __name__ == "__main__":
    main()
