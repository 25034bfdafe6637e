"""``watcher alerts``: the outbox (each alert, its channel and delivery state), ``test`` and ``retry``."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import click

from .. import aio
from ._context import Ctx, emit_json, pass_ctx, table


def _iso(v: Any) -> str | None:
    return v.isoformat() if isinstance(v, dt.datetime | dt.date) else v


def alert_json(r: dict[str, Any]) -> dict[str, Any]:
    return {"id": r["id"], "channel": r["channel"], "kind": r["kind"], "change_id": r["change_id"],
            "change": r.get("change_kind"), "commitment": r.get("commitment_id"), "state": r["state"],
            "attempts": r["attempts"], "next_attempt_at": _iso(r["next_attempt_at"]) if r["state"] == "pending" else None,
            "last_error": r["last_error"], "created_at": _iso(r["created_at"]), "sent_at": _iso(r["sent_at"]),
            "digest_id": r["digest_id"]}


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the listing as JSON.")
@click.option("--state", type=click.Choice(["pending", "sending", "sent", "failed", "queued", "digested"]),
              help="Only alerts in this delivery state.")
@click.option("--channel", help="Only this channel's alerts.")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="At most this many (newest first).")
@click.option("--retry-failed", is_flag=True,
              help="First put the failed alerts (of --channel, or all) back in the queue, e.g. after fixing a channel.")
@click.pass_context
def alerts(cctx: click.Context, as_json: bool, state: str | None, channel: str | None, limit: int | None,
           retry_failed: bool) -> None:
    """The alert outbox: each alert, its channel and its delivery state.

    States: pending (waiting, or backing off after a failure), sending (being delivered),
    sent, failed (given up: see last_error), queued / digested (waiting for a channel's digest).

    \b
    Examples:
      watcher alerts
      watcher alerts --state failed --json
      watcher alerts test desk
      watcher alerts --retry-failed --channel desk
    """
    if cctx.invoked_subcommand is not None:
        return
    ctx = cctx.find_object(Ctx)
    assert ctx is not None
    from ..store import alerts as outbox

    if retry_failed:
        with ctx.store().write("requeueing alerts") as conn:
            n = outbox.requeue(conn, dt.datetime.now(dt.UTC), channel=channel)
        click.echo(f"{n} failed alert(s) requeued; a running `watcher run` delivers them", err=True)
    with ctx.store().read("listing alerts") as conn:
        rows = [alert_json(r) for r in outbox.listing(conn, state=state, channel=channel, limit=limit)]
    if as_json:
        emit_json(rows)
    else:
        table(rows, ["id", "channel", "change", "commitment", "state", "attempts", "sent_at", "last_error"],
              {"id": 32, "commitment": 36, "last_error": 60, "sent_at": 19})


@alerts.command("test")
@click.argument("channel")
@click.option("--json", "as_json", is_flag=True, help="Print the outcome as JSON.")
@pass_ctx
def test_channel(ctx: Ctx, channel: str, as_json: bool) -> None:
    """Send a sample alert through CHANNEL to check its set-up (nothing is stored).

    Exits 0 when the receiver accepted it, 1 otherwise, with the reason.

    \b
    Example:
      watcher alerts test team
    """
    from ..errors import DeliveryError
    from ..notify.base import FAILED, Delivery
    from ..notify.render import Renderer, sample_rows
    from ..notify.worker import default_senders
    from ..store.alerts import new_alert_id

    cfg = ctx.settings.alerts
    ch = cfg.channel(channel)
    if ch is None:
        names = ", ".join(c.name for c in cfg.channels) or "none configured"
        raise click.BadParameter(f"no alert channel {channel!r} (channels: {names})", param_hint="CHANNEL")
    alert_id = "test-" + new_alert_id()

    async def main() -> Delivery:
        try:
            msg = Renderer(cfg.templates).render(ch, alert_id, sample_rows())
        except DeliveryError as exc:
            return Delivery(FAILED, str(exc))
        senders = default_senders(cfg, os.environ, lambda: dt.datetime.now(dt.UTC))
        try:
            return await senders[ch.type].send(ch, msg)
        finally:
            for s in senders.values():
                await s.aclose()

    result = aio.run(main())
    if as_json:
        emit_json({"channel": ch.name, "alert_id": alert_id, "outcome": result.outcome, "error": result.error,
                   "detail": result.detail})
    elif result.ok:
        click.echo(f"{ch.name}: test alert {alert_id} delivered ({result.detail or 'ok'})")
    else:
        click.echo(f"{ch.name}: test alert not delivered ({result.outcome}): {result.error}", err=True)
    if not result.ok:
        raise SystemExit(1)
