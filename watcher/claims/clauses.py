"""Clause-level reading: clause splitting, the verb that decides a clause's class, its actor
zone and object, and whether a bare "will" has the three governments as its subject (pure)."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from . import lexicon as lx
from .fastsearch import GatedSearch

# ";", ", but|while|...", ", when", ", and they|...", " while ", " as the ", " when ", " but they|..."
# (branches grouped by their first character, so that most positions fail at once)
CLAUSE_SPLIT = re.compile(
    r";\s+|"
    r",(?:\s+(?:but|while|whereas|although|though|even as)\s+|\s+when\s+|"
    r"\s+and\s+(?=(?:they|we|he|she|it|while|also|then|later|added|the \w+ (?:said|added))\b))|"
    r"(?<!\s)\s+(?:while\s+|as the\s+|when\s+|but\s+(?=(?:they|we|he|she|it|the|officials|later|then)\b)|"
    # "agreed to scale back X and reaffirmed Y": a second verb of the same subject, a claim of its own
    r"and\s+(?=(?:also\s+)?(?:reaffirm|reiterat|welcom|prais|agreed|decided|pledged|vowed|committed|launched|"
    r"postponed|delayed|cancel|suspended|scaled|underscor|emphasi[sz]ed|stressed|highlighted|noted|expressed|"
    r"announced|held|conducted)\w*\b))"
)  # "(?<!\s)": tried from the start of a run of spaces only, not again from each space of it (linear time)
_OBJ_LEAD = re.compile(
    r"^(?:\s|,)*\"?(?:(?:to|on|that|upon|with|for|their|our|its|the importance of|shared|renewed|strong|"
    r"firm|full|continued|commitments?|efforts?|aim|plans?|intention|resolve|willingness|determination|"
    r"the|a|an|in|of)\s+)*"
)
_OBJ_VERB = re.compile(r"^(?:to\s+)?(?:\w+ (?:to )?)?(?=a |an |the |trilateral|joint|three)")
_OBJ_STOP = re.compile(
    r"[,;:\"”]|\s(?:while|to promote|to enhance|to strengthen|which|that|so that|in order|as|amid|following|"
    r"after|before|when|because|despite|and said|the ministry|he said|she said)\s"
)
TRILATERAL_SEARCH = GatedSearch(lx.TRILATERAL_WORD)
THREE = frozenset({"US", "JP", "KR"})


def split_clauses(low: str, base: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    pos = 0
    for m in CLAUSE_SPLIT.finditer(low):
        if m.start() > pos:
            spans.append((base + pos, base + m.start()))
        pos = m.start() if m.group(0).strip(" ,").startswith(("while", "but", "as", "when")) else m.end()
        if m.group(0).startswith(","):
            pos = m.start() + 1
    spans.append((base + pos, base + len(low)))
    return [(a, b) for a, b in spans if b > a]


_ORDER = {k: i for i, k in enumerate(lx.CLASS_ORDER)}


_Verdict = tuple[str, int, int, int, int]  # class, verb start, verb end, object start, first verb


def classify(
    low: str, verbs: Sequence[tuple[str, re.Match[str]]] | None = None
) -> tuple[_Verdict, tuple[str, int, int, int] | None]:
    """(class, verb start, verb end, object start, position of the first verb); class "" when none.

    The strongest class present wins; its lemma is its first verb, its object follows its last
    verb ("announced that ... have agreed to establish X"). ``verbs``: the verb matches of
    ``low`` when already known.

    The second value is, when the winner is a bare "will" / "shall", the (class, verb start, verb
    end, object start) the clause has without it (class "" when nothing is left): a bare future
    counts as an undertaking only when its subject is the three governments (decided by the caller).
    """
    first = -1
    best, bs, be, bobj, bo = "", -1, -1, -1, 99
    alt, a_s, a_e, a_obj, a_o = "", -1, -1, -1, 99
    for klass, m in (lx.VERB_FAST.finditer(low) if verbs is None else verbs):
        if first < 0:
            first = m.start()
        if klass == lx.HOLD and m.group(0) in _NOMINAL_HOLD and low.startswith(" of ", m.end()):
            continue   # "by the regular conduct of the exercise": a noun, not the clause's verb
        if klass == lx.HOLD and _FUTURE_BE.search(low, max(0, m.start() - 12), m.start()):
            klass = lx.AGREE   # "will be conducted", "is to be held": scheduled, not yet held
        if klass == lx.LAUNCH and first >= 0 and m.start() > first and low.startswith(" by ", m.end()) \
                and not lx.PASSIVE_AUX.search(low, max(0, m.start() - 24), m.start()):
            continue   # "... under the memorandum signed by the ministers": a participle of a noun, not the verb
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
        if m.group(0) in BARE_FUTURE:
            continue
        if order < a_o:
            alt, a_s, a_e, a_obj, a_o = klass, m.start(), m.end(), m.end(), order
        elif order == a_o and klass != lx.LAUNCH:
            a_obj = m.end()
    verdict = (best, bs, be, bobj, (first if first >= 0 else len(low)))
    bare = best == lx.AGREE and low[bs:be] in BARE_FUTURE
    return verdict, ((alt, a_s, a_e, a_obj) if bare else None)


BARE_FUTURE = frozenset({"will", "shall"})
_FUTURE_BE = re.compile(r"\b(?:will|would|shall|to) (?:also )?be\s+$")
_NOMINAL_HOLD = frozenset({"conduct", "holding", "staging", "conducting"})


_ADJECTIVAL = re.compile(r"\b(?:the|a|an|its|their|our|this|that|newly|already|well|long)\s+$")


@functools.lru_cache(maxsize=4096)
def lemma_of(verb: str) -> str:
    v = verb.strip()
    for stem, lemma in lx.LEMMAS:
        if v.startswith(stem) or stem in v:
            return lemma
    return v.split()[0] if v else ""


def actor_in(zone: str) -> tuple[str, bool]:
    """(first government actor named in ``zone``, whether a non-government one comes first)."""
    found = lx.ACTOR_FAST.first(zone)
    if found is None:
        return "", False
    label = lx.actor_label(found[0])
    return label, not label


def zone_ends_at_word(clow: str, first: int, whole: bool) -> bool:
    """Whether ``clow[:first]`` ends between words (no actor phrase runs into a verb), or is the
    whole sentence."""
    if first >= len(clow):
        return whole
    return first > 0 and not (clow[first - 1].isalnum() or clow[first - 1] == "_")


def object_phrase(clause: str, low: str, verb_end: int) -> str:
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


# actors that speak for the three governments together (with a trilateral subject)
_COLLECTIVE = frozenset(
    {"joint statement", "leaders", "foreign ministers", "defense ministers", "national security advisers", "ministry"}
)
# where the subject of a verb cannot reach back past: quotes, "that", a reporting verb, ", and"
_SUBJECT_CUT = re.compile(
    r"[;:\"“”(]|\bthat\b|,\s*(?:and|but|while)\b|\b(?:said|says|say|told|added|noted|stated|announced|according to)\b"
)
_PLURAL_PRONOUN = re.compile(r"(?:we|they|all three|both sides|the sides)(?: (?:also|jointly|all|together|both))?")


def future_subject_ok(sent: str, off: int, clow: str, vs: int, first: int, actor: str) -> bool:
    """Whether a bare "will" at ``clow[vs:]`` has the three governments (their leaders,
    ministers, a joint statement) as its subject: "the three leaders will", "South Korea, the
    U.S. and Japan will", "the joint statement said they will", "we will" in their words."""
    if actor == "joint statement":
        return True  # "the joint statement said the new office will open in Seoul"
    cut = 0
    hard = 0   # the last cut that is not ", and" (a list of the three countries runs through it)
    for m in _SUBJECT_CUT.finditer(clow, 0, vs):
        cut = m.end()
        if not m.group(0).startswith(","):
            hard = m.end()
    if lx.countries_in(sent[off + hard:off + vs]) >= THREE:
        return True   # "Japan, the ROK, and the United States will ..."
    subj = clow[cut:vs].strip()
    if not subj:  # "..., and will hold": the clause's own subject
        cut, subj = 0, clow[:first].strip()
    if _PLURAL_PRONOUN.fullmatch(subj):
        return actor in _COLLECTIVE
    start = off + clow.find(subj, cut)
    if lx.countries_in(sent[start:start + len(subj)]) >= THREE:
        return True  # "South Korea, the United States and Japan will", "the leaders of ... will"
    found = lx.ACTOR_FAST.first(subj)
    label = lx.actor_label(found[0]) if found else ""
    if label == "joint statement":
        return True
    return label in _COLLECTIVE and TRILATERAL_SEARCH.search(subj) is not None
