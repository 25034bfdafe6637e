"""Korean: kiwipiepy tokens as :class:`~.cjk.Morph`, and the Korean predicate lexicon.

The analyser (its model ships in the ``kiwipiepy-model`` package) is loaded once per process,
on first use or by :func:`preload`.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from typing import Any

from . import lexicon as lx
from .cjk import ACT, CREATE, REGULAR, REPORT, SPEC, Lexicon, Morph


@functools.cache
def _kiwi() -> Any:
    from kiwipiepy import Kiwi

    # one thread, no pool: safe to load before the poller forks its workers. Without the typo-correction and
    # multi-word dictionaries the model takes ~300 MB instead of ~490 MB and loads in ~0.9 s instead of ~2-4 s
    # (dev2 ko-ja scores the same: docs/benchmarks.md, "Korean and Japanese claims").
    return Kiwi(num_workers=0, load_typo_dict=False, load_multi_dict=False)


def preload() -> None:
    """Load the analyser now (before worker processes fork, so they share it)."""
    _kiwi().tokenize("한미일 정상은 회의를 열기로 합의했다.")


# the ending of a clause: a contrast, or a listing ending followed by a comma
_CUT_ENDINGS = frozenset({"지만", "으나", "나", "는데", "ᆫ데", "은데", "는데도"})
_LIST_ENDINGS = frozenset({"며", "으며", "면서", "고"})


def _tag(kiwi_tag: str) -> str:
    t = kiwi_tag.split("-")[0]
    if t.startswith(("NN", "NR", "NP", "SN", "SL", "SH", "XR", "XSN", "XPN")):
        return "N"
    if t in ("VV", "VA", "VCN", "XSV", "XSA"):
        return "V"
    if t.startswith(("E", "VX", "VCP")):
        return "A"
    if t.startswith("J"):
        return "J"
    if t in ("SSO", "SSC"):
        return "Q"
    if t.startswith("S"):
        return "P"
    return "M"


_WINDOW = 60   # characters kept before the first cue in a verb form (its object phrase)
_TAIL = 25     # and after the last one (its endings: negation, tense, a report frame)


def analyse(sent: str) -> list[Morph]:
    """The morphemes of a Korean sentence (offsets into ``sent``); 재+확인 and the like joined.

    Only the part from about 60 characters before the first cue in a verb form to a few words after
    the last one is analysed (the predicates and their objects are there; the analyser's time grows
    with the length: about 11 us a character)."""
    m = CANDIDATE.search(sent)
    base = 0
    if m is not None and m.start() > _WINDOW:
        cut = sent.rfind(" ", 0, m.start() - _WINDOW)
        base = cut + 1 if cut >= 0 else 0
    # and up to a few words after the last cue (its endings: negation, tense, a report frame)
    last = max((x.end() for x in CANDIDATE.finditer(sent, base)), default=len(sent))
    stop = sent.find(" ", last + _TAIL)
    stop = len(sent) if stop < 0 else stop
    morphs = _analyse(sent[base:stop])
    if base:
        morphs = [Morph(t.form, t.lemma, t.tag, t.start + base, t.end + base, t.cut) for t in morphs]
    return morphs


def _analyse(sent: str) -> list[Morph]:
    toks = _kiwi().tokenize(sent)
    out: list[Morph] = []
    n = len(toks)
    for i, t in enumerate(toks):
        tag = _tag(t.tag)
        start, end = t.start, t.start + t.len
        if tag == "J" and (start == 0 or sent[start - 1] == " "):
            tag = "N"  # a particle never starts a word: a name split wrong ("프리덤 에지" as 프리덤/에/지)
        form = t.form
        joins = out and out[-1].tag == "N" and out[-1].end == start and (
            (out[-1].form == "재" and tag == "N") or t.tag == "XSN")
        if joins:  # 재+확인, 정례+화, 공개+적: one word
            prev = out.pop()
            form, start = prev.form + form, prev.start
        comma_next = i + 1 < n and toks[i + 1].form == ","
        cut = t.tag == "EC" and (form in _CUT_ENDINGS or (form in _LIST_ENDINGS and comma_next))
        out.append(Morph(form, form, tag, start, end, cut))
    return _join_dotted(out)


def _join_dotted(toks: list[Morph]) -> list[Morph]:
    """한·미·일, 한·중·일 (one-syllable names joined by a middle dot) as one word."""
    out: list[Morph] = []
    for t in toks:
        if (len(out) >= 2 and t.tag == "N" and len(t.form) == 1 and out[-1].form == "·"
                and out[-2].tag == "N" and len(out[-2].form.replace("·", "")) <= 3 and out[-2].end == out[-1].start):
            dot = out.pop()
            prev = out.pop()
            form = prev.form + dot.form + t.form
            out.append(Morph(form, form, "N", prev.start, t.end, t.cut))
        else:
            out.append(t)
    return out


A, D, X, L, H, P, HE, R, N = lx.AGREE, lx.DELAY, lx.DROP, lx.LAUNCH, lx.HOLD, lx.PLAN, lx.HEDGE, lx.REAFFIRM, lx.NARROW

LEXICON = Lexicon(
    cues={
        "합의": (A, "agree"), "결정": (A, "decide"), "약속": (A, "pledge"), "동의": (A, "agree"),
        "채택": (A, "adopt"), "정례화": (REGULAR, "regularize"),
        "추진": (P, "plan"), "계획": (P, "plan"), "방침": (P, "plan"), "노력": (P, "aim"), "목표": (P, "aim"),
        "검토": (HE, "consider"), "모색": (HE, "explore"), "조율": (HE, "consider"),
        "출범": (CREATE, "launch"), "설립": (CREATE, "establish"), "창설": (CREATE, "establish"),
        "신설": (CREATE, "establish"), "발족": (CREATE, "launch"), "구축": (CREATE, "establish"),
        "개설": (CREATE, "establish"), "만들": (CREATE, "establish"), "제도화": (CREATE, "establish"),
        "서명": (L, "sign"), "체결": (L, "sign"), "가동": (L, "launch"), "개시": (L, "launch"),
        "개최": (H, "hold"), "열리": (H, "hold"), "열": (H, "hold"), "갖": (H, "hold"), "실시": (H, "hold"),
        "시행": (H, "hold"), "진행": (H, "hold"), "이뤄지": (H, "hold"), "이루어지": (H, "hold"),
        "만나": (H, "meet"), "재개": (H, "resume"),
        "연기": (D, "postpone"), "미루": (D, "postpone"), "늦추": (D, "postpone"), "지연": (D, "delay"),
        "순연": (D, "postpone"), "밀리": (D, "postpone"),
        "취소": (X, "cancel"), "무산": (X, "cancel"), "중단": (X, "suspend"), "철회": (X, "withdraw"),
        "폐지": (X, "cancel"), "불발": (X, "cancel"), "백지화": (X, "cancel"), "보류": (X, "suspend"),
        "축소": (N, "scale back"),
        "재확인": (R, "reaffirm"), "확인": (R, "reaffirm"), "강조": (R, "emphasize"), "환영": (R, "welcome"),
        "지속": (R, "continue"), "계속": (R, "continue"), "강화": (R, "strengthen"), "유지": (R, "continue"),
        "공감": (R, "reaffirm"), "활용": (R, "continue"), "이행": (R, "continue"), "확대": (R, "expand"),
        "밝히": (REPORT, "say"), "말": (REPORT, "say"), "말하": (REPORT, "say"), "전하": (REPORT, "say"),
        "발표": (REPORT, "announce"), "설명": (REPORT, "say"), "언급": (REPORT, "say"),
        "표명": (REPORT, "say"), "덧붙이": (REPORT, "say"), "공지": (REPORT, "say"),
        "공유": (ACT, "share"), "협력": (ACT, "cooperate"), "협의": (ACT, "consult"), "대응": (ACT, "respond"),
        "공조": (ACT, "coordinate"), "나서": (ACT, "undertake"), "교환": (ACT, "share"),
        "전망": (SPEC, "expect"), "예상": (SPEC, "expect"), "관측": (SPEC, "expect"),
        "가능성": (SPEC, "expect"), "분석": (SPEC, "expect"), "점치": (SPEC, "expect"),
    },
    phrases=(
        (("뜻", "을", "모으"), (A, "agree")), (("의견", "을", "모으"), (A, "agree")),
        (("의견", "을", "같이하"), (A, "agree")), (("의견", "을", "같이", "하"), (A, "agree")), (("의견", "을", "일치"), (A, "agree")),
        (("의견", "일치"), (A, "agree")), (("기", "로", "하"), (A, "decide")),
        (("것", "으로", "보이"), (SPEC, "expect")), (("것", "으로", "알려지"), (REPORT, "say")),
        (("것", "으로", "전해지"), (REPORT, "say")),
    ),
    future=("겠", "ᆯ", "을", "예정", "ᆫ다", "는다"),
    past=("었", "았", "였", "ᆫ", "은"),
    first=("최초", "처음", "첫"),
    shared_endings=("고", "며", "으며"),
    light=("하", "되", "시키", "이"),
    complement=("기로", "로"),
    negation=("않", "못", "없", "안", "아니"),
    object_particles=("을", "를"),
    subject_particles=("은", "는", "이", "가"),
    conj=("과", "와", "및", "이나", "또는"),
    actors=(
        ("정상", "leaders"), ("대통령", "leaders"), ("총리", "leaders"),
        ("외교장관", "foreign ministers"), ("외교 장관", "foreign ministers"), ("외교수장", "foreign ministers"),
        ("국무장관", "foreign ministers"), ("외무상", "foreign ministers"), ("외무대신", "foreign ministers"),
        ("국방장관", "defense ministers"), ("국방 수장", "defense ministers"), ("국방장관", "defense ministers"),
        ("방위상", "defense ministers"), ("안보실", "national security advisers"),
        ("외교부", "ministry"), ("국방부", "ministry"), ("대통령실", "ministry"), ("청와대", "ministry"),
        ("정부", "ministry"), ("당국", "ministry"), ("장관", "ministry"), ("차장", "officials"),
        ("관계자", "officials"), ("대변인", "spokesperson"), ("합참", "militaries"),
        ("합동참모본부", "militaries"), ("공동성명", "joint statement"), ("성명", "joint statement"),
        ("한미일", "the three countries"), ("한·미·일", "the three countries"), ("3국", "the three countries"),
        ("세 나라", "the three countries"), ("3자", "the three countries"),
    ),
    nongov=("전문가", "분석가", "교수", "연구원", "연구위원", "관측통", "언론", "신문", "외신", "매체",
            "평론가", "야당", "소식통"),
    speculative=("전망", "것으로 보인", "것으로 보여", "가능성", "예상된", "관측", "듯", "분석된다", "점쳐",
                 "작아 보인"),
    reported=("따르면", "알려졌", "전해졌", "보도", "밝혔", "말했", "전했", "설명했"),
    denial=("부인", "사실무근", "사실이 아니", "사실과 다르", "검토한 바 없", "계획이 없"),
    retrospective=("지난해", "작년", "앞서", "당시", "바 있", "이전에"),
    present=("이번", "올해", "오늘", "이날", "금번"),
    strong=("합의", "기로", "키로", "결정", "약속", "뜻을 모", "의견을", "연기", "미뤄", "취소", "무산", "불발", "중단",
            "철회", "출범", "설립", "창설", "신설", "발족", "검토", "모색", "축소", "보류", "백지화", "정례화"),
    prefilter=(
        "합의", "결정", "약속", "동의", "채택", "정례", "추진", "계획", "방침", "노력", "목표", "검토", "모색",
        "조율", "출범", "설립", "창설", "신설", "발족", "구축", "개설", "만들", "제도화", "서명", "체결", "가동",
        "개시", "개최", "열", "갖", "가졌", "실시", "시행", "진행", "이뤄", "이루어", "만나", "만났", "재개",
        "연기", "미루", "미뤄", "늦추", "늦춰", "지연", "순연", "밀렸", "취소", "무산", "중단", "철회",
        "폐지", "불발", "백지화", "보류", "축소", "확인", "강조", "환영", "지속", "계속", "강화", "유지", "공감",
        "활용", "이행", "확대", "뜻을 모", "의견을", "기로", "나서", "나섰",
    ),
    trilateral=("한미일", "한·미·일", "한일미", "미일한", "한·일·미", "미·일·한", "韓美日", "한미일 3국"),
    other_format=("한중일", "한·중·일", "중일한", "일중한", "한일중", "중한일", "쿼드", "미일필", "미·일·필",
                  "미일호", "미일호인", "핵협의그룹", "NCG"),
    bilateral=("한미연합", "한미 연합", "한미 정상", "한일 정상", "한미동맹", "한미 동맹", "한일 양국", "한미 양국",
               "미일 정상", "한미 외교", "한미 국방", "한미 간", "한일 간", "지소미아"),
    countries=(
        ("US", ("미국", "美")), ("JP", ("일본", "日")), ("KR", ("한국", "대한민국")), ("CN", ("중국", "中")),
        ("PH", ("필리핀",)), ("AU", ("호주",)), ("IN", ("인도",)),
    ),
)
_NOUN_CUES = (
    "합의|결정|약속|동의|채택|정례화|추진|계획|노력|검토|모색|조율|출범|설립|창설|신설|발족|구축|개설|제도화|서명|체결|"
    "가동|개시|개최|실시|시행|진행|재개|연기|지연|순연|취소|무산|중단|철회|폐지|불발|백지화|보류|축소|재확인|확인|강조|"
    "환영|지속|계속|강화|유지|공감|활용|이행|확대|공유|협력|협의|대응|공조"
)
# a cue in a verb form (합의했다, 연기됐다, 출범시키기로), a headline ending in one, or a native verb:
# only such sentences are analysed (kiwipiepy costs about 1.5 ms a sentence)
CANDIDATE = re.compile(
    rf"(?:{_NOUN_CUES})\s?(?:하|했|한|할|해|되|됐|된|될|돼|시키|시켰|시킨|키로|에 합의|을 |를 |에도 |의견)|"
    rf"(?:{_NOUN_CUES})[.!'\"’”]*$|기로|방침|뜻을 모|의견을|열리|열렸|열린|열기로|열어|열고|열었|열 |갖는|가졌|갖기로|"
    r"만나|만났|미뤄|밀렸|늦춰|나서|나섰|만들|담았|담은"
)
LEXICON = dataclasses.replace(LEXICON, candidate=CANDIDATE)

# generic words for the three (3국, 세 나라): ours only in a document about our format
GENERIC_THREE = ("3국", "세 나라", "3자", "3개국", "삼국")
