"""Korean and Japanese claims, read through the morphological analysers (kiwipiepy, SudachiPy).

Sentences are from real reports (dev2/ko-ja's texts and the outlets they come from), a few cut
to the clause under test. Each test reads what an analyst would check: the kind of change and the
status it leads to, or that nothing is claimed.
"""

from __future__ import annotations

import datetime as dt

import pytest

from watcher.claims import Claim, extract_claims
from watcher.claims import lexicon as lx
from watcher.commitments.diff import Change, Document, replay
from watcher.commitments.registry import Commitment, parse_registry

D = dt.date(2024, 9, 23)

REGISTRY = parse_registry(
    """
schema_version = 1
[[commitment]]
id = "trilateral_secretariat"
title = "Trilateral Secretariat"
aliases = ["Trilateral Secretariat", "한미일 사무국", "日米韓事務局"]
keywords = ["secretariat", "사무국", "事務局"]
status = "agreed"

[[commitment]]
id = "annual_leaders_summit"
title = "Trilateral leaders' summit held at least once a year"
aliases = ["한미일 정상회의", "日米韓首脳会談"]
keywords = ["summit", "정상회의", "首脳会談"]
status = "in_progress"
recurring = true

[[commitment]]
id = "freedom_edge"
title = "Freedom Edge trilateral exercise"
aliases = ["Freedom Edge", "프리덤 에지", "フリーダム・エッジ"]
keywords = ["exercise", "훈련", "訓練"]
status = "in_progress"
recurring = true
"""
)


def only(text: str) -> Claim:
    claims = extract_claims(text, published=D)
    assert len(claims) == 1, [(c.klass, c.clause) for c in claims]
    return claims[0]


def changes(*texts: str, registry: tuple[Commitment, ...] = REGISTRY, when: dt.date = D) -> list[Change]:
    docs = []
    for i, text in enumerate(texts):
        doc = Document(doc=f"doc{i}.txt", url=None, title="", text=text, published_at=when + dt.timedelta(days=i),
                       source=f"outlet{i}")
        docs.append((doc, extract_claims(text, published=doc.published_at)))
    return [ch for ch in replay(registry, docs).changes if ch.kind != "overdue"]


# ----------------------------------------------------------------- agreed to launch is agreed
def test_agreed_to_launch_is_an_agreement_not_a_launch() -> None:
    c = only("한미일 3국 외교장관들은 한미일 사무국을 연내 출범시키기로 합의했다.")
    assert (c.klass, c.action, c.modality) == (lx.AGREE, "agree", "agreed")
    assert c.creation_decided and c.obj == "한미일 사무국"
    assert c.deadline == dt.date(2024, 12, 31)
    [ch] = changes("한미일 3국 외교장관들은 한미일 사무국을 연내 출범시키기로 합의했다.")
    assert ch.commitment == "trilateral_secretariat"
    assert ch.to_status != "implemented"


def test_japanese_agreed_to_launch_then_launched() -> None:
    agreed, launched = changes("日米韓は日米韓事務局を発足させることで一致した。", "日米韓3カ国は20日、日米韓事務局を正式に発足させた。")
    assert agreed.to_status != "implemented"   # deciding to launch is not the launch
    assert (launched.kind, launched.to_status) == ("advanced", "implemented")


# ----------------------------------------------------------------- postponed, cancelled, not held
def test_postponed_in_korean_and_japanese() -> None:
    for text in ("한미일 정상회의가 내년으로 연기됐다.", "日米韓首脳会談は延期された。"):
        c = only(text)
        assert (c.klass, c.action) == (lx.DELAY, "postpone"), text
        [ch] = changes(text)
        assert (ch.commitment, ch.kind) == ("annual_leaders_summit", "delayed"), text


def test_called_off_is_a_cancellation() -> None:
    # donga.com, 2025-10-29
    text = "하지만 트럼프 대통령이 예정보다 늦게 한국에 도착하면서 그 뒤 일정도 줄줄이 밀렸고, 3국 장관 회의는 결국 취소됐다."
    [c] = [c for c in extract_claims(text, published=D) if c.klass == lx.DROP]
    assert c.action == "cancel"
    assert c.obj == "3국 장관 회의"
    c = only("韓米日の共同訓練が見送られた。")
    assert (c.klass, c.action) == (lx.DELAY, "postpone")


def test_will_not_be_held_is_negated() -> None:
    # newdaily.co.kr, 2024-11-13: the December summit moved earlier, it is no delay
    text = "한미일 정상이 APEC 정상회의를 계기로 만나기로 합의하면서, 당초 12월로 추진되던 3국 정상회의는 열리지 않게 됐다."
    negated = [c for c in extract_claims(text, published=D) if c.klass == lx.HOLD]
    assert negated and all(c.negated for c in negated)
    assert not [ch for ch in changes(text) if ch.kind in ("delayed", "dropped")]


# ----------------------------------------------------------------- hedges
@pytest.mark.parametrize("text", [
    "한미일 정상회의가 다음 달 개최될 전망이다.",
    "日米韓首脳会談は来月開催される見通しだ。",
])
def test_expected_is_speculative_and_changes_nothing(text: str) -> None:
    c = only(text)
    assert c.speculative
    assert changes(text) == []


def test_being_arranged_is_a_hedge() -> None:
    c = only("日米韓首脳会談の開催を調整中だ。")
    assert (c.klass, c.hedged) == (lx.HEDGE, True)
    assert c.obj == "日米韓首脳会談"


# ----------------------------------------------------------------- denial and reported speech
def test_denied_report_is_no_postponement() -> None:
    text = "국방부는 한미일 프리덤 에지 훈련이 연기됐다는 보도를 부인했다."
    c = only(text)
    assert c.denial and c.klass == lx.DELAY
    assert changes(text) == []


def test_reported_speech_is_marked() -> None:
    assert only("한미일 3국은 사무국을 설립하기로 합의한 것으로 알려졌다.").reported
    c = only("日米韓は事務局を設置することで一致したと述べた。")
    assert c.reported and c.klass == lx.AGREE


# ----------------------------------------------------------------- other formats are not ours
@pytest.mark.parametrize("text", [
    # asiae.co.kr, 2017-06-29
    "[아시아경제 이혜영 기자] 다음 달 열릴 것으로 예상됐던 한·중·일 정상회의가 결국 불발됐다.",
    "한중일 3국 정상은 한중일 사무국의 역할 강화에 합의했다.",
    "日中韓首脳会議を年内に開催することで一致した。",
])
def test_china_japan_korea_gives_nothing(text: str) -> None:
    assert all(c.trilateral_scope != "us_jp_kr" for c in extract_claims(text, published=D))
    assert changes(text) == []


# ----------------------------------------------------------------- new commitments: English ids, any language later
def test_new_commitment_from_korean_gets_an_english_id_and_is_found_in_japanese() -> None:
    # krnews21, 2024-09-23; then a Japanese report of the launch
    first = "3국 장관들은 이어 이를 계기로 협력 실무를 담당할 '한미일 사무국' 설립 발표가 이뤄지도록 하자는데 뜻을 모았다."
    made, launched = changes(first, "日米韓3カ国は20日、日米韓事務局を発足させた。", registry=())
    assert (made.kind, made.commitment, made.to_status) == ("new", "trilateral_secretariat", "agreed")
    assert made.title == "Trilateral secretariat"
    assert made.evidence == first
    assert (launched.commitment, launched.kind, launched.to_status) == ("trilateral_secretariat", "advanced",
                                                                         "implemented")


def test_first_meeting_of_a_working_group_makes_it() -> None:
    # nikkonews.com (Yonhap), 2023-12-07
    text = ("【ソウル聯合ニュース】韓米日が7日、北朝鮮の核・ミサイル開発の資金源となる違法なサイバー活動に対応する"
            "ワーキンググループ(作業部会)の初会合を東京で開いた。")
    [ch] = changes(text, registry=())
    assert (ch.kind, ch.commitment) == ("new", "trilateral_cyber_working_group")


def test_evidence_is_the_sentence_verbatim() -> None:
    text = "정상들은 회담 뒤 기자회견을 했다.\n한미일 3국 정상은 한미일 사무국을 연내 출범시키기로 합의했다. 이어 만찬을 함께했다."
    claims = extract_claims(text, published=D)
    assert claims
    for c in claims:
        assert text[c.start:c.end] == c.sentence
        assert text[c.clause_start:c.clause_end] == c.clause


def test_a_quoted_katakana_name_is_found_again_with_its_middle_dot() -> None:
    # datazoo.jp, 2024-06-02; chosunonline (Yonhap), 2025-09-05
    decided = "日米韓3か国の防衛相は、今年の夏に複数領域での共同訓練「フリーダムエッジ」を初めて行うことを決めた。"
    held = "韓国軍の合同参謀本部は５日、韓米日３カ国が１５～１９日に公海上で共同訓練「フリーダム・エッジ」を実施すると発表した。"
    made, again = changes(decided, held, registry=())
    assert (made.kind, made.commitment) == ("new", "trilateral_multi_domain_exercise")
    assert again.commitment == made.commitment and again.kind in ("reaffirmed", "advanced")


def test_a_listed_clause_takes_the_final_agreement() -> None:
    # wowtv.co.kr, 2023-08-19: both meetings are agreed to, neither is held yet
    text = ("3국은 앞으로 한미일 정상회의를 최소 연 1회 이상 열고, 3국 국가안보실장과 외교, 국방, 산업 장관도 "
            "매년 회의를 개최하기로 합의했다.")
    claims = extract_claims(text, published=D)
    assert [c.klass for c in claims] == [lx.AGREE, lx.AGREE]
    assert claims[0].obj == "한미일 정상회의"
    [ch] = changes(text)
    assert (ch.commitment, ch.kind) == ("annual_leaders_summit", "reaffirmed")
