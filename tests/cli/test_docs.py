"""Every command has --help and is documented in the README with an example."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from watcher.cli import cli

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _commands() -> list[tuple[str, ...]]:
    out: list[tuple[str, ...]] = []

    ctx = click.Context(cli)

    def walk(group: click.Group, prefix: tuple[str, ...]) -> None:
        for name in group.list_commands(ctx):
            cmd = group.get_command(ctx, name)
            assert cmd is not None, name
            out.append((*prefix, name))
            if isinstance(cmd, click.Group):
                walk(cmd, (*prefix, name))

    walk(cli, ())
    return out


COMMANDS = _commands()


def test_the_design_commands_exist() -> None:
    names = {c[0] for c in COMMANDS}
    assert {"init", "run", "poll", "ingest", "sources", "articles", "commitments", "changes", "replay"} <= names


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_help(path: tuple[str, ...]) -> None:
    res = CliRunner().invoke(cli, [*path, "--help"])
    assert res.exit_code == 0, res.output
    assert "Usage:" in res.output and len(res.output.splitlines()) > 3


@pytest.mark.parametrize("path", COMMANDS, ids=" ".join)
def test_documented_in_readme(path: tuple[str, ...]) -> None:
    words = " ".join(path)
    if len(path) == 1:
        assert re.search(rf"^### `watcher {re.escape(words)}\b", README, re.M), f"no README heading for {words}"
    else:
        assert f"{path[-1]}" in README and f"watcher {words}" in README, f"{words} is not in the README"
    assert f"watcher {words}" in README.replace("watcher --db postgresql+psycopg://postgres@127.0.0.1/test ", "watcher ")
