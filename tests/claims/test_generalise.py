"""Round 2 of issue 12: general rules of how English, Korean and Japanese texts say that something
recurring goes on, was held down or was put off (written generically or from dev2's tuning part)."""

from __future__ import annotations

import datetime as dt

from watcher.claims import extract_claims, split_sentences
from watcher.diff import Document, replay
from watcher.registry import parse_registry

EMPTY = "schema_version = 1\n"


def _run(*docs: tuple[str, str]) -> list[tuple[str, str, str, str]]:
    pairs = []
    for i, (date, text) in enumerate(docs):
        d = dt.date.fromisoformat(date)
        pairs.append((Document(doc=f"d{i}.txt", url=None, title="", text=text, published_at=d, source=f"wire{i}"),
                      extract_claims(text, published=d)))
    res = replay(parse_registry(EMPTY), pairs)
    return [(c.doc, c.commitment, c.kind, c.to_status) for c in res.changes if c.kind != "overdue"]


_AGREED = ("2024-06-02", "South Korea, the United States and Japan have agreed to launch a new trilateral multidomain "
                         "exercise named Freedom Edge this summer.")


def test_a_period_glued_to_the_next_sentence_ends_the_sentence() -> None:
    text = "The drill is meant to counter threats.Seoul's military said so. Talks with the U.S.Navy went on."
    assert [text[a:b] for a, b in split_sentences(text)] == [
        "The drill is meant to counter threats.", "Seoul's military said so.", "Talks with the U.S.Navy went on."]


def test_the_conduct_of_an_exercise_is_a_noun_not_the_clause_verb() -> None:
    text = ("The foreign ministers of the United States, Japan and South Korea have reaffirmed their determination "
            "to strengthen deterrence, including by the regular conduct of the Freedom Edge exercise.")
    assert [c.klass for c in extract_claims(text)] == ["reaffirm"]
    changes = _run(_AGREED, ("2025-09-22", text))
    assert changes[-1] == ("d1.txt", "freedom_edge", "reaffirmed", "agreed")


def test_a_national_asset_left_out_of_the_exercise_weakens_it() -> None:
    text = ('A U.S. naval aircraft carrier is not participating in Seoul, Washington and Tokyo\'s multi-domain '
            '"Freedom Edge" exercise this week, a drill meant to promote trilateral security cooperation.')
    (claim,) = extract_claims(text)
    assert (claim.klass, claim.actor) == ("narrow", "militaries")
    assert _run(_AGREED, ("2025-09-16", text))[-1] == ("d1.txt", "freedom_edge", "weakened", "agreed")
