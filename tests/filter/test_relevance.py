"""Trilateral relevance: English, Korean and Japanese positives and negatives, and speed."""

from __future__ import annotations

import pytest

from watcher.content.relevance import relevance

POSITIVES = [
    ("U.S., Japan and South Korea agree to hold annual summits", ""),
    ("US-Japan-ROK trilateral secretariat launched in Seoul", ""),
    ("Japan-U.S.-South Korea defense ministers meet", ""),
    ("Biden, Kishida and Yoon meet at Camp David", ""),
    ("Kishida and Yoon reaffirm Camp David principles", ""),
    ("Freedom Edge exercise begins", "The multi-domain drill runs for three days."),
    ("Japan and South Korea agree to boost trilateral cooperation with Washington", ""),
    ("Allies hold missile-warning talks", "Officials from Japan and South Korea met. The United States hosted them."),
    ("Japanese, South Korean and American officials met in Honolulu", ""),
    ("한미일 정상회의 8월 개최", ""),
    ("한·미·일 외교장관, 북한 도발 규탄", ""),
    ("미국, 일본, 한국 국방장관 회담", ""),
    ("프리덤 에지 훈련 시작", "3국 해군이 참가했다."),
    ("日米韓首脳会談、協力の制度化で合意", ""),
    ("日・米・韓の防衛相が会談", ""),
    ("フリーダム・エッジ訓練を実施", ""),
    ("韓国と日本、米国が3カ国協力を確認", ""),
]
NEGATIVES = [
    ("Japan, Philippines and US hold first trilateral summit", "South Korea was not part of the talks."),
    ("China, Japan and South Korea revive trilateral summit", "The United States watched closely."),
    ("Quad leaders meet in Tokyo", "The US, Japan, Australia and India pledged cooperation. Seoul was absent."),
    ("Trilateral Cooperation Secretariat marks anniversary in Seoul", "Japan, China and South Korea attended."),
    ("AUKUS partners expand submarine deal", "Japan and South Korea may join Pillar II, the US said."),
    ("North Korea fires missile toward Sea of Japan", "The U.S. condemned the launch."),
    ("Let us talk about Japan and Korea", "Nothing about the alliance."),
    ("Latin America trade with Japan grows", "Korean exporters also gained."),
    ("Stocks rise", "Tokyo rose. Nothing else. More filler here. Even more. US stocks fell. Filler. Seoul was flat."),
    ("Camp David Accords anniversary", "Egypt and Israel marked the date."),
    ("한중일 정상회의 서울서 개최", "미국은 논평하지 않았다."),
    ("북한 미사일 발사", "일본 정부는 미국과 협의했다."),
    ("日中韓サミット、ソウルで開催", "米国は歓迎した。"),
    ("日米豪印のクアッド首脳会談", "韓国は参加しない。"),
    ("日米比首脳会談を開催", "韓国も注目。"),
    ("Local weather", ""),
]


@pytest.mark.parametrize(("title", "summary"), POSITIVES)
def test_positive(title: str, summary: str) -> None:
    r = relevance(title, summary)
    assert r.relevant, r
    assert r.score >= 0.5 and r.reasons


@pytest.mark.parametrize(("title", "summary"), NEGATIVES)
def test_negative(title: str, summary: str) -> None:
    r = relevance(title, summary)
    assert not r.relevant, r


def test_reasons_name_the_match() -> None:
    r = relevance("한미일 정상회의", "")
    assert "phrase:한미일" in r.reasons
    r = relevance("China, Japan and South Korea hold summit", "The United States welcomed it.")
    assert any(x.startswith("other:") for x in r.reasons)


def test_us_needs_capitals_and_word_boundaries() -> None:
    assert not relevance("Join us in Japan and Korea", "").relevant
    assert not relevance("BUS tours of Japan and South Korea", "").relevant
    assert relevance("US, Japan and South Korea", "").relevant


def test_body_counts() -> None:
    assert relevance("Talks", "", "Japan, South Korea and the United States agreed on a framework.").relevant
