"""What ``watcher run`` says at the default level (INFO): one line at start, one line per pass.

A pass is a burst of polls: the jobs that run together (at start, every source; later, the
sources that fall due together), closed once no poll has run for ``LINGER`` seconds. The
lines name no secret: the database URL has its password replaced, channels are named, never
their addresses.
"""

from __future__ import annotations

import asyncio
import logging
import time

from ..config import Settings
from ..config.alerts import AlertsConfig
from ..store import redact
from ..types import PollReport

LINGER = 1.0        # seconds without a poll that close a pass



def channel_names(alerts: AlertsConfig) -> list[str]:
    """``desk (email)``, ... for every enabled channel in ``[alerts]``."""
    return [f"{ch.name} ({ch.type})" for ch in alerts.channels if ch.enabled]


def start_line(settings: Settings, db_url: str, web: str | None = None) -> str:
    enabled = sum(1 for s in settings.sources if s.enabled)
    off = len(settings.sources) - enabled
    channels = channel_names(settings.alerts)
    return (f"watcher running: {enabled} sources" + (f" ({off} disabled)" if off else "")
            + f" from {settings.path or 'no sources.toml'}; database {redact(db_url)}; "
            + f"alert channels: {', '.join(channels) if channels else 'none'}"
            + (f"; web interface {web}" if web else "")
            + "; stop with Ctrl-C or SIGTERM")


class PassLog:
    """Adds up the polls of one pass and logs one line when it ends."""

    def __init__(self, log: logging.Logger, linger: float = LINGER) -> None:
        self.log = log
        self.linger = linger
        self.active = 0
        self.started_at: float | None = None
        self.counts = {"sources": 0, "new": 0, "errors": 0, "changes": 0}
        self._close: asyncio.TimerHandle | None = None

    def begin(self) -> None:
        if self._close is not None:
            self._close.cancel()
            self._close = None
        if self.started_at is None:
            self.started_at = time.monotonic()
        self.active += 1

    def end(self, report: PollReport | None) -> None:
        self.active -= 1
        if report is not None:
            self.counts["sources"] += report.sources
            self.counts["new"] += report.new_articles
            self.counts["errors"] += report.errors
            self.counts["changes"] += report.changes
        if self.active == 0:
            self._close = asyncio.get_running_loop().call_later(self.linger, self.flush)

    def flush(self) -> None:
        self._close = None
        c, started = self.counts, self.started_at
        self.counts = {k: 0 for k in c}
        self.started_at = None
        if not c["sources"] or started is None:
            return
        seconds = time.monotonic() - started - self.linger if self.active == 0 else time.monotonic() - started
        line = (f"pass: polled {c['sources']} sources in {max(seconds, 0.0):.1f} s: {c['new']} new articles, "
                f"{c['changes']} changes, {c['errors']} errors")
        if c["errors"]:
            line += " (see `watcher sources` for which and why)"
        self.log.info(line)
