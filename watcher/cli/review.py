"""Commands for the claim side: commitments, changes, replay."""

from __future__ import annotations

import click

from ..commitments.change_json import change_json
from ..commitments.kinds import KINDS
from ..store import pending_of
from ._context import BadInput, Ctx, emit_json, parse_date, pass_ctx, table


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the listing as JSON.")
@pass_ctx
def commitments(ctx: Ctx, as_json: bool) -> None:
    """The tracked commitments with their confirmed status, deadline and last evidence.

    A change only one press outlet reports waits beside the status ("unconfirmed: advanced →
    implemented") until an official source, a second outlet or a reviewer backs it.

    \b
    Example:
      watcher commitments --json
    """
    rows = [{"id": r.id, "title": r.title, "status": r.status, "confirmed_status": r.status,
             "pending": pending_of(r.state),
             "deadline": r.deadline.isoformat() if r.deadline else None, "origin": r.origin,
             "last_evidence": r.last_evidence,
             "last_changed_at": r.last_changed_at.isoformat() if r.last_changed_at else None,
             "aliases": list(r.aliases)} for r in ctx.store().commitment_rows()]
    if as_json:
        emit_json(rows)
    else:
        for r in rows:
            p = r["pending"]
            r["unconfirmed"] = f"unconfirmed: {p['kind']} → {p['to_status']} ({p['doc']})" if p else ""
        table(rows, ["id", "status", "unconfirmed", "deadline", "last_evidence"],
              {"id": 0, "unconfirmed": 64, "last_evidence": 60})


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the listing as JSON.")
@click.option("--since", metavar="DATE", help="Only changes published on or after DATE.")
@click.option("--commitment", metavar="ID", help="Only changes of this commitment.")
@click.option("--kind", type=click.Choice(KINDS), help="Only changes of this kind.")
@pass_ctx
def changes(ctx: Ctx, as_json: bool, since: str | None, commitment: str | None, kind: str | None) -> None:
    """Detected changes, oldest first: what moved, from which status to which, and the evidence.

    \b
    Example:
      watcher changes --since 2024-11-01 --json
    """
    store = ctx.store()
    if commitment is not None and not store.has_commitment(commitment):
        raise BadInput(f"no commitment {commitment!r} (see `watcher commitments`)")
    rows = [change_json(r) for r in store.change_rows(since=parse_date(since), commitment=commitment, kind=kind)]
    if as_json:
        emit_json(rows)
    else:
        for r in rows:
            r["date"] = (r["published_at"] or "")[:10]
            r["move"] = f"{r['from_status'] or '-'} → {r['to_status'] or '-'}"
        table(rows, ["date", "commitment", "change", "move", "evidence"], {"commitment": 0, "evidence": 80})


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print counts as JSON.")
@pass_ctx
def replay(ctx: Ctx, as_json: bool) -> None:
    """Rebuild commitments and changes from the stored articles, in publication order.

    Sends nothing: alerts already owed are dropped with the changes they belonged to.
    A change an analyst confirmed, rejected or corrected is so again once rebuilt (found by
    its commitment, document and detected kind). Running it twice gives the same result.

    \b
    Example:
      watcher replay
    """
    from ..ingest.replay import replay_store

    info = replay_store(ctx.store())
    if as_json:
        emit_json(info)
    else:
        click.echo(f"replayed {info['articles']} articles: {info['changes']} changes "
                   f"({info['reviews']} reviewed before, reviews kept) in {info['seconds']:.1f} s")
