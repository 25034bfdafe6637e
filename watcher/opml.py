"""OPML import and export of sources, as every feed reader offers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

from .errors import ConfigError
from .net.policy import check_url
from .types import Source

_DOCTYPE = re.compile(rb"<!DOCTYPE[^>\[]*(\[.*?\])?\s*>", re.S | re.I)


def read_opml(path: str) -> list[tuple[str, str]]:
    """(title, xmlUrl) of every feed outline. Entities are never expanded."""
    from xml.etree import ElementTree as ET

    raw = Path(path).read_bytes()
    if len(raw) > 10 * 1024 * 1024:
        raise ConfigError([f"{path}: OPML file over 10 MB"])
    raw = _DOCTYPE.sub(b"", raw)
    if b"<!ENTITY" in raw:
        raise ConfigError([f"{path}: entity declarations are not allowed in OPML"])
    try:
        root = ET.fromstring(raw)
    except ET.ParseError as exc:
        raise ConfigError([f"{path}: not well-formed OPML: {exc}"]) from exc
    out = []
    for node in root.iter("outline"):
        url = node.get("xmlUrl") or node.get("xmlurl")
        if url:
            out.append(((node.get("title") or node.get("text") or url).strip(), url.strip()))
    return out


def import_opml(path: str, config_path: str, *, interval: str = "30m") -> tuple[list[str], list[str]]:
    """Append the OPML's feeds to sources.toml as [[sources]] entries; returns (added, skipped)."""
    from .config import load_settings

    feeds = read_opml(path)
    cfg = Path(config_path)
    existing = load_settings(config_path) if cfg.exists() else None
    urls = {s.url for s in existing.sources} if existing else set()
    names = {s.name for s in existing.sources} if existing else set()
    problems = [f"{path}: outline {title!r}: {why}" for title, url in feeds if (why := check_url(url))]
    if problems:
        raise ConfigError(problems)
    added, skipped, chunks = [], [], []
    for title, url in feeds:
        if url in urls:
            skipped.append(url)
            continue
        name, n = title, 2
        while name in names:
            name, n = f"{title} ({n})", n + 1
        names.add(name)
        urls.add(url)
        added.append(name)
        chunks.append(f'\n[[sources]]\nname = {_toml_str(name)}\nurl = {_toml_str(url)}\ninterval = "{interval}"\n')
    if chunks:
        with cfg.open("a", encoding="utf-8") as fh:
            fh.write("".join(chunks))
        load_settings(config_path)   # the file must still be valid
    return added, skipped


def export_opml(sources: Sequence[Source]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">',
             "  <head><title>watcher sources</title></head>", "  <body>"]
    for s in sources:
        lines.append(f'    <outline type="rss" text={quoteattr(s.name)} title={quoteattr(s.name)} '
                     f'xmlUrl={quoteattr(s.url)} language={quoteattr(s.language)}/>')
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _toml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'
