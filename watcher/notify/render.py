"""Alert messages from the Jinja2 templates in ``alerts/`` (editable by the user).

One template set per channel type; a channel may override any of them with a file named
``<channel>.<template>`` (``desk.email.txt.j2``). Each template gets the same context:

``alert_id``, ``channel``, ``digest`` (None, "daily" or "hourly"), ``period`` (the digest
moment, ISO), ``changes`` (list of change objects, oldest first), ``change`` (the first),
``count``, and for the JSON templates ``payload`` (what DESIGN.md says a webhook sends: the
change as in ``watcher changes --json`` plus ``alert_id``; for a digest, ``alert_id``,
``digest``, ``period`` and ``changes``). A change object is that JSON object plus
``commitment_title``, ``article_title`` and ``source``.

The HTML template is autoescaped (feed text is untrusted); Slack text goes through the
``slack`` filter, which neutralises ``<!channel>``-style mentions and link markup.
A template that fails is a :class:`~watcher.errors.DeliveryError` naming the file and line.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from ..commitments.change_json import change_json
from ..config.alerts import Channel
from ..errors import DeliveryError
from ..store import ROOT

DEFAULT_DIR = ROOT / "alerts"
FILES = {
    "email": ("email.subject.j2", "email.txt.j2", "email.html.j2"),
    "slack": ("slack.json.j2",),
    "webhook": ("webhook.json.j2",),
    "apprise": ("apprise.title.j2", "apprise.txt.j2"),
}


@dataclass(frozen=True)
class Rendered:
    """A message ready for its channel."""

    alert_id: str
    subject: str = ""
    text: str = ""
    html: str = ""
    body: Any = None            # the JSON document for Slack and webhooks


def slack_escape(value: object) -> str:
    """Slack mrkdwn control characters escaped (https://api.slack.com/reference/surfaces/formatting)."""
    return str(value if value is not None else "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def change_object(row: dict[str, Any]) -> dict[str, Any]:
    """A ``changes`` row (with joined titles) as templates and webhooks see it."""
    obj = change_json(row)
    obj["commitment_title"] = row.get("commitment_title") or row.get("commitment_id")
    obj["article_title"] = row.get("article_title")
    obj["source"] = row.get("article_source")
    return obj


def payload(alert_id: str, changes: Sequence[dict[str, Any]], digest: str | None, period: str | None) -> Any:
    if digest is None:
        return {**change_json(changes[0]), "alert_id": alert_id}
    return {"alert_id": alert_id, "digest": digest, "period": period,
            "changes": [change_json(c) for c in changes]}


class Renderer:
    """Loads templates from ``directory`` (default: the repository's ``alerts/``)."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory else DEFAULT_DIR
        loader = jinja2.FileSystemLoader(str(self.directory))
        self._env = jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                                       autoescape=jinja2.select_autoescape(["html.j2", "html"]))
        self._env.filters["slack"] = slack_escape

    def _template(self, channel: Channel, name: str) -> jinja2.Template:
        try:
            return self._env.select_template([f"{channel.name}.{name}", name])
        except jinja2.TemplateSyntaxError as exc:
            raise DeliveryError(f"template {exc.filename or exc.name or name} line {exc.lineno}: {exc.message}") from exc
        except jinja2.TemplateNotFound as exc:
            raise DeliveryError(f"template {name} not found in {self.directory}") from exc

    def _render(self, channel: Channel, name: str, context: dict[str, Any]) -> str:
        tmpl = self._template(channel, name)
        try:
            return tmpl.render(context)
        except jinja2.TemplateError as exc:
            raise DeliveryError(f"template {Path(tmpl.filename or name).name}{_line(exc)}: "
                                f"{type(exc).__name__}: {exc}") from exc
        except Exception as exc:   # a filter or a test blew up on odd data
            raise DeliveryError(f"template {Path(tmpl.filename or name).name}{_line(exc)}: "
                                f"{type(exc).__name__}: {exc}") from exc

    def render(self, channel: Channel, alert_id: str, rows: Sequence[dict[str, Any]], *,
               digest: str | None = None, period: str | None = None) -> Rendered:
        if not rows:
            raise DeliveryError("the alert's change is no longer in the database")
        objs = [change_object(r) for r in rows]
        context = {"alert_id": alert_id, "channel": channel.name, "digest": digest, "period": period,
                   "changes": objs, "change": objs[0], "count": len(objs),
                   "payload": payload(alert_id, rows, digest, period)}
        if channel.type == "email":
            subj_t, text_t, html_t = FILES["email"]
            subject = " ".join(self._render(channel, subj_t, context).split())[:250]
            return Rendered(alert_id, subject=subject, text=self._render(channel, text_t, context),
                            html=self._render(channel, html_t, context))
        if channel.type == "apprise":
            title_t, text_t = FILES["apprise"]
            title = " ".join(self._render(channel, title_t, context).split())[:250]
            return Rendered(alert_id, subject=title, text=self._render(channel, text_t, context))
        (name,) = FILES[channel.type]
        out = self._render(channel, name, context)
        try:
            body = json.loads(out)
        except ValueError as exc:
            raise DeliveryError(f"template {name} did not give valid JSON: {exc}") from exc
        if not isinstance(body, dict):
            raise DeliveryError(f"template {name} must give a JSON object, not {type(body).__name__}")
        return Rendered(alert_id, body=body)


def _line(exc: BaseException) -> str:
    """' line N' from a traceback through template code, when there is one."""
    tb = exc.__traceback__
    line = None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            line = tb.tb_lineno
        tb = tb.tb_next
    return f" line {line}" if line else ""


_SAMPLE_EVIDENCE = ("South Korea, Japan and the United States agreed on Friday to establish a trilateral "
                    "maritime security dialogue, the foreign ministry said in Seoul.")


def sample_rows() -> list[dict[str, Any]]:
    """A made-up change for ``watcher alerts test``."""
    import datetime as dt

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return [{"id": 0, "commitment_id": "sample_commitment", "kind": "new", "from_status": None,
             "to_status": "agreed", "evidence": _SAMPLE_EVIDENCE, "article_url": "https://example.org/news/1",
             "doc": "https://example.org/news/1", "published_at": now, "detected_at": now, "confirmed": True,
             "outlets": ["example-news", "another-outlet"], "deadline": None, "review_status": "pending",
             "commitment_title": "Sample: a trilateral maritime security dialogue (test alert, no real change)",
             "article_title": "Test alert from watcher", "article_source": "example-news"}]

