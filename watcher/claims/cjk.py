"""Claims in Korean and Japanese sentences (pure given the analysers' output).

Predicates come last in both languages and carry the meaning (합의했다, 개최하기로 했다,
出範させることで一致, 延期, 見送り ...), so the sentence is read through a morphological
analyser (:mod:`.ko`: kiwipiepy, :mod:`.ja`: SudachiPy) into :class:`Morph` tokens with a
lemma and a coarse part of speech; each language gives its lexicon of predicate cues
(:class:`Lexicon`), and the rules here are shared: clauses cut at connective endings, the
clause's last cue is its predicate, a cue before it is what the predicate governs ("출범시키기로
합의": agreed, to launch), the object is the noun phrase before that cue.

Only sentences a cheap prefilter passes (a predicate cue among the characters) are analysed.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass

from . import lexicon as lx
from .gloss import has_head, head_of

# ----------------------------------------------------------------- scripts
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def script_of(sent: str) -> str:
    """"ko" for a sentence in Hangul, "ja" for one in kana/kanji, "" for anything else."""
    hangul = len(_HANGUL.findall(sent))
    if hangul >= 4:
        return "ko"
    if _KANA.search(sent) or len(_HAN.findall(sent)) >= 6:
        return "ja" if hangul < 2 else "ko"
    return ""


# ----------------------------------------------------------------- tokens and lexicons
@dataclass(frozen=True, slots=True)
class Morph:
    form: str
    lemma: str
    tag: str        # N noun, V verb/adjective (stem), A ending/auxiliary, J particle, P punctuation,
    start: int      # Q quote or bracket, M other (adverb, determiner)
    end: int
    cut: bool = False   # a clause ends after this token (a connective ending, a comma after a verb)


@dataclass(frozen=True)
class Lexicon:
    """One language's cues. ``cues``: lemma -> (class, English action lemma); ``phrases``: runs of
    lemmas -> (class, action). Classes are lexicon.py's plus REPORT (said), SPEC (expected),
    CREATE (a creation the undertaking names: establish, launch), REGULAR (regularize)."""

    cues: dict[str, tuple[str, str]]
    phrases: tuple[tuple[tuple[str, ...], tuple[str, str]], ...]
    future: tuple[str, ...]          # lemmas after the predicate that make it future / an undertaking
    past: tuple[str, ...]            # lemmas right after it that make it past
    shared_endings: tuple[str, ...]  # listing endings whose clause takes the next predicate's mood (-고,)
    light: tuple[str, ...]           # light verbs that make a verbal noun a predicate (하다, する)
    complement: tuple[str, ...]      # particles after which a verbal noun is still a predicate (ETN 기로 ...)
    first: tuple[str, ...]           # "first" (a first meeting held makes the thing)
    negation: tuple[str, ...]        # lemmas after the predicate that negate it
    object_particles: tuple[str, ...]
    subject_particles: tuple[str, ...]
    conj: tuple[str, ...]            # "and" between noun phrases
    actors: tuple[tuple[str, str], ...]    # (surface, English actor label)
    nongov: tuple[str, ...]
    speculative: tuple[str, ...]     # surface cues
    reported: tuple[str, ...]
    denial: tuple[str, ...]
    retrospective: tuple[str, ...]
    present: tuple[str, ...]
    prefilter: tuple[str, ...]       # surface strings one of which a candidate sentence contains
    strong: tuple[str, ...]          # cues of an undertaking or an upset: read even with no word for the three
    trilateral: tuple[str, ...]
    other_format: tuple[str, ...]    # another format with a third party (China-Japan-Korea, Quad ...)
    bilateral: tuple[str, ...]       # two of the three on their own (a sentence's scope only)
    countries: tuple[tuple[str, tuple[str, ...]], ...]
    candidate: re.Pattern[str] | None = None   # a stricter prefilter than ``prefilter`` (a cue in a verb form)

    def phrase_index(self) -> _PhraseIndex:
        """The phrases by their first lemma."""
        got = _PHRASE_INDEX.get(id(self))
        if got is None:
            index: dict[str, list[tuple[tuple[str, ...], tuple[str, str]]]] = {}
            for run, val in self.phrases:
                index.setdefault(run[0], []).append((run, val))
            got = _PHRASE_INDEX[id(self)] = {k: tuple(v) for k, v in index.items()}
        return got


_PHRASE_INDEX: dict[int, _PhraseIndex] = {}


_PhraseIndex = dict[str, tuple[tuple[tuple[str, ...], tuple[str, str]], ...]]


REPORT, SPEC, CREATE, REGULAR, ACT = "report", "spec", "create", "regular", "act"
_GOVERNING = frozenset({lx.AGREE, lx.PLAN, lx.HEDGE, REPORT, SPEC})
_MODALITY = {lx.AGREE: "agreed", lx.PLAN: "plan", lx.HEDGE: "consider", lx.LAUNCH: "launched",
             lx.HOLD: "held", lx.DELAY: "postponed", lx.DROP: "cancelled", lx.REAFFIRM: "reaffirmed",
             lx.NARROW: "narrowed"}


@dataclass(frozen=True)
class Pred:
    """The predicate of one clause, as the rules read it."""

    a: int                 # clause span in the sentence (offsets)
    b: int
    klass: str
    action: str
    modality: str
    cue_at: int            # offset of the governed (or main) cue, for the object phrase
    obj: str
    chunks: tuple[str, ...]  # the part of obj to gloss, cut at its links
    plural: bool             # obj names several things by their shared head
    name: str                # a name in quotes in obj (see _quoted_name)
    obj_at: int              # offset of obj in the sentence (-1: none)
    head_noun: str         # the governed cue's verbal noun when it names the undertaking (共有, 協力)
    negated: bool
    creation: bool
    creation_decided: bool
    reported: bool
    speculative: bool
    zone: str              # the clause's text before the predicate (its subject and objects)


def _cue_at(toks: Sequence[Morph], i: int, lex: Lexicon) -> tuple[int, str, str] | None:
    """(tokens used, class, action) of a cue starting at token i."""
    for run, val in lex.phrase_index().get(toks[i].lemma, ()):
        n = len(run)
        if all(toks[i + k].lemma == run[k] for k in range(1, n)) if i + n <= len(toks) else False:
            return n, val[0], val[1]
    t = toks[i]
    if t.tag in "NV":
        hit = lex.cues.get(t.lemma)
        if hit is not None and (t.tag == "V" or _predicative(toks, i, lex)):
            return 1, hit[0], hit[1]
    return None


def _predicative(toks: Sequence[Morph], i: int, lex: Lexicon) -> bool:
    """A verbal noun used as a predicate: followed by a light verb (하다, する ...), an ending, the
    clause's end, or a particle then a light verb ("합의를 했다")."""
    nxt = toks[i + 1] if i + 1 < len(toks) else None
    if nxt is None or nxt.tag in "PQA" or nxt.cut or nxt.lemma in lex.light:
        return True
    if nxt.tag == "J":
        after = toks[i + 2] if i + 2 < len(toks) else None
        return nxt.lemma in lex.complement or (after is not None and after.lemma in lex.light)
    return False


def clause_preds(sent: str, toks: Sequence[Morph], lex: Lexicon) -> list[Pred]:
    """The predicates of a sentence, one per clause that has a cue (a clause without one joins
    the next)."""
    out: list[Pred] = []
    shared: list[bool] = []   # the clause ends in a listing ending whose mood the next predicate gives
    start = 0
    a_off = 0
    n = len(toks)
    for k in range(n):
        if not (toks[k].cut or k == n - 1):
            continue
        span = toks[start:k + 1]
        pred = _clause_pred(sent, span, a_off, lex)
        if pred is not None:
            out.append(pred)
            shared.append(toks[k].form in lex.shared_endings)
            start = k + 1
            a_off = toks[k + 1].start if k + 1 < n else len(sent)
    # "정상회의를 매년 열고, 장관 회의도 개최하기로 합의했다": the first is agreed too, not held
    for i in range(len(out) - 2, -1, -1):
        nxt = out[i + 1]
        if shared[i] and out[i].klass in (lx.HOLD, lx.LAUNCH) and nxt.klass in (lx.AGREE, lx.PLAN, lx.HEDGE):
            out[i] = dataclasses.replace(out[i], klass=nxt.klass, action=nxt.action, modality=nxt.modality)
    return out


def _clause_pred(sent: str, toks: Sequence[Morph], a_off: int, lex: Lexicon) -> Pred | None:
    cues: list[tuple[int, int, str, str]] = []  # (token index, length, class, action)
    i = 0
    while i < len(toks):
        hit = _cue_at(toks, i, lex)
        if hit is None:
            i += 1
            continue
        cues.append((i, hit[0], hit[1], hit[2]))
        i += hit[0]
    if not cues:
        return None
    b_off = toks[-1].end
    reported = speculative = False
    # the predicate: the last cue; report / speculation frames hand over to the cue they govern
    idx = len(cues) - 1
    while idx > 0 and cues[idx][2] in (REPORT, SPEC):
        if cues[idx][2] == REPORT:
            reported = True
        else:
            speculative = True
        idx -= 1
    main = cues[idx]
    if main[2] in (REPORT, SPEC):
        return None
    if main[2] == ACT:  # "will share / cooperate": an undertaking; done in the past: nothing to read
        tail = [t.lemma for t in toks[main[0] + main[1]:]]
        if not (any(x in lex.future for x in tail) and not any(x in lex.past for x in tail[:4])):
            return None
        # read as "will" governing the act itself: the act's object is what is undertaken
        cues[idx:idx + 1] = [main, (main[0], main[1], lx.AGREE, "will")]
        idx += 1
        main = cues[idx]
    klass, action = main[2], main[3]
    governed = [c for c in cues[:idx] if c[2] not in (REPORT, SPEC)] if klass in _GOVERNING else []
    after = toks[main[0] + main[1]:]
    after_lemmas = [t.lemma for t in after]
    negated = any(x in lex.negation for x in after_lemmas[:6])
    future = any(x in lex.future for x in after_lemmas) and not any(x in lex.past for x in after_lemmas[:4])
    if klass == CREATE:
        klass, action = (lx.AGREE, action) if future else (lx.LAUNCH, action)
    elif klass == REGULAR:
        klass = lx.AGREE
    elif klass == lx.LAUNCH and future:
        klass = lx.AGREE  # "will launch": an undertaking, not a launch
    modality = "will" if future and klass == lx.AGREE else _MODALITY.get(klass, klass)
    creation_decided = klass == lx.AGREE and any(c[2] == CREATE for c in governed)
    head_noun = ""
    target = main
    obj = _NO_NP
    for c in reversed(governed):  # the nearest governed cue with a noun phrase before it
        obj = _object(sent, toks, c[0], lex)
        if obj.text:
            target = c
            break
    if not obj.text:
        obj = _object(sent, toks, main[0], lex, loose=True)
    if target is not main and target[3] in _VERBAL_HEADS and toks[target[0]].tag == "N":
        head_noun = toks[target[0]].lemma  # "데이터를 공유하기로": the sharing is the undertaking
    creation = klass == lx.LAUNCH or any(c[2] == CREATE for c in cues)  # a creation verb, as in English
    zone = sent[a_off:toks[main[0]].start]
    return Pred(a_off, b_off, klass, action, modality, toks[target[0]].start, obj.text, obj.chunks, obj.plural,
                obj.name, obj.at if obj.text else -1, head_noun, negated, creation, creation_decided, reported, speculative,
                zone)


def first_occurrence(text: str, lex: Lexicon) -> bool:
    """The text calls a meeting or an exercise the first, or numbers it (初会合, 첫 회의, 3回目, 제3차)."""
    return any(w in text for w in lex.first) or bool(_ORDINAL.search(text))


_ORDINAL = re.compile(r"(?<!\d)\d+\s*(?:回目|번째|차\s)|第\s*\d+\s*回|제\s*\d+\s*차")
_VERBAL_HEADS = frozenset({"share", "cooperate", "consult"})
_LEADING = frozenset({"ため", "こと", "もの", "위해", "것", "등", "など", "데", "수"})


@dataclass(frozen=True)
class NounPhrase:
    text: str                    # verbatim from the sentence
    chunks: tuple[str, ...]      # the conjunct to gloss, cut at its links (의, の, に関する ...)
    at: int = -1                 # offset of text in the sentence
    plural: bool = False         # several things sharing one head: named by the head alone
    name: str = ""               # a name in quotes inside it, its words spaced ("フリーダム エッジ")


_NO_NP = NounPhrase("", ())
# time words and adverbial nouns are not what a predicate is about ("사무국을 연내 출범", "来月開催")
_TIME = frozenset({"연내", "올해", "내년", "내달", "연말", "다음", "달", "무기한", "당일", "즉시", "조속히", "오늘",
                   "이날", "결국", "끝내", "사실상", "당초", "일단", "이상", "이하", "최소", "최대", "매년", "매달", "年内",
                   "来月", "来年", "今年", "年末", "今夏", "今月", "無期限", "当面", "以上", "毎年"})
_LINK_VERBS = frozenset({"関する", "係る", "関わる", "向ける", "관하", "대하", "위하", "향하"})
_FRAME = frozenset({"방침", "방안", "의지", "입장", "중요성", "필요성", "약속", "의향", "方針", "方向", "意向", "立場",
                    "重要性", "必要性", "考え", "姿勢", "意志", "約束"})
_ABOUT = ("도", "も", "について", "に関して", "に対して", "에 대해", "관련해")
_MARKED = (*_ABOUT, "도", "も", "의", "の", "에", "で", "に", "へ", "에서", "에서의", "について")
_THING_EVENTS = frozenset({lx.LAUNCH, lx.HOLD, lx.DELAY, lx.DROP, CREATE, REPORT})


def _np_tok(t: Morph, lex: Lexicon) -> bool:
    return t.tag in "NQ" or t.form in ("·", "・", "의", "の", "、", ",") or t.lemma in lex.conj


_OPEN, _CLOSE = "「『\"“'‘<〈《", "」』\"”'’>〉》"


def _quoted_name(sent: str, toks: Sequence[Morph]) -> str:
    """The name between quotes in a noun phrase, or "": Korean as written ("프리덤 에지"),
    Japanese as the analyser's words spaced ("「フリーダムエッジ」" -> "フリーダム エッジ"), so that
    "フリーダム・エッジ" in a later text matches it."""
    start = -1
    for k, t in enumerate(toks):
        if t.tag == "Q" and start < 0 and t.form in _OPEN:
            start = k
        elif t.tag == "Q" and start >= 0 and t.form in _CLOSE:
            inner = toks[start + 1:k]
            if not inner:
                return ""
            text = sent[inner[0].start:inner[-1].end]
            if _HANGUL.search(text):
                return text.strip()
            return " ".join(w.form for w in inner if w.form not in ("・", "·", " "))
    return ""


def _marked_np_end(toks: Sequence[Morph], i: int, allowed: tuple[str, ...], lex: Lexicon) -> int:
    """Index of the last noun of the nearest phrase before token i marked by one of the ``allowed``
    particles (over adverbs and adverbial phrases; not over a verb), or -1."""
    k = i - 1
    while k >= 0 and i - k <= 10 and toks[k].tag not in "VP":
        if toks[k].tag == "J" and toks[k].form in allowed:
            j = k - 1
            while j >= 0 and toks[j].tag == "J" and toks[j].lemma not in lex.conj:
                j -= 1  # "での", "でも", "への": two particles
            if j >= 0 and toks[j].tag in "NQ":
                return j
        k -= 1
    return -1


def _object(sent: str, toks: Sequence[Morph], i: int, lex: Lexicon, *, loose: bool = False) -> NounPhrase:
    """The noun phrase a cue at token i is about: the nouns it is compounded with ("사무국 설립",
    "情報共有"), else the nearest phrase marked as its object (을/를, を), its subject or topic
    (이/가, 은/는, が, は), or with ``loose`` (a main predicate: "Xで合意", "X에 합의") any case."""
    j = i - 1
    if j < 0:
        return _NO_NP
    if toks[j].tag not in "NQ" or toks[j].form in _TIME:
        allowed = (*lex.object_particles, *lex.subject_particles, *_ABOUT)
        j = _marked_np_end(toks, i, allowed, lex)
        if j < 0 and loose:
            j = _marked_np_end(toks, i, (*allowed, *_MARKED), lex)
        if j < 0:
            return _NO_NP
    end = j
    while j >= 0:
        t = toks[j]
        if _np_tok(t, lex) and t.form not in _TIME:
            if t.form in ("、", ",") and not (j > 0 and toks[j - 1].tag == "N"):
                break
            j -= 1
        elif t.tag in "VA" and (t.lemma in _LINK_VERBS or (j > 0 and toks[j - 1].lemma in _LINK_VERBS)):
            j -= 1  # に関する, 에 관한 / 위한 (the ending after them, the particle before them)
        elif t.tag == "J" and j + 1 <= end and toks[j + 1].lemma in _LINK_VERBS:
            j -= 1
        else:
            break
    begin = j + 1
    while begin <= end and (toks[begin].tag not in "NQ" or toks[begin].form in _LEADING):
        begin += 1
    while end >= begin and toks[end].tag not in "NQ":
        end -= 1
    if begin > end:
        return _NO_NP
    cue = lex.cues.get(toks[end].lemma)
    if cue is not None and cue[0] in _THING_EVENTS:
        inner = _object(sent, toks, end, lex, loose=True)  # "사무국 설립", "取決めへの署名": the thing
        if inner.text:
            return inner
    text = sent[toks[begin].start:toks[end].end].strip(" 、,")
    at = toks[begin].start
    # conjuncts (과/와, や, 、): the first that ends in a head noun is glossed
    conjuncts: list[list[str]] = [[]]
    chunk = ""
    for t in toks[begin:end + 1]:
        if t.lemma in lex.conj or t.form in ("、", ",", "·"):  # "·" joins Korean words (경보·추적훈련)
            conjuncts[-1].append(chunk)
            conjuncts.append([])
            chunk = ""
        elif t.tag in "JVA":
            conjuncts[-1].append(chunk)
            chunk = ""
        else:
            chunk += t.form
    conjuncts[-1].append(chunk)
    parts = [tuple(c for c in conj if c) for conj in conjuncts]
    parts = [p for p in parts if p]
    at += len(sent[at:]) - len(sent[at:].lstrip(" 、,"))
    name = _quoted_name(sent, toks[begin:end + 1])
    if toks[end].form in _FRAME:  # "…する方針", "…의지": the content is the clause before, not a thing
        return NounPhrase(text, (), -1, name=name)
    heads = [head_of(p[-1]) for p in parts]
    shared = {h for h in heads if h}
    modifiers_only = all(h or len(p) == 1 for h, p in zip(heads, parts, strict=True))
    if len(parts) >= 2 and len(shared) == 1 and heads[-1] and modifiers_only:
        # different things sharing one head ("A훈련과 B훈련", "경보·추적훈련"): named by the head, plural
        return NounPhrase(text, (parts[-1][-1],), at, plural=True, name=name)
    chosen = next((p for p in parts if has_head(p[-1])), parts[-1] if parts else ())
    return NounPhrase(text, chosen, at, name=name)


