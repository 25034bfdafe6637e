"""Edits to sources.toml made by commands (``sources import``).

The file is the truth and a person's file: every edit is validated on the new text before
anything is written, and written atomically (a temporary file in the same directory, then
``os.replace``), so a failed or interrupted edit leaves the file as it was. Only the bytes an
edit is about change; comments, order and layout stay.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import ConfigError

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
