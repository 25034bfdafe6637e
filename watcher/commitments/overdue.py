"""Overdue commitments: deadlines passed without progress, recurring ones skipped for a year (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace

from .model import Change, CommitmentState


def check_overdue(states: Mapping[str, CommitmentState], today: dt.date) -> tuple[Change, ...]:
    """Deadlines passed with no progress, and recurring commitments with a finished calendar year
    without an evidenced iteration. Each is reported once: pass the result to :func:`apply_overdue`."""
    out: list[Change] = []
    for st in states.values():
        if st.status in ("implemented", "dropped"):
            continue
        c = st.commitment
        if st.deadline and st.deadline < today and f"deadline:{st.deadline}" not in st.overdue_marks:
            set_on = st.deadline_set_on or dt.date.min
            progressed = any(
                e.kind == "advanced" and e.published_at and e.published_at >= set_on for e in st.events
            )
            if not progressed:
                out.append(_overdue(st, f"deadline {st.deadline.isoformat()} passed", st.deadline))
        if c.recurring and st.status in ("agreed", "in_progress") and st.watch_from:
            since = c.since_date
            first = max(st.watch_from.year, (since.year + 1) if since else st.watch_from.year)
            for year in range(first, today.year):
                if year not in st.iteration_years and f"year:{year}" not in st.overdue_marks:
                    out.append(_overdue(st, f"no iteration evidenced in {year}", dt.date(year, 12, 31)))
    return tuple(out)


def _overdue(st: CommitmentState, note: str, dl: dt.date) -> Change:
    return Change(
        commitment=st.id, kind="overdue", from_status=st.status, to_status=st.status, evidence="", doc="",
        article_url=None, published_at=None, confirmed=True, deadline=dl, title=st.commitment.title, note=note,
    )


def apply_overdue(states: Mapping[str, CommitmentState], changes: Sequence[Change]) -> dict[str, CommitmentState]:
    """Remember emitted overdue changes so that :func:`check_overdue` does not repeat them."""
    out = dict(states)
    for ch in changes:
        st = out.get(ch.commitment)
        if st is None or ch.kind != "overdue" or ch.deadline is None:
            continue
        mark = f"year:{ch.deadline.year}" if ch.note.startswith("no iteration") else f"deadline:{ch.deadline}"
        out[ch.commitment] = replace(st, overdue_marks=st.overdue_marks | {mark})
    return out
