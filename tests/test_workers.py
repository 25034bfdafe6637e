"""The poller's worker processes (watcher.ingest.workers): real forked processes, real sockets."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from pathlib import Path

import pytest

from watcher.errors import WorkerCrashed
from watcher.ingest.workers import DEPTH, WorkerPool


def pid_and(x: int) -> tuple[int, int]:
    return os.getpid(), x * x


def fail(msg: str) -> None:
    raise ValueError(msg)


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def slow(seconds: float, x: int) -> int:
    time.sleep(seconds)
    return x


def unpicklable_result() -> object:
    return lambda: None


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purposes, but must have been reaped by aclose
    stat = Path(f"/proc/{pid}/stat")
    return not (stat.exists() and stat.read_text().rsplit(")", 1)[1].split()[0] == "Z")


def test_jobs_run_in_other_processes_and_spread_over_the_workers() -> None:
    async def main() -> tuple[set[int], list[int]]:
        pool = WorkerPool(2)
        try:
            out = await asyncio.gather(*(pool.run(pid_and, i) for i in range(40)))
        finally:
            await pool.aclose()
        return {pid for pid, _ in out}, [sq for _, sq in out]

    pids, squares = asyncio.run(main())
    assert squares == [i * i for i in range(40)]
    assert os.getpid() not in pids and len(pids) == 2


def test_a_jobs_exception_reaches_its_caller_and_the_pool_goes_on() -> None:
    async def main() -> int:
        pool = WorkerPool(1)
        try:
            with pytest.raises(ValueError, match="bad feed"):
                await pool.run(fail, "bad feed")
            with pytest.raises(Exception, match="pickle|lambda"):
                await pool.run(unpicklable_result)
            return (await pool.run(pid_and, 3))[1]
        finally:
            await pool.aclose()

    assert asyncio.run(main()) == 9


def test_a_dead_worker_fails_only_its_job_and_is_replaced() -> None:
    async def main() -> None:
        pool = WorkerPool(1)
        try:
            first_pid, _ = await pool.run(pid_and, 1)
            # with one worker, the jobs behind the fatal one were already sent to the same process
            behind = [pool.run(slow, 0.0, i) for i in range(DEPTH + 2)]
            fatal = asyncio.ensure_future(pool.run(die))
            await asyncio.sleep(0)
            results = await asyncio.gather(fatal, *behind, return_exceptions=True)
            assert isinstance(results[0], WorkerCrashed)
            assert "signal 9" in str(results[0])
            assert results[1:] == list(range(DEPTH + 2))
            new_pid, _ = await pool.run(pid_and, 2)
            assert new_pid != first_pid and not alive(first_pid)
        finally:
            await pool.aclose()

    asyncio.run(main())


def test_aclose_lets_workers_finish_and_reaps_them() -> None:
    async def main() -> list[int]:
        pool = WorkerPool(2)
        pids = {pid for pid, _ in await asyncio.gather(*(pool.run(pid_and, i) for i in range(4)))}
        running = asyncio.ensure_future(pool.run(slow, 0.3, 7))
        await asyncio.sleep(0.05)
        await pool.aclose()
        assert running.cancelled()
        with pytest.raises(RuntimeError, match="shut down"):
            await pool.run(pid_and, 1)
        return sorted(pids)

    pids = asyncio.run(main())
    assert len(pids) == 2
    assert not any(alive(p) for p in pids), "a worker outlived the pool"


def test_a_sigterm_to_the_group_ends_an_idle_worker() -> None:
    async def main() -> int:
        pool = WorkerPool(1)
        try:
            pid, _ = await pool.run(pid_and, 1)
            os.kill(pid, signal.SIGTERM)
            for _ in range(500):
                if pool.pids and pid not in pool.pids:
                    break
                await asyncio.sleep(0.01)
            assert pool.pids and pid not in pool.pids, "the dead worker was not replaced"
            new_pid, _ = await pool.run(pid_and, 2)
            assert new_pid == pool.pids[0]
            return pid
        finally:
            await pool.aclose()

    pid = asyncio.run(main())
    assert not alive(pid)


def niceness() -> int:
    return os.nice(0)


def test_the_pollers_workers_run_below_the_poller() -> None:
    from watcher.ingest.poller import WORKER_NICE, _worker_setup

    async def main() -> int:
        pool = WorkerPool(1, initializer=_worker_setup, initargs=(os.getpid(),))
        try:
            return await pool.run(niceness)
        finally:
            await pool.aclose()

    assert asyncio.run(main()) == min(19, os.nice(0) + WORKER_NICE)


def test_a_job_past_its_time_stops_its_worker_and_the_pool_goes_on() -> None:
    async def main() -> None:
        pool = WorkerPool(2, job_timeout=0.5)
        try:
            await pool.start()
            before = set(pool.pids)
            hung = asyncio.ensure_future(pool.run(slow, 3600, 0))     # a parser that never returns
            quick = [await pool.run(pid_and, i) for i in range(3)]   # the other worker keeps serving
            with pytest.raises(WorkerCrashed, match="ran for more than 0.5 s"):
                async with asyncio.timeout(10):
                    await hung
            assert [sq for _, sq in quick] == [0, 1, 4]
            after = await asyncio.gather(*(pool.run(pid_and, i) for i in range(4)))
            assert [sq for _, sq in after] == [0, 1, 4, 9] and len(pool.pids) == 2
            (stopped,) = before - set(pool.pids)      # the hung worker was killed and replaced
            assert not alive(stopped)
        finally:
            await pool.aclose()

    asyncio.run(main())
