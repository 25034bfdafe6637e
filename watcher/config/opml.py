"""OPML import and export of sources, as every feed reader offers."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import quoteattr

from ..errors import ConfigError
from ..net.policy import check_url
from ..types import Source

# Characters XML 1.0 cannot carry at all, not even as a character reference.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
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
    """Append the OPML's feeds to sources.toml as [[sources]] entries; returns (added, skipped).

    The new file is validated before it is written, and written atomically: a bad import leaves
    sources.toml exactly as it was.
    """
    from . import load_settings_text
    from .sourcesfile import atomic_write, read_text, toml_str

    feeds = read_opml(path)
    old = read_text(config_path)
    existing = load_settings_text(old, path=config_path)
    urls = {s.url for s in existing.sources}
    names = {s.name for s in existing.sources}
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
        chunks.append(f'\n[[sources]]\nname = {toml_str(name)}\nurl = {toml_str(url)}\ninterval = {toml_str(interval)}\n')
    if chunks:
        sep = "" if not old or old.endswith("\n") else "\n"
        new = old + sep + "".join(chunks)
        load_settings_text(new, path=config_path)    # raises, naming every problem, before anything is written
        atomic_write(config_path, new)
    return added, skipped


def export_opml(sources: Sequence[Source]) -> str:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<opml version="2.0">',
             "  <head><title>watcher sources</title></head>", "  <body>"]
    for s in sources:
        name, url = _xml_chars(s.name), _xml_chars(s.url)
        lines.append(f'    <outline type="rss" text={quoteattr(name)} title={quoteattr(name)} '
                     f'xmlUrl={quoteattr(url)} language={quoteattr(s.language)}/>')
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines)


def _xml_chars(s: str) -> str:
    return _NOT_XML.sub("", s)
