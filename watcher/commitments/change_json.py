"""A change as JSON: the one object ``watcher changes --json``, the web API and export, and the alerts'
webhooks and templates show (pure)."""

from __future__ import annotations

import datetime as dt
from typing import Any


def change_json(r: dict[str, Any]) -> dict[str, Any]:
    """A ``changes`` row (joined with its article's URL and its outlets) as a JSON object."""
    def iso(v: Any) -> str | None:
        if v is None:
            return None
        if isinstance(v, dt.datetime) and v.tzinfo is None:
            v = v.replace(tzinfo=dt.UTC)
        return str(v.isoformat())
    return {
        "id": r["id"], "commitment": r["commitment_id"], "change": r["kind"], "from_status": r["from_status"],
        "to_status": r["to_status"], "evidence": r["evidence"], "article_url": r["article_url"], "doc": r["doc"],
        "published_at": iso(r["published_at"]), "detected_at": iso(r["detected_at"]),
        "confirmed": bool(r["confirmed"]), "outlets": list(r["outlets"] or []), "deadline": iso(r["deadline"]),
        "review_status": r["review_status"],
    }
