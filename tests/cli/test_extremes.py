"""Values at the ends of their ranges on the command line and in sources.toml: a clear message
and exit 2, never a traceback; the ends that are valid work on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def watcher(db: str, config: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "watcher", "--db", db, "--config", str(config), *args],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_articles_since_at_the_ends_of_the_calendar(db_url: str, tmp_path: Path) -> None:
    config = tmp_path / "sources.toml"
    config.write_text("")
    assert watcher(db_url, config, "init").returncode == 0
    for since in ("0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00+14:00"):
        out = watcher(db_url, config, "articles", "--since", since)
        assert out.returncode == 2, out.stderr
        assert "Traceback" not in out.stderr and "--since" in out.stderr and "out of range" in out.stderr, out.stderr
    assert json.loads(watcher(db_url, config, "articles", "--json", "--since", "9999-12-31").stdout) == []
    assert len(json.loads(watcher(db_url, config, "articles", "--json", "--since", "0001-01-01").stdout)) == 5


@pytest.mark.parametrize("interval", ["inf", "nan", "-inf", "1e300", '"1e300"', '"99999999999999999999d"',
                                      "31622400"])
def test_interval_out_of_range_is_a_config_error(tmp_path: Path, interval: str) -> None:
    config = tmp_path / "sources.toml"
    config.write_text(f'[[sources]]\nname = "Wire"\nurl = "https://example.org/feed"\ninterval = {interval}\n')
    out = watcher(f"sqlite:///{tmp_path}/w.sqlite3", config, "init")
    assert out.returncode == 2, (out.stdout, out.stderr)
    assert "Traceback" not in out.stderr
    assert "source 'Wire': interval:" in out.stderr and "365 d" in out.stderr, out.stderr
