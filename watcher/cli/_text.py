"""Text for a terminal: what feeds and servers wrote, made safe to print (``--json`` stays exact)."""

from __future__ import annotations

import re

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
