"""The differ: claims against the commitment registry, turned into changes (pure).

``diff_document(states, doc, claims)`` compares one document's claims with the current
state of every commitment and returns at most one :class:`Change` per (doc, commitment):
``new`` when the doc creates it, otherwise the strongest of dropped > delayed > weakened >
advanced > reaffirmed. States are never mutated; the result carries the updated ones.

Confirmation: a change from an official source (``doc.official``) is confirmed. A press-only
advanced / delayed / weakened / dropped change is ``confirmed=False`` until a later document
backs it (an official one, or another outlet outside the first one's story cluster); that
later document's result lists ``(commitment, kind, original doc)`` in
:attr:`DiffResult.confirmations` so the caller can flip the stored change's flag.

Syndication: a document in the same story cluster as an earlier one that already changed a
commitment makes no second change; :attr:`DiffResult.outlet_additions` lists
``(commitment, kind, original doc, outlet)`` so the caller can add the outlet to the stored
change (and its alert). :func:`replay` applies both itself.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import replace

from ..claims import Claim
from ..claims import lexicon as lx
from ..claims.cjk_extract import cjk_minted, cjk_naming, cjk_new_candidate, with_name
from ..claims.match import Matcher, build_matcher
from ..claims.naming import names_in
from .diff_new import by_signature, established_in, meeting_of, minted, naming_of, new_candidate, summit_of
from .kinds import KINDS, STATUS_RANK
from .model import (
    MAX_EVENTS,
    NEEDS_BACKING,
    STRENGTH,
    Change,
    CommitmentState,
    Confirmation,
    DiffResult,
    Document,
    Event,
    OutletAddition,
    ReplayResult,
    initial_states,
)
from .overdue import apply_overdue, check_overdue
from .registry import Commitment

__all__ = [
    "KINDS", "NEEDS_BACKING", "STRENGTH", "Change", "CommitmentState", "Confirmation", "DiffResult", "Document",
    "Event", "OutletAddition", "ReplayResult", "apply_overdue", "check_overdue", "diff_document",
    "initial_states", "replay",
]

# ----------------------------------------------------------------- classification
def _usable(c: Claim) -> bool:
    return (
        c.trilateral_scope == "us_jp_kr" and bool(c.actor) and not c.denial and not c.speculative
        and (not c.negated or c.klass == lx.DELAY)
    )


_ITERATION = re.compile(r"\b(?:hold|holding|meet|meeting|summit|exercise|drill|convene)\w*")


def _classify(c: Claim, st: CommitmentState) -> tuple[str, str, dt.date | None] | None:
    """(kind, to_status, deadline) for one claim about one commitment, or None."""
    cur, rank = st.status, STATUS_RANK.get(st.status, -1)
    recurring = st.commitment.recurring
    k = c.klass
    if c.retrospective:
        return ("reaffirmed", cur, None) if c.present_link and k not in (lx.DROP, lx.DELAY) else None
    if c.reversal and k in (lx.DROP, lx.DELAY):
        return "reaffirmed", cur, None
    last = st.events[-1] if st.events else None
    if k == lx.DROP:
        return ("reaffirmed", cur, None) if cur == "dropped" else ("dropped", "dropped", None)
    if k == lx.DELAY:
        new_dl = c.deadline if c.deadline and (st.deadline is None or c.deadline > st.deadline) else st.deadline
        if last is not None and last.kind == "delayed" and new_dl == st.deadline:
            return "reaffirmed", cur, None
        indefinite = "indefinite" in c.deadline_text.lower() or "무기한" in c.deadline_text
        to = "stalled" if indefinite and not recurring else cur
        return "delayed", to, new_dl
    if k == lx.HEDGE and recurring and _ITERATION.search(c.clause.lower()):
        return None   # "are coordinating a plan to hold a foreign ministers' meeting": not yet scheduled
    if k in (lx.NARROW, lx.HEDGE):
        firm = cur == "agreed" or (recurring and cur == "in_progress") or (cur == "proposed" and st.last_firm)
        if k == lx.NARROW and rank >= 1:
            firm = True
        if firm and not (last is not None and last.kind == "weakened" and not st.last_firm):
            return "weakened", cur, None
        return "reaffirmed", cur, None
    moved = bool(c.deadline and st.deadline and (c.deadline - st.deadline).days > 31)
    if k in (lx.AGREE, lx.PLAN, lx.REAFFIRM, lx.HOLD) and moved and cur != "implemented" and not recurring:
        return "delayed", cur, c.deadline
    if k == lx.LAUNCH:
        target = "in_progress" if recurring else "implemented"
    elif k == lx.HOLD:
        target = "in_progress"
    elif k == lx.AGREE:
        # "have agreed to launch the secretariat": the go-ahead; "agreed to launch it by June 2025": still an
        # undertaking with a deadline
        target = "in_progress" if c.creation_decided and cur == "agreed" and not recurring and not c.deadline \
            else "agreed"
    elif k == lx.PLAN:
        target = "proposed"
    else:
        target = cur
    # "agreed to launch X by June 2025": the undertaking carries its deadline (a launch done has none)
    due = c.deadline if c.deadline and target in ("proposed", "agreed") and not recurring else None
    if cur in ("stalled", "dropped") and k in (lx.LAUNCH, lx.HOLD, lx.AGREE):
        return "advanced", target, due
    if c.repeat and target == "in_progress" and k in (lx.HOLD, lx.LAUNCH):
        # "held the second exercise": an earlier one was the step forward, this one goes on with it
        return "reaffirmed", cur, None
    if STATUS_RANK.get(target, -1) > rank:
        return "advanced", target, due
    dl = c.deadline if c.deadline and st.deadline is None and not recurring else None
    return "reaffirmed", cur, dl


def _focus(c: Claim) -> str | None:
    """What an undertaking is about: its object ("agreed to hold <a trilateral summit>"). None
    when the thing may be the subject ("the summit was postponed / held / scaled back")."""
    if not c.obj or c.klass in (lx.DROP, lx.DELAY, lx.NARROW, lx.HOLD):
        return None
    return c.obj


# ----------------------------------------------------------------- the differ
_last_matcher: tuple[tuple[Commitment, ...], Matcher] | None = None


def _matcher(commitments: list[Commitment]) -> Matcher:
    """build_matcher, without hashing every commitment again while the set stays the same objects."""
    global _last_matcher
    last = _last_matcher
    if last is not None and len(last[0]) == len(commitments) and all(
        a is b for a, b in zip(last[0], commitments, strict=True)
    ):
        return last[1]
    key = tuple(commitments)
    m = build_matcher(key)
    _last_matcher = (key, m)
    return m


def diff_document(
    states: Mapping[str, CommitmentState], doc: Document, claims: Sequence[Claim]
) -> DiffResult:
    """Compare one document's claims with ``states``; see the module docstring."""
    matcher = _matcher([s.commitment for s in states.values()])
    best: dict[str, tuple[int, str, str, dt.date | None, Claim]] = {}
    created: dict[str, tuple[Commitment, Claim]] = {}
    for c in claims:
        if not _usable(c):
            continue
        hits = matcher.match(c.clause or c.sentence, focus=_focus(c))
        if not hits:
            naming = cjk_naming(c) if c.gloss else naming_of(c)
            known = by_signature((s.commitment for s in states.values()), naming) if naming else None
            if known is not None:
                hits = [known]
            elif naming is not None and (made := by_signature((com for com, _c in created.values()), naming)):
                if c.gloss:   # a Korean/Japanese sentence may give it its name ("「フリーダムエッジ」")
                    created[made] = (with_name(created[made][0], c), created[made][1])
                continue   # this document already made it
            elif naming is not None and (cjk_new_candidate(c) if c.gloss else new_candidate(c, naming)):
                cid = naming.id
                if cid in states:
                    hits = [cid]
                elif cid not in created:
                    created[cid] = (cjk_minted(c, doc) if c.gloss else minted(naming, c, doc), c)
            if not hits and c.klass in (lx.HOLD, lx.DELAY, lx.DROP) and not c.retrospective:
                # the ministers met, or their meeting was put off or called off: one iteration of their
                # recurring meeting (one meeting called off is an iteration missed, not the series dropped)
                hits = meeting_of(states, c)
                if hits and c.klass == lx.DROP:
                    c = replace(c, klass=lx.DELAY)
        # the recurring summit, also when the clause names something else too ("yearly meetings between
        # leaders, foreign ministers ...")
        hits = [*hits, *(cid for cid in summit_of(states, c) if cid not in hits)]
        if c.klass in (lx.REAFFIRM, lx.HOLD) and not c.retrospective:
            # a list of things praised or held: each one named is reaffirmed
            for n in names_in(c.clause):
                other = by_signature((s.commitment for s in states.values()), n)
                if other is not None and other not in hits:
                    hits = [*hits, other]
            # "welcomed ... the establishment of a trilateral quantum workforce training program": made already
            for n in established_in(c):
                if by_signature((s.commitment for s in states.values()), n) is None and n.id not in created \
                        and n.id not in states and by_signature((com for com, _c in created.values()), n) is None:
                    created[n.id] = (minted(n, replace(c, klass=lx.LAUNCH), doc), c)
        if not hits:
            continue
        for cid in hits:
            res = _classify(c, states[cid])
            if res is None:
                continue
            kind, to, dl = res
            rank = STRENGTH[kind] * 10 + STATUS_RANK.get(to, 0)
            if cid not in best or rank > best[cid][0]:
                best[cid] = (rank, kind, to, dl, c)
    new_states = dict(states)
    changes: list[Change] = []
    confirmations: list[Confirmation] = []
    additions: list[OutletAddition] = []
    when = doc.published_at
    for cid, (com, c) in created.items():
        st = CommitmentState(commitment=com, status=com.status, watch_from=when)
        ch = _change(st, "new", com.status, c, doc, c.deadline, confirmed=True)
        changes.append(ch)
        new_states[cid] = _apply(st, ch, c, doc)
    for cid, (_rank, kind, to, dl, c) in best.items():
        st = states[cid]
        if c.iteration and st.commitment.recurring and when and not c.retrospective:
            st = replace(st, iteration_years=st.iteration_years | {when.year})
        syndicated = (
            next((e for e in reversed(st.events) if e.cluster == doc.cluster), None) if doc.cluster else None
        )
        if syndicated is not None and syndicated.doc != doc.doc:
            if doc.source and doc.source not in syndicated.outlets:
                additions.append(OutletAddition(cid, syndicated.kind, syndicated.doc, doc.source))
                st = _with_event(st, replace(syndicated, outlets=(*syndicated.outlets, doc.source)), syndicated)
            new_states[cid] = st
            continue
        st, conf = _confirm(st, kind, doc)
        confirmations.extend(conf)
        confirmed = doc.official or kind not in NEEDS_BACKING
        ch = _change(st, kind, to, c, doc, (dl or st.deadline) if kind == "delayed" else dl, confirmed=confirmed)
        changes.append(ch)
        new_states[cid] = _apply(st, ch, c, doc)
    return DiffResult(tuple(changes), new_states, tuple(confirmations), tuple(additions))


def _change(
    st: CommitmentState, kind: str, to: str, c: Claim, doc: Document, dl: dt.date | None, *, confirmed: bool
) -> Change:
    return Change(
        commitment=st.id, kind=kind, from_status="" if kind == "new" else st.status, to_status=to,
        evidence=c.sentence, doc=doc.doc, article_url=doc.url, published_at=doc.published_at,
        confirmed=confirmed, outlets=(doc.source,) if doc.source else (), deadline=dl,
        title=st.commitment.title,
    )


def _confirm(st: CommitmentState, kind: str, doc: Document) -> tuple[CommitmentState, list[Confirmation]]:
    out: list[Confirmation] = []
    for e in st.events:
        if e.confirmed or e.rejected or e.kind not in NEEDS_BACKING or e.doc == doc.doc:
            continue
        independent = doc.official or (
            doc.source not in e.outlets and (doc.cluster is None or doc.cluster != e.cluster)
        )
        backs = kind == e.kind or (kind == "reaffirmed" and st.status == e.to_status)
        if independent and backs:
            out.append(Confirmation(st.id, e.kind, e.doc, doc.doc))
            st = _with_event(st, replace(e, confirmed=True), e)
            if st.pending is None:   # the latest move is backed now: it is the confirmed status
                st = replace(st, confirmed_status=e.to_status)
    return st, out


def _with_event(st: CommitmentState, new: Event, old: Event) -> CommitmentState:
    return replace(st, events=tuple(new if e is old else e for e in st.events))


def _apply(st: CommitmentState, ch: Change, c: Claim, doc: Document) -> CommitmentState:
    deadline, set_on = st.deadline, st.deadline_set_on
    if ch.deadline and ch.deadline != st.deadline:
        deadline, set_on = ch.deadline, doc.published_at
    events = st.events
    if ch.kind != "reaffirmed":
        ev = Event(ch.kind, doc.doc, doc.cluster, ch.outlets, ch.confirmed, doc.published_at, ch.to_status,
                   ch.evidence, ch.from_status)
        events = (*events, ev)[-MAX_EVENTS:]
    # the confirmed status moves only with a backed change: new, official, or a move another source confirms
    backed = ch.kind == "new" or doc.official or (ch.kind in NEEDS_BACKING and ch.confirmed)
    confirmed_status = ch.to_status if backed else st.shown_status
    outlets = st.outlets if doc.source in st.outlets or not doc.source else (*st.outlets, doc.source)
    firm = c.klass in lx.FIRM_CLASSES or (c.klass == lx.REAFFIRM and st.last_firm)
    return CommitmentState(  # every field, as dataclasses.replace would (it is several times slower)
        commitment=st.commitment, status=ch.to_status, deadline=deadline, last_evidence=ch.evidence,
        last_doc=doc.doc, last_modality=c.modality, last_firm=firm,
        last_changed=doc.published_at if ch.kind != "reaffirmed" else st.last_changed,
        outlets=outlets[-20:], events=events, iteration_years=st.iteration_years, overdue_marks=st.overdue_marks,
        deadline_set_on=set_on, watch_from=st.watch_from, confirmed_status=confirmed_status,
    )


# ----------------------------------------------------------------- replay
def replay(
    registry: Sequence[Commitment],
    docs: Sequence[tuple[Document, Sequence[Claim]]],
    *,
    today: dt.date | None = None,
    as_of: dt.date | None = None,
) -> ReplayResult:
    """Rebuild states and changes from scratch, in publication order (ties by doc id).

    Overdue checks run at each document's date and, when given, at ``today``. Confirmations
    and outlet additions are applied to the returned changes. Deterministic.
    """
    ordered = sorted(docs, key=lambda d: (d[0].published_at or dt.date.min, d[0].doc))
    first = next((d.published_at for d, _ in ordered if d.published_at), None)
    states = initial_states(registry, as_of=as_of or first)
    changes: list[Change] = []
    confirmations: list[Confirmation] = []
    additions: list[OutletAddition] = []
    for doc, claims in ordered:
        if doc.published_at:
            due = check_overdue(states, doc.published_at)
            states = apply_overdue(states, due)
            changes.extend(due)
        res = diff_document(states, doc, claims)
        states = res.states
        changes.extend(res.changes)
        confirmations.extend(res.confirmations)
        additions.extend(res.outlet_additions)
    if today:
        due = check_overdue(states, today)
        states = apply_overdue(states, due)
        changes.extend(due)
    index = {(ch.commitment, ch.kind, ch.doc): i for i, ch in enumerate(changes)}
    for conf in confirmations:
        i = index.get((conf.commitment, conf.kind, conf.doc))
        if i is not None:
            changes[i] = replace(changes[i], confirmed=True)
    for add in additions:
        i = index.get((add.commitment, add.kind, add.doc))
        if i is not None and add.outlet not in changes[i].outlets:
            changes[i] = replace(changes[i], outlets=(*changes[i].outlets, add.outlet))
    return ReplayResult(states, tuple(changes), tuple(confirmations), tuple(additions))
