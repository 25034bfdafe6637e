"""The ``watcher`` command line (see ``watcher --help`` and the README).

Global options come before the command and have environment twins: ``--config``
(``WATCHER_CONFIG``), ``--db`` (``WATCHER_DB``), ``--registry`` (``WATCHER_REGISTRY``).
Exit codes: 0 success, 1 the command failed, 2 bad usage or bad configuration.

Every command lives here: ``commands`` (init, run, poll, ingest, sources, articles), ``review``
(commitments, changes, replay), ``notify`` (alerts), ``web`` (serve), ``scale`` (worker, status);
``_context`` and ``_text`` are what they share, ``paths`` where files go when no option says.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

import click

from ..errors import ConfigError, StorageError, WatcherError
from ._context import Ctx
from .paths import DESCRIPTION

# Every command is imported only when it runs (or when --help lists it): `watcher poll`
# never pays for the web interface, the alert channels or Jinja2.
_COMMANDS = {
    "init": ".commands:init", "run": ".commands:run", "poll": ".commands:poll", "ingest": ".commands:ingest",
    "sources": ".commands:sources", "articles": ".commands:articles", "commitments": ".review:commitments",
    "changes": ".review:changes", "replay": ".review:replay", "alerts": ".notify:alerts",
    "serve": ".web:serve", "worker": ".scale:worker", "status": ".scale:status",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(_COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in _COMMANDS:
            return None
        if cmd_name not in self.commands:
            import importlib

            module, attr = _COMMANDS[cmd_name].split(":")
            self.commands[cmd_name] = getattr(importlib.import_module(module, package=__name__), attr)
        return self.commands[cmd_name]


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.option("--config", "config_path", envvar="WATCHER_CONFIG", default=None, show_default=DESCRIPTION[0],
              metavar="PATH", help="sources.toml: sources, fetch settings and alert channels [env WATCHER_CONFIG].")
@click.option("--db", "db_url", envvar="WATCHER_DB", default=None, show_default=DESCRIPTION[1], metavar="URL",
              help="Database URL: sqlite:///PATH or postgresql+psycopg://... [env WATCHER_DB].")
@click.option("--registry", "registry_path", envvar="WATCHER_REGISTRY", default=None, metavar="PATH",
              help="Commitment registry TOML (default db/commitments.toml) [env WATCHER_REGISTRY].")
@click.option("-v", "--verbose", count=True,
              help="More log output on stderr: -v info (debug for `run`, which says info by default), -vv debug "
                   "with APScheduler's own.")
@click.version_option(package_name="watcher")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, db_url: str | None, registry_path: str | None,
        verbose: int) -> None:
    """watcher: follow US–Japan–South Korea commitments through the news.

    Polls the feeds in sources.toml, keeps the articles about trilateral cooperation,
    extracts the claims they make, diffs them against a registry of commitments and
    alerts on what changed.
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(level=level, stream=sys.stderr, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # APScheduler says "Running job ..." at INFO for every poll: its own words only with -vv.
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if verbose >= 2 else logging.WARNING)
    ctx.obj = Ctx(config_path=config_path, db_url=db_url, registry_path=registry_path,
                  verbose=verbose)


def main(argv: list[str] | None = None) -> Any:
    """Console-script entry point: maps our errors to exit codes 1 and 2."""
    try:
        return cli.main(args=argv, prog_name="watcher", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2 if isinstance(exc, click.UsageError) else exc.exit_code)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(1)
    except ConfigError as exc:
        click.echo(f"watcher: bad configuration: {exc}", err=True)
        sys.exit(2)
    except StorageError as exc:
        click.echo(f"watcher: database error: {exc}", err=True)
        sys.exit(1)
    except WatcherError as exc:
        click.echo(f"watcher: {exc}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
