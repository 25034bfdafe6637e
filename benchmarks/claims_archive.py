"""The generated archive of `benchmarks/claims.py`'s speed figures: articles shaped like wire copy, in
English, Korean and Japanese (fixed seed), with a claim of the three governments in about one sentence in six."""

from __future__ import annotations

import datetime as dt
import random

# A generated archive shaped like wire copy: 10-25 sentences an article, about one in six a
# claim of the three governments, the rest the background, quotes and colour news carries.
CLAIMS = [
    "The leaders of South Korea, the United States and Japan agreed to {verb} a trilateral {thing} {when}.",
    "Foreign ministers of the three countries reaffirmed their commitment to the {thing}, the ministry said.",
    "The {thing} was postponed to next year, officials in Seoul said.",
    "The three sides will consider establishing a {thing} {when}.",
    "Defense officials of the three nations said the {thing} was cancelled because of a typhoon.",
    "The joint statement said the three countries would continue the {thing}.",
]
FILLER = [
    "Analysts said the {thing} could face hurdles under a new administration in {city}.",
    "Stocks rose {n} percent in {city} as investors awaited data from Washington.",
    "The meeting took place on the sidelines of a regional forum in {city}.",
    "{name}, a professor at a university in {city}, said the region faced its most serious test in years.",
    "North Korea fired {n} ballistic missiles into the sea last month, according to the military.",
    "Relations between Seoul and Tokyo have improved since {year}, when a dispute over wartime labour eased.",
    "The talks lasted about {n} minutes, a spokesperson said.",
    "Officials declined to give details of the discussions.",
    "The ministry in {city} issued a statement on Tuesday.",
    "Trade between the two countries reached {n} billion dollars in {year}.",
    "Protesters gathered outside the venue in {city}, police said.",
    "The weather agency warned of heavy rain across the region this week.",
    "{name} is expected to visit {city} later this month.",
    "The exchange rate stood at {n} won to the dollar on Monday.",
    "Critics argue that the partnership depends too heavily on the leaders' personal ties.",
    "Previous rounds of talks were held in {city} and Washington.",
]
THINGS = ["secretariat", "maritime dialogue", "Freedom Edge exercise", "missile warning data sharing mechanism",
          "technology framework", "supply chain early warning pilot", "cyber working group", "coast guard exercise"]
VERBS = ["launch", "establish", "hold", "expand", "create"]
WHENS = ["before the end of the year", "by 2026", "next year", "at least once a year", ""]
CITIES = ["Seoul", "Tokyo", "Washington", "Busan", "Osaka", "Honolulu", "Jakarta", "Lima"]
NAMES = ["Kim Min-jun", "Sato Haruki", "Emily Carter", "Lee Ji-woo", "Tanaka Yui", "David Brooks"]


# The same shape in Korean and Japanese (wire copy from Seoul and Tokyo): a third of the archive.
KO_CLAIMS = [
    "한미일 정상은 올해 안에 3국 {thing_ko}를 {verb_ko}하기로 합의했다.",
    "한미일 외교장관은 {thing_ko}에 대한 공약을 재확인했다고 외교부가 밝혔다.",
    "한미일 {thing_ko}는 내년으로 연기됐다고 정부 관계자가 말했다.",
    "3국은 {thing_ko} 설치를 검토하기로 했다.",
    "한미일 국방장관은 {thing_ko}를 정례적으로 실시하기로 했다.",
]
KO_FILLER = [
    "전문가들은 {city}의 새 정부가 출범하면 협력이 어려워질 수 있다고 분석했다.",
    "이날 {city} 증시는 {n}% 상승 마감했다.",
    "북한은 지난달 탄도미사일 {n}발을 동해상으로 발사했다.",
    "회담은 약 {n}분간 진행됐다고 대변인이 전했다.",
    "{name} 교수는 지역 정세가 엄중하다고 말했다.",
    "기상청은 이번 주 전국에 많은 비가 내릴 것으로 예보했다.",
]
JA_CLAIMS = [
    "日米韓の首脳は年内に3か国の{thing_ja}を{verb_ja}することで合意した。",
    "日米韓の外相は{thing_ja}への関与を再確認したと外務省が明らかにした。",
    "日米韓の{thing_ja}は来年に延期されたと政府関係者が述べた。",
    "3か国は{thing_ja}の設置を検討する方針だ。",
    "日米韓の防衛相は{thing_ja}を定期的に実施することで一致した。",
]
JA_FILLER = [
    "専門家は{city}の新政権の発足で協力が難しくなる可能性があると指摘した。",
    "この日の{city}市場で株価は{n}％上昇した。",
    "北朝鮮は先月、弾道ミサイル{n}発を日本海に向けて発射した。",
    "会談は約{n}分間行われたと報道官が説明した。",
    "{name}教授は地域情勢は厳しいと述べた。",
    "気象庁は今週、全国的に大雨になると予報した。",
]
THINGS_KO = ["사무국", "해양 대화", "프리덤 에지 훈련", "미사일 경보 정보 공유", "기술 협력 체계", "사이버 실무그룹"]
THINGS_JA = ["事務局", "海洋対話", "フリーダム・エッジ訓練", "ミサイル警戒データ共有", "技術協力枠組み", "サイバー作業部会"]
VERBS_KO = ["출범", "설립", "개최", "확대"]
VERBS_JA = ["発足", "設立", "開催", "拡大"]


def generate(n: int, rnd: random.Random) -> list[tuple[str, str, dt.datetime, str]]:
    """(title, body, published, language): two thirds English, one sixth Korean, one sixth Japanese."""
    out = []
    start = dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    for i in range(n):
        lang = "en" if i % 3 else ("ko" if i % 6 == 0 else "ja")
        claims, filler, sep = {"en": (CLAIMS, FILLER, " "), "ko": (KO_CLAIMS, KO_FILLER, " "),
                               "ja": (JA_CLAIMS, JA_FILLER, "")}[lang]
        sentences = []
        for _ in range(rnd.randint(10, 25)):
            template = rnd.choice(claims) if rnd.random() < 0.16 else rnd.choice(filler)
            sentences.append(template.format(
                verb=rnd.choice(VERBS), thing=rnd.choice(THINGS), when=rnd.choice(WHENS), city=rnd.choice(CITIES),
                name=rnd.choice(NAMES), n=rnd.randint(2, 900), year=rnd.randint(2015, 2024),
                thing_ko=rnd.choice(THINGS_KO), verb_ko=rnd.choice(VERBS_KO), thing_ja=rnd.choice(THINGS_JA),
                verb_ja=rnd.choice(VERBS_JA)).replace("  ", " ").replace(" .", "."))
        paragraphs = [sep.join(sentences[j:j + 3]) for j in range(0, len(sentences), 3)]
        title = {"en": "Trilateral report", "ko": "한미일 협력 보도", "ja": "日米韓協力の報道"}[lang]
        out.append((f"{title} {i}", "\n\n".join(paragraphs), start + dt.timedelta(hours=i), lang))
    return out
