"""A missing ``../shared`` (or PostgreSQL) skips with the reason shown, and fails under CI: CI never goes
green by skipping what it was meant to run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NEEDS_SHARED = "tests/parse/test_parse_corpus.py::test_feedparser_corpus_yields_outcomes"


def run_without_shared(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["WATCHER_SHARED"] = str(tmp_path / "no-shared-here")
    if ci is not None:
        env["CI"] = ci
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", NEEDS_SHARED],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_missing_shared_is_a_reported_skip(tmp_path: Path) -> None:
    out = run_without_shared(tmp_path, None)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 skipped" in out.stdout and "no-shared-here (../shared beside the repository) is not there" in out.stdout


@pytest.mark.parametrize("ci", ["true", "1"])
def test_missing_shared_fails_under_ci(tmp_path: Path, ci: str) -> None:
    out = run_without_shared(tmp_path, ci)
    assert out.returncode == 1, out.stdout + out.stderr
    assert "1 error" in out.stdout and "CI=true: a missing prerequisite fails rather than skips" in out.stdout
