"""Korean and Japanese sentences to :class:`~.extract.Claim` objects (see :mod:`.cjk`).

:func:`sentence_claims` is called by ``extract_claims`` for a sentence whose script is Korean or
Japanese; it fills the same fields the English extractor fills, with the action mapped to the
English lemma vocabulary, ``obj`` verbatim from the text and ``gloss`` its English gloss (the
differ mints a new commitment's id and title from it).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import unicodedata
from typing import TYPE_CHECKING

from ..commitments.registry import Commitment, derive_recurring
from . import ja, ko
from . import lexicon as lx
from .cjk import Lexicon, Morph, Pred, clause_preds, first_occurrence, script_of
from .cjk_facts import actor_of, deadline_of, names_three, scope_of
from .gloss import gloss as gloss_phrase
from .gloss import minted_fields, recurrence_in
from .naming import Naming

if TYPE_CHECKING:
    from ..commitments.model import Document
    from .extract import Claim

_LANG = {"ko": (ko.LEXICON, ko.analyse, ko.GENERIC_THREE), "ja": (ja.LEXICON, ja.analyse, ja.GENERIC_THREE)}


def preload() -> None:
    """Load both analysers (call before forking workers: they then share the loaded models)."""
    ko.preload()
    ja.preload()


def _norm(s: str) -> str:
    return s if s.isascii() else unicodedata.normalize("NFKC", s)


def doc_scope(text: str) -> str:
    """The format a Korean/Japanese document is about: "us_jp_kr" when its explicit trilateral
    words outnumber other formats' (한중일, 日米比, Quad, a bilateral alliance ...)."""
    t = _norm(text)
    ours = sum(t.count(w) for lex in (ko.LEXICON, ja.LEXICON) for w in lex.trilateral)
    other = sum(t.count(w) for lex in (ko.LEXICON, ja.LEXICON) for w in lex.other_format)
    if ours <= other:
        lex = ko.LEXICON if script_of(t[:400]) == "ko" else ja.LEXICON
        ours += sum(1 for line in t.split("\n") if names_three(line, lex))
    if ours > other:
        return "us_jp_kr"
    return "other" if other > ours else "unknown"


@functools.lru_cache(maxsize=4096)
def _analysed(lang: str, sent: str) -> tuple[Morph, ...]:
    """A sentence's morphemes, remembered: wire copy repeats sentences across outlets (and a replay
    reads them again), and the analysers cost about 1 ms a sentence (Korean) where the rules cost 0.1."""
    return tuple(_LANG[lang][1](sent))


def is_candidate(sent: str, lex: Lexicon, generic_three: tuple[str, ...] = ()) -> bool:
    """Whether to analyse a sentence: a cue among its characters (in a verb form, where the language
    has a pattern for that), and either a word for the three countries or a cue of an undertaking
    or an upset (agreed, decided, postponed, cancelled, launched, considered). A held / signed /
    reaffirmed with no word for the three is left unread: the analyser costs ~1 ms a sentence."""
    if not any(w in sent for w in lex.prefilter):
        return False
    if lex.candidate is not None and lex.candidate.search(sent) is None:
        return False
    return (any(w in sent for w in lex.strong) or any(w in sent for w in lex.trilateral)
            or any(w in sent for w in generic_three))


def sentence_claims(
    sent: str, s: int, e: int, published: dt.date | None, ctx: tuple[str, str], doc_scope_value: str,
) -> tuple[list[Claim], tuple[str, str]] | None:
    """The claims of one Korean/Japanese sentence and the running actor context, or None when
    the sentence is not Korean or Japanese."""
    if sent.isascii():
        return None
    lang = script_of(sent)
    if not lang:
        return None
    lex, _analyse, generic_three = _LANG[lang]
    norm = _norm(sent)
    context = ctx[0]
    actor_named, nongov = actor_of(norm, lex)
    if nongov or not is_candidate(norm, lex, generic_three) or doc_scope_value == "other":
        return [], (("", "") if nongov else (actor_named or context, actor_named))
    scope = scope_of(norm, lex, generic_three)
    if scope == "unknown":  # 3국 / 3カ国 or no format named: the document's
        scope = doc_scope_value
    toks = _analysed(lang, sent)
    preds = clause_preds(sent, toks, lex)
    out: list[Claim] = []
    new_context = context
    for p in preds:
        zone_actor, zone_nongov = actor_of(_norm(p.zone), lex)
        if zone_nongov:
            new_context = ""
            continue
        actor = zone_actor or actor_named or context
        if not actor and scope == "us_jp_kr":
            actor = "officials"
        if not actor:
            continue
        new_context = zone_actor or new_context
        out.append(_claim(sent, s, e, p, lex, norm, actor, scope, published, generic_three))
    return out, ("", "") if nongov and not out else (actor_named or new_context, actor_named)


def _claim(
    sent: str, s: int, e: int, p: Pred, lex: Lexicon, norm: str, actor: str, scope: str,
    published: dt.date | None, generic_three: tuple[str, ...],
) -> Claim:
    from .extract import Claim

    # the clause as matched against the registry: from the object phrase on, when there is one
    a = p.obj_at if p.a <= p.obj_at < p.b else p.a
    clause = sent[a:p.b]
    nclause = _norm(sent[p.a:p.b])
    deadline, deadline_text = deadline_of(norm, published)
    retrospective = any(w in nclause for w in lex.retrospective)
    g = gloss_phrase(p.obj, p.chunks, head_noun=p.head_noun, recurrence=recurrence_in(nclause),
                     before=sent[p.a:a], several=p.plural) if (p.obj or p.head_noun) else None
    speculative = p.speculative or _spec_tail(norm, lex)
    return Claim(
        sentence=sent, start=s, end=e, actor=actor, actor_countries=frozenset(),
        trilateral_scope=scope, action=p.action, obj=p.obj, modality=p.modality,
        negated=p.negated, denial=any(w in norm for w in lex.denial), hedged=p.klass == lx.HEDGE,
        quoted=bool(lx.QUOTE_CHARS.search(sent)), reported=p.reported or any(w in norm for w in lex.reported),
        deadline=deadline, deadline_text=deadline_text, clause=clause, clause_start=s + a,
        clause_end=s + p.b, klass=p.klass, narrowed=p.klass == lx.NARROW, retrospective=retrospective,
        present_link=any(w in nclause for w in lex.present), speculative=speculative,
        reversal=False, creation_decided=p.creation_decided, creation=p.creation,
        trilateral_word=any(w in nclause for w in (*lex.trilateral, *generic_three)),
        iteration=p.klass == lx.HOLD, repeat=bool(lx.REPEAT.search(nclause)), name=p.name, gloss=g.en if g is not None else "",
    )


def _spec_tail(norm: str, lex: Lexicon) -> bool:
    """A speculation cue in the last third of the sentence (where the Korean/Japanese frame is)."""
    tail = norm[len(norm) * 2 // 3:]
    return any(w in tail for w in lex.speculative)


# ----------------------------------------------------------------- the differ's hooks (new commitments)
def cjk_new_candidate(c: Claim) -> bool:
    """A Korean/Japanese claim that can make a new commitment: an undertaking (agreed, planned,
    considered, launched, restated: a first mention is new) or a first or numbered meeting held,
    whose glossed object names an institution or an undertaking; not about the past, not negated."""
    if c.retrospective or c.negated:
        return False
    if c.klass == lx.HOLD:
        lex = ko.LEXICON if script_of(c.sentence) == "ko" else ja.LEXICON
        if not first_occurrence(_norm(c.clause), lex):
            return False
    elif c.klass not in (lx.AGREE, lx.PLAN, lx.LAUNCH, lx.HEDGE, lx.REAFFIRM):
        return False
    return minted_fields(c.gloss, c.obj) is not None


def cjk_naming(c: Claim) -> Naming | None:
    """What a Korean/Japanese claim's object is called in English (from its gloss)."""
    fields = minted_fields(c.gloss, c.obj)
    if fields is None:
        return None
    cid, title, aliases, _keywords = fields
    # the English names only: the differ compares names by their Latin content words
    english = tuple(a for a in aliases if a.isascii())
    return Naming(id=cid, title=title, aliases=english, recurring=derive_recurring(title, english))


def name_aliases(c: Claim) -> tuple[str, ...]:
    """A quoted native name the claim's object carries, spaced and unspaced ("フリーダム エッジ",
    "フリーダムエッジ"): aliases of the commitment it names."""
    if not c.gloss or not c.name:
        return ()
    return tuple(dict.fromkeys((c.name, c.name.replace(" ", ""))))


def with_name(com: Commitment, c: Claim) -> Commitment:
    """``com`` (made by this document) with the name a later sentence of the document gives it."""
    extra = tuple(a for a in name_aliases(c) if a not in com.aliases)
    return dataclasses.replace(com, aliases=(*com.aliases, *extra)) if extra else com


_STATUS = {lx.LAUNCH: "implemented", lx.HOLD: "in_progress", lx.AGREE: "agreed", lx.REAFFIRM: "agreed"}


def cjk_minted(c: Claim, doc: Document) -> Commitment:
    """The commitment a Korean/Japanese claim makes: English id and title from the gloss, the
    native phrase, the gloss and any Latin name as aliases, keywords in the three languages."""
    fields = minted_fields(c.gloss, c.obj)
    cid, title, aliases, keywords = fields if fields else (c.gloss.replace(" ", "_"), c.gloss, (c.obj,), ())
    aliases = tuple(dict.fromkeys((*aliases, *name_aliases(c))))
    return Commitment(
        id=cid, title=title, aliases=aliases, keywords=keywords, status=_STATUS.get(c.klass, "proposed"),
        deadline=c.deadline, since=doc.published_at.isoformat() if doc.published_at else "",
        source=doc.url or doc.doc, recurring=derive_recurring(title, aliases, keywords) or c.iteration,
    )
