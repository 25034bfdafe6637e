"""The words of a commitment's lifecycle, spelled once: its statuses and the kinds of change.

Everything else (the registry's check, the differ, the review API, the ``[alerts]`` routing, the
command line's choices) reads them from here. Both are :class:`~enum.StrEnum`, so a member is the
plain string stored in the database and shown in JSON (``Status.IN_PROGRESS == "in_progress"``).
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    """Where a commitment stands (``commitments.status``)."""

    PROPOSED = "proposed"
    AGREED = "agreed"
    IN_PROGRESS = "in_progress"
    IMPLEMENTED = "implemented"
    STALLED = "stalled"
    DROPPED = "dropped"


class ChangeKind(StrEnum):
    """What a document did to a commitment (``changes.kind``)."""

    NEW = "new"
    ADVANCED = "advanced"
    REAFFIRMED = "reaffirmed"
    DELAYED = "delayed"
    WEAKENED = "weakened"
    DROPPED = "dropped"
    OVERDUE = "overdue"


STATUSES: tuple[str, ...] = tuple(s.value for s in Status)
KINDS: tuple[str, ...] = tuple(k.value for k in ChangeKind)
# Forward order of the lifecycle; stalled and dropped sit outside it.
STATUS_RANK: dict[str, int] = {Status.PROPOSED.value: 0, Status.AGREED.value: 1, Status.IN_PROGRESS.value: 2,
                               Status.IMPLEMENTED.value: 3}
