"""The notifier: delivers the outbox, one channel's alerts in order, each marked done on its own.

A pass, per channel (channels run side by side, so a dead mail server holds up nothing
else): lease the channel's due prefix (:func:`.outbox.claim`), then for each alert render
it, send it with its id, and record the outcome in its own transaction (sent, retry at
``now + backoff`` or ``Retry-After``, or failed). A retry stops the channel's pass, and the
alerts behind it wait, so order holds. A crash between a receiver accepting an alert and
that record is the one way an alert goes out twice, and it goes out with the same id.

Every try has a wall-clock deadline: each sender keeps to the channel's ``timeout`` for the
whole exchange, and the notifier cuts any try at ``timeout + DEADLINE_MARGIN`` whatever the
sender does. A try cut short by a stop (the task cancelled) puts its alert back in the queue,
so the next start delivers it.

A lease held by a process that is gone (same host, pid no longer running, or this pid with
another start token) is taken over at once, so a restart resumes without waiting it out.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import random
import socket
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from ..config.alerts import AlertsConfig, Channel
from ..errors import DeliveryError, StorageError
from ..store import Store
from ..store import alerts as outbox
from .apprise_sender import AppriseSender
from .base import FAILED, RETRY, Delivery, Sender, backoff, short
from .email import EmailSender
from .render import Renderer
from .slack import SlackSender
from .webhook import HttpSender

log = logging.getLogger("watcher.notify")

DEADLINE_MARGIN = 5.0      # seconds past a channel's timeout at which the notifier cuts a try itself

_HOST = socket.gethostname()
_TOKEN = uuid.uuid4().hex[:12]


Loaded = tuple[list[dict[str, Any]], str | None, str | None]   # change rows, digest, period


def process_owner() -> str:
    """This process's lease-owner name: host, pid and a start token."""
    return f"{_HOST}:{os.getpid()}:{_TOKEN}"


def owner_is_dead(owner: str | None) -> bool:
    """True only when ``owner`` is certainly gone: on this host and no longer running."""
    if not owner:
        return True
    try:
        host, pid_s, token = owner.rsplit(":", 2)
        pid = int(pid_s)
    except ValueError:
        return False
    if host != _HOST:
        return False
    if pid == os.getpid():
        return token != _TOKEN
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def default_senders(cfg: AlertsConfig, env: Mapping[str, str], clock: Callable[[], dt.datetime]) -> dict[str, Sender]:
    policy = cfg.policy()
    return {"email": EmailSender(env), "slack": SlackSender(policy, env, clock=clock),
            "webhook": HttpSender(policy, env, clock=clock), "apprise": AppriseSender(policy, env)}


def _duration(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:g}s"


class Notifier:
    """Delivers the outbox. ``await n.run_once()`` is one pass; ``await n.run(stop)`` loops."""

    def __init__(self, cfg: AlertsConfig, store: Store, clock: Callable[[], dt.datetime], *,
                 senders: Mapping[str, Sender] | None = None, env: Mapping[str, str] | None = None,
                 renderer: Renderer | None = None, rng: random.Random | None = None, batch: int = 50,
                 owner: str | None = None, is_dead: Callable[[str | None], bool] = owner_is_dead,
                 idle: float = 1.0) -> None:
        self.cfg = cfg
        self.store = store
        self.clock = clock
        self.env = os.environ if env is None else env
        self.senders = dict(senders) if senders is not None else default_senders(cfg, self.env, clock)
        self.renderer = renderer or Renderer(cfg.templates)
        self.rng = rng or random.Random()
        self.batch = batch
        self.owner = owner or process_owner()
        self.is_dead = is_dead
        self.idle = idle
        self._digest_checked: dict[str, dt.datetime] = {}
        for ch in cfg.channels:
            for var in (ch.url_env, ch.username_env, ch.password_env):
                if var and not self.env.get(var):
                    log.warning("alert channel %r: environment variable %s is not set; its alerts will fail",
                                ch.name, var)

    # -- the loop ----------------------------------------------------------------------
    async def __call__(self) -> int:
        return await self.run_once()

    async def run(self, stop: asyncio.Event) -> None:
        """Deliver until ``stop`` is set; woken at once when a change is stored in this process."""
        bell = outbox.DOORBELL.subscribe()
        try:
            while not stop.is_set():
                bell.clear()
                try:
                    await self.run_once(stop)
                    wait = await asyncio.to_thread(self._until_due)
                except Exception:
                    log.exception("alert delivery pass failed")
                    wait = self.idle
                waiters = [asyncio.ensure_future(bell.wait()), asyncio.ensure_future(stop.wait())]
                try:
                    await asyncio.wait(waiters, timeout=wait, return_when=asyncio.FIRST_COMPLETED)
                finally:
                    for w in waiters:
                        w.cancel()
        finally:
            outbox.DOORBELL.unsubscribe(bell)
            await self.aclose()

    async def aclose(self) -> None:
        for s in self.senders.values():
            await s.aclose()

    def _until_due(self) -> float:
        with self.store.read("reading the alert queue") as conn:
            due = outbox.due_soon(conn, self.clock())
        if due is None:
            return self.idle
        return min(self.idle, max(0.02, (due - self.clock()).total_seconds()))

    async def run_once(self, stop: asyncio.Event | None = None) -> int:
        """One pass over every channel; returns how many alerts were delivered."""
        await asyncio.to_thread(self._digests)
        chans = [ch for ch in self.cfg.channels if ch.enabled]
        results = await asyncio.gather(*(self._drain(ch, stop) for ch in chans), return_exceptions=True)
        n = 0
        for ch, res in zip(chans, results, strict=True):
            if isinstance(res, BaseException):
                log.error("alert channel %r: delivery pass failed: %s: %s", ch.name, type(res).__name__, short(res))
            else:
                n += res
        return n

    # -- one channel ------------------------------------------------------------------
    async def _drain(self, ch: Channel, stop: asyncio.Event | None) -> int:
        sent = 0
        while stop is None or not stop.is_set():
            batch = await asyncio.to_thread(self._claim, ch)
            if not batch:
                return sent
            for i, (item, loaded) in enumerate(batch):
                rest = [b.id for b, _ in batch[i + 1:]]
                if stop is not None and stop.is_set():
                    await asyncio.to_thread(self._release, [item.id, *rest])
                    return sent
                try:
                    result = await self._deliver(ch, item, loaded)
                except asyncio.CancelledError:   # stopping: this alert and the rest wait for the next start
                    await asyncio.shield(asyncio.to_thread(self._release, [item.id, *rest]))
                    raise
                go_on = await asyncio.to_thread(self._record, ch, item, result)
                sent += result.ok
                if not go_on:
                    await asyncio.to_thread(self._release, rest)
                    return sent
        return sent

    def _claim(self, ch: Channel) -> list[tuple[outbox.Claimed, Loaded]]:
        """Lease the channel's due prefix and load what each alert says, in one transaction."""
        lease = 60.0 + self.batch * (ch.timeout + 5.0)
        with self.store.write("claiming alerts") as conn:
            items = outbox.claim(conn, ch.name, self.clock(), owner=self.owner, lease=lease, limit=self.batch,
                                 is_dead=self.is_dead)
            singles = outbox.change_rows(conn, [i.change_id for i in items
                                                if i.kind != "digest" and i.change_id is not None])
            by_id = {r["id"]: r for r in singles}
            out: list[tuple[outbox.Claimed, Loaded]] = []
            for item in items:
                if item.kind == "digest":
                    rows = outbox.change_rows(conn, outbox.digest_change_ids(conn, item.id))
                    out.append((item, (rows, ch.digest or "daily", item.created_at.isoformat())))
                else:
                    row = by_id.get(item.change_id) if item.change_id is not None else None
                    out.append((item, ([row] if row else [], None, None)))
            return out

    def _release(self, ids: list[str]) -> None:
        if ids:
            with self.store.write("releasing alerts") as conn:
                outbox.release(conn, ids, self.owner)

    async def _deliver(self, ch: Channel, item: outbox.Claimed, loaded: Loaded) -> Delivery:
        rows, digest, period = loaded
        try:
            message = self.renderer.render(ch, item.id, rows, digest=digest, period=period)
        except DeliveryError as exc:
            return Delivery(FAILED, str(exc))
        sender = self.senders.get(ch.type)
        if sender is None:
            return Delivery(FAILED, f"no sender for channel type {ch.type!r}")
        limit = ch.timeout + DEADLINE_MARGIN
        try:
            return await asyncio.wait_for(sender.send(ch, message), limit)
        except TimeoutError:
            return Delivery(RETRY, f"no complete delivery within {limit:g} s")
        except Exception as exc:   # a bug in a sender: keep the alert, say what kind of failure
            log.error("alert %s to %r: sender error %s", item.id, ch.name, type(exc).__name__)
            return Delivery(RETRY, f"internal error in the {ch.type} sender: {type(exc).__name__}")

    def _record(self, ch: Channel, item: outbox.Claimed, result: Delivery) -> bool:
        """Store the outcome of one try; False when the channel must wait (a retry)."""
        now = self.clock()
        error = short(result.error or "unknown error", 500)
        with self.store.write("recording an alert delivery") as conn:
            if result.ok:
                outbox.mark_sent(conn, item.id, now)
                log.info("alert %s to %r: sent (%s)", item.id, ch.name, result.detail or "ok")
                return True
            if result.outcome == FAILED:
                outbox.mark_failed(conn, item.id, error)
                log.warning("alert %s to %r: failed: %s", item.id, ch.name, error)
                return True
            if result.retry_after is not None:
                delay = min(result.retry_after, self.cfg.give_up_after)
            else:
                delay = backoff(item.attempts, self.cfg.backoff_initial, self.cfg.backoff_max, self.rng)
            next_at = now + dt.timedelta(seconds=delay)
            if (next_at - item.created_at).total_seconds() > self.cfg.give_up_after:
                why = f"gave up after {_duration(self.cfg.give_up_after)} and {item.attempts} attempts: {error}"
                outbox.mark_failed(conn, item.id, why)
                log.warning("alert %s to %r: %s", item.id, ch.name, why)
                return True
            outbox.mark_retry(conn, item.id, next_at, error)
            log.warning("alert %s to %r: attempt %d failed, retry in %.1f s: %s", item.id, ch.name,
                        item.attempts, delay, error)
            return False

    # -- digests ---------------------------------------------------------------------
    def _digests(self) -> None:
        now = self.clock()
        for ch in self.cfg.channels:
            if not ch.digest or not ch.enabled:
                continue
            boundary = outbox.digest_boundary(ch, self.cfg, now)
            if self._digest_checked.get(ch.name) == boundary:
                continue
            try:
                with self.store.write("making a digest") as conn:
                    made = outbox.make_digest(conn, ch, self.cfg, now)
            except StorageError as exc:   # e.g. another notifier made it first
                log.info("alert channel %r: digest not made now: %s", ch.name, exc)
                continue
            self._digest_checked[ch.name] = boundary
            if made:
                log.info("alert channel %r: digest %s queued", ch.name, made)


def make_notifier_job(cfg: AlertsConfig, store: Store, clock: Callable[[], dt.datetime]) -> Notifier | None:
    """The daemon's notifier for the configured channels (``Settings.alerts``), or None when there are none."""
    if not cfg.channels:
        return None
    return Notifier(cfg, store, clock)
