"""Pure text and URL helpers shared by parse, extract and store (no I/O, no third-party imports).

- :func:`normalize_text`: NFKC + collapsed whitespace.
- :func:`html_to_text`: cheap, linear-time HTML → plain text (regex + ``html.unescape``), used per feed field.
- :func:`canonical_url`: the dedupe key of a link (scheme/host lower-cased, default port, fragment and
  tracking parameters dropped, query sorted, relative links resolved).
- :func:`content_hash`, :func:`simhash`, :func:`near_duplicate`: exact and near-duplicate fingerprints.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
import unicodedata
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

__all__ = [
    "PLAIN_ABSOLUTE_URL",
    "canonical_url",
    "clamp_date",
    "collapse_spaces",
    "content_hash",
    "html_to_text",
    "near_duplicate",
    "normalize_text",
    "simhash",
]

_WS = re.compile(r"\s+")


def normalize_text(s: str) -> str:
    """NFKC-normalise, turn every run of whitespace into one space, strip."""
    if not s:
        return ""
    return _WS.sub(" ", unicodedata.normalize("NFKC", s)).strip()


# Every run of spaces (any Unicode space: tab, NBSP, U+2003, the ideographic space ...; every whitespace but
# the line feed) and every run of blank lines.
_SPACE_RUN = re.compile(r"[^\S\n]+")
_BLANK_LINES = re.compile(r"\n(?: ?\n)+")


def collapse_spaces(s: str) -> str:
    """Each run of spaces (any Unicode space) → one space, each run of blank lines → one blank line;
    single line breaks are kept. No later stage then sees a huge run of whitespace."""
    return _BLANK_LINES.sub("\n\n", _SPACE_RUN.sub(" ", s)) if s else ""


# --- HTML → text -------------------------------------------------------------------------------------------
# Every pattern is linear: an unterminated construct runs to the end once (``|\Z``) instead of being retried
# at every later start position, and tags stop at the next "<" so stray "<" cannot make a pass quadratic.
_DROP = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<(script|style|noscript|template|svg|math)\b[^<>]*(?:>.*?(?:</\1\s*>|\Z)|\Z)",
    re.S | re.I,
)
_INLINE_TAG = re.compile(
    r"</?(?:a|abbr|b|bdi|bdo|cite|code|em|font|i|kbd|mark|q|s|samp|small|span|strong|sub|sup|time|u|var|wbr)"
    r"\b[^<>]*(?:>|(?=<)|\Z)",
    re.I,
)
_TAG = re.compile(r"<[!/?]?[A-Za-z][^<>]*(?:>|(?=<)|\Z)|<!\[CDATA\[|\]\]>")


def html_to_text(s: str, max_chars: int | None = None) -> str:
    """Plain text of an HTML fragment: scripts/styles/comments dropped, tags removed, entities decoded,
    whitespace collapsed. Linear time; the input is pre-capped at ``8 * max_chars`` so a huge field costs
    bounded work. The output is text, never markup (a decoded ``&lt;b&gt;`` stays the text ``<b>``)."""
    if not s:
        return ""
    if max_chars is not None and len(s) > 8 * max_chars + 1024:
        s = s[: 8 * max_chars + 1024]
    if "<" in s:
        s = _DROP.sub(" ", s)
        s = _INLINE_TAG.sub("", s)
        s = _TAG.sub(" ", s)
    if "&" in s:
        s = html.unescape(s)
    s = _WS.sub(" ", s).strip()
    if max_chars is not None and len(s) > max_chars:
        s = s[:max_chars]
    return s


def plain_text(s: str, max_chars: int | None = None) -> str:
    """Whitespace-collapsed plain text (for fields that are already text), capped."""
    if not s:
        return ""
    if max_chars is not None and len(s) > 2 * max_chars + 1024:
        s = s[: 2 * max_chars + 1024]
    s = _WS.sub(" ", s).strip()
    return s[:max_chars] if max_chars is not None else s


# --- dates -------------------------------------------------------------------------------------------------
MIN_DATE = dt.datetime(1990, 1, 1, tzinfo=dt.UTC)
FUTURE_SLACK = dt.timedelta(days=2)


def clamp_date(value: dt.datetime | None, now: dt.datetime | None = None) -> dt.datetime | None:
    """A timezone-aware UTC datetime, or None when unknown, before 1990 or more than two days ahead of now.
    A naive datetime is taken to be UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    try:
        value = value.astimezone(dt.UTC)
    except (OverflowError, ValueError):
        return None
    now = now or dt.datetime.now(dt.UTC)
    if value < MIN_DATE or value > now + FUTURE_SLACK:
        return None
    return value


# --- URLs --------------------------------------------------------------------------------------------------
# An absolute http(s) URL that urllib's urljoin (and feedparser's slash fixer) return unchanged: lower-case scheme,
# plain host[:port], a path without ';' or dot-segment tricks, an optional non-empty query, no fragment/whitespace.
PLAIN_ABSOLUTE_URL = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[A-Za-z0-9_~/%+,-]*(?:\.[A-Za-z0-9_~/%+,-]+)*)?"
    r"(?:\?[A-Za-z0-9._~/=&%+:,-]+)?"
)

_TRACKING_PARAMS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "igshid", "mc_cid", "mc_eid",
        "ref", "ref_src", "ref_url", "_hsenc", "_hsmi", "mkt_tok", "spm", "cmpid", "ocid", "ncid", "sr_share",
    }
)
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _is_tracking(key: str) -> bool:
    k = key.lower()
    return k.startswith("utm_") or k in _TRACKING_PARAMS


def canonical_url(url: str, base: str | None = None) -> str:
    """The normalised form of ``url`` used as a dedupe key.

    Resolved against ``base`` when relative; scheme and host lower-cased; default ports, fragment and
    tracking parameters (``utm_*``, ``fbclid``, ``gclid``, ``ref`` ...) dropped; remaining query parameters
    sorted; an empty path becomes ``/``. Unparseable input comes back stripped, never raises."""
    url = (url or "").strip()
    try:
        if base:
            url = urljoin(base.strip(), url)
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").rstrip(".")
        port = parts.port
    except ValueError:
        return url
    if not scheme or not parts.netloc:
        return urlunsplit((scheme, parts.netloc, parts.path, parts.query, ""))
    netloc = host
    if ":" in host:  # IPv6 literal
        netloc = f"[{host}]"
    if parts.username is not None:
        userinfo = parts.username + (f":{parts.password}" if parts.password is not None else "")
        netloc = f"{userinfo}@{netloc}"
    if port is not None and _DEFAULT_PORTS.get(scheme) != port:
        netloc = f"{netloc}:{port}"
    path = parts.path or "/"
    query = ""
    if parts.query:
        pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
        pairs.sort()
        query = urlencode(pairs)
    return urlunsplit((scheme, netloc, path, query, ""))


# --- fingerprints ------------------------------------------------------------------------------------------
def content_hash(text: str) -> str:
    """sha256 (hex) of the NFKC-normalised, whitespace-collapsed, case-folded text."""
    return hashlib.sha256(normalize_text(text).casefold().encode("utf-8")).hexdigest()


# CJK scripts have no spaces between words: Han, Hiragana, Katakana, Hangul syllables/jamo.
_CJK = "\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[^\W{_CJK}]+")
_CJK_RUN = re.compile(rf"[{_CJK}]")


def _features(text: str) -> list[str]:
    """Word 3-shingles for space-separated scripts, character bigrams for CJK runs."""
    norm = normalize_text(text).casefold()
    tokens = _TOKEN.findall(norm)
    feats: list[str] = []
    if _CJK_RUN.search(norm) is None:     # no CJK at all: every token is a word
        words = tokens
    else:
        words = []
        for tok in tokens:
            if _CJK_RUN.match(tok):
                if len(tok) == 1:
                    feats.append(tok)
                else:
                    feats.extend(tok[i : i + 2] for i in range(len(tok) - 1))
            else:
                words.append(tok)
    if len(words) < 3:
        feats.extend(words)
    else:
        feats.extend(map(" ".join, zip(words, words[1:], words[2:], strict=False)))   # the shingles
    return feats


# _BIT[b] maps a byte to 1 when its bit b is set, else to 0 (for bytes.translate)
_BIT = tuple(bytes((v >> b) & 1 for v in range(256)) for b in range(8))


def simhash(text: str) -> int:
    """64-bit SimHash over word 3-shingles (character bigrams for CJK). 0 for text with no features.
    Stable across processes (blake2b, not ``hash()``).

    Bit k is set when more than half of the features' hashes (read big-endian) have bit k set. The
    hashes are laid end to end; byte j of every hash is one slice, and a bit's count in it is one
    ``translate`` and one ``count`` rather than a step per feature."""
    feats = _features(text)
    if not feats:
        return 0
    blake = hashlib.blake2b
    n = len(feats)
    digests = b"".join([blake(f.encode("utf-8"), digest_size=8).digest() for f in feats])
    out = 0
    for j in range(8):
        column = digests[j::8]            # byte j of each hash: bits 8 * (7 - j) ... of its value
        base = 8 * (7 - j)
        for bit in range(8):
            if 2 * column.translate(_BIT[bit]).count(1) > n:
                out |= 1 << (base + bit)
    return out


def near_duplicate(a: int, b: int, max_distance: int = 3) -> bool:
    """True when two simhashes differ in at most ``max_distance`` bits."""
    return (a ^ b).bit_count() <= max_distance
