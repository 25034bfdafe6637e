"""The actions that change data: each a POST whose CSRF token the app checked before it got here."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..store import web_queries as q
from .http import HTTPError, Request, Response, ident, local_path, redirect

if TYPE_CHECKING:
    from .app import WebApp

log = logging.getLogger(__name__)


def _back(req: Request, default: str, notice: str, anchor: str = "") -> Response:
    target = local_path(req.form().get("next", ""), default).split("#", 1)[0]
    sep = "&" if "?" in target else "?"
    return redirect(f"{target}{sep}notice={notice}{anchor}")


def review(app: WebApp, req: Request) -> Response:
    """An analyst confirms, rejects or corrects a detected change, with a comment."""
    form = req.form()
    change_id = ident(req.params["id"], "change id")
    try:
        with app.store.write("saving a review") as conn:
            q.apply_review(conn, change_id, form.get("decision", ""), reviewer=form.get("reviewer", ""),
                           comment=form.get("comment", ""), new_kind=form.get("new_kind") or None,
                           new_status=form.get("new_status") or None)
    except q.ReviewError as exc:
        raise HTTPError(400, str(exc)) from exc
    log.info("change %s reviewed: %s by %s", change_id, form.get("decision"), form.get("reviewer"))
    return _back(req, "/review", "reviewed", f"#change-{change_id}")


def mute(app: WebApp, req: Request) -> Response:
    """Mute a source (not polled until unmuted) or unmute it (its error count resets)."""
    muted = req.params["action"] == "mute"
    with app.store.write("updating a source") as conn:
        name = q.set_muted(conn, ident(req.params["id"], "source id"), muted)
    if name is None:
        raise HTTPError(404, "no such source")
    log.info("source %r %s from the web interface", name, "muted" if muted else "unmuted")
    return _back(req, "/sources", "muted" if muted else "unmuted")


def replay(app: WebApp, req: Request) -> Response:
    """Rebuild commitments and changes from the stored articles (sends nothing)."""
    if not app.allow_replay:
        raise HTTPError(403, "replay is switched off on this server")
    from ..ingest.replay import replay_store

    info = replay_store(app.store)
    log.info("replay from the web interface: %s", info)
    return _back(req, "/", "replayed")
