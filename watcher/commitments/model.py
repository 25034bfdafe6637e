"""The differ's values: documents, commitment states, changes (see :mod:`watcher.commitments.diff`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .kinds import STATUS_RANK
from .registry import Commitment

STRENGTH = {"new": 9, "dropped": 5, "delayed": 4, "weakened": 3, "advanced": 2, "reaffirmed": 1}
NEEDS_BACKING = frozenset({"advanced", "delayed", "weakened", "dropped"})
MAX_EVENTS = 12


@dataclass(frozen=True)
class Document:
    doc: str                        # file name for ingested docs, URL otherwise
    url: str | None
    title: str
    text: str
    published_at: dt.date | None
    source: str                     # outlet name
    official: bool = False
    cluster: str | None = None      # story cluster: one story syndicated by several outlets


@dataclass(frozen=True)
class Event:
    """A change remembered on the state (for confirmation, syndication and second reports)."""

    kind: str
    doc: str
    cluster: str | None
    outlets: tuple[str, ...]
    confirmed: bool
    published_at: dt.date | None
    to_status: str
    evidence: str = ""
    from_status: str = ""
    rejected: bool = False          # an analyst rejected the change: it no longer moves the status


@dataclass(frozen=True)
class CommitmentState:
    commitment: Commitment
    status: str
    deadline: dt.date | None = None
    last_evidence: str = ""
    last_doc: str = ""
    last_modality: str = ""
    last_firm: bool = False         # the last wording was a firm undertaking (agreed / will / launched)
    last_changed: dt.date | None = None
    outlets: tuple[str, ...] = ()
    events: tuple[Event, ...] = ()
    iteration_years: frozenset[int] = frozenset()
    overdue_marks: frozenset[str] = frozenset()
    deadline_set_on: dt.date | None = None
    watch_from: dt.date | None = None
    # the status an official source, a second outlet or a reviewer backs ("": the same as status); status
    # itself is where the documents read so far leave the commitment, press-only moves included
    confirmed_status: str = ""

    @property
    def id(self) -> str:
        return self.commitment.id

    @property
    def shown_status(self) -> str:
        """The confirmed status: what `watcher commitments` and the web pages call the status."""
        return self.confirmed_status or self.status

    @property
    def pending(self) -> Event | None:
        """The latest press-only move (advanced, delayed, weakened, dropped) waiting for an official
        source, a second outlet or a reviewer; None when the last move is backed."""
        for e in reversed(self.events):
            if e.rejected:
                continue
            if e.kind in NEEDS_BACKING:
                return None if e.confirmed else e
            if e.kind == "new":
                return None
        return None


@dataclass(frozen=True)
class Change:
    commitment: str
    kind: str
    from_status: str
    to_status: str
    evidence: str
    doc: str
    article_url: str | None
    published_at: dt.date | None
    confirmed: bool = True
    outlets: tuple[str, ...] = ()
    deadline: dt.date | None = None
    title: str = ""
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        d = dataclasses.asdict(self)
        d["change"] = self.kind
        for k in ("published_at", "deadline"):
            d[k] = d[k].isoformat() if d[k] else None
        d["outlets"] = list(self.outlets)
        return d


@dataclass(frozen=True)
class Confirmation:
    commitment: str
    kind: str
    doc: str                        # the document whose change is now confirmed
    by_doc: str


@dataclass(frozen=True)
class OutletAddition:
    commitment: str
    kind: str
    doc: str                        # the document whose change gains an outlet
    outlet: str


@dataclass(frozen=True)
class DiffResult:
    changes: tuple[Change, ...]
    states: dict[str, CommitmentState]
    confirmations: tuple[Confirmation, ...] = ()
    outlet_additions: tuple[OutletAddition, ...] = ()


@dataclass(frozen=True)
class ReplayResult:
    states: dict[str, CommitmentState]
    changes: tuple[Change, ...]
    confirmations: tuple[Confirmation, ...] = field(default=())
    outlet_additions: tuple[OutletAddition, ...] = field(default=())


def initial_states(registry: Sequence[Commitment], *, as_of: dt.date | None = None) -> dict[str, CommitmentState]:
    out: dict[str, CommitmentState] = {}
    for c in registry:
        since = c.since_date
        years = frozenset({since.year}) if c.recurring and since and STATUS_RANK.get(c.status, 0) >= 2 else frozenset()
        out[c.id] = CommitmentState(
            commitment=c, status=c.status, deadline=c.deadline,
            last_firm=STATUS_RANK.get(c.status, -1) >= 1, iteration_years=years, watch_from=as_of,
            confirmed_status=c.status,
        )
    return out


Decision = tuple[str, "str | None", "str | None"]   # (confirm | reject | correct, new kind, new status)


def after_review(st: CommitmentState, decisions: Mapping[str, Decision]) -> CommitmentState:
    """The state once an analyst's decisions on its changes hold (``decisions``: doc -> decision).

    A rejected change's move no longer counts, a confirmed one is backed, a corrected one takes its new
    kind and status (and counts as backed). When a move was touched, the status becomes the last
    remaining move's and the confirmed status the last backed one's (the registry's when none is
    left). The live pass (a review in the web interface) and ``watcher replay`` (the review found
    again while the rebuild goes) both go through here, so they leave the same state.
    """
    events: list[Event] = []
    touched = False
    for e in st.events:
        d = decisions.get(e.doc)
        if d is None:
            events.append(e)
            continue
        decision, kind, status = d
        if decision == "reject":
            new = dataclasses.replace(e, rejected=True)
        elif decision == "confirm":
            new = dataclasses.replace(e, confirmed=True, rejected=False)
        else:
            new = dataclasses.replace(e, kind=kind or e.kind, to_status=status or e.to_status, confirmed=True,
                                      rejected=False)
        touched |= new != e
        events.append(new)
    if not touched:
        return st
    base = st.commitment.status
    kept = [e for e in events if not e.rejected and e.to_status]
    status = kept[-1].to_status if kept else base
    backed = next((e.to_status for e in reversed(kept) if e.confirmed or e.kind not in NEEDS_BACKING), base)
    return dataclasses.replace(st, events=tuple(events), status=status, confirmed_status=backed)
