"""The orchestrator: carries sources through fetch → parse → filter → extract page → claims → store → diff.

It sequences a pass: the fetches on the event loop, the CPU work (parse, filter, page text, claims) in
worker processes, then one write transaction per batch of sources (articles, claims, changes, the alerts
they owe, the source rows; ``watcher.ingest.intake``), whose row updates ``watcher.ingest.decide`` works out. The
scheduler (``watcher.run.daemon``) only decides *when*; ``watcher poll --once`` calls :meth:`Poller.poll` once.

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

from .. import aio
from ..config import Settings
from ..errors import Outcome
from ..net import Fetcher
from ..net.hosts import HostLimits
from ..store import SourceState, SourceUpdate, Store, apply_source_updates
from ..types import Article, Entry, FetchResult, PollReport, Source
from .build import SHORT_TEXT, build_articles
from .decide import Polled, decide
from .intake import Analyzer, store_in
from .schedule import is_due
from .workers import WorkerPool

if TYPE_CHECKING:
    from .jobs import ProcessedFeed

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
MAX_PAGE_DEADLINE = 86_400.0   # page_deadline is read up to a day (an infinite one would be no deadline)


def process_feed(body: bytes, url: str, headers: tuple[tuple[str, str], ...], max_entries: int) -> ProcessedFeed:
    """Parse and filter one body (runs in a worker process; feedparser is imported there only)."""
    from .jobs import process_feed as run

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


def _load_worker_modules(languages: frozenset[str]) -> None:
    """Import what the workers run (the parser, the page extractor, the claim patterns: ~0.35 s of
    imports and regex compiling) in this process before forking them, rather than once in each.

    The Korean analyser's model costs ~2 s and ~500 MB (Japanese: ~130 MB): it is loaded here, once
    and shared copy-on-write by the workers, only when a source is configured as Korean or Japanese;
    otherwise a worker loads an analyser on its first Korean or Japanese candidate sentence."""
    from ..claims import extract_claims  # noqa: F401
    from ..content import page  # noqa: F401
    from . import build, jobs  # noqa: F401

    if languages & {"ko", "ja"}:
        from ..claims import ja, ko

        if "ko" in languages:
            ko.preload()
        if "ja" in languages:
            ja.preload()


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
    """Polls sources. Owns two HTTP clients, one for feeds and one (made when first needed) for article
    pages, with a concurrency budget each and one per-host limit between them, and, when bodies need
    parsing, a pool of worker processes."""

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
        # each source's next_check_at as last read or written by this poller (the daemon's schedule)
        self.next_checks: dict[str, dt.datetime | None] = {}
        self._index: dict[str, int] | None = None    # a source's place in settings.sources, by name

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
                languages = frozenset((s.language or "").split("-")[0].lower()
                                      for s in self.settings.sources if s.enabled)
                _load_worker_modules(languages)   # once, here: every forked worker starts with them
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
        if sync:
            states = self.store.synced_states(settings.sources)
        else:   # the rows of the named sources only: the daemon's job for one source reads one row, not N
            states = self.store.source_states(None if names is None else list(names))
        now = self.clock()
        chosen = []
        for src in self._configured(names):
            st = states.get(src.name)
            if not src.enabled or st is None or not st.enabled or st.muted or st.disabled_reason:
                continue
            self.next_checks[src.name] = st.next_check_at
            if only_due and not is_due(st.next_check_at, now, src.interval):
                continue
            chosen.append((src, st))
        return await self.poll_chosen(chosen)

    def _configured(self, names: Sequence[str] | None) -> list[Source]:
        """The configured sources, or the named ones, in sources.toml's order (a name looked up, not the
        whole list scanned: the daemon polls one source at a time among tens of thousands)."""
        sources = self.settings.sources
        if names is None:
            return list(sources)
        if self._index is None:
            self._index = {s.name: i for i, s in enumerate(sources)}
        return [sources[i] for i in sorted({self._index[n] for n in names if n in self._index})]

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

        # the pass's page fetches stop here; an item whose page is not in by then keeps its feed summary
        page_deadline = asyncio.get_running_loop().time() + min(settings.fetch.page_deadline, MAX_PAGE_DEADLINE)

        async def run(src: Source, st: SourceState) -> None:
            try:
                res = await self._poll_source(src, st, page_deadline)
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
                stored, _states, n_changes = store_in(conn, [a for r, _ in batch for a in r.articles], now,
                                                     self.analyzer)
                updates = [self._update(res, st, now) for res, st in batch]
                apply_source_updates(conn, updates)
        except Exception as exc:
            if len(batch) > 1:
                for item in batch:
                    self._write([item], counts)
                return
            res, st = batch[0]
            log.exception("source %r: storing articles failed", res.source.name)
            res.outcome, res.error, res.body_hash, res.articles = (
                Outcome.INTERNAL_ERROR, f"storing articles failed: {exc}", None, [])
            update = self._update(res, st, now)
            self.store.record_polls([update])
            self.next_checks[update.name] = update.next_check_at
            counts["errors"] += 1
            return
        self.next_checks.update((u.name, u.next_check_at) for u in updates)
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
        """The source row after this poll (decided in ``watcher.ingest.decide``)."""
        return decide(res.source, st, Polled.of(res.outcome, res.error, res.fetch, res.body_hash),
                      now=now, jitter=self.settings.fetch.jitter, rand=self.rand)

    async def _poll_source(self, src: Source, st: SourceState, page_deadline: float) -> _SourceResult:
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
        entries = [e for e, _rel in processed.relevant]
        pages = await self._fetch_pages(src, entries, page_deadline)
        arts = await self._build(src, entries, pages) if pages else []
        return _SourceResult(src, Outcome.OK, processed.error, fetched, arts, digest)

    async def _fetch_pages(self, src: Source, entries: list[Entry], deadline: float) -> list[tuple[bytes | None, str | None]]:
        """The linked pages of the entries that carry only a summary ((None, None) for the others), within
        the source's page budget: at most ``pages_per_source`` in flight at once (so one source cannot hold
        every page slot), at most ``max_pages_per_source`` in the pass, none after the pass's ``deadline``
        (event-loop time). An entry whose page is not fetched keeps its feed summary: it is stored all the
        same."""
        f = self.settings.fetch
        out: list[tuple[bytes | None, str | None]] = [(None, None)] * len(entries)
        wanted = [i for i, e in enumerate(entries)
                  if f.extract_pages and e.url and len(e.content or e.summary) < SHORT_TEXT]
        if len(wanted) > f.max_pages_per_source:
            log.info("source %r: %d pages to fetch, %d in one pass (max_pages_per_source): the other items keep "
                     "their feed summary", src.name, len(wanted), f.max_pages_per_source)
            wanted = wanted[:f.max_pages_per_source]
        if not wanted:
            return out
        fetcher = await self._page_fetcher()
        budget = asyncio.Semaphore(f.pages_per_source)

        async def one(i: int) -> None:
            async with budget:
                out[i] = await self._page(src, entries[i], fetcher)

        try:
            async with asyncio.timeout_at(deadline):
                await asyncio.gather(*(one(i) for i in wanted))
        except TimeoutError:
            missed = sum(1 for i in wanted if out[i][0] is None)
            log.info("source %r: the pass's page deadline (page_deadline) passed with %d pages not fetched: "
                     "their items keep their feed summary", src.name, missed)
        return out

    async def _page(self, src: Source, entry: Entry, pages: Fetcher) -> tuple[bytes | None, str | None]:
        """The linked page of an entry (None when not fetched)."""
        assert entry.url is not None
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
