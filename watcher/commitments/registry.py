"""The commitment registry: what the three governments are known to have undertaken.

Pure: :func:`parse_registry` takes TOML text, :func:`load_registry` only reads the file
and hands its text over. The format (that of the shipped ``db/commitments.toml``, and of any
file given with ``--registry``)::

    schema_version = 1
    as_of = "2024-09-22"
    [[commitment]]
    id = "freedom_edge"            # stable snake_case key
    title = "..."
    aliases = ["Freedom Edge", "프리덤 에지"]
    keywords = ["exercise", "drill"]
    status = "in_progress"         # proposed | agreed | in_progress | implemented | stalled | dropped
    deadline = ""                  # ISO date or empty
    since = "2024-06-27"
    source = "..."
    recurring = true               # optional; otherwise derived from the wording

A bad registry raises :class:`watcher.errors.ConfigError` naming every bad entry at once.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError
from .kinds import STATUSES

_REQUIRED = ("id", "title", "status")
_KNOWN_KEYS = frozenset(
    {"id", "title", "aliases", "keywords", "status", "deadline", "since", "source", "recurring", "notes"}
)
_ID_RE = re.compile(r"^[a-z0-9][a-z0-9_]*$")
_RECURRING_RE = re.compile(
    r"\b(annual(?:ly)?|at least once a year|once a year|every year|each year|yearly|regular(?:ly)?|"
    r"exercises?|drills?|recurring|biennial|semi-?annual)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Commitment:
    """One registry entry, as known before any article is read."""

    id: str
    title: str
    aliases: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    status: str = "agreed"
    deadline: dt.date | None = None
    since: str = ""
    source: str = ""
    recurring: bool = False

    @property
    def since_date(self) -> dt.date | None:
        """``since`` read as a date when it starts with an ISO date or a year."""
        return parse_since(self.since)


_SINCE_RE = re.compile(r"(?<!\s)\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@functools.lru_cache(maxsize=1024)
def parse_since(text: str) -> dt.date | None:
    m = _SINCE_RE.match(text or "")
    if not m:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2) or 1), int(m.group(3) or 1))
    except ValueError:
        return None


def derive_recurring(title: str, aliases: tuple[str, ...] = (), keywords: tuple[str, ...] = ()) -> bool:
    """A commitment is recurring when its wording says so (annual, at least once a year, exercise...)."""
    return any(_RECURRING_RE.search(t) for t in (title, *aliases, *keywords))


def _str_list(value: object) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(v.strip() for v in value if v.strip())
    return None


def parse_registry(text: str, *, path: str = "<registry>") -> tuple[Commitment, ...]:
    """Parse registry TOML text. Raises ConfigError listing every bad entry."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([f"not valid TOML: {exc}"], path=path) from exc
    problems: list[str] = []
    version = data.get("schema_version", 1)
    if version != 1:
        problems.append(f"schema_version: unsupported value {version!r} (expected 1)")
    as_of = data.get("as_of")
    if as_of is not None and not isinstance(as_of, dt.date) and not _is_iso_date(as_of):
        problems.append(f"as_of: {as_of!r} is not an ISO date")
    for key in data:
        if key not in ("schema_version", "as_of", "commitment"):
            problems.append(f"unknown top-level key {key!r}")
    entries = data.get("commitment", [])
    if not isinstance(entries, list):
        raise ConfigError(problems + ["commitment: must be an array of tables ([[commitment]])"], path=path)
    out: list[Commitment] = []
    seen: dict[str, int] = {}
    for idx, entry in enumerate(entries):
        bad_before = len(problems)
        if not isinstance(entry, dict):
            problems.append(f"commitment #{idx + 1}: not a table")
            continue
        cid = entry.get("id")
        label = f"commitment {cid!r}" if isinstance(cid, str) and cid else f"commitment #{idx + 1}"
        for key in _REQUIRED:
            if key not in entry or entry[key] in ("", None):
                problems.append(f"{label}: missing {key}")
        for key in entry:
            if key not in _KNOWN_KEYS:
                problems.append(f"{label}: unknown key {key!r}")
        if cid is not None and cid != "":
            if not isinstance(cid, str) or not _ID_RE.match(cid):
                problems.append(f"{label}: id {cid!r} must be snake_case (a-z, 0-9, _)")
            elif cid in seen:
                problems.append(f"{label}: duplicate id (also commitment #{seen[cid] + 1})")
            else:
                seen[cid] = idx
        title = entry.get("title", "")
        if not isinstance(title, str):
            problems.append(f"{label}: title must be a string")
            title = ""
        status = entry.get("status", "")
        if status not in ("", None) and status not in STATUSES:
            problems.append(f"{label}: unknown status {status!r} (expected one of {', '.join(STATUSES)})")
        lists: dict[str, tuple[str, ...]] = {}
        for key in ("aliases", "keywords"):
            raw = entry.get(key, [])
            got = _str_list(raw)
            if got is None:
                problems.append(f"{label}: {key} must be a list of strings, got {raw!r}")
                got = ()
            lists[key] = got
        deadline: dt.date | None = None
        raw_deadline = entry.get("deadline", "")
        if isinstance(raw_deadline, dt.datetime):
            deadline = raw_deadline.date()
        elif isinstance(raw_deadline, dt.date):
            deadline = raw_deadline
        elif isinstance(raw_deadline, str):
            if raw_deadline.strip():
                try:
                    deadline = dt.date.fromisoformat(raw_deadline.strip())
                except ValueError:
                    problems.append(f"{label}: bad deadline date {raw_deadline!r} (expected YYYY-MM-DD or \"\")")
        else:
            problems.append(f"{label}: bad deadline {raw_deadline!r} (expected YYYY-MM-DD or \"\")")
        for key in ("since", "source"):
            if not isinstance(entry.get(key, ""), str):
                problems.append(f"{label}: {key} must be a string")
        recurring_raw = entry.get("recurring")
        if recurring_raw is not None and not isinstance(recurring_raw, bool):
            problems.append(f"{label}: recurring must be true or false")
            recurring_raw = None
        if len(problems) > bad_before:
            continue
        aliases, keywords = lists["aliases"], lists["keywords"]
        recurring = (
            recurring_raw if isinstance(recurring_raw, bool) else derive_recurring(title, aliases, keywords)
        )
        out.append(
            Commitment(
                id=str(cid),
                title=title.strip(),
                aliases=aliases,
                keywords=keywords,
                status=str(status),
                deadline=deadline,
                since=str(entry.get("since", "")),
                source=str(entry.get("source", "")),
                recurring=recurring,
            )
        )
    if problems:
        raise ConfigError(problems, path=path)
    return tuple(out)


def _is_iso_date(value: object) -> bool:
    if not isinstance(value, str):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def load_registry(path: str | Path) -> tuple[Commitment, ...]:
    """Read and parse a registry file (the only I/O in this module)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"cannot read registry: {exc.strerror or exc}"], path=str(p)) from exc
    return parse_registry(text, path=str(p))


def registry_as_of(text: str) -> dt.date | None:
    """The ``as_of`` baseline date of registry text, if any (None when absent or bad)."""
    try:
        value = tomllib.loads(text).get("as_of")
    except tomllib.TOMLDecodeError:
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value) if isinstance(value, str) and _is_iso_date(value) else None


# ---------------------------------------------------------------- minting ids
_STOP = frozenset(
    ["a", "an", "the", "of", "for", "on", "in", "to", "and", "or", "with", "among", "between", "by", "at", "from", "into", "as", "its", "their", "our", "this", "that", "these", "those", "new", "three", "three-way", "trilateral-level", "further", "more", "closer", "close", "all", "each", "other", "such", "which", "who", "will", "would", "shall", "should", "may", "might", "could", "can", "to", "be", "is", "are", "was", "were", "been", "being", "has", "have", "had", "do", "does", "did", "agree", "agreed", "agrees", "establish", "established", "establishing", "launch", "launched", "launching", "create", "created", "creating", "develop", "developed", "developing", "set", "setting", "up", "build", "building", "hold", "held", "holding", "form", "formed", "forming", "plan", "plans", "planned", "planning", "aim", "aims", "consider", "considering", "explore", "exploring", "expand", "expanding", "strengthen", "strengthening", "enhance", "enhancing", "advance", "advancing", "promote", "promoting", "foster", "fostering", "institutionalize", "support", "supporting", "boost", "boosting", "deepen", "deepening", "pursue", "pursuing", "start", "starting", "begin", "beginning", "cooperation", "next-generation", "countries", "nations", "allies", "sides", "governments", "us", "u", "s", "japan", "korea", "south", "rok", "united", "states", "japanese", "korean", "american"]
)
INSTITUTION_HEADS = (
    "secretariat", "framework", "dialogue", "mechanism", "hotline", "exercise", "exercises", "drill",
    "working group", "group", "initiative", "program", "programme", "fund", "center", "centre",
    "partnership", "system", "channel", "summit", "meeting", "consultation", "consultations", "forum",
    "network", "council", "committee", "platform", "fellowship", "task force", "pilot",
)
_DOMAINS = (
    ("technology", ("technology", "technologies", "tech", "next-generation", "emerging technolog",
                    "critical and emerging", "ai", "artificial intelligence", "quantum", "semiconductor")),
    ("economic_security", ("economic security",)),
    ("supply_chain", ("supply chain", "supply-chain")),
    ("maritime", ("maritime", "coast guard", "naval", "sea")),
    ("cyber", ("cyber", "crypto", "hacking")),
    ("missile", ("missile",)),
    ("space", ("space", "satellite")),
    ("energy", ("energy", "lng", "nuclear power")),
    ("health", ("health", "pandemic", "cancer")),
    ("finance", ("development finance", "finance", "investment")),
    ("defense", ("defense", "defence", "military", "security")),
    ("humanitarian", ("humanitarian", "disaster")),
    ("indo_pacific", ("indo-pacific",)),
    ("people_to_people", ("people-to-people", "exchange", "youth", "young")),
)


_HEAD_RX = tuple((h, re.compile(rf"\b{re.escape(h)}\b")) for h in INSTITUTION_HEADS)
# a domain is named when one of its cues starts a word (short cues: is a whole word)
_DOMAIN_RX = tuple(
    (name, re.compile("|".join(rf"\b{re.escape(c)}" + (r"\b" if len(c) <= 3 else "") for c in cues)))
    for name, cues in _DOMAINS
)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return text.replace("\u2019", "'").replace("'s", "")


def mint_id(wording: str, *, max_words: int = 5) -> str:
    """A deterministic snake_case id for a commitment first seen in ``wording``.

    ``"plans to develop a trilateral framework advancing next-generation technologies"``
    gives ``"trilateral_technology_framework"``: trilateral + the policy domain + the
    institutional head noun when one is recognised, else the content words of the phrase.
    """
    low = _fold(wording)
    head = None
    head_pos = -1
    for h, rx in _HEAD_RX:
        m = rx.search(low) if h in low else None
        if m and (head is None or m.start() < head_pos):
            head, head_pos = h, m.start()
    if head is not None:
        domains = [name for name, rx in _DOMAIN_RX if rx.search(low)]
        parts = ["trilateral", *domains[:1], head.replace(" ", "_")]
        if head in ("exercise", "exercises", "drill") and not domains:
            parts.insert(1, "joint")
        return _cap("_".join(parts), max_words + 1)
    words = [w for w in _SLUG_WORD.findall(low) if w not in _STOP and len(w) > 1]
    words = [w.replace("-", "_") for w in words]
    if not words:
        slug = _NON_SLUG.sub("_", low).strip("_")
        return _cap("trilateral_" + (slug or "commitment"), max_words)
    if "trilateral" not in words[:1]:
        words = ["trilateral", *[w for w in words if w != "trilateral"]]
    return _cap("_".join(words), max_words)


_SLUG_WORD = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_NON_SLUG = re.compile(r"[^a-z0-9]+")


def _cap(slug: str, max_words: int) -> str:
    parts = [p for p in slug.split("_") if p]
    out = "_".join(parts[:max_words])
    return out[:60].rstrip("_") or "trilateral_commitment"
