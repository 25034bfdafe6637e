"""Text every database can hold: what no UTF-8 encoder or PostgreSQL ``text`` accepts is cleaned, field by
field, so one bad character costs that character and never its article or its feed.

- a lone surrogate (``"\\ud800"``, which a JSON ``\\ud800`` escape gives): no UTF-8 encoding exists for it, so
  it becomes U+FFFD, the replacement character (a surrogate pair left as two halves is joined instead);
- NUL (``"\\x00"``), which PostgreSQL refuses in text: removed.

Every other code point (controls, noncharacters such as U+FFFF) is storable and kept as it is: output that
shows text to a terminal or a page escapes it there, and ``--json`` stays exact.

    >>> storable("a\\x00b\\ud800c")
    'ab\\ufffdc'
"""

from __future__ import annotations

import re
from typing import Any

_SURROGATE = re.compile("[\ud800-\udfff]")


def storable(s: str) -> str:
    """``s`` with NUL removed and lone surrogates replaced (``s`` itself when there is neither)."""
    if "\x00" in s:
        s = s.replace("\x00", "")
    if not s.isascii() and _SURROGATE.search(s):
        s = s.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return s


def clean_fields(obj: Any, names: tuple[str, ...]) -> None:
    """Make the named ``str`` fields of a frozen dataclass storable, in place (from ``__post_init__``)."""
    for name in names:
        v = getattr(obj, name)
        if isinstance(v, str):
            c = storable(v)
            if c is not v:
                object.__setattr__(obj, name, c)
