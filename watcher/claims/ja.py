"""Japanese: SudachiPy tokens as :class:`~.cjk.Morph`, and the Japanese predicate lexicon.

The analyser (its dictionary ships in the ``sudachidict-core`` package) is loaded once per
process, on first use or by :func:`preload`.
"""

from __future__ import annotations

import functools
from typing import Any

from . import lexicon as lx
from .cjk import ACT, CREATE, REGULAR, REPORT, SPEC, Lexicon, Morph


@functools.cache
def _tokenizer() -> Any:
    from sudachipy import Dictionary, SplitMode

    return Dictionary(dict="core").create(SplitMode.C)


def preload() -> None:
    """Load the analyser now (before worker processes fork, so they share it)."""
    _tokenizer().tokenize("日米韓は会談を開催することで一致した。")


_POS = {"名詞": "N", "代名詞": "N", "接頭辞": "N", "接尾辞": "N", "動詞": "V", "形容詞": "V",
        "助動詞": "A", "助詞": "J", "補助記号": "P", "記号": "P", "空白": "P"}
_ADVERB_VERBS = frozenset({"引き続き", "改めて", "併せて", "合わせて", "初めて", "続いて"})
_PARTICLE_VERBS = frozenset({"つく", "関する", "向ける", "対する", "基づく", "伴う"})
_BRACKETS = frozenset("「」『』()（）[]［］〈〉《》\"'“”")


def analyse(sent: str) -> list[Morph]:
    """The morphemes of a Japanese sentence (offsets into ``sent``)."""
    out: list[Morph] = []
    for m in _tokenizer().tokenize(sent):
        form = m.surface()
        pos = m.part_of_speech()[0]
        tag = "Q" if form in _BRACKETS else _POS.get(pos, "M")
        if form in _ADVERB_VERBS:
            tag = "M"
        if form == "て" and len(out) >= 2 and out[-2].form == "に" and out[-1].lemma in _PARTICLE_VERBS:
            # について, に関して, に向けて, に対して: one particle
            verb = out.pop()
            ni = out.pop()
            form = ni.form + verb.form + form
            out.append(Morph(form, form, "J", ni.start, m.end()))
            continue
        out.append(Morph(form, m.dictionary_form(), tag, m.begin(), m.end()))
    # a clause ends at a comma after a verb, an auxiliary or the て/し of a listing
    for i in range(1, len(out)):
        if out[i].form in ("、", ",", "，") and (out[i - 1].tag in "VA" or out[i - 1].form in ("て", "後")):
            prev = out[i]
            out[i] = Morph(prev.form, prev.lemma, prev.tag, prev.start, prev.end, True)
    return out


A, D, X, L, H, P, HE, R, N = lx.AGREE, lx.DELAY, lx.DROP, lx.LAUNCH, lx.HOLD, lx.PLAN, lx.HEDGE, lx.REAFFIRM, lx.NARROW

LEXICON = Lexicon(
    cues={
        "合意": (A, "agree"), "一致": (A, "agree"), "決める": (A, "decide"), "決定": (A, "decide"),
        "申し合わせる": (A, "agree"), "申し合わせ": (A, "agree"), "確認": (A, "agree"), "約束": (A, "pledge"),
        "盛り込む": (A, "agree"), "明記": (A, "agree"), "採択": (A, "adopt"), "同意": (A, "agree"),
        "打ち出す": (A, "agree"), "謳う": (A, "agree"), "うたう": (A, "agree"), "定例化": (REGULAR, "regularize"),
        "方針": (P, "plan"), "計画": (P, "plan"), "目指す": (P, "aim"), "推進": (P, "plan"), "意向": (P, "plan"),
        "検討": (HE, "consider"), "模索": (HE, "explore"), "調整": (HE, "consider"), "調整中": (HE, "consider"),
        "発足": (CREATE, "launch"), "設立": (CREATE, "establish"), "設置": (CREATE, "establish"),
        "創設": (CREATE, "establish"), "新設": (CREATE, "establish"), "構築": (CREATE, "establish"),
        "立ち上げる": (CREATE, "launch"), "開設": (CREATE, "establish"), "制度化": (CREATE, "establish"),
        "署名": (L, "sign"), "締結": (L, "sign"), "稼働": (L, "launch"), "運用開始": (L, "launch"),
        "開始": (L, "launch"), "完了": (L, "complete"),
        "開催": (H, "hold"), "開く": (H, "hold"), "実施": (H, "hold"), "行う": (H, "hold"),
        "再開": (H, "resume"),
        "延期": (D, "postpone"), "先送り": (D, "postpone"), "見送る": (D, "postpone"), "見送り": (D, "postpone"),
        "延びる": (D, "postpone"), "ずれ込む": (D, "postpone"), "遅れる": (D, "delay"),
        "中止": (X, "cancel"), "取りやめる": (X, "cancel"), "取り止める": (X, "cancel"), "断念": (X, "abandon"),
        "撤回": (X, "withdraw"), "白紙": (X, "cancel"), "破棄": (X, "cancel"), "中断": (X, "suspend"),
        "停止": (X, "suspend"), "廃止": (X, "cancel"),
        "縮小": (N, "scale back"),
        "再確認": (R, "reaffirm"), "強調": (R, "emphasize"), "歓迎": (R, "welcome"), "継続": (R, "continue"),
        "維持": (R, "continue"), "強化": (R, "strengthen"), "評価": (R, "welcome"), "拡大": (R, "expand"),
        "述べる": (REPORT, "say"), "語る": (REPORT, "say"), "伝える": (REPORT, "say"), "発表": (REPORT, "announce"),
        "表明": (REPORT, "say"), "指摘": (REPORT, "say"), "報じる": (REPORT, "say"), "分かる": (REPORT, "say"),
        "示す": (REPORT, "say"), "説明": (REPORT, "say"), "明らか": (REPORT, "say"),
        "共有": (ACT, "share"), "協力": (ACT, "cooperate"), "協議": (ACT, "consult"), "対応": (ACT, "respond"),
        "連携": (ACT, "coordinate"),
        "見通し": (SPEC, "expect"), "見込み": (SPEC, "expect"), "可能性": (SPEC, "expect"),
        "予想": (SPEC, "expect"), "観測": (SPEC, "expect"), "分析": (SPEC, "expect"), "模様": (SPEC, "expect"),
    },
    phrases=(
        (("改めて", "確認"), (R, "reaffirm")), (("明らか", "に", "する"), (REPORT, "say")), (("と", "見る", "られる"), (SPEC, "expect")),
        (("と", "みる", "られる"), (SPEC, "expect")),
    ),
    future=("予定", "方針", "する", "させる", "れる", "られる"),
    past=("た",),
    first=("初", "初めて"),
    shared_endings=(),
    light=("する", "できる", "させる", "される", "中"),
    complement=("へ",),
    negation=("ない", "ず", "ぬ", "ん"),
    object_particles=("を",),
    subject_particles=("は", "が"),
    conj=("や", "と", "及び", "および", "並びに"),
    actors=(
        ("首脳", "leaders"), ("首相", "leaders"), ("大統領", "leaders"),
        ("外相", "foreign ministers"), ("外務大臣", "foreign ministers"), ("国務長官", "foreign ministers"),
        ("外交部長官", "foreign ministers"), ("防衛相", "defense ministers"), ("防衛大臣", "defense ministers"),
        ("国防長官", "defense ministers"), ("国防相", "defense ministers"),
        ("国家安全保障", "national security advisers"), ("外務省", "ministry"), ("防衛省", "ministry"),
        ("国防省", "ministry"), ("政府", "ministry"), ("当局", "ministry"), ("外交部", "ministry"),
        ("国防部", "ministry"), ("大統領室", "ministry"), ("官邸", "ministry"), ("報道官", "spokesperson"),
        ("官房長官", "spokesperson"), ("合同参謀本部", "militaries"), ("自衛隊", "militaries"),
        ("共同声明", "joint statement"), ("声明", "joint statement"), ("高官", "officials"),
        ("日米韓", "the three countries"), ("韓米日", "the three countries"), ("米日韓", "the three countries"),
        ("3カ国", "the three countries"), ("3か国", "the three countries"), ("3国", "the three countries"),
        ("三カ国", "the three countries"), ("三か国", "the three countries"),
    ),
    nongov=("専門家", "識者", "教授", "研究員", "アナリスト", "シンクタンク", "新聞", "メディア", "野党",
            "研究所", "評論家"),
    speculative=("見通し", "見込み", "とみられ", "と見られ", "可能性", "予想され", "観測", "分析され", "もよう",
                 "模様"),
    reported=("によると", "伝えた", "明らかにした", "分かった", "わかった", "報じ", "述べた", "語った"),
    denial=("否定", "事実無根", "事実ではない", "否認", "事実ではなく"),
    retrospective=("昨年", "これまで", "以前", "前回", "当時", "昨秋", "昨夏"),
    present=("今回", "今年", "本日", "きょう", "この日"),
    strong=("合意", "一致", "確認", "決め", "決定", "申し合わせ", "約束", "盛り込", "明記", "延期", "先送り", "見送", "中止",
            "取りやめ", "断念", "撤回", "白紙", "発足", "設立", "設置", "創設", "新設", "検討", "模索", "調整", "縮小",
            "定例化"),
    prefilter=(
        "合意", "一致", "決め", "決定", "申し合わせ", "確認", "約束", "盛り込", "明記", "採択", "同意", "打ち出",
        "うた", "謳", "定例", "方針", "計画", "目指", "推進", "意向", "検討", "模索", "調整", "発足", "設立",
        "設置", "創設", "新設", "構築", "立ち上げ", "開設", "制度化", "署名", "締結", "稼働", "運用", "開始",
        "完了", "開催", "開き", "開く", "開い", "開か", "開け", "実施", "行う", "行っ", "行わ", "行い", "再開",
        "延期", "先送り", "見送", "延び", "ずれ込", "遅れ", "中止", "取りやめ", "取り止め", "断念", "撤回",
        "白紙", "破棄", "中断", "停止", "廃止", "縮小", "強調", "歓迎", "継続", "維持", "強化", "評価", "拡大",
    ),
    trilateral=("日米韓", "韓米日", "米日韓", "日韓米", "米韓日"),
    other_format=("日中韓", "中日韓", "韓中日", "日韓中", "日米比", "日米豪", "日米豪印", "クアッド"),
    bilateral=("日米首脳", "日韓首脳", "米韓首脳", "韓米首脳", "米韓合同", "韓米合同", "日米同盟", "米韓同盟",
               "韓米同盟", "日米2カ国", "韓米2カ国", "日韓両国", "米韓両国", "GSOMIA", "米日の", "日米の"),
    countries=(
        ("US", ("米国", "アメリカ", "米")), ("JP", ("日本",)), ("KR", ("韓国", "大韓民国")),
        ("CN", ("中国",)), ("PH", ("フィリピン",)), ("AU", ("豪州", "オーストラリア")), ("IN", ("インド",)),
    ),
)
GENERIC_THREE = ("3カ国", "3か国", "3ヵ国", "3ヶ国", "三か国", "三カ国", "3国", "3者", "三者")
