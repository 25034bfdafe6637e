"""English glosses of Korean and Japanese noun phrases, for commitments first seen in those languages.

A commitment minted from ``'한미일 사무국'`` needs an ASCII id and an English title
(``trilateral_secretariat``, "Trilateral secretariat") and aliases that later texts in any of
the three languages will use. The words come from a generic glossary of domain vocabulary
(``data/glossary.toml``); a proper name is never glossed, only taken from the text's own Latin
spelling ("(Freedom Edge)", "TISA"). Pure: the glossary is read once from the package.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources

_SPACE = re.compile(r"[\s·・‧ㆍ]+")
# a Latin name or acronym the text gives itself: "TISA", "Freedom Edge", "EWS"
_LATIN_NAME = re.compile(r"[A-Z][A-Za-z0-9&]*(?:[ -][A-Z][A-Za-z0-9&]*)*")
_QUOTES = "'\"‘’“”「」『』<>〈〉《》"
# what joins a modifier to the head it qualifies ("X의 Y", "XのY", "X에 관한 Y", "XでのY" ...)
_WORD = re.compile(r"[a-z0-9]+")
# a meeting of something (its first, its third): "初会合", "3回目会合", "첫회의"
_OCCURRENCE = re.compile(r"^(?:初|初回|第?\d+回目?|첫|제?\d+차|\d+번째)?(?:会合|会議|회의|회동|모임)$")


@dataclass(frozen=True)
class Term:
    en: str
    head: bool = False
    generic: bool = False
    trilateral: bool = False
    drop: bool = False
    ko: tuple[str, ...] = ()
    ja: tuple[str, ...] = ()


@functools.cache
def glossary() -> tuple[dict[str, Term], int]:
    """Spelling (no spaces) -> term, and the longest spelling's length."""
    raw = resources.files("watcher.claims").joinpath("data/glossary.toml").read_text(encoding="utf-8")
    table: dict[str, Term] = {}
    for entry in tomllib.loads(raw)["term"]:
        term = Term(en=entry["en"], head=entry.get("head", False), generic=entry.get("generic", False),
                    trilateral=entry.get("trilateral", False),
                    drop=entry.get("drop", False), ko=tuple(entry.get("ko", ())), ja=tuple(entry.get("ja", ())))
        for spelling in (*term.ko, *term.ja):
            table.setdefault(_SPACE.sub("", spelling), term)
    return table, max(len(k) for k in table)


def terms_in(phrase: str) -> list[Term]:
    """The glossary terms of ``phrase``, left to right, longest spelling first at each place."""
    table, longest = glossary()
    s = _SPACE.sub("", phrase)
    out: list[Term] = []
    i = 0
    while i < len(s):
        for n in range(min(longest, len(s) - i), 0, -1):
            term = table.get(s[i:i + n])
            if term is not None:
                out.append(term)
                i += n
                break
        else:
            i += 1
    return out


def has_head(chunk: str) -> bool:
    """The chunk ends in a head term (an institution or an undertaking)."""
    return head_of(chunk) is not None


def head_of(chunk: str) -> str | None:
    """The English of the head term the chunk ends in, if it ends in one."""
    terms = terms_in(chunk)
    return terms[-1].en if terms and terms[-1].head else None


def plural(word: str) -> str:
    return word + ("es" if word.endswith(("s", "sh", "ch", "x")) else "s")


def latin_names(text: str) -> list[str]:
    """Latin names and acronyms written in ``text`` itself (at least two letters)."""
    return [m.group(0) for m in _LATIN_NAME.finditer(text) if len(m.group(0)) >= 2]


@dataclass(frozen=True)
class Gloss:
    en: str                      # "trilateral economic security dialogue"
    head: Term | None            # the head term (secretariat, dialogue ...) when the phrase ends in one
    terms: tuple[Term, ...]      # the content terms glossed (no trilateral, no dropped words)
    name: str = ""               # a Latin multi-word name of the text's own ("Freedom Edge")
    acronyms: tuple[str, ...] = ()
    recurrence: str = ""         # "annual" / "regular" when the text says so


_RECURRENCE = (("annual", ("매년", "연 1회", "연1회", "1년에 한 번", "해마다", "毎年", "年1回", "年に1回", "年一回")),
               ("regular", ("정례", "정기적", "定例", "定期")))


def recurrence_in(text: str) -> str:
    """"annual" or "regular" when ``text`` says the thing recurs (매년, 연 1회, 毎年, 정례, 定例 ...)."""
    for word, cues in _RECURRENCE:
        if any(c in text for c in cues):
            return word
    return ""


def gloss(
    phrase: str, chunks: tuple[str, ...] = (), *, head_noun: str = "", recurrence: str = "", before: str = "",
    several: bool = False,
) -> Gloss | None:
    """The English gloss of a Korean/Japanese noun phrase: "trilateral" + the modifier chunk just
    before the head + the head chunk ("輸出管理での3国間協力" -> "trilateral export control
    cooperation"). ``chunks``: the phrase cut at its links by the analyser (the whole phrase is
    one chunk when not given). ``head_noun``: a verbal noun the phrase is the object of ("共有" in "データを
    共有する"), glossed as the head. None when nothing in it is in the glossary."""
    names = latin_names(phrase)
    name = next((n for n in names if " " in n or "-" in n), "")
    acronyms = tuple(n for n in names if n.isupper() and " " not in n)
    chunks = chunks or (phrase,)
    if len(chunks) >= 2 and _OCCURRENCE.match(_SPACE.sub("", chunks[-1])):
        chunks = chunks[:-1]  # "the first meeting of X" is about X
    picked = chunks[-2:] if len(chunks) >= 2 else chunks
    terms = [t for chunk in picked for t in terms_in(chunk)]
    if head_noun:
        terms += terms_in(head_noun)
    content: list[Term] = []
    for t in terms:
        if t.trilateral or t.drop or t in content:
            continue
        content.append(t)
    # a conjunction of heads ("A와 B") keeps only the first: the gloss names one thing
    if not content and not name:
        return None
    content = [t for t in content if t.en != recurrence]
    if before and not several and content and content[-1].head and all(t.generic or t is content[-1] for t in content):
        near = before[-16:]  # a modifier close before the phrase (its relative clause), not the sentence's topic
        near = near[max(near.rfind(c) for c in ("は", "が", "、", ",", "은 ", "는 ", "이 ", "가 ")) + 1:]
        specific = [t for t in terms_in(near) if not (t.generic or t.trilateral or t.drop or t.head)]
        if specific and specific[-1] not in content:
            content.insert(0, specific[-1])
    head = content[-1] if content and content[-1].head else None
    words = ([recurrence] if recurrence else []) + ["trilateral"] + ([name.lower()] if name else [])
    words += [t.en for t in content]
    if several and content and content[-1].head:
        words[-1] = plural(words[-1])
    return Gloss(" ".join(words), head, tuple(content), name, acronyms, recurrence)


def gloss_id(g: Gloss, *, max_len: int = 60) -> str:
    """snake_case id of a gloss: its name when the text gives one ("freedom_edge"), else the gloss."""
    source = g.name if g.name else g.en
    words = _WORD.findall(source.lower())
    out = ""
    for w in words:
        nxt = f"{out}_{w}" if out else w
        if len(nxt) > max_len:
            break
        out = nxt
    return out or "trilateral_commitment"


_TRI_FORMS = ("한미일", "한 미 일", "日米韓", "韓米日", "米日韓")


def keywords_for(g: Gloss) -> tuple[str, ...]:
    """Keywords in the three languages for a glossed commitment: the English gloss and the Korean
    and Japanese spellings (as the glossary writes them, spaced or not) of each of its terms (a
    commitment matches on two distinct keywords)."""
    out: list[str] = []
    for t in g.terms:
        out += [t.en, *t.ko, *t.ja]
    if g.name:
        out.append(g.name)
    if g.recurrence:
        out += [g.recurrence, *next(cues for word, cues in _RECURRENCE if word == g.recurrence)]
    return tuple(dict.fromkeys(k for k in out if k))


def native_aliases(g: Gloss) -> tuple[str, ...]:
    """For a commitment named by one specific head ("trilateral secretariat"), its native names
    with the three countries' format word ("한미일 사무국", "日米韓事務局"): one keyword alone
    never matches, and the format words are too common to be keywords."""
    if len(g.terms) != 1 or g.head is None or g.head.generic:
        return ()
    out = [f"{tri}{sep}{sp}" for tri in _TRI_FORMS for sp in (*g.head.ko, *g.head.ja) for sep in ("", " ")]
    return tuple(out)


_BARE = frozenset({"meeting", "consultation", "cooperation", "sharing"})


def new_candidate(g: Gloss | None) -> bool:
    """A glossed phrase can name a new commitment when it ends in a head noun (an institution
    or an undertaking) or carries the text's own name."""
    if g is None:
        return False
    if g.name:
        return True
    if g.head is not None and g.recurrence and g.head.en not in _BARE:
        return True  # "regular trilateral exercises", "annual trilateral summit"
    return g.head is not None and (not g.head.generic or any(not t.generic for t in g.terms))


@functools.cache
def _by_english() -> dict[str, Term]:
    table, _ = glossary()
    return {t.en: t for t in table.values() if not t.trilateral}


def parse_gloss(en: str, obj: str = "") -> Gloss:
    """The :class:`Gloss` an English gloss string was made from (its terms found back by their
    English words; the name, if any, from ``obj``)."""
    by_en = _by_english()
    names = latin_names(obj)
    name = next((n for n in names if " " in n or "-" in n), "")
    acronyms = tuple(n for n in names if n.isupper() and " " not in n)
    rest = en.split(" ")
    recurrence = rest[0] if rest[0] in ("annual", "regular") else ""
    if recurrence:
        rest = rest[1:]
    if rest[:1] == ["trilateral"]:
        rest = rest[1:]
    if name and " ".join(rest).startswith(name.lower()):
        rest = rest[len(name.split(" ")):]
    terms: list[Term] = []
    i = 0
    while i < len(rest):
        for n in range(len(rest) - i, 0, -1):
            words = " ".join(rest[i:i + n])
            t = by_en.get(words) or by_en.get(words[:-1]) or by_en.get(words[:-2])  # "exercises"
            if t is not None:
                terms.append(t)
                i += n
                break
        else:
            i += 1
    head = terms[-1] if terms and terms[-1].head else None
    return Gloss(en, head, tuple(terms), name, acronyms, recurrence)


def minted_fields(gloss_en: str, obj: str) -> tuple[str, str, tuple[str, ...], tuple[str, ...]] | None:
    """(id, title, aliases, keywords) for a commitment first named by the Korean/Japanese ``obj``
    glossed ``gloss_en``: the id and title from the gloss, the native phrase kept as an alias
    (quotes and brackets removed) beside the gloss and any Latin name or acronym the text gives.
    None when the phrase names no institution or undertaking."""
    g = parse_gloss(gloss_en, obj)
    if not new_candidate(g):
        return None
    title = g.en[:1].upper() + g.en[1:]
    native = obj
    for q in _QUOTES:
        native = native.replace(q, " ")
    native = " ".join(native.split())
    aliases = tuple(dict.fromkeys(a for a in (native, g.en, g.name, *g.acronyms, *native_aliases(g)) if a))
    # the other specific words of the phrase too ("AI, energy, quantum ... technologies")
    more = [t for t in terms_in(obj) if not (t.generic or t.trilateral or t.drop or t.head) and t not in g.terms]
    extra = tuple(k for t in more for k in (t.en, *t.ko, *t.ja))
    return gloss_id(g), title, aliases, tuple(dict.fromkeys((*keywords_for(g), *extra)))
