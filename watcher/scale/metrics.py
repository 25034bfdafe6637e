"""Prometheus metrics for operators (``--metrics-port`` on ``run``, ``worker`` and ``serve``).

Counters of what this process did (polls, alerts, changes) and, read from the database at scrape time
by :class:`DatabaseCollector`, what holds for the whole deployment (sources by state, schedule lag,
outbox backlog). No label names a feed: 100,000 sources make no more series than one.

    metrics = Metrics()
    metrics.watch(store)
    metrics.serve("127.0.0.1:9464")
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric

from ..store import Store

log = logging.getLogger("watcher.metrics")

POLL_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class DatabaseCollector:
    """Gauges read from the database when Prometheus scrapes (one short read transaction)."""

    def __init__(self, store: Store, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.store = store
        self.clock = clock

    def describe(self) -> list[Metric]:     # no database read at registration
        return list(self._families({}))

    def collect(self) -> Iterator[Metric]:
        from .queries import common_figures

        try:
            with self.store.read("reading metrics") as conn:
                figures = common_figures(conn, self.clock())
        except Exception as exc:
            log.warning("metrics: the database could not be read: %s", exc)
            figures = {}
        yield from self._families(figures)

    @staticmethod
    def _families(figures: Mapping[str, Any]) -> Iterator[Metric]:
        up = GaugeMetricFamily("watcher_database_up", "1 when the last scrape could read the database")
        up.add_metric([], 1.0 if figures else 0.0)
        yield up
        sources = GaugeMetricFamily("watcher_sources", "Sources by state: ok, failing, disabled, new (never polled)",
                                    labels=["state"])
        for state, n in figures.get("sources", {}).items():
            sources.add_metric([state], float(n))
        yield sources
        lag = GaugeMetricFamily("watcher_schedule_lag_seconds",
                                "How far past their next check the active sources are (quantile over sources)",
                                labels=["quantile"])
        lags = figures.get("schedule_lag_seconds", {})
        for q, key in (("0.5", "p50"), ("0.99", "p99"), ("1", "max")):
            if key in lags:
                lag.add_metric([q], float(lags[key]))
        yield lag
        pending = GaugeMetricFamily("watcher_outbox_pending", "Alerts waiting for delivery (pending or sending)")
        if "outbox" in figures:
            pending.add_metric([], float(figures["outbox"]["pending"]))
        yield pending


class Metrics:
    """This process's counters plus the database collector, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.polls = Counter("watcher_polls", "Source polls by outcome: ok, not_modified, error",
                             ["outcome"], registry=self.registry)
        self.poll_seconds = Histogram("watcher_poll_duration_seconds", "Time to poll one source, write included",
                                      buckets=POLL_BUCKETS, registry=self.registry)
        self.alerts = Counter("watcher_alerts", "Alert delivery attempts by channel and outcome: sent, retry, failed",
                              ["channel", "outcome"], registry=self.registry)
        self.changes = Counter("watcher_changes", "Changes detected (committed) by kind", ["kind"],
                               registry=self.registry)
        self._server: Any = None

    def watch(self, store: Store, clock: Callable[[], dt.datetime] = utcnow) -> None:
        self.registry.register(DatabaseCollector(store, clock))

    def count_poll(self, outcome: str, seconds: float) -> None:
        self.polls.labels(outcome).inc()
        self.poll_seconds.observe(seconds)

    def count_report(self, report: Any, seconds: float) -> None:
        """A pass of the embedded daemon: one count per source polled."""
        for outcome, n in (("ok", report.fetched), ("not_modified", report.not_modified), ("error", report.errors)):
            if n:
                self.polls.labels(outcome).inc(n)
        for _ in range(report.sources):
            self.poll_seconds.observe(seconds / max(1, report.sources))

    def count_alert(self, channel: str, outcome: str) -> None:
        self.alerts.labels(channel, outcome).inc()

    def count_changes(self, kinds: Mapping[str, int]) -> None:
        for kind, n in kinds.items():
            self.changes.labels(kind).inc(n)

    def counting_hook(self, hook: Any) -> Any:
        """The Analyzer's ``on_changes`` hook, counting the changes once their transaction commits."""
        from collections import Counter as Tally

        from sqlalchemy import event

        def on_changes(conn: Any, written: Any) -> None:
            if hook is not None:
                hook(conn, written)
            kinds = Tally(str(getattr(ch, "kind", "unknown")) for _cid, ch in written)
            event.listen(conn, "commit", lambda *_: self.count_changes(kinds), once=True)

        return on_changes

    def notifier(self, settings: Any, store: Store, clock: Callable[[], dt.datetime]) -> Any:
        return counting_notifier(self, settings, store, clock)

    def serve(self, where: str) -> tuple[str, int]:
        """Expose /metrics on ``where`` (``PORT`` on 127.0.0.1, or ``HOST:PORT``); returns the address."""
        from prometheus_client import start_http_server

        host, port = parse_address(where)
        server, _thread = start_http_server(port, addr=host, registry=self.registry)
        self._server = server
        return host, int(server.server_address[1])

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None


def parse_address(where: str) -> tuple[str, int]:
    """``9464`` → (127.0.0.1, 9464); ``0.0.0.0:9464`` → as given. ValueError when it is neither."""
    host, _, port = where.rpartition(":")
    host = host.strip("[]") or "127.0.0.1"
    if not port.isdigit() or not 0 <= int(port) <= 65535:
        raise ValueError(f"{where!r} is not PORT or HOST:PORT")
    return host, int(port)


def _counting_notifier_class() -> Any:
    from ..notify.worker import Notifier

    class CountingNotifier(Notifier):
        """The daemon's notifier, counting each delivery attempt by channel and outcome."""

        metrics: Metrics

        def _record(self, ch: Any, item: Any, result: Any) -> bool:
            go_on = super()._record(ch, item, result)
            self.metrics.count_alert(ch.name, result.outcome)
            return go_on

    return CountingNotifier


def counting_notifier(metrics: Metrics, settings: Any, store: Store, clock: Callable[[], dt.datetime]) -> Any:
    """The embedded daemon's notifier with its deliveries counted (None without alert channels)."""

    cfg = settings.alerts
    if not cfg.channels:
        return None
    notifier = _counting_notifier_class()(cfg, store, clock)
    notifier.metrics = metrics
    return notifier
