"""Text for a terminal: what feeds and servers wrote, made safe to print (``--json`` stays exact)."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

# Bidirectional controls (embeddings, overrides, isolates, marks): shown as \uXXXX so that a title
# cannot reorder what follows it on the line.
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# C0 controls (ESC starts every terminal escape sequence), DEL and C1 controls (U+009B is a one-byte CSI,
# U+009D an OSC): removed, the line breaks and tabs among them turned into spaces first.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_UNSAFE = re.compile(f"[\x00-\x1f\x7f-\x9f{_BIDI}]")


def _replace(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch in "\t\n\r":
        return " "
    if ch in _BIDI:
        return f"\\u{ord(ch):04x}"
    return ""


def printable(text: str) -> str:
    """``text`` without terminal escapes or control characters, bidi controls escaped, on one line.

    >>> printable("ok\\x1b]8;;https://evil\\x07click\\x1b]8;;\\x07 \\u202eevil")
    'ok]8;;https://evilclick]8;; \\\\u202eevil'
    """
    return _UNSAFE.sub(_replace, text)


def char_width(ch: str) -> int:
    """Columns a character takes on a terminal: 2 for East Asian wide and full-width, 0 for combining marks."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def width(text: str) -> int:
    """Display width of ``text`` (한국어 and 日本語 take two columns a character)."""
    if text.isascii():
        return len(text)
    return sum(char_width(ch) for ch in text)


def fit(text: str, columns: int) -> str:
    """``text`` cut to at most ``columns`` display columns (``…`` marks a cut), then padded to them."""
    w = width(text)
    if w > columns:
        out, used = [], 0
        for ch in text:
            cw = char_width(ch)
            if used + cw > columns - 1:
                break
            out.append(ch)
            used += cw
        text, w = "".join(out) + "…", used + 1
    return text + " " * (columns - w)


_ISO = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d(:\d\d(\.\d+)?)?([+-]\d\d:\d\d|Z)?$")


def when(value: str) -> str:
    """An ISO timestamp as people read it in a table: UTC, to the second (``2024-11-15 09:30:05Z``)."""
    if not _ISO.match(value):
        return value
    try:
        d = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if d.tzinfo is not None:
        d = d.astimezone(dt.UTC)
    return d.strftime("%Y-%m-%d %H:%M:%S") + ("Z" if d.tzinfo is not None else "")
