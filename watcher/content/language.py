"""An article's language: what its feed says, else what its script shows, else its source's.

Detection is by script, which is all the watcher's three languages need: Hangul is Korean;
kana, or kanji without Hangul, is Japanese; anything else is left to the source's setting
(``en`` by default). A few Korean or Japanese words quoted in an English article do not make it
Korean or Japanese: the script must make up a fifth of the letters.
"""

from __future__ import annotations

import re

SAMPLE = 20_000          # characters read from the start of a long text: enough to tell
SHARE = 0.2              # of the letters, for a script to decide

_CODE = re.compile(r"^([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*$")


def normalise(code: object) -> str | None:
    """A language tag as the web filter and the store use it: its primary subtag, lower case
    (``en-US`` → ``en``, ``ko_KR`` → ``ko``); None when it is not a language tag."""
    if not isinstance(code, str):
        return None
    m = _CODE.match(code.strip())
    return m.group(1).lower() if m else None


def detect(text: str) -> str | None:
    """``ko`` or ``ja`` when the text is written in that script, else None."""
    hangul = kana = han = letters = 0
    for ch in text[:SAMPLE]:
        o = ord(ch)
        if o < 0x80:
            if ch.isalpha():
                letters += 1
            continue
        if 0xAC00 <= o <= 0xD7A3 or 0x1100 <= o <= 0x11FF or 0x3130 <= o <= 0x318F:
            hangul += 1
        elif 0x3040 <= o <= 0x30FF or 0x31F0 <= o <= 0x31FF or 0xFF66 <= o <= 0xFF9D:
            kana += 1
        elif 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF:
            han += 1
        elif not ch.isalpha():
            continue
        letters += 1
    cjk = hangul + kana + han
    if not cjk or cjk < SHARE * letters:
        return None
    if hangul >= kana + han:
        return "ko"
    return "ja"


def article_language(declared: object, text: str, default: str | None = "en") -> str | None:
    """The language to store: ``declared`` (a feed's or the analyst's) when it is a tag, else the
    script's (:func:`detect`), else ``default`` (the source's language)."""
    return normalise(declared) or detect(text) or normalise(default) or default
