"""Feeds: feed bytes and response headers -> :class:`~watcher.types.ParseResult` (pure, no I/O).

RSS 0.9x/1.0/2.0, Atom and CDF through feedparser's parser classes (never ``feedparser.parse``), with an
lxml fast path for the plain feeds (``fastparse``, ``_fastfields``) and JSON Feed (``jsonfeed``).

Exports: ``parse.parse_feed``, ``parse.sniff_kind``, ``jsonfeed.parse_json_feed``.
"""
