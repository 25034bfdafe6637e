"""Claim extraction: which sentences say what the three governments did or will do.

Rule-based and pure. For each sentence (skipping interview Q&A, questions and bylines) the
sentence is cut into clauses; each clause with a verb from the modality lexicon and a
government actor (explicit subject, reporting frame, passive voice or the running context
actor) becomes a :class:`Claim`.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from . import lexicon as lx
from .cjk_extract import sentence_claims as cjk_sentence_claims
from .clauses import (
    THREE,
    TRILATERAL_SEARCH,
    actor_in,
    classify,
    future_subject_ok,
    lemma_of,
    object_phrase,
    split_clauses,
    zone_ends_at_word,
)
from .deadlines import find_deadline
from .docscope import DocScope as _Doc
from .fastre import words_of
from .fastsearch import GatedSearch, HeadSearch
from .naming import heading
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
    repeat: bool = False             # a later iteration named by its ordinal ("the second ...", 第3回)
    name: str = ""                   # the name of what the claim is about, when the analyser found one
    gloss: str = ""                  # Korean/Japanese claims: the English gloss of ``obj`` (new ids, titles)

    @property
    def evidence(self) -> str:
        return self.sentence


_LINE = re.compile(r"[^\n]+")
_SPEAKER_LINE = re.compile(r"^\s*(?:[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,4}|Q|A)\s*:\s")
_INTERVIEW_HEAD = re.compile(r"^\s*(?:interview|q\s*&\s*a)\b|\binterview (?:with|between)\b", re.IGNORECASE)
_BYLINE = re.compile(r"^\s*(?:by |reporter |\w+ \(\w+\) = |copyright|©|\[email)", re.IGNORECASE)
_SPECULATIVE = re.compile(
    r"\b(?:(?:is|are|was|were) (?:widely )?(?:expected|likely|unlikely|poised) to|expected to|likely to|"
    r"rumou?r\w*|speculat\w*|could|might|may well|perhaps|probably)\b"
)
_NONGOV_SAY = re.compile(
    r"\b(?:say|says|said|warn\w*|argu\w*|believ\w*|expect\w*|predict\w*|suggest\w*|think|thinks|"
    r"according to)\b"
)
# The same searches, tried only where a literal a match starts with occurs (fastre.HeadSearch),
# and, for whole sentences and clauses, only when a word a match starts with is there.
# "the exercise will be conducted under ...": an agentless passive whose auxiliary is the clause's first verb
_FUTURE_PASSIVE = re.compile(r"(?:will|shall|would) (?:also )?be (?:\w+ly )?\w+(?:ed|en|eld)\b")
_F_NONGOV = GatedSearch(lx.NONGOV_ACTOR)
_F_NONGOV_SAY = GatedSearch(_NONGOV_SAY)
_F_REPORTED = GatedSearch(lx.REPORTED)
_F_FIRST_PERSON = GatedSearch(lx.FIRST_PERSON)
_F_DENIAL = GatedSearch(lx.DENIAL)
_F_PRESENT = GatedSearch(lx.PRESENT_LINK)
_F_REVERSAL = GatedSearch(lx.REVERSAL)
_F_RETROSPECTIVE = HeadSearch(lx.RETROSPECTIVE)  # searched up to a cut that may fall inside a word
_F_SPECULATIVE = GatedSearch(_SPECULATIVE)
_F_CREATION_DECIDED = GatedSearch(lx.CREATION_DECIDED)
_F_CREATION = GatedSearch(lx.CREATION_VERB)



def _skip_ranges(text: str) -> list[tuple[int, int]]:
    """Interview Q&A, speaker-labelled lines, bylines: ranges whose sentences are never claims."""
    out: list[tuple[int, int]] = []
    in_interview = False
    for m in _LINE.finditer(text):
        line = m.group(0)
        # "nterv" / "&": a necessary cue for _INTERVIEW_HEAD (no letter of it has a special case form)
        maybe_head = "&" in line or "nterv" in line.lower()
        if maybe_head and _INTERVIEW_HEAD.search(line) and len(line.split()) <= 25:
            in_interview = True
        if in_interview or _SPEAKER_LINE.match(line) or _BYLINE.match(line):
            out.append((m.start(), m.end()))
    return out


def extract_claims(text: str, *, published: dt.date | None = None) -> list[Claim]:
    """The claims of a document, in document order."""
    sentences = split_sentences(text)
    if not sentences:
        return []
    skip = _skip_ranges(text)
    doc = _Doc(text, sentences)
    context: tuple[str, str] = ("", "")  # (last actor named, actor named in the sentence just before)
    out: list[Claim] = []
    si = 0
    prev_end = 0
    for idx, (s, e) in enumerate(sentences):
        while si < len(skip) and skip[si][1] <= s:
            si += 1
        if si < len(skip) and skip[si][0] <= s < skip[si][1]:
            context = ("", "")
            continue
        sent = text[s:e]
        if "\n" in text[prev_end:s]:
            context = (context[0], "")  # a new paragraph: nothing is "the sentence just before"
        prev_end = e
        if sent.rstrip("\"'”’ )").endswith("?"):
            context = (context[0], "")
            continue
        cjk = cjk_sentence_claims(sent, s, e, published, context, doc.cjk_scope())
        if cjk is None:
            claims, context = _sentence_claims(sent, s, e, text, published, doc, idx, context)
            if not claims and sent.lstrip()[:1] in _BULLETS:
                claims = _bullet_claim(sent, s, e, doc, idx, context[0])
        else:
            claims, context = cjk
        out.extend(claims)
    return out


_VENUE_APPOSITIVE = re.compile(r"\b(?:at|in)\s+(?:the\s+)?[\w.'’-]+(?:\s+[\w.'’-]+){0,3},\s+(?:a|an)\s+$")
_AND_BEFORE = re.compile(r"\band\s+$")
_BULLETS = frozenset("•◦▪‣-*·")


def _bullet_claim(sent: str, s: int, e: int, doc: _Doc, idx: int, actor: str) -> list[Claim]:
    """A fact sheet's bullet that names an undertaking in its heading ("• Annual Meetings Between
    Foreign Ministers ...: At least annually, ..."): what the governments the document speaks for
    agreed, even when the text under the heading carries no verb of its own."""
    label = heading(sent)
    if not label or not actor or doc.scope() != "us_jp_kr":
        return []
    low = lower_same_length(sent)
    countries = doc.features(idx)[0]
    return [Claim(sentence=sent, start=s, end=e, actor=actor, actor_countries=countries, trilateral_scope="us_jp_kr",
                  action="agree", obj=label, modality="agreed", klass=lx.AGREE, clause=sent, clause_start=s,
                  clause_end=e, quoted=bool(lx.QUOTE_CHARS.search(sent)), present_link=True,
                  trilateral_word=bool(TRILATERAL_SEARCH.search(low)), name=label)]


def _sentence_claims(
    sent: str, s: int, e: int, text: str, published: dt.date | None, doc: _Doc, idx: int, ctx: tuple[str, str],
) -> tuple[list[Claim], tuple[str, str]]:
    """The claims of one sentence, and the context for the next one.

    ``ctx`` is (the last government actor named, the actor named in the sentence just
    before in the same paragraph or ""): a pronoun subject ("they", "we") refers to the first;
    a clause with no subject at all (passive, "it", "the drill will ...") only to the second.
    """
    context, adjacent = ctx
    low = lower_same_length(sent)
    verbs = list(lx.VERB_FAST.finditer(low))  # a scan for verb heads: cheap when there is none
    if not verbs:
        # no verb in the sentence, so none in any of its clauses: only the running actor moves
        # (the next sentence inherits an actor named here, never one from further back)
        actor, nongov = actor_in(low)
        return [], (("", "") if nongov else (actor or context, actor))
    words = words_of(low)
    spans = split_clauses(low, s)
    analysed: list[tuple[int, int, str, int, int, int, int]] = []
    bare: dict[int, tuple[str, int, int, int]] = {}  # clause start -> its verdict without a bare "will"
    for a, b in spans:
        whole = a == s and b == e  # one clause: the sentence's verbs are the clause's
        (klass, vs, ve, vo, first), alt = classify(low[a - s:b - s], verbs if whole else None)
        if not klass and analysed:
            pa, _pb, pk, pvs, pve, pvo, pf = analysed[-1]
            analysed[-1] = (pa, b, pk, pvs, pve, pvo, pf)
        elif analysed and not analysed[-1][2]:
            pa = analysed[-1][0]
            sh = a - pa
            analysed[-1] = (pa, b, klass, vs + sh, ve + sh, vo + sh, first + sh)
            if alt is not None:
                bare[pa] = (alt[0], alt[1] + sh, alt[2] + sh, alt[3] + sh)
        else:
            analysed.append((a, b, klass, vs, ve, vo, first))
            if alt is not None:
                bare[a] = alt
    if not any(item[2] for item in analysed):
        actor, nongov = actor_in(low)
        return [], (("", "") if nongov else (actor or context, actor))
    countries, is_other, usjpkr, _third = doc.features(idx)
    if is_other:
        scope = "other"
    elif countries >= THREE or usjpkr:
        scope = "us_jp_kr"
    else:
        scope = doc.scope()
    nongov_says = bool(_F_NONGOV.search_in(low, words) and _F_NONGOV_SAY.search_in(low, words))
    if nongov_says and (", a " in low or ", an " in low):
        # "said in a speech at the Hudson Institute, a think tank": the venue, not the speaker
        nongov_says = any(not _VENUE_APPOSITIVE.search(low, 0, m.start()) for m in lx.NONGOV_ACTOR.finditer(low))
    sent_first = lx.ACTOR_FAST.first(low)
    sent_actor = lx.actor_label(sent_first[0]) if sent_first else ""
    reported = bool(_F_REPORTED.search_in(low, words))
    first_person = bool(_F_FIRST_PERSON.search_in(low, words))
    claims: list[Claim] = []
    new_context = context
    named = bool(sent_actor)  # a government actor is named in this sentence
    sentence_facts: dict[str, object] | None = None
    clause_actor = ""   # the actor of the sentence's clause before: "X agreed to ... and reaffirmed ..."
    for a, b, klass, vs, ve, vo, first in analysed:
        clow = low[a - s:b - s]
        zone = clow[:first].strip()
        if a == s and zone_ends_at_word(clow, first, b == e):
            # the zone is the sentence's start: its first actor is the sentence's, if it ends there
            if sent_first is not None and sent_first[1].end() <= first:
                zone_actor = lx.actor_label(sent_first[0])
                nongov = not zone_actor
            else:
                zone_actor, nongov = "", False
        else:
            zone_actor, nongov = actor_in(zone)
        if nongov:
            new_context = ""
            continue
        if zone_actor:
            new_context = zone_actor
            named = True
        if not klass or nongov_says:
            continue
        actor = zone_actor
        if not actor and not zone and a > s and clause_actor and _AND_BEFORE.search(text, max(0, a - 6), a):
            actor = clause_actor
        if not actor:
            # "was held", or a participle after a comma: "The inaugural Dialogue, held in Washington, ..."
            passive = bool(lx.PASSIVE_AUX.search(clow, 0, first)) or bool(_FUTURE_PASSIVE.match(clow, first)) or (
                klass == lx.HOLD and clow[:first].rstrip().endswith(",") and clow[first:first + 4] == "held")
            pronoun = bool(lx.PRONOUN_SUBJECT.search(zone)) or first_person
            if pronoun or not zone or passive:
                # a pronoun refers back to the last actor named; no subject at all only to one
                # named in the sentence just before (an agentless passive is the officials')
                actor = (sent_actor if reported else "") or (context if pronoun else adjacent) or (
                    "officials" if passive else ""
                )
            elif reported and sent_actor:
                actor = sent_actor
            elif lx.THING_SUBJECT.match(zone) and reported:
                actor = adjacent
        continued = (not actor and a == s and bool(adjacent) and sent.lstrip()[:1] in ("“", '"')
                     and sent.rstrip()[-1:] in ("”", '"'))
        if continued:
            actor = adjacent   # '... the statement said. “That will include ...”': the quotation goes on
        if not actor and lx.countries_in(text[a:a + first]) >= THREE:
            actor = "ministry"   # "South Korea, the United States and Japan have agreed ...": the three governments
        if not actor:
            continue
        if a in bare and not continued and not future_subject_ok(sent, a - s, clow, vs, first, actor):
            klass, vs, ve, vo = bare[a]  # a bare "will" whose subject is not the three governments
            if not klass:
                continue
        if actor != context and not zone_actor and sent_actor:
            new_context = sent_actor
        clause_actor = actor
        if sentence_facts is None:
            sentence_facts = _sentence_facts(sent, low, words, published, {item[2] for item in analysed})
        claim = _claim(text, sent, s, e, a, b, clow, klass, (vs, ve, vo), actor, countries, scope, reported,
                       sentence_facts, words)
        if claims and not zone and claims[-1].retrospective and _AND_BEFORE.search(text, max(0, a - 6), a):
            claim = replace(claim, retrospective=True)   # "held a summit in August ... and agreed on ..."
        claims.append(claim)
    return claims, (new_context, new_context if named else "")


_DENIAL_CUES = ("den", "dismiss", "reject", "refut", "groundless", "baseless", "unfounded", "not true", "false",
                "no plan", "부인", "否定", "事実無根")


def _sentence_facts(
    sent: str, low: str, words: frozenset[str], published: dt.date | None, classes: set[str]
) -> dict[str, object]:
    deadline, deadline_text = find_deadline(low, sent, published)
    return {
        "denial": any(c in low for c in _DENIAL_CUES) and bool(_F_DENIAL.search_in(low, words)),
        "quoted": bool(lx.QUOTE_CHARS.search(sent)),
        "present": bool(_F_PRESENT.search_in(low, words)),
        "reversal": bool(classes & {lx.DROP, lx.DELAY}) and bool(_F_REVERSAL.search_in(low, words)),
        "deadline": deadline,
        "deadline_text": deadline_text,
        "past_months": _past_months(low, published),
    }


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_IN_MONTH = re.compile(r"\bin (" + "|".join(_MONTHS) + r")\b(?!\s+\d)")


def _past_months(low: str, published: dt.date | None) -> tuple[int, ...]:
    """Offsets of "in <month>" (no year) naming a month two or more months before publication: what
    happened then is background ("held a trilateral summit in August", said in October)."""
    if published is None or "in " not in low:
        return ()
    return tuple(m.start() for m in _IN_MONTH.finditer(low)
                 if _MONTHS.index(m.group(1)) + 1 <= published.month - 2)


def _claim(
    text: str, sent: str, s: int, e: int, a: int, b: int, clow: str, klass: str, verb_at: tuple[int, int, int],
    actor: str, countries: frozenset[str], scope: str, reported: bool, f: dict[str, object],
    words: frozenset[str],
) -> Claim:
    vs, ve, vo = verb_at
    clause = text[a:b]
    verb = clow[vs:ve]
    lemma = lemma_of(verb)
    klass_mod = lx.MODALITY[klass]
    modality = klass_mod.get(lemma, klass_mod[""])
    if klass == lx.AGREE and lx.VERBS[lx.LAUNCH].match(verb):
        modality = "will"
    if klass == lx.AGREE and lx.FUTURE_AGREEMENT.search(clow):
        klass, modality = lx.PLAN, "plan"   # "will announce that ...": an agreement still to come
    negated = klass != lx.DELAY and bool(lx.NEGATION.search(clow, max(0, vs - 30), vs))
    dl = f["deadline"]
    obj = object_phrase(clause, clow, vo)
    # history is judged on the claim itself (subject, verb, object), not on later comparisons
    obj_at = clow.find(obj.lower(), vo) if obj else -1
    head_end = obj_at + len(obj) if obj_at >= 0 else min(len(clow), ve + 40)
    if klass == lx.HOLD:
        # "met in Washington, ... the first since Camp David in August 2023": the meeting is now
        comma = clow.find(",", ve)
        head_end = min(head_end, comma) if comma >= 0 else head_end
    retrospective = bool(_F_RETROSPECTIVE.search(clow, 0, head_end))
    past = f["past_months"]
    if past and isinstance(past, tuple) and klass != lx.DELAY:
        # "in August" within the claim's own words (subject to object)
        retrospective |= any(a - s <= p < a - s + head_end + 20 for p in past)
    return Claim(
        sentence=sent, start=s, end=e, actor=actor, actor_countries=countries, trilateral_scope=scope,
        action=lemma, obj=obj, modality=modality, negated=negated,
        denial=bool(f["denial"]), hedged=klass == lx.HEDGE, quoted=bool(f["quoted"]), reported=reported,
        deadline=dl if isinstance(dl, dt.date) else None, deadline_text=str(f["deadline_text"]),
        clause=clause, clause_start=a, clause_end=b, klass=klass, narrowed=klass == lx.NARROW,
        retrospective=retrospective, present_link=bool(f["present"]),
        speculative=klass != lx.REAFFIRM and bool(_F_SPECULATIVE.search_in(clow, words)),
        reversal=bool(f["reversal"]), creation_decided=klass == lx.AGREE and bool(_F_CREATION_DECIDED.search_in(clow, words)),
        creation=bool(_F_CREATION.search_in(clow, words)),
        trilateral_word=bool(TRILATERAL_SEARCH.search_in(clow, words)),
        iteration=klass == lx.HOLD, repeat=bool(lx.REPEAT.search(clow)),
    )
