"""`pip install .` (not editable) gives a watcher that works from any directory: the registry, seeds,
migrations, templates and default sources.toml travel in the wheel; the database and the config go to the
user's data and config directories."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_a_wheel_installed_in_a_clean_venv_works_from_any_directory(tmp_path: Path) -> None:
    # Build from a copy of the tree (the build leaves build/ and *.egg-info behind).
    src = tmp_path / "src"
    ignore = shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.sqlite3*", "build", "*.egg-info", "tests",
                                    "benchmarks", "docs", ".mypy_cache", ".ruff_cache", ".pytest_cache", "node_modules")
    shutil.copytree(ROOT, src, ignore=ignore)
    dist = tmp_path / "dist"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(src)],
                           capture_output=True, text=True, timeout=300)
    assert build.returncode == 0, build.stderr
    (wheel,) = dist.glob("watcher-*.whl")

    # A clean venv: no pip, nothing installed but the wheel; the dependencies are read from this
    # test's environment through a .pth line (its .pth files, the editable watcher's among them, are not run).
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    vpy = venv / "bin" / "python"
    site = subprocess.run([str(vpy), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    (Path(site) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    inst = subprocess.run([sys.executable, "-m", "pip", "--python", str(vpy), "install", "--no-deps", "--no-index",
                           "-q", str(wheel)], capture_output=True, text=True, timeout=300)
    assert inst.returncode == 0, inst.stderr

    home, work = tmp_path / "home", tmp_path / "somewhere" / "else"
    work.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WATCHER_", "XDG_", "PYTHON"))}
    env["HOME"] = str(home)
    watcher = str(venv / "bin" / "watcher")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        out = subprocess.run([watcher, *args], capture_output=True, text=True, cwd=work, env=env, timeout=120)
        assert out.returncode == 0, (args, out.stdout, out.stderr)
        return out

    where = subprocess.run([str(vpy), "-c", "import watcher, watcher.notify.render as r; print(watcher.__file__); "
                            "print(r.DEFAULT_DIR)"], capture_output=True, text=True, cwd=work, env=env, check=True)
    module, templates = where.stdout.split()
    assert module.startswith(site), "the wheel's watcher must be the one imported, not the clone's"
    assert (Path(templates) / "email.txt.j2").is_file() and (Path(templates) / "webhook.json.j2").is_file()

    init = run("init", "--json")
    assert json.loads(init.stdout)["seed_articles_added"] == 5 and json.loads(init.stdout)["commitments"] >= 8
    config = home / ".config" / "watcher" / "sources.toml"
    assert config.is_file() and str(config) in init.stderr
    assert (home / ".local" / "share" / "watcher" / "watcher.sqlite3").is_file()
    sources = json.loads(run("sources", "--json").stdout)
    assert len(sources) >= 10 and {"name", "url", "last_status", "articles"} <= set(sources[0])
    assert len(json.loads(run("articles", "--json").stdout)) == 5
    again = run("init", "--json")          # safe to run again; the user's sources.toml is not overwritten
    assert json.loads(again.stdout)["seed_articles_added"] == 0 and "wrote" not in again.stderr
    assert not list(work.iterdir()), "nothing is written to the current directory"
    assert "db" not in {p.name for p in Path(site).iterdir()}


def test_a_bad_configuration_is_reported_before_the_database_is_opened(tmp_path: Path) -> None:
    cfg = tmp_path / "sources.toml"
    cfg.write_text('[[sources]]\nname = "x"\nurl = "ftp://example.org/feed"\n')
    for args in (["sources"], ["init"], ["poll", "--once"], ["ingest", str(cfg)]):
        out = subprocess.run([sys.executable, "-m", "watcher", "--config", str(cfg), "--db",
                              f"sqlite:///{tmp_path}/no/such/dir/w.sqlite3", *args],
                             capture_output=True, text=True, cwd=tmp_path, timeout=120)
        assert out.returncode == 2, (args, out.stderr)
        assert "bad configuration" in out.stderr and "scheme 'ftp'" in out.stderr, (args, out.stderr)
