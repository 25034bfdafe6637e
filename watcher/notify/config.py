"""Validation of the [alerts] table of sources.toml (filled in by the alerts work)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..types import FetchSettings


def validate_alerts(raw: Mapping[str, Any], fetch: FetchSettings) -> list[str]:
    """Return one problem string per bad entry of ``[alerts]`` (empty when all is well)."""
    return []
