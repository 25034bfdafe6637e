"""Naming what a claim creates (pure): the name later texts will use for a new commitment.

A new commitment gets a stable id and title from the most canonical form of its name, tried in
this order: a heading the sentence opens with ("Commitment to Consult: The Leaders ..."), a name
in quotes, a Title Case name ending in an institution noun ("the Trilateral Indo-Pacific
Dialogue"), the head noun phrase of the object ("a permanent coordinating office" -> trilateral
coordinating office, "hold a three-way summit meeting every year" -> annual trilateral summit). An
acronym in parentheses after the name is kept as an alias.

:func:`signature` reduces a name to its content words (synonyms folded, the trilateral words,
countries and determiners dropped): two names with the same signature are the same commitment,
so "Annual Leaders' Meeting" finds the "annual trilateral summit" minted a day earlier.

Only generic vocabulary lives here (institution nouns, event nouns, determiners); knowledge of
particular commitments lives in the registry or in what the watcher minted.
"""

from __future__ import annotations

import functools
import hashlib
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from importlib import resources

# Nouns that name something a government sets up or holds (longest first where they overlap): generic
# vocabulary, kept with the glossary in data/heads.toml.
HEADS: tuple[str, ...] = tuple(tomllib.loads(
    resources.files("watcher.claims").joinpath("data/heads.toml").read_text(encoding="utf-8"))["heads"])
_HEAD_WORDS = "|".join(re.escape(h) for h in HEADS)
_HEAD_RX = re.compile(rf"\b(?:{_HEAD_WORDS})\b", re.IGNORECASE)
# a noun in front of "of": the thing named follows ("the first meeting of the dialogue")
_NOMINAL_OF = re.compile(
    r"\b(?:meeting|meetings|round|session|iteration|edition|establishment|creation|launch|launching|"
    r"operationalization|operationalisation|implementation|formation|development|finalization|opening|"
    r"inauguration|signing|conclusion|start)\s+of\s+",
    re.IGNORECASE,
)
_BETWEEN_MINISTERS = re.compile(r"(?<!\s)\s+(?:between|of|among)\s+[^.;]{0,80}?\bministers\b", re.IGNORECASE)
_SETTING_BEFORE = re.compile(
    r"\b(?:at|during|on the sidelines of|on the margins of|ahead of|before|after|following|on the occasion of)"
    r"\s+(?:[\w'’.-]+\s+){0,3}$",
    re.IGNORECASE,
)
# how often the undertaking recurs (an adverb of the clause; "annual" before a noun is in the name itself)
_ANNUAL = re.compile(
    r"\b(?:annually|at least (?:once a year|annually)|once a year|every year|each year|yearly|"
    r"on a regular basis|regularly)\b",
    re.IGNORECASE,
)
_QUOTED = re.compile(r"[\"“”]([A-Z][\w'’\-]*(?:\s+[\w'’\-]+){0,5})[\"“”]")
_ACRONYM = re.compile(r"\(([A-Z][A-Z0-9\-]{1,9})\)")
_HEADING = re.compile(
    r"^\W{0,3}([A-Z][\w'’\-]*(?:,?\s+(?:[A-Z][\w'’\-]*|and|to|of|on|for|the|between|with|in)){0,14})\s*:\s+\S"
)
_TITLE_WORD = r"(?:[A-Z][\w'’\-]*|U\.S\.(?:-[A-Z][\w\-]*)*|\d{4})"
_FORMAT_WORD = re.compile(
    r"(?:U\.?S\.?A?|America|Japan|ROK|Korea|South|Seoul|Tokyo|Washington)(?:[-–](?:U\.?S\.?A?|Japan|ROK|Korea|"
    r"South[ -]Korea))*"
)
_NAMED = re.compile(rf"\b(?:named|called|dubbed|titled|known as)\s+[\"“]?({_TITLE_WORD}(?:\s+{_TITLE_WORD}){{0,4}})")
_TITLE_NAME = re.compile(
    rf"{_TITLE_WORD}(?:\s+(?:(?:on|for|of|and|to)\s+)?{_TITLE_WORD}){{0,9}}"
)
# words that never belong in a name: determiners, format words, countries, vague adjectives
_DROP = frozenset(
    ["a", "an", "the", "their", "our", "its", "this", "that", "these", "those", "his", "her", "new", "first", "inaugural", "permanent", "formal", "official", "second", "third", "fourth", "fifth", "latest", "next", "own", "joint", "jointly", "three", "three-way", "trilateral", "trilaterally", "trilateral-level", "trio", "u.s.", "us", "usa", "united", "states", "america", "american", "japan", "japanese", "korea", "korean", "south", "rok", "republic", "of", "u.s.-japan-rok", "u.s.-rok-japan", "japan-u.s.-rok", "japan-u.s.-south", "rok-u.s.-japan", "korea-u.s.-japan", "us-rok-japan", "us-japan-rok", "japan-us-rok", "u.s.-japan-south", "u.s.-japan-korea", "seoul", "tokyo", "washington", "such", "more", "further", "historic", "landmark", "multilateral", "regional", "major", "key", "important", "all", "each", "other", "certain", "several", "various"]
)
_SYNONYMS = {
    "annually": "annual", "yearly": "annual", "regular": "annual", "regularly": "annual",
    "drills": "exercise", "drill": "exercise", "exercises": "exercise", "meetings": "meeting",
    "consultations": "consultation", "multiyear": "multi-year", "multidomain": "multi-domain",
    "programme": "program", "centre": "center", "mechanism": "system", "leaders": "leader", "ministers": "minister",
    "ministerial": "minister", "talks": "meeting", "advisors": "advisor", "advisers": "advisor",
    "adviser": "advisor", "summits": "summit",
}
# verbs an object phrase may still start with ("hold the exercises", "establish a hotline")
_VERBS = frozenset(
    ["hold", "holding", "held", "establish", "establishing", "established", "create", "creating", "created", "launch", "launching", "launched", "set", "setting", "up", "develop", "developing", "developed", "conduct", "conducting", "conducted", "stage", "staging", "form", "forming", "build", "building", "open", "opening", "finalize", "finalizing", "meet", "meeting", "convene", "convening", "sign", "signing", "signed", "start", "starting", "begin", "beginning", "activate", "activating", "introduce", "introducing", "pursue", "pursuing", "continue", "continuing", "improve", "improving", "expand", "expanding", "strengthen", "strengthening", "institutionalize", "institutionalizing", "regularize", "regularizing", "make", "making", "organize", "organizing", "host", "hosting", "resume", "resuming", "operate", "operating",
     "include", "includes", "including"]
) - {"meeting"}
_CONTAINERS = frozenset({"system", "mechanism", "arrangement", "platform"})
_DETERMINERS = frozenset({"a", "an", "the", "their", "our", "its", "this", "that", "these", "those", "such"})
_TRILATERAL = frozenset({"trilateral", "three-way"})
_TRIVIAL = frozenset({"trilateral", "cooperation", "us", "japan", "rok", "korea", "and", "for", "on", "to", "of",
                      "in", "with", "between", "among", "the", "a", "an"})


# content words too vague to name a commitment on their own
VAGUE = frozenset({"meeting", "summit", "exercise", "dialogue", "framework", "plan", "group", "program",
                   "annual", "consultation", "commitment", "partnership", "system", "mechanism", "leader",
                   "minister", "conference", "forum", "initiative", "board", "center", "network", "channel",
                   "memorandum"})


def vague(sig: frozenset[str]) -> bool:
    """Nothing, or one vague word: "the summit" names no particular commitment."""
    return len(sig) <= 1 and sig <= VAGUE


@dataclass(frozen=True)
class Naming:
    """What a new commitment is called: ``id`` (snake_case), ``title``, ``aliases`` later texts may use."""

    id: str
    title: str
    aliases: tuple[str, ...]
    recurring: bool


def slug(text: str) -> str:
    """The snake_case form of a name (apostrophes dropped: "Leaders' Meeting" -> leaders_meeting)."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("'", "").replace("\u2019", "")
    return re.sub(r"[^0-9a-z]+", "_", text).strip("_")


def heading(sentence: str) -> str:
    """The Title Case label a sentence opens with ("• Commitment to Consult: The Leaders ...")."""
    m = _HEADING.match(sentence)
    if not m:
        return ""
    label = m.group(1).strip()
    words = label.split()
    caps = sum(1 for w in words if w[:1].isupper())
    return label if caps >= max(1, len(words) // 2) and len(words) >= 2 else ""


def _np_at_head(text: str, tail: str = "") -> tuple[str, str] | None:
    """(noun phrase ending at the first institution noun of ``text``, that noun), modifiers kept.
    ``tail``: what follows ``text`` in its clause (read only to see what the noun is "between")."""
    m = _HEAD_RX.search(text)
    if m is None:
        return None
    head = m.group(0)
    # "<head1> of <phrase with head2>": the thing named is the second
    after = text[m.end():] + tail
    of = re.match(r"\s+(?:of|for)\s+", after)
    if of and head.lower() in ("meeting", "meetings", "memorandum", "plan", "round"):
        inner = _np_at_head(after[of.end():])
        if inner is not None and not inner[1].lower().startswith("meeting"):
            if head.lower() == "plan":   # "a multiyear plan for trilateral drills": the drills plan
                return inner[0] + " plan", "plan"
            return inner
    if _SETTING_BEFORE.search(text, 0, m.start()):
        return None   # "meet at this APEC summit": a venue, not the thing undertaken
    if head.lower().startswith("meeting") and _BETWEEN_MINISTERS.match(after):
        head = "ministerial meetings"   # "yearly meetings between leaders, foreign ministers, ..."
    parts = re.split(r"([,;:()\"“”]|\b(?:to|and|with|that|which|by|in|at|on|for|of|as|from)\s)", text[:m.start()])
    before = parts[-1]
    # coordinated modifiers: "missile warning, search and tracking exercises" keeps all three
    i = len(parts) - 1
    while i >= 2 and len(before.split()) <= 4 and parts[i - 1].strip() in (",", "and") and \
            0 < len(parts[i - 2].split()) <= 4 and not _DETERMINERS.intersection(parts[i - 2].lower().split()[:1]):
        before = parts[i - 2] + " " + before
        i -= 2
    words = [w for w in before.split()
             if w.lower() in _TRILATERAL or (w.lower().strip(".") not in _DROP and w.lower() not in _VERBS
                                             and not w[:1].isdigit())]
    words = ["trilateral" if w.lower() in _TRILATERAL else w for w in words]
    words = words[-4:]
    return " ".join([*words, head]), head


def _clean(words: list[str]) -> list[str]:
    return [w for w in words if w.lower() not in _DROP]


def _title_names(text: str) -> list[str]:
    """Title Case names in ``text`` that end in an institution noun ("Trilateral Indo-Pacific Dialogue")."""
    out = []
    for m in _TITLE_NAME.finditer(text):
        name = m.group(0)
        if _SETTING_BEFORE.search(text, 0, m.start()):
            continue   # "agreements made during the Trilateral Leaders' Summit": the occasion
        words = name.split()
        # trim to the last institution noun
        last = max((i for i, w in enumerate(words) if _HEAD_RX.fullmatch(w.rstrip("s") if w.lower() not in HEADS
                                                                         else w)), default=-1)
        if last < 0:
            continue
        rest = words[last + 1:]
        if not (rest and rest[0] in ("for", "on", "of")):
            words = words[:last + 1]   # "... Framework for Maritime Security and ... Cooperation" stays whole
        while len(words) > 2 and _FORMAT_WORD.fullmatch(words[0]):
            words = words[1:]          # "US-ROK-Japan Trilateral ... Summit": the format is not the name
        # a name has at least one word besides format words and the head
        if len(_clean(words[:-1])) == 0:
            continue
        if not words[0][:1].isupper():
            continue
        out.append(" ".join(words))
    return out


def name_of(clause: str, sentence: str, obj: str) -> Naming | None:
    """The name of what the clause creates or holds, or None when it names no institution."""
    found = _name_of(clause, sentence, obj)
    return None if found is None or vague(signature(found.title)) else found


def named(name: str) -> Naming | None:
    """The naming of a name an analyser found itself (a heading, a name in quotes)."""
    found = _naming(name, tuple(_ACRONYM.findall(name)), proper=True, annual=False, extra=())
    return None if vague(signature(found.title)) else found


def _name_of(clause: str, sentence: str, obj: str) -> Naming | None:
    label = heading(sentence)
    annual = bool(_ANNUAL.search(clause))
    tail = clause
    if label:
        return _naming(label, (), proper=True, annual=annual and not _ANNUAL.search(label), extra=())
    named = _NAMED.search(clause)
    if named:
        return _naming(named.group(1), tuple(_ACRONYM.findall(clause)), proper=True, annual=False, extra=())
    quoted = [q for q in _QUOTED.findall(clause) if len(q.split()) <= 4]
    acr = _ACRONYM.findall(clause)
    for q in quoted:
        if _HEAD_RX.search(q) or len(q.split()) <= 3:
            return _naming(q, tuple(acr), proper=True, annual=False, extra=())
    titles = _title_names(obj or tail) or _title_names(tail)
    if titles:
        best = max(titles, key=len)
        return _naming(best, tuple(acr), proper=True, annual=False, extra=())
    text = obj or ""
    of = _NOMINAL_OF.search(text)
    if of and of.start() < 30:
        text = text[of.end():]
    at = clause.find(text) if text else -1
    found = _np_at_head(text, clause[at + len(text):] if at >= 0 else "")
    if found is None:
        return None
    phrase, head = found
    if vague(signature(phrase)):
        purpose = _PURPOSE.search(text)
        if purpose:   # "a system to share missile warning data": named by what it does
            verb = purpose.group(1).lower()
            thing = [w for w in re.split(r"\s+", purpose.group(2)) if w.lower() not in _DROP and w.lower() != "north"]
            if thing:
                ing = verb[:-1] + "ing" if verb.endswith("e") and not verb.endswith("ee") else verb + "ing"
                return _naming(" ".join([*thing[-4:], ing]), tuple(acr), proper=False, annual=annual,
                               extra=(text.strip(),), trilateral=False)
    if head.lower() in ("commitment", "partnership", "board", "group", "talks", "pilot", "plan") and \
            len(phrase.split()) < 2:
        return None   # too vague on its own ("a commitment", "a partnership")
    return _naming(phrase, tuple(acr), proper=False, annual=annual, extra=(text.strip(),))


_PURPOSE = re.compile(
    r"\bto (share|exchange)\s+"
    r"((?:[\w-]+\s+){0,5}?[\w-]+?)(?=\s+(?:in|with|on|by|for|from|among|between|to|and|that|which|at)\b|[,.;]|$)",
    re.IGNORECASE,
)
_SUMMIT = re.compile(r"\b(?:summit meetings?|leaders'? meetings?|leaders’ meetings?)\b", re.IGNORECASE)
_MINISTERIAL = re.compile(r"\bmeetings?\s+(?:between|of|among)\b.*\bministers?\b", re.IGNORECASE)


def _naming(name: str, acronyms: tuple[str, ...], *, proper: bool, annual: bool, extra: tuple[str, ...],
            trilateral: bool = True) -> Naming:
    name = re.sub(r"\s+", " ", name.strip(" .,'\"“”’"))
    canon = _SUMMIT.sub("summit", name) if not proper else name
    if _MINISTERIAL.search(canon):
        canon = ("annual " if re.search(r"\bannual", canon, re.IGNORECASE) else "") + "ministerial meetings"
    words = canon.split()
    if not proper and len(words) >= 3 and words[-1].lower() in _CONTAINERS and words[-2].lower().endswith("ing"):
        # "a trilateral missile warning data sharing mechanism": the activity is the name
        words = [w for w in words[:-1] if w.lower() not in _TRILATERAL]
        trilateral = False
    if not proper:
        # the words in the text's order ("multi-year trilateral framework"); "trilateral" first when absent
        words = [w for i, w in enumerate(words) if w.lower() != "trilateral" or "trilateral" not in
                 [x.lower() for x in words[:i]]]
        if "trilateral" not in [w.lower() for w in words] and (trilateral or len(words) == 1):
            words = ["trilateral", *words]
        if annual and not any(w.lower() in ("annual", "yearly") for w in words):
            words = ["annual", *words]
    # a name with no Latin letters (사무국, 事務局) keeps a stable id of its own rather than a shared fallback
    cid = slug(" ".join(words))[:80].strip("_") or "trilateral_" + hashlib.sha1(
        unicodedata.normalize("NFKC", name).encode()).hexdigest()[:10]
    title = " ".join(words)
    title = title[:1].upper() + title[1:]
    aliases = [name, " ".join(words), *acronyms, *(e for e in extra if 0 < len(e.split()) <= 8)]
    if proper and not re.search(r"\btrilateral\b", name, re.IGNORECASE) and _HEAD_RX.search(name):
        aliases.append("trilateral " + name)
    # an alias must name the thing on its own: not a bare event noun ("summit", "dialogue")
    uniq = tuple(dict.fromkeys(a for a in aliases if len(a) >= 3 and not vague(signature(a))))
    recurring = annual or bool(re.search(r"\b(?:annual|exercises?|drills?|summit|meetings?|dialogue)\b", title,
                                         re.IGNORECASE))
    return Naming(id=cid, title=title, aliases=uniq, recurring=recurring)


@functools.lru_cache(maxsize=8192)
def signature(name: str) -> frozenset[str]:
    """The content words of a name, synonyms folded; empty when nothing distinctive is left."""
    low = unicodedata.normalize("NFKC", name).casefold().replace("’", "'").replace("'s", "").replace("'", "")
    low = _SUMMIT.sub("summit", low)
    words = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", low)
    out = set()
    for w in words:
        if w in _DROP or w in _TRIVIAL:
            continue
        if w.startswith("anti-") and len(w) > 6:
            w = w[5:]   # "anti-missile exercises" are missile exercises
        w = _SYNONYMS.get(w, w)
        if w.endswith("s") and not w.endswith("ss") and len(w) > 4 and w not in ("talks",):
            w = w[:-1]
        out.add(w)
    for run in _CJK_RUN.findall(low):   # Korean and Japanese names: each run of script, format words left out
        run = _CJK_FORMAT.sub("", run)
        if run and run not in ("한", "미", "일", "日", "米", "韓"):   # 한·미·일 written with dots
            out.add(run)
    return frozenset(out)


@functools.lru_cache(maxsize=8192)
def head_noun(name: str) -> str:
    """The institution noun a name ends in, folded as :func:`signature` folds it ("Programs" -> program),
    or "" when it ends in none."""
    words = re.findall(r"[a-z]+", unicodedata.normalize("NFKC", name).casefold())
    if not words or not _HEAD_RX.fullmatch(words[-1]):
        return ""
    w: str = _SYNONYMS.get(words[-1], words[-1])
    return w[:-1] if w.endswith("s") and not w.endswith("ss") and len(w) > 4 and w != "talks" else w


_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]+")
_CJK_FORMAT = re.compile(r"^(?:한미일|한일미|미일한|日米韓|韓米日|米日韓|日韓米|3국|3カ国|三か国|3か国)(?:의|간|の)?|(?:간|の)$")


def names_in(text: str) -> list[Naming]:
    """Every institution named in ``text`` (a list: "welcomed the data sharing mechanism, the
    quantum program and Exercise Blue Horizon"), by its head noun phrases and Title Case names."""
    out: list[Naming] = []
    for t in _title_names(text):
        out.append(_naming(t, (), proper=True, annual=False, extra=()))
    for q in _QUOTED.findall(text):
        if len(q.split()) <= 4:
            out.append(_naming(q, (), proper=True, annual=False, extra=()))
    pos = 0
    while True:
        m = _HEAD_RX.search(text, pos)
        if m is None:
            break
        start = max(text.rfind(",", 0, m.start()), text.rfind(" and ", 0, m.start()), text.rfind(" of ", 0, m.start()),
                    pos - 1)
        found = _np_at_head(text[start + 1:m.end()])
        if found is not None:
            out.append(_naming(found[0], (), proper=False, annual=False, extra=()))
        pos = m.end()
    return [n for n in out if not vague(signature(n.title))]
