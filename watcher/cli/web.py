"""``watcher serve``: the web review interface over the configured database."""

from __future__ import annotations

import errno
import os
from typing import Any

import click

from ..store import redact
from ._context import Ctx, pass_ctx


def configured_channels(ctx: Ctx) -> list[dict[str, str]]:
    """The alert channels of sources.toml, described without secrets: name, type, where."""
    out = []
    for ch in ctx.settings.alerts.channels:
        if ch.type == "email":
            where = ", ".join(ch.to)
        elif ch.url:
            from urllib.parse import urlsplit

            where = urlsplit(ch.url).netloc or "(a URL)"
        else:
            where = f"URL from ${ch.url_env}" if ch.url_env else ch.type
        out.append({"name": ch.name, "type": ch.type, "where": where, "kinds": ", ".join(ch.kinds),
                    "enabled": "yes" if ch.enabled else "no", "digest": ch.digest or ""})
    return out


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but loopback requires --token-env.")
@click.option("--port", default=8080, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--token-env", metavar="VAR",
              help="Name of an environment variable holding the access token (required off loopback).")
@click.option("--no-replay", is_flag=True, help="Hide the button that re-runs replay.")
@click.option("--secure-cookies", is_flag=True,
              help="Mark the token and CSRF cookies Secure (HTTPS only) on every answer; without it they are "
                   "Secure when a proxy sends X-Forwarded-Proto: https.")
@click.option("--workers", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Threads answering requests (a fixed pool, whatever the number of connections).")
@click.option("--read-timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600), metavar="SECONDS",
              help="A connection whose request has not fully arrived this long after it opened is closed.")
@click.option("--metrics-port", "metrics_port", metavar="[HOST:]PORT", default=None,
              help="Serve Prometheus metrics on this port (127.0.0.1 unless HOST: is given).")
@pass_ctx
def serve(ctx: Ctx, host: str, port: int, token_env: str | None, no_replay: bool, secure_cookies: bool,
          workers: int, read_timeout: float, metrics_port: str | None) -> None:
    """The web review interface: overview, commitments with timelines, article search,
    sources, alerts and change review, plus CSV/JSON export and a JSON API under /api/.

    Listens on 127.0.0.1 unless told otherwise; on any other address every request must
    carry the token named by --token-env (open the page once with ?token=...).

    \b
    Example:
      watcher serve
      WATCHER_WEB_TOKEN=$(openssl rand -hex 16) watcher serve --host 0.0.0.0 --token-env WATCHER_WEB_TOKEN
    """
    from ..web.app import WebApp
    from ..web.server import is_loopback, loopback_hosts, make

    token: str | None = None
    if token_env:
        token = os.environ.get(token_env, "").strip()
        if len(token) < 16:
            raise click.UsageError(f"--token-env {token_env}: the variable must hold a token of 16 or more "
                                   "characters")
    loopback = is_loopback(host)
    if not loopback and not token:
        raise click.UsageError(f"--host {host} is not a loopback address: give an access token with --token-env VAR")
    store = ctx.store()
    if metrics_port is not None:
        from .scale import start_metrics

        start_metrics(metrics_port, store)
    app: Any = WebApp(store, token=token, channels=configured_channels(ctx), allow_replay=not no_replay,
                      allowed_hosts=None, secure_cookies=secure_cookies)
    shown = f"[{host}]" if ":" in host else host
    try:
        server = make(app, host, port, workers=workers, read_timeout=read_timeout)
    except OSError as exc:
        store.dispose()
        why = "the address is already in use (another watcher serve?)" if exc.errno == errno.EADDRINUSE \
            else (exc.strerror or str(exc))
        raise click.ClickException(f"cannot listen on {shown}:{port}: {why}") from None
    real_port = server.server_address[1]
    if loopback:
        app.guard.allowed_hosts = loopback_hosts(host, real_port)
    click.echo(f"watcher: serving {redact(store.url)} on http://{shown}:{real_port}/ (Ctrl-C stops)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        store.dispose()
