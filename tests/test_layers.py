"""Imports point down: a module of ``watcher`` imports only from its own layer or from the layers below.

The layers, bottom first (README, "How it works"). A module belongs to the longest prefix of its name in
the table; a layer's modules may import each other. Every import counts: at the top of a module, inside a
function, under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import watcher

PACKAGE = Path(watcher.__file__).resolve().parent

LAYERS: list[tuple[str, ...]] = [
    ("watcher.errors", "watcher.types", "watcher.storable", "watcher.aio"),   # the shared vocabulary
    ("watcher.net",),                                                         # fetch
    ("watcher.content",),                                                     # relevance, page text, text helpers
    ("watcher.feeds",),                                                       # parse
    ("watcher.commitments.kinds", "watcher.commitments.registry", "watcher.commitments.model"),
    ("watcher.claims",),                                                      # reads the registry and the model
    ("watcher.commitments",),                                                 # the differ, over the claims
    ("watcher.config",),
    ("watcher.store",),
    ("watcher.ingest",),
    ("watcher.notify",),
    ("watcher.run",),
    ("watcher.scale",),
    ("watcher.web",),
    ("watcher.cli", "watcher.__main__"),
]


def layer_of(module: str) -> int | None:
    best: tuple[int, int] | None = None       # (prefix length, layer)
    for i, prefixes in enumerate(LAYERS):
        for p in prefixes:
            if (module == p or module.startswith(p + ".")) and (best is None or len(p) > best[0]):
                best = (len(p), i)
    return best[1] if best else None


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    where = PACKAGE.parent.joinpath(*name.split("."))
    return where.with_suffix(".py").is_file() or (where / "__init__.py").is_file()


def imported(path: Path, source: str) -> list[tuple[int, str]]:
    """(line, absolute module) for every import of a watcher module in the file at ``path``."""
    name = module_name(path)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out = []
    for node in ast.walk(ast.parse(source, str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join([*package[:len(package) - node.level + 1], *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            if base != "watcher" and not base.startswith("watcher."):
                continue
            for alias in node.names:   # ``from . import x``: x may be a module
                sub = f"{base}.{alias.name}"
                out.append((node.lineno, sub if is_module(sub) else base))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("watcher.")]
    return out


def upward(path: Path, source: str) -> list[str]:
    here = layer_of(module_name(path))
    assert here is not None, f"{module_name(path)} is in no layer: add it to LAYERS"
    return [f"{module_name(path)}:{line} imports {target} (layer {layer_of(target)} above {here})"
            for line, target in imported(path, source)
            if layer_of(target) is not None and layer_of(target) > here]  # type: ignore[operator]


def test_every_module_has_a_layer_and_imports_point_down() -> None:
    files = [p for p in sorted(PACKAGE.rglob("*.py")) if p != PACKAGE / "__init__.py"]
    assert len(files) > 100
    assert [hit for p in files for hit in upward(p, p.read_text("utf-8"))] == []


def test_the_check_sees_an_upward_import() -> None:
    """The scan above finds the ways up, so its empty answer means something."""
    source = ("from ..notify.render import Renderer\nfrom . import poller\nfrom .. import cli\n"
              "def f():\n    import watcher.web.app\n    from ..content.text import simhash\n")
    assert upward(PACKAGE / "store" / "probe.py", source) == [
        "watcher.store.probe:1 imports watcher.notify.render (layer 10 above 8)",
        "watcher.store.probe:3 imports watcher.cli (layer 14 above 8)",
        "watcher.store.probe:5 imports watcher.web.app (layer 13 above 8)"]
    assert upward(PACKAGE / "claims" / "probe.py", "from ..commitments import diff\n") == [
        "watcher.claims.probe:1 imports watcher.commitments.diff (layer 6 above 5)"]
    assert upward(PACKAGE / "claims" / "probe.py", "from ..commitments.model import Document\n") == []
