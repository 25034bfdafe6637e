"""watcher: follow US–Japan–South Korea commitments through the news.

The public API, for programs that embed the watcher rather than run its command line::

    import asyncio
    import watcher

    settings = watcher.load_settings("sources.toml")
    store = watcher.Store("sqlite:///db/watcher.sqlite3")
    store.migrate()

    async def once() -> watcher.PollReport:
        async with watcher.Poller(settings, store) as poller:
            return await poller.poll()

    report = asyncio.run(once())

    claims = watcher.extract_claims("The leaders agreed to launch a trilateral secretariat.")

Names are imported on first use, so ``import watcher`` stays cheap for the command line.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_EXPORTS = {
    # configuration
    "Settings": "watcher.config", "load_settings": "watcher.config", "load_settings_text": "watcher.config",
    # stage data
    "Source": "watcher.types", "FetchSettings": "watcher.types", "FetchResult": "watcher.types",
    "Entry": "watcher.types", "ParseResult": "watcher.types", "Relevance": "watcher.types",
    "Article": "watcher.types", "PollReport": "watcher.types", "Validators": "watcher.types",
    # errors and outcomes
    "WatcherError": "watcher.errors", "ConfigError": "watcher.errors", "StorageError": "watcher.errors",
    "FetchError": "watcher.errors", "DeliveryError": "watcher.errors", "Outcome": "watcher.errors",
    # stages
    "Fetcher": "watcher.net", "AddressPolicy": "watcher.net", "parse_feed": "watcher.feeds.parse",
    "relevance": "watcher.content.relevance", "extract_article": "watcher.content.page",
    "extract_claims": "watcher.claims", "Claim": "watcher.claims",
    "Commitment": "watcher.commitments.registry", "load_registry": "watcher.commitments.registry",
    "diff_document": "watcher.commitments.diff", "check_overdue": "watcher.commitments.diff", "Change": "watcher.commitments.diff",
    # orchestration and storage
    "Poller": "watcher.ingest.poller", "run_poll": "watcher.ingest.poller", "Store": "watcher.store",
}

__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'watcher' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
