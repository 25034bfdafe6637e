"""The differ's values: documents, commitment states, changes (see :mod:`watcher.diff`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from .registry import STATUS_RANK, Commitment

KINDS = ("new", "advanced", "reaffirmed", "delayed", "weakened", "dropped", "overdue")
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

    @property
    def id(self) -> str:
        return self.commitment.id


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
        )
    return out
