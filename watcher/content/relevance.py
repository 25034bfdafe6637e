"""PURE: is an entry about US–Japan–South Korea ("trilateral") cooperation?

Scores (``relevant`` when ``score >= 0.5``), strongest first:

1.0  the three named as one group: "U.S.-Japan-South Korea", "the United States, Japan and South Korea",
     "Biden, Kishida and Yoon", 한미일 / 한·미·일, 日米韓 / 日・米・韓, 美日韩 (any order);
0.9  "Freedom Edge" (프리덤 에지, フリーダム・エッジ); "Camp David" with Korea or Japan; "trilateral" (3국, 3자,
     3カ国 ...) in a sentence naming two of the three and no other partner (China, Philippines, Australia, India);
0.7  all three countries within two consecutive sentences (the title is a sentence of its own);
0.4  all three, but scattered; 0.1 per country otherwise (not relevant).

Other groupings (US–Japan–Philippines, US–Japan–Australia, China–Japan–Korea incl. the Trilateral Cooperation
Secretariat / 한중일 / 日中韓, the Quad, AUKUS) cap the score at 0.3 unless a 1.0/0.9 signal of ours fired:
then they are the subject and the US–Japan–ROK trio is not.

English terms match case-sensitively (Title Case or CAPS) at word boundaries, so "us" is never the US;
"North Korea", "Korean Peninsula", the DPRK's formal name and "Latin America" are not ROK / the US.

Speed: a substring pre-check rejects entries with no Korea term and no trilateral word (~2 µs); otherwise one
English and one CJK regex scan find every mention, and the rest is arithmetic on their positions.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ..types import Relevance

__all__ = ["RELEVANT_SCORE", "relevance"]

RELEVANT_SCORE = 0.5
US, JP, KR, CN, PH, AU, IN = "US", "JP", "KR", "CN", "PH", "AU", "IN"
TRIO = frozenset({US, JP, KR})
_OTHER_TRIOS = (frozenset({CN, JP, KR}), frozenset({US, JP, PH}), frozenset({US, JP, AU}), frozenset({US, JP, AU, IN}))
_PARTNERS = frozenset({CN, PH, AU, IN})

# --- vocabulary: category → terms. Categories: a country code (or several joined by "+"), "ours", "other",
# "fe" (Freedom Edge), "camp" (Camp David), "tri" (a trilateral word). English terms match case-sensitively as
# written and in CAPS, at word boundaries (checked in Python so the regex keeps a literal first character).
_EN_TERMS: dict[str, tuple[str, ...]] = {
    "other": ("Trilateral Cooperation Secretariat", "Quad", "Quadrilateral Security Dialogue", "AUKUS"),
    "fe": ("Freedom Edge",),
    "camp": ("Camp David",),
    "tri": ("trilateral", "Trilateral", "trilaterally", "three-way", "Three-way", "three-nation", "Three-nation",
            "three-country", "three-party", "three nations", "three countries", "three allies", "Three nations"),
    KR: ("South Korea", "South Korean", "South Koreans", "Korea", "Korean", "Koreans", "Republic of Korea", "ROK",
         "Seoul", "Yoon", "Lee Jae-myung", "Lee Jae Myung"),
    JP: ("Japan", "Japanese", "Tokyo", "Kishida", "Ishiba", "Takaichi"),
    US: ("U.S.", "U.S.A.", "US", "USA", "USFK", "USFJ", "United States", "America", "American", "Americans",
         "Washington", "White House", "Pentagon", "Biden", "Trump"),
    CN: ("China", "Chinese", "Beijing", "PRC"),
    PH: ("Philippines", "Philippine", "Manila", "Filipino"),
    AU: ("Australia", "Australian", "Canberra"),
    IN: ("India", "Indian", "New Delhi"),
}
# CJK: compounds (every character may be followed by a separator such as "·") and plain words.
_CJK_COMPOUNDS: dict[str, tuple[str, ...]] = {
    "ours": ("한미일", "한일미", "미일한", "미한일", "일미한", "일한미", "日米韓", "日韓米", "米日韓", "米韓日", "韓米日",
             "韓日米", "美日韩", "美日韓", "美韩日", "韩美日", "韓美日"),
    "other": ("한중일", "한일중", "중한일", "중일한", "일중한", "日中韓", "中日韓", "日韓中", "韓中日", "中日韩",
              "미일필", "미일호", "日米比", "日米豪", "米日比", "米日豪", "日米豪印"),
    "KR+US": ("한미", "미한", "米韓", "韓米", "美韩", "韩美"),
    "KR+JP": ("한일", "일한", "日韓", "韓日", "日韩", "韩日"),
    "US+JP": ("미일", "日米", "米日", "美日", "日美"),
}
_CJK_WORDS: dict[str, tuple[str, ...]] = {
    "other": ("한중일협력사무국", "쿼드", "クアッド", "오커스", "オーカス"),
    "fe": ("프리덤에지", "프리덤엣지", "フリーダムエッジ", "フリーダム・エッジ"),
    "camp": ("캠프데이비드", "キャンプデービッド", "キャンプ・デービッド"),
    "tri": ("3국", "3자", "삼각", "세나라", "3カ国", "3か国", "3ヶ国", "三カ国", "三か国", "3者", "三者"),
    KR: ("한국", "남한", "대한민국", "서울", "방한", "주한", "윤석열", "이재명", "韓国", "韓國", "大韓民国", "訪韓",
         "駐韓", "ソウル", "尹錫悦", "李在明", "韩国"),
    JP: ("일본", "도쿄", "방일", "주일", "기시다", "이시바", "다카이치", "日本", "訪日", "駐日", "東京", "岸田", "石破",
         "高市"),
    US: ("미국", "미정부", "미국무부", "미국방부", "미대통령", "미백악관", "미측", "미군", "워싱턴", "백악관", "바이든",
         "트럼프", "米国", "アメリカ", "米政府", "米軍", "米大統領", "米国務省", "米国防総省", "米側", "訪米", "駐米",
         "ワシントン", "ホワイトハウス", "バイデン", "トランプ", "美国", "美國"),
    CN: ("중국", "中国", "中國"),
    PH: ("필리핀", "フィリピン"),
    AU: ("호주", "豪州", "オーストラリア"),
    IN: ("インド",),
}
_SEPS = "·・‧･,、-"
_STRIP_SEPS = str.maketrans("", "", _SEPS + " \u3000")


def _cjk_alt(term: str, compound: bool) -> str:
    """A regex for one CJK term that starts with its literal first character (keeps sre's prefix scan)."""
    head = re.escape(term[0])
    if term[0] == "한":
        head += "(?<!북한)"          # 북한 is North Korea
    elif term[0] == "韓":
        head += "(?<!北韓)"
    if compound:
        rest = "".join(f"[{_SEPS}]?{re.escape(c)}" for c in term[1:])
    elif term.startswith("미") and len(term) > 2 and term != "미국":
        rest = r"\s?" + re.escape(term[1:])   # 미 국무부, 미 대통령
    else:
        rest = "".join(f"[ ・]?{re.escape(c)}" if c in "데에엣" else re.escape(c) for c in term[1:])
    return head + rest


_EN_CAT: dict[str, str] = {}
for _cat, _terms in _EN_TERMS.items():
    for _t in _terms:
        _EN_CAT.setdefault(_t, _cat)
        _EN_CAT.setdefault(_t.upper(), _cat)
_CJK_CAT: dict[str, str] = {}
_cjk_alts: list[tuple[int, str]] = []
for _table, _compound in ((_CJK_COMPOUNDS, True), (_CJK_WORDS, False)):
    for _cat, _terms in _table.items():
        for _t in _terms:
            _CJK_CAT.setdefault(_t.translate(_STRIP_SEPS), _cat)
            _cjk_alts.append((len(_t), _cjk_alt(_t, _compound)))
_EN = re.compile("|".join(re.escape(t) for t in sorted(_EN_CAT, key=len, reverse=True)))
_CJK = re.compile("|".join(a for _, a in sorted(_cjk_alts, key=lambda x: -x[0])))
_HAS_CJK = re.compile("[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def _countries(cat: str) -> frozenset[str]:
    if cat == "ours":
        return TRIO
    if cat in ("other", "fe", "camp", "tri"):
        return frozenset()
    return frozenset(cat.split("+"))


# Substrings whose absence proves irrelevance (every rule needs Korea, Freedom Edge or a trilateral word).
_NEEDLES = (
    "korea", "seoul", "rok", "yoon", "lee jae", "trilateral", "three", "freedom edge", "camp david",
    "한", "서울", "윤석열", "이재명", "韓", "韩", "ソウル", "尹", "李在明", "프리덤", "フリーダム", "3국", "3자", "삼각",
    "세나라", "세 나라", "3カ国", "3か国", "3ヶ国", "三カ国", "三か国", "3者", "三者",
)
_KINDS = frozenset({"ours", "other", "fe", "camp", "tri"})
_NOT_KR_BEFORE = ("north ", "north-", "people's republic of ", "people’s republic of ", "dprk ")
_NOT_US_BEFORE = ("latin ", "south ", "central ", "north ")
# tried from the start of a run of spaces only, and no run is read twice (possessive): linear time
_GAP = re.compile(r"(?<!\s)\s*+(?:[-–—‐/·・、]|,?\s*+(?:and|&|및|와|과)|,)\s*+(?:the\s+|The\s+|President\s+|Prime Minister\s+)?")
_PUNCT = re.compile(r"[.!?\n。！？]")
_CLOSERS = "\"'”’)]"


def _sentence_starts(text: str) -> list[int]:
    """Start offsets of sentences: after . ! ? (followed by space or end; not after a capital, as in "U.S."),
    after 。！？ and after line breaks."""
    starts = [0]
    n = len(text)
    for m in _PUNCT.finditer(text):
        i = m.end()
        c = m.group(0)
        if c == ".":
            if m.start() > 0 and text[m.start() - 1].isupper():
                continue
            while i < n and text[i] in _CLOSERS:
                i += 1
            if i < n and not text[i].isspace():
                continue
        if i < n and i != starts[-1]:
            starts.append(i)
    return starts


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    kind: str                       # "country", "ours", "other", "fe", "camp", "tri"
    countries: frozenset[str]
    text: str


def _mentions(text: str, low: str) -> list[_Mention]:
    out: list[_Mention] = []
    n = len(text)
    for m in _EN.finditer(text):
        s, e = m.start(), m.end()
        if (s > 0 and text[s - 1].isalnum()) or (e < n and text[e].isalpha()):
            continue
        word = m.group(0)
        cat = _EN_CAT[word]
        if cat == KR and (low.endswith(_NOT_KR_BEFORE, max(0, s - 22), s) or low.startswith(" peninsula", e)):
            continue
        if cat == US and word.upper().startswith("AMERICA") and low.endswith(_NOT_US_BEFORE, max(0, s - 9), s):
            continue
        out.append(_Mention(s, e, cat if cat in _KINDS else "country", _countries(cat), word))
    if _HAS_CJK.search(text):
        for m in _CJK.finditer(text):
            word = m.group(0)
            cat = _CJK_CAT.get(word.translate(_STRIP_SEPS), "")
            if cat:
                out.append(_Mention(m.start(), m.end(), cat if cat in _KINDS else "country", _countries(cat), word))
        out.sort(key=lambda x: x.start)
    return out


def _runs(text: str, mentions: list[_Mention]) -> list[list[_Mention]]:
    """Maximal runs of single-country mentions joined only by list separators ("A, B and C", "A-B-C")."""
    runs: list[list[_Mention]] = []
    cur: list[_Mention] = []
    for m in mentions:
        if m.kind != "country" or len(m.countries) != 1:
            if len(cur) >= 3:
                runs.append(cur)
            cur = []
            continue
        if cur and _GAP.fullmatch(text, cur[-1].end, m.start):
            cur.append(m)
        else:
            if len(cur) >= 3:
                runs.append(cur)
            cur = [m]
    if len(cur) >= 3:
        runs.append(cur)
    return runs


def relevance(title: str, summary: str, body: str = "") -> Relevance:
    """Score how much an entry is about US–Japan–ROK cooperation; ``reasons`` names what matched."""
    text = "\n".join(s for s in (title, summary, body) if s)
    low = text.lower()
    for needle in _NEEDLES:   # a plain loop: the cheapest way to reject the ~19 in 20 entries that miss
        if needle in low:
            break
    else:
        return Relevance(False, 0.0, ())
    mentions = _mentions(text, low)
    if not mentions:
        return Relevance(False, 0.0, ())

    reasons: list[str] = []
    score = 0.0
    present: set[str] = set()
    for m in mentions:
        if m.kind in ("country", "ours"):
            present |= m.countries

    # 1.0: the trio named as one group.
    ours = next((m for m in mentions if m.kind == "ours"), None)
    other = next((m for m in mentions if m.kind == "other"), None)
    for run in _runs(text, mentions):
        names = frozenset().union(*(m.countries for m in run))
        label = text[run[0].start : run[-1].end]
        if len(run) == 3 and names == TRIO and ours is None:
            ours = _Mention(run[0].start, run[-1].end, "ours", TRIO, label)
        elif names in _OTHER_TRIOS and other is None:
            other = _Mention(run[0].start, run[-1].end, "other", names, label)
    strong = False
    if ours is not None:
        reasons.append(f"phrase:{ours.text}")
        score, strong = 1.0, True

    # 0.9: Freedom Edge; Camp David with Korea or Japan.
    for m in mentions:
        if m.kind == "fe" or (m.kind == "camp" and (KR in present or JP in present)):
            reasons.append(f"phrase:{m.text}")
            score, strong = max(score, 0.9), True
            break

    # Sentences (only needed from here on): the title is always a sentence of its own.
    starts = _sentence_starts(text)
    by_sentence: dict[int, set[str]] = {}
    for m in mentions:
        if m.kind in ("country", "ours"):
            by_sentence.setdefault(bisect.bisect_right(starts, m.start) - 1, set()).update(m.countries)

    # 0.9: "trilateral" in a sentence naming two of ours and no other partner.
    if score < 0.9:
        for m in mentions:
            if m.kind != "tri":
                continue
            named = by_sentence.get(bisect.bisect_right(starts, m.start) - 1, set())
            if len(named & TRIO) >= 2 and not named & _PARTNERS:
                reasons.append(f"{m.text}+{'+'.join(sorted(named & TRIO))}")
                score, strong = 0.9, True
                break

    # 0.7 / 0.4: all three countries, close together or scattered.
    if present >= TRIO:
        close = any((by_sentence[i] | by_sentence.get(i + 1, set())) >= TRIO for i in by_sentence)
        first = {c: next(m.text for m in mentions if c in m.countries) for c in (US, JP, KR)}
        label = ",".join(f"{c}={first[c]}" for c in (US, JP, KR))
        if close:
            reasons.append(f"countries:{label}")
            score = max(score, 0.7)
        else:
            reasons.append(f"countries-scattered:{label}")
            score = max(score, 0.4)
    elif score == 0.0:
        score = 0.1 * len(present & TRIO)

    if other is not None:
        reasons.append(f"other:{other.text}")
        if not strong:
            score = min(score, 0.3)
    return Relevance(score >= RELEVANT_SCORE, round(score, 2), tuple(reasons))
