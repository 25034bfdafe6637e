"""The daemon's alerts come from ``Settings.alerts``; a notifier that cannot be imported is an error,
never a silent "no alerts"."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable

import pytest

from watcher.config import Settings, load_settings_text
from watcher.run import daemon
from watcher.store import Store

WITH_CHANNEL = '[[alerts.webhook]]\nname = "archive"\nurl_env = "ARCHIVE_URL"\n'


def test_a_configured_channel_gets_a_hook_and_a_notifier() -> None:
    settings = load_settings_text(WITH_CHANNEL)
    store = Store("sqlite:///:memory:")
    assert daemon.change_hook(settings) is not None
    assert daemon._notifier(settings, store, lambda: dt.datetime.now(dt.UTC)) is not None
    none = load_settings_text("")
    assert daemon.change_hook(none) is None
    assert daemon._notifier(none, store, lambda: dt.datetime.now(dt.UTC)) is None


def _hook(settings: Settings) -> object:
    return daemon.change_hook(settings)


def _notifier(settings: Settings) -> object:
    return daemon._notifier(settings, Store("sqlite:///:memory:"), lambda: dt.datetime.now(dt.UTC))


@pytest.mark.parametrize(("module", "start"), [("watcher.store.alerts", _hook), ("watcher.notify.worker", _notifier)])
def test_a_notifier_that_cannot_be_imported_is_not_taken_for_no_alerts(
        monkeypatch: pytest.MonkeyPatch, module: str, start: Callable[[Settings], object]) -> None:
    """A broken install (a missing dependency of the notifier) stops the daemon with the ImportError:
    running on without the configured channels would lose every alert without a word."""
    settings = load_settings_text(WITH_CHANNEL)
    monkeypatch.setitem(sys.modules, module, None)   # what Python does with a module it cannot import
    with pytest.raises(ImportError):
        start(settings)
