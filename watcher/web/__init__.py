"""The web review interface: ``watcher serve``.

A small WSGI application (standard library server, one thread per request) over the
same :class:`~watcher.store.Store` the daemon writes: server-rendered Jinja2 pages with
autoescaping, timelines drawn as SVG on the server, one static script, and a JSON API
under ``/api/`` that mirrors the pages. See :mod:`watcher.web.app` for the security rules.
"""

from __future__ import annotations

from .app import WebApp

__all__ = ["WebApp"]
