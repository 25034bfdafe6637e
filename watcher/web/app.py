"""The WSGI application: routes, templates, and the request rules of :mod:`watcher.web.http`.

Every page is a GET that only reads; the three actions that change data (a review decision,
muting or unmuting a source, re-running replay) are POSTs with a CSRF token. ``/api/...``
returns, as JSON, the data the page of the same name shows.
"""

from __future__ import annotations

import datetime as dt
import logging
import mimetypes
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..errors import StorageError
from ..store import Store, web_queries
from . import actions as _actions
from . import export, markup, timeline, views
from .http import (
    TOKEN_COOKIE,
    Guard,
    HTTPError,
    Request,
    Response,
    cookie_header,
    forwarded_https,
    ident,
    json_response,
    redirect,
)

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
Handler = Callable[["WebApp", Request], Response]
NAV = [("/", "Overview"), ("/commitments", "Commitments"), ("/articles", "Articles"), ("/sources", "Sources"),
       ("/alerts", "Alerts"), ("/review", "Review")]
NOTICES = {"reviewed": "Your decision is saved; the commitment's status follows it.",
           "muted": "The source is muted: it is not polled until you unmute it.",
           "unmuted": "The source is unmuted; its error count was reset.",
           "replayed": "Replay finished: commitments and changes were rebuilt from the stored articles."}


def _fmt_date(v: Any) -> str:
    d = timeline.day(v)
    return d.isoformat() if d else "—"


def _fmt_time(v: Any) -> str:
    if v is None or v == "":
        return "—"
    if isinstance(v, str):
        try:
            v = dt.datetime.fromisoformat(v)
        except ValueError:
            return str(v)
    if isinstance(v, dt.datetime):
        if v.tzinfo is None:
            v = v.replace(tzinfo=dt.UTC)
        return str(v.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"))
    return str(v)


def _label(v: Any) -> str:
    return str(v or "—").replace("_", " ")


class WebApp:
    """``WebApp(store)`` is a WSGI callable: :func:`watcher.web.server.make` builds the server that runs it
    (``watcher serve``), :func:`watcher.web.server.serve_in_thread` one in a thread (tests, benchmarks)."""

    def __init__(self, store: Store, *, token: str | None = None, allowed_hosts: set[str] | None = None,
                 channels: list[dict[str, str]] | None = None, allow_replay: bool = True,
                 today: Callable[[], dt.date] | None = None, secure_cookies: bool = False) -> None:
        self.store = store
        self.secure_cookies = secure_cookies    # cookies are Secure always, or when a proxy says https
        self.guard = Guard(token=token, allowed_hosts=allowed_hosts)
        self.channels = channels or []
        self.allow_replay = allow_replay
        self.today = today or (lambda: dt.datetime.now(dt.UTC).date())
        self.env = Environment(loader=FileSystemLoader(str(HERE / "templates")), autoescape=True,
                               undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
        self.env.filters.update(date=_fmt_date, time=_fmt_time, label=_label, hl=markup.highlight,
                                snippet=markup.snippet, safe_url=markup.safe_url, outlets=markup.outlets,
                                tip=timeline.tip)
        self.env.globals.update(nav=NAV, kind_colour=timeline.KIND_COLOUR, status_colour=timeline.STATUS_COLOUR,
                                url=self.url, legend=timeline.legend, kinds=web_queries.KINDS,
                                statuses=web_queries.STATUSES)
        self.static = {p.name: p.read_bytes() for p in (HERE / "static").iterdir() if p.is_file()}
        self.routes: list[tuple[str, re.Pattern[str], Handler]] = []
        for method, pattern, handler in ROUTES:
            self.routes.append((method, re.compile(f"^{pattern}$"), handler))

    # -- helpers used by handlers and templates --------------------------------------------------
    @staticmethod
    def url(path: str, params: dict[str, Any] | None = None, **overrides: Any) -> str:
        merged = {**(params or {}), **overrides}
        clean = {k: v for k, v in merged.items() if v not in (None, "") and not (k == "page" and str(v) == "1")}
        return path + ("?" + urlencode(clean) if clean else "")

    def render(self, req: Request, template: str, status: int = 200, **context: Any) -> Response:
        notice = NOTICES.get(req.arg("notice"), "")
        html = self.env.get_template(template).render(
            csrf=self.guard.csrf_token(req), path=req.path, query=req.query, notice=notice,
            allow_replay=self.allow_replay, **context)
        return Response(html.encode("utf-8"), status=status)

    def secure(self, req: Request) -> bool:
        """Mark cookies ``Secure``: ``--secure-cookies``, or the request came through an HTTPS proxy."""
        return self.secure_cookies or forwarded_https(req)

    def read(self, what: str) -> Any:
        return self.store.read(what)

    # -- WSGI ------------------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        try:
            req = Request.from_environ(environ)
        except HTTPError as exc:
            resp = Response(exc.message.encode(), status=exc.status, content_type="text/plain; charset=utf-8")
            start_response(resp.status_line(), resp.header_list())
            return [resp.body] if isinstance(resp.body, bytes) else resp.body
        resp = self.handle(req)
        headers = resp.header_list()
        if req.set_csrf:
            headers.append(cookie_header("watcher_csrf", req.csrf_cookie, secure=self.secure(req)))
        start_response(resp.status_line(), headers)
        if environ.get("REQUEST_METHOD") == "HEAD":
            return [b""]
        return [resp.body] if isinstance(resp.body, bytes) else resp.body

    def handle(self, req: Request) -> Response:
        try:
            self.guard.check_host(req)
            req.check_text()
            if req.path.startswith("/static/"):
                return self.serve_static(req.path[len("/static/"):])
            if self.guard.token_in_query(req) and req.method == "GET":
                rest = {k: v for k, v in req.query.items() if k != "token"}
                resp = redirect(self.url(req.path, rest))
                resp.headers.append(cookie_header(TOKEN_COOKIE, str(self.guard.token), secure=self.secure(req)))
                return resp
            if not self.guard.authorised(req):
                raise HTTPError(401, "this watcher needs its access token: open it with ?token=… once, "
                                     "or send Authorization: Bearer …")
            handler, allowed = self.match(req)
            if handler is None:
                if allowed:
                    resp = self.error(req, 405, f"{req.method} is not allowed here")
                    resp.headers.append(("Allow", ", ".join(sorted(allowed))))
                    return resp
                raise HTTPError(404, "there is no page at this address")
            if req.method == "POST":
                form = req.form()
                self.guard.check_csrf(req, form.get("csrf", ""))
            return handler(self, req)
        except HTTPError as exc:
            return self.error(req, exc.status, exc.message)
        except StorageError as exc:
            log.error("database error on %s: %s", req.path, exc)
            return self.error(req, 503, f"the database could not answer: {exc}")
        except Exception:
            log.exception("error on %s %s", req.method, req.path)
            return self.error(req, 500, "something went wrong on the server; the log has the details")

    def match(self, req: Request) -> tuple[Handler | None, set[str]]:
        allowed: set[str] = set()
        method = "GET" if req.method == "HEAD" else req.method
        for m, pattern, handler in self.routes:
            found = pattern.match(req.path)
            if found:
                if m == method:
                    req.params = found.groupdict()
                    return handler, allowed
                allowed.add(m)
        return None, allowed

    def error(self, req: Request, status: int, message: str) -> Response:
        if req.wants_json() or req.path.startswith("/export/"):
            return json_response({"error": message, "status": status}, status=status)
        try:
            return self.render(req, "error.html", status=status, status_code=status, message=message)
        except Exception:   # the error page itself failed: plain text
            log.exception("rendering the error page")
            return Response(message.encode(), status=status, content_type="text/plain; charset=utf-8")

    def serve_static(self, name: str) -> Response:
        body = self.static.get(name)
        if body is None:
            raise HTTPError(404, "no such file")
        ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
        if ctype.startswith("text/") or ctype.endswith("javascript"):
            ctype += "; charset=utf-8"
        return Response(body, content_type=ctype, cache="public, max-age=300")


# ---- pages ------------------------------------------------------------------------------------

def page_overview(app: WebApp, req: Request) -> Response:
    with app.read("reading the overview") as conn:
        data = views.overview(conn)
    return app.render(req, "overview.html", active="/", **data)


def page_commitments(app: WebApp, req: Request) -> Response:
    with app.read("listing commitments") as conn:
        data = views.commitments(conn)
    today = app.today()
    start, end = timeline.span(data["commitments"], today)
    drawings = {c["id"]: timeline.svg(c, start, end, today=today, link_base=f"/commitments/{quote(c['id'])}",
                                      tip_limit=320)
                for c in data["commitments"]}
    return app.render(req, "commitments.html", active="/commitments", drawings=drawings, today=today, **data)


def page_commitment(app: WebApp, req: Request) -> Response:
    with app.read("reading a commitment") as conn:
        data = views.commitment(conn, req.params["cid"])
    c, today = data["commitment"], app.today()
    start, end = timeline.span([c], today)
    drawing = timeline.svg(c, start, end, today=today, width=1100, lane_h=20)
    return app.render(req, "commitment.html", active="/commitments", drawing=drawing, today=today, **data)


def page_review(app: WebApp, req: Request) -> Response:
    with app.read("listing changes") as conn:
        data = views.changes(conn, req)
        choices = views.facets(conn)["commitments"]
    return app.render(req, "review.html", active="/review", commitment_choices=choices, **data)


def page_change(app: WebApp, req: Request) -> Response:
    with app.read("reading a change") as conn:
        row = web_queries.get_change(conn, ident(req.params["id"], "change id"))
    if row is None:
        raise HTTPError(404, "no such change")
    return redirect(f"/commitments/{row['commitment_id']}#change-{row['id']}", status=302)


def page_articles(app: WebApp, req: Request) -> Response:
    with app.read("searching articles") as conn:
        data = views.articles(conn, req)
        choices = views.facets(conn)
    pattern = markup.terms_pattern(req.arg("q"))
    return app.render(req, "articles.html", active="/articles", pattern=pattern, facets=choices, **data)


def page_article(app: WebApp, req: Request) -> Response:
    with app.read("reading an article") as conn:
        data = views.article(conn, ident(req.params["id"], "article id"))
    a = data["article"]
    body = markup.mark_claims(a.get("text"), a["claims"], [c["evidence"] for c in a["changes"]])
    return app.render(req, "article.html", active="/articles", body=body, **data)


def page_sources(app: WebApp, req: Request) -> Response:
    with app.read("listing sources") as conn:
        data = views.sources(conn)
    return app.render(req, "sources.html", active="/sources", **data)


def page_alerts(app: WebApp, req: Request) -> Response:
    with app.read("listing alerts") as conn:
        data = views.alerts(conn, req, app.channels)
    return app.render(req, "alerts.html", active="/alerts", **data)


# ---- API and exports --------------------------------------------------------------------------

def _api(build: Callable[[Any, Request], Any]) -> Handler:
    def handler(app: WebApp, req: Request) -> Response:
        with app.read("answering the API") as conn:
            return json_response(build(conn, req))
    return handler


def api_index(app: WebApp, req: Request) -> Response:
    return json_response({"endpoints": [
        "/api/overview", "/api/commitments", "/api/commitments/{id}", "/api/changes", "/api/review",
        "/api/articles", "/api/articles/{id}", "/api/sources", "/api/alerts", "/api/reviews", "/api/facets"]})


def api_alerts(app: WebApp, req: Request) -> Response:
    with app.read("listing alerts") as conn:
        return json_response(views.alerts(conn, req, app.channels))


def download(app: WebApp, req: Request) -> Response:
    what, fmt = req.params["what"], req.params["fmt"]
    with app.read("exporting") as conn:
        if what == "changes":
            return export.changes(conn, req, fmt)
        return export.articles(conn, req, fmt)


ROUTES: list[tuple[str, str, Handler]] = [
    ("GET", r"/", page_overview),
    ("GET", r"/commitments", page_commitments),
    ("GET", r"/commitments/(?P<cid>[^/]{1,120})", page_commitment),
    ("GET", r"/review", page_review),
    ("GET", r"/changes", page_review),
    ("GET", r"/changes/(?P<id>\d+)", page_change),
    ("POST", r"/changes/(?P<id>\d+)/review", _actions.review),
    ("GET", r"/articles", page_articles),
    ("GET", r"/articles/(?P<id>\d+)", page_article),
    ("GET", r"/sources", page_sources),
    ("POST", r"/sources/(?P<id>\d+)/(?P<action>mute|unmute)", _actions.mute),
    ("GET", r"/alerts", page_alerts),
    ("POST", r"/replay", _actions.replay),
    ("GET", r"/export/(?P<what>changes|articles)\.(?P<fmt>csv|json)", download),
    ("GET", r"/api/?", api_index),
    ("GET", r"/api/overview", _api(lambda c, r: views.overview(c))),
    ("GET", r"/api/commitments", _api(lambda c, r: views.commitments(c))),
    ("GET", r"/api/commitments/(?P<cid>[^/]{1,120})", _api(lambda c, r: views.commitment(c, r.params["cid"]))),
    ("GET", r"/api/(?:changes|review)", _api(views.changes)),
    ("GET", r"/api/articles", _api(views.articles)),
    ("GET", r"/api/articles/(?P<id>\d+)", _api(lambda c, r: views.article(c, ident(r.params["id"], "article id")))),
    ("GET", r"/api/sources", _api(lambda c, r: views.sources(c))),
    ("GET", r"/api/alerts", api_alerts),
    ("GET", r"/api/reviews", _api(views.reviews)),
    ("GET", r"/api/facets", _api(lambda c, r: views.facets(c))),
]
