"""Package data from outside the package: an installed wheel carries the clone's db/ (registry, seeds,
migrations), alerts/ (templates) and sources.toml in watcher/_data, where watcher.store.db looks for them
when it does not run from a clone. Everything else is in pyproject.toml."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
DATA = [  # (source in the clone, glob) → watcher/_data/<source>
    ("db", "commitments.toml"),
    ("db/seeds", "*"),
    ("db/migrations", "*.py"),
    ("db/migrations", "*.mako"),
    ("db/migrations/versions", "*.py"),
    ("alerts", "*.j2"),
    (".", "sources.toml"),
]


class BuildWithData(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):    # an editable install reads the clone itself
            return
        target = Path(self.build_lib) / "watcher" / "_data"
        for folder, pattern in DATA:
            for src in sorted((HERE / folder).glob(pattern)):
                if src.is_file():
                    dest = target / src.relative_to(HERE)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(src, dest)


setup(cmdclass={"build_py": BuildWithData})
