"""What a document makes new, and what it names (pure): the helpers of :mod:`watcher.commitments.diff` that mint a
commitment the registry does not hold, find a known one by the content words of its name, and read a
meeting of the three governments' ministers as an iteration of their recurring meeting."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ..claims import Claim
from ..claims import lexicon as lx
from ..claims.naming import VAGUE, Naming, head_noun, heading, name_of, named, signature, slug, vague
from .model import CommitmentState, Document
from .registry import INSTITUTION_HEADS, Commitment, derive_recurring, mint_id

_UNDERTAKE = re.compile(r"\b(?:hold|meet|conduct|stage|convene|carry out|consult|coordinate|develop|pursue)\b")


# agreement to a thing rather than to an action: "agreed to “a multi-year trilateral framework ...”"
_AGREED_TO_THING = re.compile(r"\b(?:agreed|decided|committed) (?:to|on|upon) [\"“]?(?:a|an|the|their) ")
_TALKS = re.compile(r"\bdiscussions? (?:on|about|toward|towards)\b|\bcontinu\w* (?:to )?discuss")


def new_candidate(c: Claim, naming: Naming | None) -> bool:
    """Whether the claim makes a commitment the registry does not hold: the three governments
    agree / plan / launch / consider creating something that has a name, or hold its first meeting."""
    if naming is None or c.retrospective or c.negated or c.reversal:
        return False
    low = c.clause.lower()
    if c.klass == lx.HOLD:
        head = naming.title.split()[-1].lower()
        first = re.search(rf"\b(?:first|inaugural|first-ever|maiden)\s+(?:[\w'’.-]+\s+){{0,7}}?{re.escape(head)}", low)
        # the first, or a numbered one ("the second trilateral X dialogue"): a thing of its own, held
        return (first is not None or c.repeat) and (c.trilateral_word or len(c.actor_countries) >= 3)
    if c.klass not in (lx.AGREE, lx.PLAN, lx.LAUNCH, lx.HEDGE) or lx.RETROSPECTIVE.search(low):
        return False
    if not (c.trilateral_word or len(c.actor_countries) >= 3 or heading(c.sentence)):
        return False
    return (c.creation or c.klass == lx.LAUNCH or bool(_UNDERTAKE.search(low)) or bool(heading(c.sentence)) or c.name != ""
            or bool(_AGREED_TO_THING.search(low)))


_MINISTERS = {"foreign ministers": "foreign", "defense ministers": "defense", "national security advisers": "security"}
_TRACKS = frozenset({"foreign", "defense", "defence", "security", "commerce", "trade", "finance", "economic"})
_BELOW_MINISTER = re.compile(r"\b(?:vice|deputy|first vice|senior officials?|working[- ]level|director[- ]general)\b")
_MET = re.compile(r"\b(?:met|meet|meets|convened|gathered|talks|meeting)\b")


def meeting_of(states: Mapping[str, CommitmentState], c: Claim) -> list[str]:
    """The three governments' ministers (or leaders) met: an iteration of the recurring meeting
    of theirs the registry or an earlier document made ("annual ministerial meetings")."""
    kind = _MINISTERS.get(c.actor)
    low = c.clause.lower()
    if kind is None or len(c.actor_countries) < 3 or not _MET.search(low) or _BELOW_MINISTER.search(low):
        return []
    # the meeting of this track ("annual foreign ministers' meeting") before one of every track
    for own_track in (True, False):
        for cid, st in states.items():
            com = st.commitment
            if not com.recurring:
                continue
            for n in (cid.replace("_", " "), com.title, *com.aliases):
                sig = signature(n)
                if "meeting" not in sig or not sig & {"minister", "advisor"}:
                    continue
                tracks = sig & _TRACKS
                if len(sig) > 5 and not (own_track and kind in tracks):
                    continue   # a long name counts only when it lists this track
                if (kind in tracks) if own_track else (not tracks and "minister" in sig and kind != "security"):
                    return [cid]
    return []


_NEXT_SUMMIT = re.compile(
    r"\b(?:another|next|upcoming|this year'?s|second|third|fourth|fifth|sixth)\s+(?:[\w'’-]+\s+){0,2}?"
    r"(?:trilateral|three-way|leaders?['’]?)\s+summit\b|"
    r"\b(?:trilateral|three-way|leaders?['’]?)\s+summit\b[^.;]{0,50}?\b(?:this year|next year|later this year|"
    r"before the end of (?:the|this) (?:calendar )?year|at least (?:once a year|annually))|"
    r"\b(?:yearly|annual)\s+(?:trilateral\s+)?meetings?\s+(?:between|of|among)\s+(?:the\s+|their\s+)?leaders\b"
)
_SUMMIT_WORDS = frozenset({"annual", "summit", "leader", "meeting"})


def summit_of(states: Mapping[str, CommitmentState], c: Claim) -> list[str]:
    """The three governments plan, hold or reaffirm their next summit ("pushing for a leaders' summit
    this year", "holding another trilateral summit"): an iteration of their recurring summit."""
    if c.klass not in (lx.PLAN, lx.AGREE, lx.HOLD, lx.REAFFIRM, lx.DELAY) or c.retrospective:
        return []
    if not _NEXT_SUMMIT.search(c.clause.lower().replace("’", "'")):
        return []
    for cid, st in states.items():
        com = st.commitment
        if com.recurring and any("summit" in sig and sig <= _SUMMIT_WORDS for sig in _signatures(com)):
            return [cid]
    return []


_FIRST_UNDERTAKING = re.compile(
    r"\b(?:agreed|decided|committed|pledged|vowed|plans?|planned|aims?|aimed|will)(?:\s+(?:to|on))?\s+", re.IGNORECASE
)


_ESTABLISHED = re.compile(
    r"\b(?:establishment|launch|creation|inauguration|operationalization|operationalisation|opening)\s+of\s+"
    r"((?:an?|the)\s+[^,;:()]{3,90}?)(?=,|;|\sand the\s|\.|$)"
)


def established_in(c: Claim) -> list[Naming]:
    """The institutions a praised list says were set up ("welcomed ... the establishment of a
    trilateral quantum workforce training program"): each is a commitment carried out."""
    if c.klass != lx.REAFFIRM or not (c.trilateral_word or len(c.actor_countries) >= 3):
        return []
    out = []
    for m in _ESTABLISHED.finditer(c.clause):
        found = name_of(m.group(1), c.sentence, m.group(1))
        if found is not None and not found.title.lower().startswith("annual"):
            out.append(found)
    return out


def naming_of(c: Claim) -> Naming | None:
    if c.name:
        return named(c.name)
    found = name_of(c.clause or c.sentence, c.sentence, c.obj)
    if found is None:
        # the object of the first undertaking verb ("agreed to “a multi-year framework ...”, which will ...")
        m = _FIRST_UNDERTAKING.search(c.clause)
        if m is not None:
            found = name_of(c.clause, c.sentence, c.clause[m.end():m.end() + 120].lstrip("\"“ "))
    if found is None and c.obj:
        # "a trilateral framework advancing next-generation technologies": named by its policy domain
        cid = mint_id(c.obj)
        head = cid.rsplit("_", 1)[-1]
        if cid.count("_") >= 2 and head in INSTITUTION_HEADS and re.search(rf"\b(?:trilateral|three-way) {head}\b", c.obj.lower()):
            title = cid.replace("_", " ")
            found = Naming(id=cid, title=title[:1].upper() + title[1:], aliases=(title,), recurring=False)
    if found is None and c.klass == lx.AGREE:
        found = _undertaken_action(c)
    return found


_MEET_ANNUALLY = re.compile(
    r"\bmeet(?:ing)?\b[^.;]{0,40}?\b(?:at least (?:once a year|annually)|annually|every year|each year|once a year)\b"
)
_COMMITTED_TO = re.compile(
    r"\b(?:committed|commit|pledged|pledge|vowed|agreed|decided) to (coordinate|consult)\s+((?:[\w-]+\s+){0,4}?[\w-]+?)"
    r"(?=['’]s\b|\s+(?:in|with|on|to|and|that|which|as|by)\b|[,.;]|$)"
)


_FILLERS = frozenset({"closely", "together", "each", "other", "one", "another", "further", "more", "on", "the", "a"})


def _undertaken_action(c: Claim) -> Naming | None:
    """A commitment named by what the three undertake to do rather than by an institution: to meet at
    least annually (their summit, or their ministers' meeting), to coordinate or consult on something."""
    low = c.clause.lower()
    if _MEET_ANNUALLY.search(low):
        who = {"leaders": "trilateral summit", "foreign ministers": "foreign ministers meeting",
               "defense ministers": "defense ministers meeting",
               "national security advisers": "national security advisors meeting"}.get(c.actor)
        if who is not None:
            title = f"Annual {who}"
            return Naming(id=slug(title), title=title, aliases=(title.lower(),), recurring=True)
    m = _COMMITTED_TO.search(c.clause)
    words = [w for w in (m.group(2).split() if m else []) if not w.endswith("ly") and w.lower() not in _FILLERS]
    if m is not None and len(words) >= 2:
        title = " ".join([m.group(1), *words])
        return Naming(id=slug(title), title=title[:1].upper() + title[1:], aliases=(title,), recurring=False)
    if m is not None and re.match(r"commit|pledge", m.group(0), re.IGNORECASE):
        # "committed to consult each other": the commitment is named by its verb
        title = f"Commitment to {m.group(1)}"
        return Naming(id=slug(title), title=title, aliases=(title.lower(),), recurring=False)
    return None


_SIGS: dict[int, tuple[Commitment, tuple[frozenset[str], ...]]] = {}


def _signatures(com: Commitment) -> tuple[frozenset[str], ...]:
    """The distinctive signatures of a commitment's names (its id, title and aliases); kept by the
    object's identity (hashing a commitment costs more than the lookup saves)."""
    hit = _SIGS.get(id(com))
    if hit is not None and hit[0] is com:
        return hit[1]
    sigs = (signature(n) for n in (com.id.replace("_", " "), com.title, *com.aliases))
    out = tuple(dict.fromkeys(s for s in sigs if not vague(s)))
    if len(_SIGS) > 4096:
        _SIGS.clear()
    _SIGS[id(com)] = (com, out)
    return out


def by_signature(commitments: Iterable[Commitment], naming: Naming) -> str | None:
    """The known commitment one of whose names has the same content words as ``naming`` (or, for
    names of three words or more, all of them: "Trilateral Framework for Maritime Security and Law
    Enforcement Cooperation" is the "maritime security framework")."""
    sigs = [signature(n) for n in (naming.title, *naming.aliases)]
    sigs = [s for s in sigs if not vague(s)]
    if not sigs:
        return None
    commitments = tuple(commitments)
    for com in commitments:
        for known in _signatures(com):
            for sig in sigs:
                if sig == known or (len(sig) >= 3 and sig < known) or (known < sig and (
                        len(known) >= 3 or len(known - VAGUE) == 1 == len(known & VAGUE) and len(sig) <= 5)):
                    return com.id
    # the same institution noun and two distinctive words beside it in common ("quantum workforce
    # development program" is the "quantum workforce training program")
    heads = {head_noun(n) for n in (naming.title, *naming.aliases)} - {""}
    if not heads:
        return None
    for com in commitments:
        for n in (com.title, *com.aliases):
            h = head_noun(n)
            if h in heads and any(len((sig & signature(n)) - VAGUE - {h}) >= 2 for sig in sigs):
                return com.id
    return None




def new_status(c: Claim, naming: Naming) -> str:
    if c.klass == lx.HOLD or (c.repeat and c.klass in (lx.AGREE, lx.PLAN, lx.LAUNCH)):
        # "will hold the second X" of an X never seen: earlier ones were held
        return "in_progress"
    if _TALKS.search(c.clause.lower()):
        return "proposed"   # "continuing our discussions on developing a framework"
    if c.klass == lx.LAUNCH:
        return "in_progress" if naming.recurring else "implemented"
    return "agreed" if c.klass == lx.AGREE else "proposed"


def minted(naming: Naming, c: Claim, doc: Document) -> Commitment:
    aliases = tuple(dict.fromkeys((*naming.aliases, naming.id.replace("_", " "))))
    return Commitment(
        id=naming.id, title=naming.title, aliases=aliases, keywords=(), status=new_status(c, naming),
        deadline=c.deadline, since=doc.published_at.isoformat() if doc.published_at else "",
        source=doc.url or doc.doc, recurring=naming.recurring or derive_recurring(naming.title, aliases),
    )
