"""What a document makes new, and what it names (pure): the helpers of :mod:`watcher.diff` that mint a
commitment the registry does not hold, find a known one by the content words of its name, and read a
meeting of the three governments' ministers as an iteration of their recurring meeting."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from .claims import Claim
from .claims import lexicon as lx
from .claims.naming import Naming, heading, name_of, named, signature, vague
from .diff_types import CommitmentState, Document
from .registry import Commitment, derive_recurring, mint_id

_UNDERTAKE = re.compile(r"\b(?:hold|meet|conduct|stage|convene|carry out|consult|develop|pursue)\b")


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
        return first is not None and (c.trilateral_word or len(c.actor_countries) >= 3)
    if c.klass not in (lx.AGREE, lx.PLAN, lx.LAUNCH, lx.HEDGE) or lx.RETROSPECTIVE.search(low):
        return False
    if not (c.trilateral_word or len(c.actor_countries) >= 3 or heading(c.sentence)):
        return False
    return c.creation or bool(_UNDERTAKE.search(low)) or bool(heading(c.sentence)) or c.name != ""


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
                if "meeting" not in sig or not sig & {"minister", "advisor"} or len(sig) > 5:
                    continue
                tracks = sig & _TRACKS
                if (kind in tracks) if own_track else (not tracks and "minister" in sig and kind != "security"):
                    return [cid]
    return []


def naming_of(c: Claim) -> Naming | None:
    if c.name:
        return named(c.name)
    found = name_of(c.clause or c.sentence, c.sentence, c.obj)
    if found is None and c.obj:
        # "a trilateral framework advancing next-generation technologies": named by its policy domain
        cid = mint_id(c.obj)
        head = cid.rsplit("_", 1)[-1]
        if cid.count("_") >= 2 and re.search(rf"\b(?:trilateral|three-way) {head}\b", c.obj.lower()):
            title = cid.replace("_", " ")
            found = Naming(id=cid, title=title[:1].upper() + title[1:], aliases=(title,), recurring=False)
    return found


def by_signature(commitments: Iterable[Commitment], naming: Naming) -> str | None:
    """The known commitment one of whose names has the same content words as ``naming`` (or, for
    names of three words or more, all of them: "Trilateral Framework for Maritime Security and Law
    Enforcement Cooperation" is the "maritime security framework")."""
    sigs = [signature(n) for n in (naming.title, *naming.aliases)]
    sigs = [s for s in sigs if not vague(s)]
    if not sigs:
        return None
    for com in commitments:
        for name in (com.id.replace("_", " "), com.title, *com.aliases):
            known = signature(name)
            if vague(known):
                continue
            for sig in sigs:
                if sig == known or (len(known) >= 3 and known < sig) or (len(sig) >= 3 and sig < known):
                    return com.id
    return None




def new_status(c: Claim, naming: Naming) -> str:
    if c.klass == lx.HOLD:
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
