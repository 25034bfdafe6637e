"""Commands for the feed side: init, poll, run, ingest, sources, articles."""

from __future__ import annotations

import datetime as dt
import sys

import click

from .. import aio
from ..errors import ConfigError
from ._context import Ctx, emit_json, parse_date, pass_ctx, table


def initialise(ctx: Ctx, *, seed: bool, quiet: bool = False) -> dict[str, int]:
    """Create or migrate the database, load the registry and (unless told not to) the seeds."""
    from ..documents import seed_articles
    from ..intake import Analyzer, load_registry_into, store_articles
    from ..registry import load_registry

    store = ctx.store(must_exist=False)
    registry = load_registry(ctx.registry_file)     # a bad registry stops here, naming every bad entry
    store.migrate()
    with store.write("loading the commitment registry") as conn:
        added = load_registry_into(conn, ctx.registry_file)
    store.sync_sources(ctx.settings.sources)
    new = 0
    if seed:
        now = dt.datetime.now(dt.UTC)
        arts = sorted(seed_articles(now), key=lambda a: (a.published_at or now, a.doc or ""))
        analyzer = Analyzer.from_store(store)    # seeds are history: no alerts for them
        for a in arts:
            new += store_articles(store, [a], now=now, analyzer=analyzer).new_articles
    return {"commitments_added": added, "commitments": len(registry), "seed_articles_added": new}


@click.command()
@click.option("--no-seed", is_flag=True, help="Do not load the five seed articles.")
@click.option("--json", "as_json", is_flag=True, help="Print what was done as JSON.")
@pass_ctx
def init(ctx: Ctx, no_seed: bool, as_json: bool) -> None:
    """Create or migrate the database; load the registry and the seed corpus.

    Safe to run again: the schema is migrated in place, registry entries are refreshed
    and a seed article already stored is not stored twice.

    \b
    Example:
      watcher init
      watcher --db postgresql+psycopg://localhost/watcher init --no-seed
    """
    info = initialise(ctx, seed=not no_seed)
    if as_json:
        emit_json(info)
    else:
        click.echo(f"database ready: {ctx.store().url} ({info['commitments']} commitments in the registry, "
                   f"{info['seed_articles_added']} seed articles added)")


def _ensure_db(ctx: Ctx) -> None:
    """A fresh database is initialised (with the seeds); an older one is migrated in place."""
    store = ctx.store(must_exist=False)
    if not store.is_initialised():
        initialise(ctx, seed=True)
    elif not store.is_current():
        store.migrate()


@click.command()
@click.option("--once", is_flag=True, required=True, help="One pass over every enabled source, then exit.")
@click.option("--json", "as_json", is_flag=True, help="Print the pass's summary as JSON.")
@click.option("--source", "names", multiple=True, metavar="NAME", help="Poll only this source (repeatable).")
@pass_ctx
def poll(ctx: Ctx, once: bool, as_json: bool, names: tuple[str, ...]) -> None:
    """Poll every enabled source once and store what is new.

    A failing source is recorded on its row (see `watcher sources`), not fatal: the
    command exits 0. With --json it prints sources, fetched, not_modified, errors,
    new_articles and seconds (the pass itself).

    \b
    Example:
      watcher poll --once --json
    """
    settings = ctx.settings   # a bad configuration stops here, before anything else
    from ..daemon import change_hook
    from ..intake import Analyzer
    from ..pipeline import Poller

    _ensure_db(ctx)
    store = ctx.store()
    unknown = [n for n in names if settings.source(n) is None]
    if unknown:
        raise ConfigError([f"--source {n!r}: no such source in {settings.path}" for n in unknown])

    async def main() -> object:
        analyzer = Analyzer.from_store(store, on_changes=change_hook(settings))
        async with Poller(settings, store, analyzer=analyzer) as poller:
            return await poller.poll(list(names) or None)

    report = aio.run(main())
    data = {k: getattr(report, k) for k in ("sources", "fetched", "not_modified", "errors", "new_articles",
                                            "seconds", "changes")}
    if as_json:
        emit_json(data)
    else:
        click.echo("polled {sources} sources in {seconds:.2f} s: {fetched} fetched, {not_modified} unchanged, "
                   "{errors} errors, {new_articles} new articles, {changes} changes".format(**data))


@click.command()
@click.option("--metrics-port", "metrics_port", metavar="[HOST:]PORT", default=None,
              help="Serve Prometheus metrics on this port (127.0.0.1 unless HOST: is given).")
@pass_ctx
def run(ctx: Ctx, metrics_port: str | None) -> None:
    """Run the daemon: poll each source on its interval, check deadlines, deliver alerts.

    Stops cleanly on SIGTERM or SIGINT: the work in flight is committed or rolled back,
    and the next start resumes where it stopped.

    \b
    Example:
      watcher run
    """
    settings = ctx.settings
    from ..daemon import run_daemon

    _ensure_db(ctx)
    metrics = None
    if metrics_port is not None:
        from ..scale.cli import start_metrics

        metrics = start_metrics(metrics_port, ctx.store())
    sys.exit(run_daemon(settings, ctx.store(), registry_file=ctx.registry_file, metrics=metrics))


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--url", help="The document's original URL.")
@click.option("--title", help="Its title (default: its first line, or the file name).")
@click.option("--published", help="Its publication date, e.g. 2024-11-15 (default: unknown).")
@click.option("--source", "source_name", default="ingest", show_default=True, help="Outlet name to file it under.")
@click.option("--official", is_flag=True, help="The document is an official government text.")
@click.option("--force", is_flag=True, help="Keep it even if the filter finds it off-topic.")
@click.option("--json", "as_json", is_flag=True, help="Print what was stored as JSON.")
@pass_ctx
def ingest(ctx: Ctx, files: tuple[str, ...], url: str | None, title: str | None, published: str | None,
           source_name: str, official: bool, force: bool, as_json: bool) -> None:
    """Add documents by hand (a statement an analyst pasted) through filter, store, claims, diff.

    \b
    Example:
      watcher ingest statement.txt --published 2024-11-15 --official --url https://example.org/s
    """
    from ..daemon import change_hook
    from ..documents import read_document
    from ..filter import relevance
    from ..intake import Analyzer, store_articles

    when = parse_date(published, "--published")
    if (url or title) and len(files) > 1:
        raise click.UsageError("--url and --title apply to a single FILE")
    store = ctx.store()
    analyzer = Analyzer.from_store(store, on_changes=change_hook(ctx.settings))
    now = dt.datetime.now(dt.UTC)
    report = []
    for f in files:
        art = read_document(f, url=url, title=title, published=when, source=source_name, official=official, now=now)
        rel = relevance(art.title, "", art.text)
        if not rel.relevant and not force:
            report.append({"file": f, "stored": False, "reason": "not about US-Japan-ROK cooperation (use --force)"})
            continue
        res = store_articles(store, [art], now=now, analyzer=analyzer)
        report.append({"file": f, "stored": bool(res.new_articles), "changes": res.changes,
                       "reason": None if res.new_articles else "already stored"})
    if as_json:
        emit_json(report)
    else:
        for r in report:
            click.echo(f"{r['file']}: " + (f"stored, {r['changes']} changes" if r["stored"] else f"skipped: {r['reason']}"))


@click.group(invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="Print the listing as JSON.")
@click.pass_context
def sources(click_ctx: click.Context, as_json: bool) -> None:
    """List sources with their health, or manage them (import, export, enable, disable).

    Each source: name, url, last_polled_at, last_status, last_error, error_count,
    next_check_at, articles.

    \b
    Example:
      watcher sources --json
      watcher sources import feeds.opml
    """
    if click_ctx.invoked_subcommand is not None:
        return
    ctx: Ctx = click_ctx.obj
    store = ctx.store()
    store.sync_sources(ctx.settings.sources)
    rows = store.list_sources()
    if as_json:
        emit_json([{k: r[k] for k in ("name", "url", "last_polled_at", "last_status", "last_error", "error_count",
                                      "next_check_at", "articles", "enabled")} for r in rows])
    else:
        table(rows, ["name", "last_status", "error_count", "articles", "last_polled_at", "next_check_at", "last_error"],
              {"last_error": 60, "name": 30})


@sources.command("import")
@click.argument("opml_file", type=click.Path(exists=True, dir_okay=False))
@click.option("--interval", default="30m", show_default=True, help="Interval for the imported sources.")
@pass_ctx
def sources_import(ctx: Ctx, opml_file: str, interval: str) -> None:
    """Append the feeds of an OPML file to sources.toml (URLs already there are skipped).

    \b
    Example:
      watcher sources import feeds.opml
    """
    from ..opml import import_opml

    added, skipped = import_opml(opml_file, ctx.config_path, interval=interval)
    click.echo(f"{len(added)} sources added to {ctx.config_path}, {len(skipped)} already there")


@sources.command("export")
@pass_ctx
def sources_export(ctx: Ctx) -> None:
    """Print the sources as OPML 2.0 on stdout.

    \b
    Example:
      watcher sources export > feeds.opml
    """
    from ..opml import export_opml

    sys.stdout.write(export_opml(ctx.settings.sources))


@sources.command("enable")
@click.argument("name")
@pass_ctx
def sources_enable(ctx: Ctx, name: str) -> None:
    """Re-enable a source that was disabled (after errors, a 410, or by hand); its error count resets."""
    if not ctx.store().set_source_enabled(name, True):
        raise click.UsageError(f"no source named {name!r}")
    click.echo(f"{name}: enabled")


@sources.command("disable")
@click.argument("name")
@pass_ctx
def sources_disable(ctx: Ctx, name: str) -> None:
    """Mute a source: it is not polled until `watcher sources enable NAME`."""
    if not ctx.store().set_source_enabled(name, False):
        raise click.UsageError(f"no source named {name!r}")
    click.echo(f"{name}: disabled")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the listing as JSON.")
@click.option("--search", "query", metavar="Q", help='Full-text search (English, Korean, Japanese; "quoted phrase").')
@click.option("--since", metavar="DATE", help="Only articles published on or after DATE (e.g. 2024-11-01).")
@click.option("--source", metavar="NAME", help="Only articles from this source.")
@click.option("--limit", default=50, show_default=True, help="At most this many (0: all).")
@pass_ctx
def articles(ctx: Ctx, as_json: bool, query: str | None, since: str | None, source: str | None, limit: int) -> None:
    """Stored articles, newest first.

    \b
    Example:
      watcher articles --search 사무국 --json
      watcher articles --since 2024-11-01
    """
    rows = ctx.store().list_articles(search=query, since=parse_date(since), source=source, limit=limit or None)
    if as_json:
        emit_json(rows)
    else:
        table(rows, ["published_at", "source", "title"], {"title": 90, "source": 24, "published_at": 10})
