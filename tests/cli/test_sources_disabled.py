"""`watcher sources --json` says when a source was disabled by the watcher itself (10 failures in a row):
``enabled: false`` and the ``disabled_reason``. A real loopback server, real polls, the real command."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from tests.cli.test_commands import run
from tests.support.feedserver import FeedServer
from watcher.config import load_settings
from watcher.ingest.poller import Poller
from watcher.ingest.schedule import DISABLE_AFTER
from watcher.store import Store


def test_an_auto_disabled_source_is_listed_disabled_with_its_reason(db_url: str, tmp_path: Path) -> None:
    with FeedServer() as srv:
        config = tmp_path / "sources.toml"
        config.write_text('[fetch]\nallow_private_hosts = ["127.0.0.1"]\n\n'
                          f'[[sources]]\nname = "Dead"\nurl = "{srv.url("/gone-missing.xml")}"\n\n'
                          f'[[sources]]\nname = "Alive"\nurl = "{srv.url("/missing-too.xml")}"\n')
        run(db_url, "init", "--no-seed", config=config)
        settings = load_settings(str(config))
        store = Store(db_url)

        async def polls(n: int, names: list[str]) -> None:
            async with Poller(settings, store, workers=1) as p:
                for _ in range(n):
                    await p.poll(names)

        asyncio.run(polls(DISABLE_AFTER, ["Dead"]))
        asyncio.run(polls(1, ["Alive"]))
        store.dispose()
    rows = {r["name"]: r for r in json.loads(run(db_url, "sources", "--json", config=config).stdout)}
    dead, alive = rows["Dead"], rows["Alive"]
    assert dead["error_count"] == DISABLE_AFTER and dead["enabled"] is False
    assert f"{DISABLE_AFTER} consecutive failures" in dead["disabled_reason"]
    assert "watcher sources enable" in dead["disabled_reason"]
    assert alive["enabled"] is True and alive["disabled_reason"] is None
