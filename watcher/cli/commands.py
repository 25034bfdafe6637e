"""Commands for the feed side: init, poll, run, ingest, sources, articles."""

from __future__ import annotations

import datetime as dt
import os
import sys

import click

from .. import aio
from ..errors import ConfigError
from ..store import redact
from ._context import BadInput, Ctx, emit_json, parse_date, pass_ctx, table


def initialise(ctx: Ctx, *, seed: bool, quiet: bool = False) -> dict[str, int]:
    """Create or migrate the database, load the registry and (unless told not to) the seeds."""
    from ..commitments.registry import load_registry
    from ..ingest.documents import seed_articles
    from ..ingest.intake import Analyzer, load_registry_into, store_articles

    settings = ctx.settings                          # a bad configuration stops here, before the database
    registry = load_registry(ctx.registry_file)     # a bad registry stops here, naming every bad entry
    store = ctx.store(must_exist=False)
    store.migrate()
    with store.write("loading the commitment registry") as conn:
        added = load_registry_into(conn, ctx.registry_file)
    store.sync_sources(settings.sources)
    new = 0
    if seed:
        now = dt.datetime.now(dt.UTC)
        arts = sorted(seed_articles(now), key=lambda a: (a.published_at or now, a.doc or ""))
        analyzer = Analyzer.from_store(store)    # seeds are history: no alerts for them
        for a in arts:
            new += store_articles(store, [a], now=now, analyzer=analyzer).new_articles
    return {"commitments_added": added, "commitments": len(registry), "seed_articles_added": new}


def _first_config(ctx: Ctx) -> str | None:
    """Installed (not a clone) with no sources.toml anywhere: copy the shipped one to the user's config
    directory, so that `watcher init && watcher run` polls the usual feeds. Returns where, or None."""
    from ..store import IN_CLONE
    from .paths import config_home, shipped_config

    if ctx.config_explicit or IN_CLONE or os.path.exists(ctx.config_file):
        return None
    target = config_home() / "sources.toml"
    if str(target) != os.path.abspath(ctx.config_file) or not shipped_config().is_file():
        return None
    from ..config.sourcesfile import atomic_write

    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, shipped_config().read_text(encoding="utf-8"))
    ctx._settings = None
    return str(target)


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
    wrote = _first_config(ctx)
    if wrote:
        click.echo(f"wrote the shipped sources.toml to {wrote}: edit it to choose your feeds and alert channels",
                   err=True)
    info = initialise(ctx, seed=not no_seed)
    if as_json:
        emit_json(info)
    else:
        click.echo(f"database ready: {redact(ctx.store().url)} ({info['commitments']} commitments in the registry, "
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
    from ..ingest.intake import Analyzer
    from ..ingest.poller import Poller
    from ..store.alerts import make_enqueuer

    _ensure_db(ctx)
    store = ctx.store()
    unknown = [n for n in names if settings.source(n) is None]
    if unknown:
        raise BadInput("; ".join(f"no source named {n!r} (--source) in {settings.path or 'sources.toml'}"
                                 for n in unknown))

    async def main() -> object:
        analyzer = Analyzer.from_store(store, on_changes=make_enqueuer(settings.alerts))
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
    import logging

    from ..run.daemon import run_daemon

    # The daemon speaks at INFO by default: its start, one line per pass, alerts sent (-v: debug).
    logging.getLogger("watcher").setLevel(logging.INFO if ctx.verbose == 0 else logging.DEBUG)

    _ensure_db(ctx)
    metrics = None
    if metrics_port is not None:
        from .scale import start_metrics

        metrics = start_metrics(metrics_port, ctx.store())
    sys.exit(run_daemon(settings, ctx.store(), registry_file=ctx.registry_file, metrics=metrics))


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--url", help="The document's original URL.")
@click.option("--title", help="Its title (default: its first line, or the file name).")
@click.option("--published", help="Its publication date, e.g. 2024-11-15 (default: unknown).")
@click.option("--source", "source_name", default="ingest", show_default=True, help="Outlet name to file it under.")
@click.option("--language", metavar="CODE", help="Its language: en, ko, ja, ... (default: from its script, else en).")
@click.option("--official", is_flag=True, help="The document is an official government text.")
@click.option("--force", is_flag=True, help="Keep it even if the filter finds it off-topic.")
@click.option("--json", "as_json", is_flag=True, help="Print what was stored as JSON.")
@pass_ctx
def ingest(ctx: Ctx, files: tuple[str, ...], url: str | None, title: str | None, published: str | None,
           source_name: str, language: str | None, official: bool, force: bool, as_json: bool) -> None:
    """Add documents by hand (a statement an analyst pasted) through filter, store, claims, diff.

    A text file may open with `key: value` lines (title, date, url, outlet, note) closed by a
    `---` line: they are read as the document's details, never as its text.

    \b
    Example:
      watcher ingest statement.txt --published 2024-11-15 --official --url https://example.org/s
    """
    from ..content.language import normalise
    from ..content.relevance import relevance
    from ..ingest.documents import read_document
    from ..ingest.intake import Analyzer, store_articles
    from ..store.alerts import make_enqueuer

    when = parse_date(published, "--published")
    if (url or title) and len(files) > 1:
        raise click.UsageError("--url and --title apply to a single FILE")
    if language is not None and normalise(language) is None:
        raise click.BadParameter(f"{language!r} is not a language code such as en, ko, ja", param_hint="--language")
    missing = [f for f in files if not os.path.isfile(f)]
    if missing:
        raise BadInput("; ".join(f"no such file: {f}" if not os.path.exists(f) else f"not a file: {f}"
                                 for f in missing))
    hook = make_enqueuer(ctx.settings.alerts)   # a bad configuration is reported before the database is opened
    store = ctx.store()
    analyzer = Analyzer.from_store(store, on_changes=hook)
    now = dt.datetime.now(dt.UTC)
    report = []
    for f in files:
        try:
            art = read_document(f, url=url, title=title, published=when, source=source_name, official=official,
                                now=now, language=language)
        except ConfigError as exc:     # unreadable: a bad argument, not a bad configuration
            raise BadInput(str(exc)) from exc
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
@click.option("--all", "show_all", is_flag=True, help="Also list the sources removed from sources.toml.")
@click.pass_context
def sources(click_ctx: click.Context, as_json: bool, show_all: bool) -> None:
    """List sources with their health, or manage them (import, export, enable, disable).

    Each source: name, url, last_polled_at, last_status, last_error, error_count,
    next_check_at, articles. A source removed from sources.toml keeps its history and
    articles but is listed only with --all (with removed_at).

    \b
    Example:
      watcher sources --json
      watcher sources --all
      watcher sources import feeds.opml
    """
    if click_ctx.invoked_subcommand is not None:
        return
    ctx: Ctx = click_ctx.obj
    settings = ctx.settings      # a bad configuration is reported before anything else
    store = ctx.store()
    store.sync_sources(settings.sources)
    rows = store.list_sources(removed=show_all)
    if as_json:
        keys = ("name", "url", "last_polled_at", "last_status", "last_error", "error_count", "next_check_at",
                "articles", "enabled", "disabled_reason")
        emit_json([{k: r[k] for k in keys + (("removed_at",) if show_all else ())} for r in rows])
    else:
        columns = ["name", "last_status", "error_count", "articles", "last_polled_at", "next_check_at", "last_error"]
        table(rows, columns + (["removed_at"] if show_all else []), {"last_error": 60, "name": 0})


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
    from ..config.opml import import_opml

    path = ctx.config_file
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    added, skipped = import_opml(opml_file, path, interval=interval)
    click.echo(f"{len(added)} sources added to {path}, {len(skipped)} already there")


@sources.command("export")
@pass_ctx
def sources_export(ctx: Ctx) -> None:
    """Print the sources as OPML 2.0 on stdout.

    \b
    Example:
      watcher sources export > feeds.opml
    """
    from ..config.opml import export_opml

    sys.stdout.write(export_opml(ctx.settings.sources))


def _toggle(ctx: Ctx, name: str, enabled: bool) -> None:
    """sources.toml is the truth: set the entry's `enabled` there (atomically, nothing else in the file
    changes), then bring its row in line. Says why not, with exit 2, when it cannot."""
    from ..config import load_settings
    from ..config.sourcesfile import set_enabled

    verb = "enable" if enabled else "disable"
    settings = ctx.settings
    path = settings.path or "sources.toml"
    store = ctx.store()
    if settings.source(name) is None:
        row = store.source_states().get(name)
        if row is not None and row.removed:
            raise BadInput(f"cannot {verb} {name!r}: it was removed from {path}; add it back there to poll it again")
        raise BadInput(f"no source named {name!r} in {path}")
    try:
        edited = set_enabled(path, name, enabled)
    except ConfigError as exc:
        raise BadInput(f"cannot {verb} {name!r}: {exc}") from exc
    except OSError as exc:
        raise BadInput(f"cannot {verb} {name!r}: {path}: cannot write: {exc.strerror or exc}") from exc
    store.sync_sources(load_settings(path).sources)
    if enabled:
        store.set_source_enabled(name, True)     # and after errors or a 410: its error count starts again
    note = f" ({path} edited)" if edited else f" (already {verb}d in {path})"
    click.echo(f"{name}: {verb}d{note}")


@sources.command("enable")
@click.argument("name")
@pass_ctx
def sources_enable(ctx: Ctx, name: str) -> None:
    """Enable a source: `enabled = true` in sources.toml, and a source disabled after errors or a 410
    is polled again (its error count resets).

    \b
    Example:
      watcher sources enable "Kyodo News (English)"
    """
    _toggle(ctx, name, True)


@sources.command("disable")
@click.argument("name")
@pass_ctx
def sources_disable(ctx: Ctx, name: str) -> None:
    """Disable a source: `enabled = false` in sources.toml; it is not polled until enabled again.

    \b
    Example:
      watcher sources disable "NK News"
    """
    _toggle(ctx, name, False)


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
        for r in rows:
            r["url"] = r.get("url") or r.get("doc")
        table(rows, ["id", "published_at", "source", "title", "url"], {"title": 80, "source": 0, "url": 0})
