"""Claim extraction: which sentences say what the three governments did or will do.

Rule-based and pure. For each sentence (skipping interview Q&A, questions and bylines) the
sentence is cut into clauses; each clause with a verb from the modality lexicon and a
government actor (explicit subject, reporting frame, passive voice or the running context
actor) becomes a :class:`Claim`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from . import lexicon as lx
from .deadlines import find_deadline
from .sentences import lower_same_length, split_sentences


@dataclass(frozen=True)
class Claim:
    """One clause in which a government actor states what was or will be done.

    ``sentence`` is ``text[start:end]`` verbatim; ``clause`` is ``text[clause_start:clause_end]``.
    """

    sentence: str
    start: int
    end: int
    actor: str
    actor_countries: frozenset[str]
    trilateral_scope: str            # "us_jp_kr" | "other" | "unknown"
    action: str                      # lemma: agree, establish, launch, hold, reaffirm, postpone, cancel...
    obj: str                         # the object phrase, verbatim from the clause ("" when none found)
    modality: str                    # agreed, will, plan, aim, consider, explore, committed, reaffirmed, ...
    negated: bool = False
    denial: bool = False
    hedged: bool = False
    quoted: bool = False
    reported: bool = False
    deadline: dt.date | None = None
    deadline_text: str = ""
    clause: str = ""
    clause_start: int = 0
    clause_end: int = 0
    klass: str = ""                  # modality class: drop, delay, narrow, hedge, launch, agree, plan, hold, reaffirm
    narrowed: bool = False
    retrospective: bool = False      # about the past (previously, last year, at Camp David ...)
    present_link: bool = False       # ... but tied to now (this summit, today, will)
    speculative: bool = False        # expected to / likely / rumoured
    reversal: bool = False           # "called off, then held"
    creation_decided: bool = False   # "agreed / decided to establish ..."
    creation: bool = False           # a creation verb (establish, launch, develop ...) in the clause
    trilateral_word: bool = False    # "trilateral", "three-way", "the three", 한미일 ...
    iteration: bool = False          # an occurrence held / scheduled (hold class)

    @property
    def evidence(self) -> str:
        return self.sentence


_SPEAKER_LINE = re.compile(r"^\s*(?:[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,4}|Q|A)\s*:\s")
_INTERVIEW_HEAD = re.compile(r"^\s*(?:interview|q\s*&\s*a)\b|\binterview (?:with|between)\b", re.IGNORECASE)
_BYLINE = re.compile(r"^\s*(?:by |reporter |\w+ \(\w+\) = |copyright|©|\[email)", re.IGNORECASE)
_CLAUSE_SPLIT = re.compile(
    r";\s+|,\s+(?:but|while|whereas|although|though|even as)\s+|\s+while\s+|\s+as the\s+|,?\s+when\s+|"
    r",\s+and\s+(?=(?:they|we|he|she|it|while|also|then|later|added|the \w+ (?:said|added))\b)|"
    r"\s+but\s+(?=(?:they|we|he|she|it|the|officials|later|then)\b)"
)
_SPECULATIVE = re.compile(
    r"\b(?:(?:is|are|was|were) (?:widely )?(?:expected|likely|unlikely|poised) to|expected to|likely to|"
    r"rumou?r\w*|speculat\w*|could|might|may well|perhaps|probably)\b"
)
_NONGOV_SAY = re.compile(
    r"\b(?:say|says|said|warn\w*|argu\w*|believ\w*|expect\w*|predict\w*|suggest\w*|think|thinks|"
    r"according to)\b"
)
_OBJ_LEAD = re.compile(
    r"^(?:\s|,)*(?:(?:to|on|that|upon|with|for|their|our|its|the importance of|shared|renewed|strong|"
    r"firm|full|continued|commitments?|efforts?|aim|plans?|intention|resolve|willingness|determination|"
    r"the|a|an|in|of)\s+)*"
)
_OBJ_VERB = re.compile(r"^(?:to\s+)?(?:\w+ (?:to )?)?(?=a |an |the |trilateral|joint|three)")
_OBJ_STOP = re.compile(
    r"[,;:\"”]|\s(?:while|to promote|to enhance|to strengthen|which|that|so that|in order|as|amid|following|"
    r"after|before|when|because|despite|and said|the ministry|he said|she said)\s"
)
_TRAILING_FRAME = re.compile(r"[,\s\"”]+(?:the|a|an|he|she|they|it)\s[\w .'-]{0,60}(?:said|added|noted|stated)\b.*$")


def _doc_scope(feats: list[tuple[frozenset[str], bool, bool]]) -> str:
    ours = other = 0
    for countries, is_other, usjpkr in feats:
        if is_other:
            other += 1
        elif usjpkr or {"US", "JP", "KR"} <= countries:
            ours += 1
    if ours > other:
        return "us_jp_kr"
    if other > ours:
        return "other"
    return "unknown"


def _features(sent: str) -> tuple[frozenset[str], bool, bool]:
    """(countries named, an explicit other format, an explicit US-Japan-ROK format)."""
    return lx.countries_in(sent), lx.other_format(sent), bool(lx.USJPKR_FORMAT.search(sent))


def _skip_ranges(text: str) -> list[tuple[int, int]]:
    """Interview Q&A, speaker-labelled lines, bylines: ranges whose sentences are never claims."""
    out: list[tuple[int, int]] = []
    in_interview = False
    for m in re.finditer(r"[^\n]+", text):
        line = m.group(0)
        if _INTERVIEW_HEAD.search(line) and len(line.split()) <= 25:
            in_interview = True
        if in_interview or _SPEAKER_LINE.match(line) or _BYLINE.match(line):
            out.append((m.start(), m.end()))
    return out


def _clauses(low: str, base: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in _CLAUSE_SPLIT.finditer(low):
        if m.start() > pos:
            spans.append((base + pos, base + m.start()))
        pos = m.start() if m.group(0).strip(" ,").startswith(("while", "but", "as", "when")) else m.end()
        if m.group(0).startswith(","):
            pos = m.start() + 1
    spans.append((base + pos, base + len(low)))
    return [(a, b) for a, b in spans if b > a]


_ORDER = {k: i for i, k in enumerate(lx.CLASS_ORDER)}


def _classify(low: str) -> tuple[str, int, int, int, int]:
    """(class, verb start, verb end, object start, position of the first verb); class "" when none.

    The strongest class present wins; its lemma is its first verb, its object follows its last
    verb ("announced that ... have agreed to establish X").
    """
    first = -1
    best, bs, be, bobj, bo = "", -1, -1, -1, 99
    for m in lx.VERB_ALL.finditer(low):
        klass = m.lastgroup or ""
        if first < 0:
            first = m.start()
        if klass == lx.LAUNCH:
            if _ADJECTIVAL.search(low, max(0, m.start() - 12), m.start()):
                continue
            if lx.FUTURE_BEFORE.search(low, max(0, m.start() - 12), m.start()):
                klass = lx.AGREE  # "will be launched", "to finalize": an undertaking, not a fact
        order = _ORDER[klass]
        if order < bo:
            best, bs, be, bobj, bo = klass, m.start(), m.end(), m.end(), order
        elif order == bo and klass != lx.LAUNCH:
            bobj = m.end()
    return best, bs, be, bobj, (first if first >= 0 else len(low))


_ADJECTIVAL = re.compile(r"\b(?:the|a|an|its|their|our|this|that|newly|already|well|long)\s+$")


def _lemma(verb: str) -> str:
    v = verb.strip()
    for stem, lemma in lx.LEMMAS:
        if v.startswith(stem) or stem in v:
            return lemma
    return v.split()[0] if v else ""


def _actor_in(zone: str) -> tuple[str, bool]:
    """(first government actor named in ``zone``, whether a non-government one comes first)."""
    for m in lx.ACTOR_ALL.finditer(zone):
        label = lx.actor_label(m)
        return label, not label
    return "", False


def _object(clause: str, low: str, verb_end: int) -> str:
    rest_low = low[verb_end:]
    lead = _OBJ_LEAD.match(rest_low)
    off = lead.end() if lead else 0
    verb = _OBJ_VERB.match(rest_low, off)
    if verb and verb.end() > off and rest_low[off:verb.end()].strip():
        off = verb.end()
    stop = _OBJ_STOP.search(rest_low, off)
    end = stop.start() if stop else len(rest_low)
    words = rest_low[off:end].split()
    if len(words) > 12:
        end = off + len(" ".join(rest_low[off:end].split()[:12]))
    return clause[verb_end + off:verb_end + end].strip(" .,'\"“”’")


def extract_claims(text: str, *, published: dt.date | None = None) -> list[Claim]:
    """The claims of a document, in document order."""
    sentences = split_sentences(text)
    if not sentences:
        return []
    skip = _skip_ranges(text)
    feats = [_features(text[s:e]) for s, e in sentences]
    doc_scope = _doc_scope(
        [(c, o and _names_third_party(text[s:e]), u) for (s, e), (c, o, u) in zip(sentences, feats, strict=True)]
    )
    context: str = ""
    out: list[Claim] = []
    si = 0
    for (s, e), feat in zip(sentences, feats, strict=True):
        while si < len(skip) and skip[si][1] <= s:
            si += 1
        if si < len(skip) and skip[si][0] <= s < skip[si][1]:
            context = ""
            continue
        sent = text[s:e]
        if sent.rstrip("\"'”’ )").endswith("?"):
            continue
        claims, context = _sentence_claims(sent, s, e, text, published, doc_scope, context, feat)
        out.extend(claims)
    return out


def _names_third_party(sent: str) -> bool:
    return any(w in sent for w in ("China", "Philippine", "Australia", "Quad", "한중일", "日中韓", "TCS", "CJK"))


def _sentence_claims(
    sent: str, s: int, e: int, text: str, published: dt.date | None, doc_scope: str, context: str,
    feat: tuple[frozenset[str], bool, bool],
) -> tuple[list[Claim], str]:
    low = lower_same_length(sent)
    spans = _clauses(low, s)
    analysed: list[tuple[int, int, str, int, int, int, int]] = []
    for a, b in spans:
        klass, vs, ve, vo, first = _classify(low[a - s:b - s])
        if not klass and analysed:
            pa, _pb, pk, pvs, pve, pvo, pf = analysed[-1]
            analysed[-1] = (pa, b, pk, pvs, pve, pvo, pf)
        elif analysed and not analysed[-1][2]:
            pa = analysed[-1][0]
            sh = a - pa
            analysed[-1] = (pa, b, klass, vs + sh, ve + sh, vo + sh, first + sh)
        else:
            analysed.append((a, b, klass, vs, ve, vo, first))
    if not any(item[2] for item in analysed):
        actor, nongov = _actor_in(low)
        return [], ("" if nongov else (actor or context))
    countries, is_other, usjpkr = feat
    if is_other:
        scope = "other"
    elif {"US", "JP", "KR"} <= countries or usjpkr:
        scope = "us_jp_kr"
    else:
        scope = doc_scope
    nongov_says = bool(lx.NONGOV_ACTOR.search(low) and _NONGOV_SAY.search(low))
    sent_actor, _ = _actor_in(low)
    reported = bool(lx.REPORTED.search(low))
    first_person = bool(lx.FIRST_PERSON.search(low))
    claims: list[Claim] = []
    new_context = context
    sentence_facts: dict[str, object] | None = None
    for a, b, klass, vs, ve, vo, first in analysed:
        clow = low[a - s:b - s]
        zone = clow[:first].strip()
        zone_actor, nongov = _actor_in(zone)
        if nongov:
            new_context = ""
            continue
        if zone_actor:
            new_context = zone_actor
        if not klass or nongov_says:
            continue
        actor = zone_actor
        if not actor:
            passive = bool(lx.PASSIVE_AUX.search(clow, 0, first))
            if lx.PRONOUN_SUBJECT.search(zone) or not zone or passive or first_person:
                actor = (sent_actor if reported else "") or context or ("officials" if passive else "")
            elif reported and sent_actor:
                actor = sent_actor
            elif lx.THING_SUBJECT.match(zone) and reported:
                actor = context
        if not actor:
            continue
        if actor != context and not zone_actor and sent_actor:
            new_context = sent_actor
        if sentence_facts is None:
            sentence_facts = _sentence_facts(sent, low, published, {item[2] for item in analysed})
        claims.append(_claim(text, sent, s, e, a, b, clow, klass, (vs, ve, vo), actor, countries, scope,
                             reported, sentence_facts))
    return claims, new_context


_DENIAL_CUES = ("den", "dismiss", "reject", "refut", "groundless", "baseless", "unfounded", "not true", "false",
                "no plan", "부인", "否定", "事実無根")


def _sentence_facts(sent: str, low: str, published: dt.date | None, classes: set[str]) -> dict[str, object]:
    deadline, deadline_text = find_deadline(low, sent, published)
    return {
        "denial": any(c in low for c in _DENIAL_CUES) and bool(lx.DENIAL.search(low)),
        "quoted": bool(lx.QUOTE_CHARS.search(sent)),
        "present": bool(lx.PRESENT_LINK.search(low)),
        "reversal": bool(classes & {lx.DROP, lx.DELAY}) and bool(lx.REVERSAL.search(low)),
        "deadline": deadline,
        "deadline_text": deadline_text,
    }


def _claim(
    text: str, sent: str, s: int, e: int, a: int, b: int, clow: str, klass: str, verb_at: tuple[int, int, int],
    actor: str, countries: frozenset[str], scope: str, reported: bool, f: dict[str, object],
) -> Claim:
    vs, ve, vo = verb_at
    clause = text[a:b]
    verb = clow[vs:ve]
    lemma = _lemma(verb)
    klass_mod = lx.MODALITY[klass]
    modality = klass_mod.get(lemma, klass_mod[""])
    if klass == lx.AGREE and lx.VERBS[lx.LAUNCH].match(verb):
        modality = "will"
    negated = klass != lx.DELAY and bool(lx.NEGATION.search(clow, max(0, vs - 30), vs))
    dl = f["deadline"]
    obj = _object(clause, clow, vo)
    # history is judged on the claim itself (subject, verb, object), not on later comparisons
    obj_at = clow.find(obj.lower(), vo) if obj else -1
    head_end = obj_at + len(obj) if obj_at >= 0 else min(len(clow), ve + 40)
    retrospective = bool(lx.RETROSPECTIVE.search(clow, 0, head_end))
    return Claim(
        sentence=sent, start=s, end=e, actor=actor, actor_countries=countries, trilateral_scope=scope,
        action=lemma, obj=obj, modality=modality, negated=negated,
        denial=bool(f["denial"]), hedged=klass == lx.HEDGE, quoted=bool(f["quoted"]), reported=reported,
        deadline=dl if isinstance(dl, dt.date) else None, deadline_text=str(f["deadline_text"]),
        clause=clause, clause_start=a, clause_end=b, klass=klass, narrowed=klass == lx.NARROW,
        retrospective=retrospective, present_link=bool(f["present"]),
        speculative=klass != lx.REAFFIRM and bool(_SPECULATIVE.search(clow)),
        reversal=bool(f["reversal"]), creation_decided=klass == lx.AGREE and bool(lx.CREATION_DECIDED.search(clow)),
        creation=bool(lx.CREATION_VERB.search(clow)), trilateral_word=bool(lx.TRILATERAL_WORD.search(clow)),
        iteration=klass == lx.HOLD,
    )
