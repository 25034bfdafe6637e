"""sources.toml: parsed once, every bad entry named at once, exit code 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from watcher.config import load_settings, load_settings_text, parse_interval
from watcher.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]

BAD = """
[fetch]
concurrency = -3
bogus = 1

[[sources]]
name = "Good"
url = "https://example.org/feed.xml"

[[sources]]
name = "Good"
url = "https://example.org/other.xml"

[[sources]]
name = "Bad scheme"
url = "file:///etc/passwd"
interval = 5

[[sources]]
name = "Backslash"
url = "http://example.org\\\\@127.0.0.1/"
colour = "red"

[[sources]]
url = "https://example.org/nameless.xml"
enabled = "yes"
"""


def test_every_bad_entry_is_named_at_once() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings_text(BAD, path="sources.toml")
    problems = info.value.problems
    text = "\n".join(problems)
    assert "fetch: concurrency" in text
    assert "fetch: bogus: unknown key" in text
    assert "source 'Good': name: duplicate" in text
    assert "source 'Bad scheme': url:" in text and "ftp" not in text
    assert "source 'Bad scheme': interval" in text
    assert "source 'Backslash': url:" in text
    assert "source 'Backslash': colour: unknown key" in text
    assert "sources[4]: name: missing" in text
    assert "enabled: must be true or false" in text
    assert len(problems) >= 9


def test_good_config_becomes_frozen_settings() -> None:
    s = load_settings_text("""
[fetch]
concurrency = 8
allow_private_hosts = ["127.0.0.1"]
[[sources]]
name = "Yonhap"
url = "https://en.yna.co.kr/RSS/news.xml"
interval = "15m"
tags = ["wire"]
official = false
""")
    assert s.fetch.concurrency == 8 and s.fetch.allow_private_hosts == ("127.0.0.1",)
    (src,) = s.sources
    assert (src.name, src.interval, src.tags) == ("Yonhap", 900, ("wire",))
    with pytest.raises(AttributeError):
        src.name = "x"  # type: ignore[misc]


def test_intervals() -> None:
    assert parse_interval("30m") == 1800 and parse_interval("2h") == 7200 and parse_interval(90) == 90
    assert parse_interval("soon") is None and parse_interval(True) is None


def test_shipped_sources_toml_is_valid() -> None:
    s = load_settings(ROOT / "sources.toml")
    assert len(s.sources) >= 15
    assert {"seoul", "tokyo", "washington"} <= {t for src in s.sources for t in src.tags}
    assert sum(src.official for src in s.sources) >= 4


def test_cli_exits_2_naming_every_problem(tmp_path: Path) -> None:
    cfg = tmp_path / "sources.toml"
    cfg.write_text(BAD)
    out = subprocess.run([sys.executable, "-m", "watcher", "--config", str(cfg), "--db",
                          f"sqlite:///{tmp_path}/w.sqlite3", "poll", "--once"], capture_output=True, text=True)
    assert out.returncode == 2
    assert "source 'Bad scheme'" in out.stderr and "source 'Backslash'" in out.stderr
    assert "Traceback" not in out.stderr


def test_unreadable_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings_text("[[sources]\nname=", path="x.toml")


def test_alerts_are_parsed_once_into_typed_channels() -> None:
    from watcher.config.alerts import AlertsConfig, Channel

    s = load_settings_text("""
[fetch]
allow_private_hosts = ["10.0.0.0/8"]
[alerts]
kinds = ["new", "dropped"]
[[alerts.email]]
name = "desk"
host = "smtp.example.org"
from = "watcher@example.org"
to = ["desk@example.org"]
[[alerts.apprise]]
name = "ops"
url_env = "OPS_APPRISE_URL"
kinds = ["dropped"]
enabled = false
""")
    assert isinstance(s.alerts, AlertsConfig)
    assert s.alerts.kinds == ("new", "dropped") and s.alerts.allow_private_hosts == ("10.0.0.0/8",)
    desk, ops = s.alerts.channels
    assert desk == Channel(name="desk", type="email", kinds=("new", "dropped"), host="smtp.example.org",
                           sender="watcher@example.org", to=("desk@example.org",))
    assert ops == Channel(name="ops", type="apprise", kinds=("dropped",), enabled=False, url_env="OPS_APPRISE_URL")
    with pytest.raises(AttributeError):
        ops.enabled = True  # type: ignore[misc]
    assert load_settings_text("").alerts == AlertsConfig()


def test_alerts_must_be_a_table() -> None:
    with pytest.raises(ConfigError, match="alerts: must be a table"):
        load_settings_text('alerts = "all"', path="x.toml")
