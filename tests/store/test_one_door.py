"""``watcher.store`` is the one door to the database: outside ``watcher/store/``, nothing imports one of
its modules (tables, engine helpers, per-table queries) or touches ``Store.engine``; what callers need is
exported by the package (see its docstring)."""

from __future__ import annotations

import ast
from pathlib import Path

import watcher.store

PACKAGE = Path(watcher.store.__file__).resolve().parents[1]
STORE_MODULES = {p.stem for p in (PACKAGE / "store").glob("*.py")} - {"__init__"}
PUBLIC_MODULES = {"web_queries", "alerts"}   # the web interface's and the notifier's own queries (the contract)
NOT_YET = {"scale/runtime.py", "scale/worker.py"}   # the scale-out's own SQL, still to move into store/


def reaches_in(rel: Path, source: str) -> list[str]:
    """Where the module at ``rel`` (under watcher/) reaches past the store's door."""
    tree = ast.parse(source, str(rel))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            depth = len(rel.parts) - 1   # how many dots reach the package root
            module = node.module or ""
            absolute = module if node.level == 0 else (
                ".".join(("watcher", *rel.parts[:-1][:depth - node.level + 1], *([module] if module else []))))
            if absolute.startswith("watcher.store.") and absolute.split(".")[2] not in PUBLIC_MODULES:
                found.append(f"{rel}:{node.lineno}: from {absolute} import ...")
            elif absolute == "watcher.store":
                found += [f"{rel}:{node.lineno}: from watcher.store import {a.name} (a module)"
                          for a in node.names if a.name in STORE_MODULES - PUBLIC_MODULES]
        elif isinstance(node, ast.Import):
            found += [f"{rel}:{node.lineno}: import {a.name}" for a in node.names if a.name.startswith("watcher.store.")]
        elif isinstance(node, ast.Attribute) and node.attr == "engine":
            found.append(f"{rel}:{node.lineno}: .engine")
    return found


def test_no_caller_reaches_into_the_store() -> None:
    callers = [p for p in PACKAGE.rglob("*.py") if "store" not in p.relative_to(PACKAGE).parts[:1]
               and str(p.relative_to(PACKAGE)) not in NOT_YET]
    assert len(callers) > 30
    assert [hit for p in sorted(callers) for hit in reaches_in(p.relative_to(PACKAGE), p.read_text("utf-8"))] == []


def test_the_check_sees_a_reach() -> None:
    """The scan above finds the three ways in, so its empty answer means something."""
    source = ("from ..store import Store, articles\nfrom watcher.store.schema import changes\n"
              "def f(store):\n    return store.engine\n")
    assert reaches_in(Path("web/probe.py"), source) == [
        "web/probe.py:1: from watcher.store import articles (a module)",
        "web/probe.py:2: from watcher.store.schema import ...", "web/probe.py:4: .engine"]
    assert reaches_in(Path("replay.py"), "from .store import Store, web_queries\nfrom .store.db import ROOT\n") == [
        "replay.py:2: from watcher.store.db import ..."]
