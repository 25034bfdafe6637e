"""Worker processes for the poller's CPU work, driven from the event loop itself.

Each worker is a forked process with one socket to the poller; a job is a pickled ``(function,
arguments)`` frame written by the event loop, its result a frame read back by a reader task on the
same loop. There is no thread in the poller's process for it, which is why this exists rather than
``concurrent.futures.ProcessPoolExecutor``: that pool's queue-management and feeder threads cost
0.6–0.7 s of the poller's CPU in a cold pass of 1,000 feeds (1,777 jobs) and contend with the event
loop and the writer for the interpreter lock (docs/benchmarks.md, "Polling").

    pool = WorkerPool(2, initializer=setup, initargs=(os.getpid(),))
    await pool.start()                           # fork now, before the first request
    articles = await pool.run(build_articles, jobs)
    await pool.aclose()                          # each worker exits at the end of its socket

A worker holds up to ``DEPTH`` jobs, so the next one is waiting in its socket when one ends. If a
worker dies (a crash in a C extension, the kernel's out-of-memory killer), the job it was running
fails with :class:`~watcher.errors.WorkerCrashed`, the jobs queued behind it go to the others, and
a new worker takes its place: one bad feed costs its own source, not the pass.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import pickle
import signal
import socket
import struct
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from ..errors import WorkerCrashed

__all__ = ["DEPTH", "WorkerPool"]

log = logging.getLogger("watcher.workers")
T = TypeVar("T")
DEPTH = 2                         # jobs sent to one worker before its first result is back
_HEAD = struct.Struct("!Q")       # frame: 8-byte length, then the pickle
_Job = tuple[Callable[..., Any], tuple[Any, ...], "asyncio.Future[Any]"]


def _recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = bytearray(n)
    view, got = memoryview(buf), 0
    while got < n:
        k = sock.recv_into(view[got:])
        if not k:
            raise EOFError
        got += k
    return bytes(buf)


def _serve(sock: socket.socket, others: tuple[int, ...], initializer: Callable[..., None] | None,
           initargs: tuple[Any, ...]) -> None:
    """A worker's whole life: read a job, run it, write its result, until the poller closes the socket."""
    signal.set_wakeup_fd(-1)                         # the poller's event loop is not ours to wake
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C is the poller's to handle: it closes the pool
    signal.signal(signal.SIGTERM, signal.SIG_DFL)    # a stop sent to the whole group ends a worker at once
    for fd in others:   # a forked worker holds copies of the poller's ends (its own, its siblings'): EOF needs them shut
        with contextlib.suppress(OSError):
            os.close(fd)
    if initializer is not None:
        initializer(*initargs)
    while True:
        try:
            (size,) = _HEAD.unpack(_recv_exact(sock, _HEAD.size))
            frame = _recv_exact(sock, size)
        except (EOFError, OSError):
            return
        try:
            fn, args = pickle.loads(frame)
            out = pickle.dumps((True, fn(*args)), pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # the job's own failure goes back to its caller
            try:
                out = pickle.dumps((False, exc), pickle.HIGHEST_PROTOCOL)
            except Exception:
                out = pickle.dumps((False, RuntimeError(f"{type(exc).__name__}: {exc}")))
        try:
            sock.sendall(_HEAD.pack(len(out)))
            sock.sendall(out)
        except OSError:   # the poller closed the pool while this job ran
            return


@dataclass(eq=False)
class _Worker:
    process: Any
    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter
    inflight: deque[_Job] = field(default_factory=deque)
    task: asyncio.Task[None] | None = None
    timer: asyncio.TimerHandle | None = None     # the running job's deadline
    overdue: bool = False                        # it passed it: the worker was stopped


class WorkerPool:
    """``size`` worker processes; :meth:`run` sends a job to the least busy one."""

    def __init__(self, size: int, *, initializer: Callable[..., None] | None = None,
                 initargs: tuple[Any, ...] = (), start_method: str | None = None,
                 job_timeout: float | None = None) -> None:
        """``job_timeout``: seconds one job may run; a worker past it is killed (the job fails with
        :class:`~watcher.errors.WorkerCrashed`) and replaced, so no input can hold a pass forever."""
        self.size = size
        self.job_timeout = job_timeout
        self._initializer, self._initargs = initializer, initargs
        method = start_method or ("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
        self._ctx: Any = multiprocessing.get_context(method)
        self._workers: list[_Worker] = []
        self._queue: deque[_Job] = deque()
        self._closing = False
        self._started = False

    @property
    def start_method(self) -> str:
        method: str = self._ctx.get_start_method()
        return method

    @property
    def pids(self) -> list[int]:
        """The workers' process ids (empty before :meth:`start`)."""
        return [w.process.pid for w in self._workers]

    async def start(self) -> None:
        """Start every worker (once; :meth:`run` calls it when nobody did)."""
        if self._started:
            return
        self._started = True
        for _ in range(self.size):
            await self._spawn()

    async def _spawn(self) -> None:
        mine, theirs = socket.socketpair()
        others = (mine.fileno(), *(w.writer.get_extra_info("socket").fileno() for w in self._workers))
        if self.start_method != "fork":
            others = ()
        proc = self._ctx.Process(target=_serve, args=(theirs, others, self._initializer, self._initargs),
                                 daemon=True, name="watcher-worker")
        proc.start()
        theirs.close()
        reader, writer = await asyncio.open_connection(sock=mine, limit=1 << 20)
        if self._closing:   # the pool was closed while this one started (a replacement, say)
            writer.close()
            await asyncio.to_thread(_reap, [proc])
            return
        w = _Worker(proc, reader, writer)
        w.task = asyncio.create_task(self._read(w), name=f"worker-{proc.pid}")
        self._workers.append(w)
        self._dispatch()   # jobs queued while no worker was up

    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """``fn(*args)`` in a worker; its exception is raised here. ``fn`` must be importable by name."""
        if self._closing:
            raise RuntimeError("the worker pool is shut down")
        await self.start()
        fut: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._queue.append((fn, args, fut))
        self._dispatch()
        return await fut

    def _dispatch(self) -> None:
        while self._queue and self._workers:
            w = min(self._workers, key=lambda x: len(x.inflight))
            if len(w.inflight) >= DEPTH:
                return
            fn, args, fut = self._queue.popleft()
            if fut.done():   # its caller was cancelled while it waited
                continue
            try:
                frame = pickle.dumps((fn, args), pickle.HIGHEST_PROTOCOL)
            except Exception as exc:
                fut.set_exception(exc)
                continue
            w.writer.write(_HEAD.pack(len(frame)))
            w.writer.write(frame)
            w.inflight.append((fn, args, fut))
            if len(w.inflight) == 1:
                self._arm(w)

    def _arm(self, w: _Worker) -> None:
        """Start the deadline of the job at the head of ``w``'s queue (the one it is running)."""
        if self.job_timeout is not None:
            w.timer = asyncio.get_running_loop().call_later(self.job_timeout, self._overrun, w)

    def _overrun(self, w: _Worker) -> None:
        w.overdue = True
        with contextlib.suppress(ProcessLookupError, TypeError):
            os.kill(w.process.pid, signal.SIGKILL)   # its socket ends; _read hands it to _lost

    async def _read(self, w: _Worker) -> None:
        try:
            while True:
                (size,) = _HEAD.unpack(await w.reader.readexactly(_HEAD.size))
                frame = await w.reader.readexactly(size)
                _fn, _args, fut = w.inflight.popleft()
                if w.timer is not None:
                    w.timer.cancel()
                    w.timer = None
                if w.inflight:
                    self._arm(w)
                try:
                    ok, value = pickle.loads(frame)
                except Exception as exc:
                    ok, value = False, exc
                if not fut.done():
                    fut.set_result(value) if ok else fut.set_exception(value)
                self._dispatch()
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        if self._closing:
            return
        await self._lost(w)

    async def _lost(self, w: _Worker) -> None:
        """A worker's socket ended while the pool runs: it died. Fail its job, requeue the rest, replace it."""
        self._workers.remove(w)
        w.writer.close()
        await asyncio.to_thread(w.process.join, 5)
        if w.timer is not None:
            w.timer.cancel()
        code = w.process.exitcode
        reason = f"signal {-code}" if isinstance(code, int) and code < 0 else f"exit code {code}"
        message = f"worker process {w.process.pid} died ({reason})"
        if w.overdue:
            message = f"worker process {w.process.pid} stopped: the job ran for more than {self.job_timeout:g} s"
        if w.inflight:
            running = w.inflight.popleft()[2]
            if not running.done():
                running.set_exception(WorkerCrashed(message))
        # the jobs sent behind the one that was running never started: back to the front of the queue
        self._queue.extendleft(reversed(w.inflight))
        w.inflight.clear()
        try:
            await self._spawn()
        except OSError as exc:
            log.error("could not start a worker process: %s", exc)
            if not self._workers:
                self._fail_queue(WorkerCrashed(f"no worker process left: {exc}"))
        self._dispatch()

    def _fail_queue(self, exc: BaseException) -> None:
        while self._queue:
            fut = self._queue.popleft()[2]
            if not fut.done():
                fut.set_exception(exc)

    async def aclose(self) -> None:
        """Fail what is queued, let each worker finish its job and exit, then reap them."""
        self._closing = True
        while self._queue:
            self._queue.popleft()[2].cancel()
        workers, self._workers = self._workers, []
        for w in workers:
            w.writer.close()
        for w in workers:
            if w.timer is not None:
                w.timer.cancel()
            if w.task is not None:
                w.task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await w.task
            for _fn, _args, fut in w.inflight:
                fut.cancel()
        await asyncio.to_thread(_reap, [w.process for w in workers])


def _reap(procs: list[Any], grace: float = 5.0) -> None:
    for p in procs:
        p.join(grace)
        if p.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(p.pid, signal.SIGKILL)
            p.join(1)
