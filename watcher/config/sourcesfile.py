"""Edits to sources.toml made by commands (``sources import``, ``sources enable/disable``).

The file is the truth and a person's file: every edit is validated on the new text before
anything is written, and written atomically (a temporary file in the same directory, then
``os.replace``), so a failed or interrupted edit leaves the file as it was. Only the bytes an
edit is about change; comments, order and layout stay.
"""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from ..errors import ConfigError

_ESCAPES = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}


def toml_str(s: str) -> str:
    """``s`` as a TOML basic string: quotes, backslashes and every control character
    (C0, DEL, C1) escaped, so the value reads back exactly."""
    out = []
    for ch in s:
        if ch in _ESCAPES:
            out.append(_ESCAPES[ch])
        elif ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def atomic_write(path: str | os.PathLike[str], text: str) -> None:
    """Replace ``path`` with ``text`` in one step (the old mode kept); the file is whole either way."""
    p = Path(path)
    try:
        mode: int | None = p.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = None
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", suffix=".tmp", dir=p.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, p)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


def read_text(path: str | os.PathLike[str]) -> str:
    try:
        with open(path, encoding="utf-8", newline="") as fh:
            return fh.read()
    except FileNotFoundError:
        return ""
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError([f"cannot read: {exc}"], path=os.fspath(path)) from exc


# ---- enable / disable: toggle one entry's `enabled`, nothing else -------------------------------

_TABLE = re.compile(r"^[ \t]*\[\[?[ \t]*[\w.\"' -]+[ \t]*\]\]?[ \t]*(?:#.*)?$", re.M)
_SOURCES_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*sources[ \t]*\]\][ \t]*(?:#.*)?$")
_ENABLED = re.compile(r"^([ \t]*enabled[ \t]*=[ \t]*)(true|false)\b", re.M)


def _source_blocks(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of each ``[[sources]]`` block, in file order."""
    heads = [m for m in _TABLE.finditer(text)]
    blocks = []
    for i, m in enumerate(heads):
        if _SOURCES_HEADER.match(m.group(0)):
            end = heads[i + 1].start() if i + 1 < len(heads) else len(text)
            blocks.append((m.end(), end))
    return blocks


def set_enabled(path: str | os.PathLike[str], name: str, enabled: bool) -> bool:
    """Set ``enabled`` for the source ``name`` in sources.toml. False when it already says so.

    Raises ConfigError (saying why) when the file cannot be edited safely: no such source, the
    source not written as a ``[[sources]]`` block this function can find, or the edit would not
    read back as intended.
    """
    p = os.fspath(path)
    text = read_text(p)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"not valid TOML: {exc}"], path=p) from exc
    raw = data.get("sources")
    entries: list[Any] = raw if isinstance(raw, list) else []
    index = next((i for i, e in enumerate(entries) if isinstance(e, dict) and e.get("name") == name), None)
    if index is None:
        raise ConfigError([f"no source named {name!r}"], path=p)
    if entries[index].get("enabled", True) is enabled:
        return False
    blocks = _source_blocks(text)
    if len(blocks) != len(entries):
        raise ConfigError([f"source {name!r}: the file's [[sources]] tables cannot be edited safely "
                           "(write them as plain [[sources]] blocks, or edit the file by hand)"], path=p)
    start, end = blocks[index]
    block = text[start:end]
    flag = "true" if enabled else "false"
    found = list(_ENABLED.finditer(block))
    if len(found) > 1:
        raise ConfigError([f"source {name!r}: more than one `enabled` line"], path=p)
    if found:
        m = found[0]
        block = block[:m.start(2)] + flag + block[m.end(2):]
    else:    # after the last key line of the block (its trailing blank lines and comments stay after it)
        lines = block.split("\n")
        last = max((i for i, ln in enumerate(lines) if ln.strip() and not ln.lstrip().startswith("#")), default=0)
        lines.insert(last + 1, f"enabled = {flag}")
        block = "\n".join(lines)
    new = text[:start] + block + text[end:]
    try:
        check = tomllib.loads(new)["sources"][index]
    except (tomllib.TOMLDecodeError, KeyError, IndexError) as exc:
        raise ConfigError([f"source {name!r}: the edit would break the file ({exc}); edit it by hand"], path=p) from exc
    if check.get("name") != name or check.get("enabled") is not enabled:
        raise ConfigError([f"source {name!r}: the edit would not read back as intended; edit the file by hand"], path=p)
    from . import load_settings_text

    load_settings_text(new, path=p)
    atomic_write(p, new)
    return True
