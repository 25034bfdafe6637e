"""The orchestrator: carries sources through fetch → parse → filter → extract → store.

It is the only module that sequences I/O. The scheduler (``watcher.daemon``) only
decides *when*; ``watcher poll --once`` calls :meth:`Poller.poll` once.

    async with Poller(settings, store) as poller:
        report = await poller.poll()        # every enabled source
        report = await poller.poll(["Yonhap"], only_due=True)

A bug in one source's handling marks that source ``internal_error`` with the
traceback in the log; the pass goes on.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import hashlib
import logging
import os
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from . import aio
from .build import SHORT_TEXT, build_articles
from .config import Settings
from .errors import Outcome
from .intake import Analyzer, store_in
from .net import Fetcher
from .net.hosts import HostLimits
from .schedule import DISABLE_AFTER, is_due, next_check
from .store import SourceState, SourceUpdate, Store
from .store.sources import apply_updates
from .types import Article, Entry, FetchResult, PollReport, Source
from .workers import WorkerPool

if TYPE_CHECKING:
    from .process import ProcessedFeed

log = logging.getLogger("watcher.pipeline")
T = TypeVar("T")

Clock = Callable[[], dt.datetime]
FLUSH_EVERY = 500         # sources written per transaction
FLUSH_ARTICLES = 300      # ... or fewer, once they carry this many new articles
# The workers' niceness over the watcher's: the event loop and the writer are what every fetch and write waits
# on, the workers only a queue of jobs; when both want a core, the loop goes first (and so does the rest of the
# machine: the watcher is a background daemon). Latency farm: 10 of 12 alternated cold passes faster at +10,
# median 5.38 s against 5.51 s at 0.
WORKER_NICE = 10
# Seconds one parse or build job may run before its worker is stopped and replaced (the source is marked
# internal_error): no input can hold a pass, or the daemon, forever. Legitimate jobs take milliseconds; a
# 10 MiB feed through feedparser a few seconds.
JOB_TIMEOUT = 120.0


def process_feed(body: bytes, url: str, headers: tuple[tuple[str, str], ...], max_entries: int) -> ProcessedFeed:
    """Parse and filter one body (runs in a worker process; feedparser is imported there only)."""
    from .process import process_feed as run

    return run(body, url, headers, max_entries)


def _worker_setup(parent: int) -> None:
    """In a parsing worker: go when the watcher goes, even after a ``kill -9`` (Linux), and run at a
    lower priority than the watcher itself (``WORKER_NICE``)."""
    import signal

    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)   # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:    # the parent died before the line above took effect
        os._exit(0)
    if hasattr(os, "nice"):
        os.nice(WORKER_NICE)


def _load_worker_modules() -> None:
    """Import what the workers run (the parser, the page extractor, the claim patterns: ~0.35 s of
    imports and regex compiling) in this process before forking them, rather than once in each."""
    from . import build, extract, process  # noqa: F401
    from .claims import extract_claims  # noqa: F401


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class _SourceResult:
    source: Source
    outcome: Outcome
    error: str | None = None
    fetch: FetchResult | None = None
    articles: list[Article] = field(default_factory=list)
    body_hash: str | None = None


class Poller:
    """Polls sources; owns one HTTP client and, when bodies need parsing, a process pool."""

    def __init__(self, settings: Settings, store: Store, *, clock: Clock = utcnow,
                 analyzer: Analyzer | None = None, workers: int | None = None,
                 rand: Callable[[], float] = random.random,
                 processor: Callable[..., ProcessedFeed] = process_feed, job_timeout: float = JOB_TIMEOUT) -> None:
        self.settings = settings
        self.store = store
        self.clock = clock
        self.analyzer = analyzer
        self.rand = rand
        self.processor = processor
        self.job_timeout = job_timeout
        self._workers = workers if workers is not None else (os.cpu_count() or 1)
        self._pool: WorkerPool | None = None
        self._fetcher: Fetcher | None = None
        self._pages: Fetcher | None = None
        self._pages_lock = asyncio.Lock()
        self._hosts = HostLimits(settings.fetch.per_host)   # one per-host limit for feeds and pages

    async def __aenter__(self) -> Poller:
        self._fetcher = Fetcher(self.settings.fetch, host_limits=self._hosts)
        await self._fetcher.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        for fetcher in (self._fetcher, self._pages):
            if fetcher is not None:
                await fetcher.__aexit__(None, None, None)
        self._fetcher = self._pages = None
        if self._pool is not None:
            await self._pool.aclose()
            self._pool = None

    async def _page_fetcher(self) -> Fetcher:
        """Article pages have a client (and a concurrency budget) of their own, so that waiting for
        them never holds feed fetches back; the per-host limit is shared with the feeds, and a page
        waiting for its host goes before the feeds still waiting (finish an article before starting
        another feed)."""
        async with self._pages_lock:
            if self._pages is None:
                pages = Fetcher(self.settings.fetch, host_limits=self._hosts, priority=True)
                await pages.__aenter__()
                self._pages = pages
        return self._pages

    # -- parsing off the event loop ------------------------------------------------------
    def _executor(self) -> WorkerPool | None:
        if self._workers <= 1:
            return None
        if self._pool is None:
            pool = WorkerPool(self._workers, initializer=_worker_setup, initargs=(os.getpid(),),
                              job_timeout=self.job_timeout)
            if pool.start_method == "fork":
                _load_worker_modules()   # once, here: every forked worker starts with them compiled
                gc.freeze()              # and the collector leaves the shared pages alone (no copy-on-write)
            self._pool = pool
        return self._pool

    async def _start_workers(self) -> None:
        """Fork the parsing workers before the first request rather than at the first body (the
        daemon keeps them between passes; a one-shot cold pass starts them here)."""
        pool = self._executor()
        if pool is not None:
            await pool.start()

    async def _cpu(self, fn: Callable[..., T], *args: Any) -> T:
        """CPU work in a worker process (inline when there is no pool)."""
        pool = self._executor()
        if pool is None:
            return fn(*args)
        return await pool.run(fn, *args)

    async def _process(self, body: bytes, url: str, headers: tuple[tuple[str, str], ...]) -> ProcessedFeed:
        return await self._cpu(self.processor, body, url, headers, self.settings.fetch.max_entries)

    # -- one pass ------------------------------------------------------------------------
    async def poll(self, names: Sequence[str] | None = None, *, only_due: bool = False,
                   sync: bool = True) -> PollReport:
        """One pass over the chosen sources. ``seconds`` in the report runs from the first request to
        the last write, as the benchmark's references are timed (reading the source rows comes before)."""
        settings = self.settings
        states = self.store.synced_states(settings.sources) if sync else self.store.source_states()
        now = self.clock()
        chosen = []
        for src in settings.sources:
            st = states.get(src.name)
            if not src.enabled or st is None or st.muted or st.disabled_reason:
                continue
            if names is not None and src.name not in names:
                continue
            if only_due and not is_due(st.next_check_at, now, src.interval):
                continue
            chosen.append((src, st))
        return await self.poll_chosen(chosen)

    async def poll_chosen(self, chosen: Sequence[tuple[Source, SourceState]]) -> PollReport:
        """One pass over sources already chosen with their rows' states (``watcher worker`` polls
        one source at a time through here: see watcher/scale/)."""
        settings = self.settings
        counts = {"fetched": 0, "not_modified": 0, "errors": 0, "new": 0, "changes": 0}
        pending: list[tuple[_SourceResult, SourceState]] = []
        lock = asyncio.Lock()
        waiting = [0]   # new articles in `pending`
        left = [len(chosen)]   # sources not done yet

        async def flush() -> None:
            async with lock:
                batch, pending[:] = list(pending), []
                waiting[0] = 0
                if batch:   # off the event loop: fetches in flight keep their timing
                    await asyncio.to_thread(self._write, batch, counts)

        async def run(src: Source, st: SourceState) -> None:
            try:
                res = await self._poll_source(src, st)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a bug in our handling of this one source
                log.exception("source %r: internal error", src.name)
                res = _SourceResult(src, Outcome.INTERNAL_ERROR, f"internal error: {type(exc).__name__}: {exc}")
            pending.append((res, st))
            waiting[0] += len(res.articles)
            left[0] -= 1
            # The pass's last sources (fewer left than fetches run at once) no longer fill a batch: their
            # articles are written whenever the writer is free, so that the final write is a small one.
            tail = left[0] < settings.fetch.concurrency and waiting[0] > 0 and not lock.locked()
            if len(pending) >= FLUSH_EVERY or waiting[0] >= FLUSH_ARTICLES or tail:
                await flush()

        if any(st.last_success_at is None for _src, st in chosen):
            await self._start_workers()   # a source never read before: its body will need parsing
        started = time.perf_counter()
        await asyncio.gather(*(run(src, st) for src, st in chosen))
        await flush()
        return PollReport(sources=len(chosen), fetched=counts["fetched"], not_modified=counts["not_modified"],
                          errors=counts["errors"], new_articles=counts["new"],
                          seconds=round(time.perf_counter() - started, 4), changes=counts["changes"])

    def _write(self, batch: list[tuple[_SourceResult, SourceState]], counts: dict[str, int]) -> None:
        """One transaction for a batch of sources: their new articles, claims, changes and alerts,
        then their status rows. Should it fail, each source is written on its own, so one bad
        article costs only its own source's pass."""
        now = self.clock()
        try:
            with self.store.write("storing a batch of sources") as conn:
                stored, states, n_changes = store_in(conn, [a for r, _ in batch for a in r.articles], now,
                                                     self.analyzer)
                updates = [self._update(res, st, now) for res, st in batch]
                apply_updates(conn, updates)
        except Exception as exc:
            if len(batch) > 1:
                for item in batch:
                    self._write([item], counts)
                return
            res, st = batch[0]
            log.exception("source %r: storing articles failed", res.source.name)
            res.outcome, res.error, res.body_hash, res.articles = (
                Outcome.INTERNAL_ERROR, f"storing articles failed: {exc}", None, [])
            self.store.record_polls([self._update(res, st, now)])
            counts["errors"] += 1
            return
        if self.analyzer is not None and states is not None:
            self.analyzer.states = states
        counts["new"] += len(stored)
        counts["changes"] += n_changes
        for res, _ in batch:
            if res.outcome.is_error:
                counts["errors"] += 1
            elif res.outcome is Outcome.NOT_MODIFIED:
                counts["not_modified"] += 1
            else:
                counts["fetched"] += 1

    def _update(self, res: _SourceResult, st: SourceState, now: dt.datetime) -> SourceUpdate:
        """The source row after this poll: status, backoff, validators kept or replaced."""
        src, outcome, f = res.source, res.outcome, res.fetch
        failed = outcome.is_error
        errors = st.error_count + 1 if failed else 0
        disabled = None
        if outcome is Outcome.GONE:
            disabled = "the server answered 410 Gone"
        elif failed and errors >= DISABLE_AFTER:
            disabled = f"{errors} consecutive failures; re-enable with `watcher sources enable`"
        keep = outcome in (Outcome.OK, Outcome.NOT_MODIFIED)
        validators = f.validators if f and keep else st.validators
        body_hash = res.body_hash if res.body_hash is not None else st.body_hash
        final_url = f.final_url if f and f.permanent_redirect else st.final_url
        routine = (outcome is Outcome.NOT_MODIFIED and st.last_status == outcome.value and st.error_count == 0
                   and f is not None and f.status_code == 304 and st.http_status == 304
                   and validators == st.validators and body_hash == st.body_hash and final_url == st.final_url)
        return SourceUpdate(
            name=src.name, polled_at=now, status=outcome.value, error=res.error,
            http_status=f.status_code if f else None, error_count=errors,
            next_check_at=next_check(now, src.interval, error_count=errors,
                                     retry_after=f.retry_after if f else None,
                                     jitter=self.settings.fetch.jitter, rand=self.rand),
            validators=validators, body_hash=body_hash, last_success_at=now if not failed else st.last_success_at,
            final_url=final_url, disabled_reason=disabled, routine=routine)

    async def _poll_source(self, src: Source, st: SourceState) -> _SourceResult:
        assert self._fetcher is not None
        fetched = await self._fetcher.fetch(src.url, st.validators)
        if fetched.outcome is not Outcome.OK:
            return _SourceResult(src, fetched.outcome, fetched.error, fetched)
        body = fetched.body or b""
        digest = hashlib.sha256(body).hexdigest()
        if digest == st.body_hash:   # unchanged body without validators: nothing to parse
            return _SourceResult(src, Outcome.NOT_MODIFIED, None, fetched, body_hash=digest)
        processed = await self._process(body, fetched.final_url or src.url, fetched.headers)
        if processed.outcome is not Outcome.OK:
            return _SourceResult(src, processed.outcome, processed.error, fetched, body_hash=None)
        pages = await asyncio.gather(*(self._page(src, e) for e, _rel in processed.relevant))
        arts = await self._build(src, [e for e, _rel in processed.relevant], pages) if pages else []
        return _SourceResult(src, Outcome.OK, processed.error, fetched, arts, digest)

    async def _page(self, src: Source, entry: Entry) -> tuple[bytes | None, str | None]:
        """The linked page of an entry that carries only a summary (None when not fetched)."""
        text = entry.content or entry.summary
        if not (self.settings.fetch.extract_pages and entry.url and len(text) < SHORT_TEXT):
            return None, None
        pages = await self._page_fetcher()
        fetched = await pages.fetch(entry.url, accept="text/html,application/xhtml+xml;q=0.9,*/*;q=0.5")
        if fetched.outcome is Outcome.OK and fetched.body:
            return fetched.body, fetched.final_url or entry.url
        log.info("source %r: page %s not extracted: %s", src.name, entry.url, fetched.error or fetched.outcome.value)
        return None, None

    async def _build(self, src: Source, entries: list[Entry], pages: list[tuple[bytes | None, str | None]]
                     ) -> list[Article]:
        """One source's articles, built in a worker in one call (page text, hashes, claims)."""
        jobs = [(src.name, src.language, src.official, e, page, url, self.clock(), self.analyzer is not None)
                for e, (page, url) in zip(entries, pages, strict=True)]
        return await self._cpu(build_articles, jobs)


def run_poll(settings: Settings, store: Store, **kw: Any) -> PollReport:
    """Synchronous wrapper: one pass over every enabled source."""
    async def main() -> PollReport:
        async with Poller(settings, store, **kw) as poller:
            return await poller.poll()
    return aio.run(main())
