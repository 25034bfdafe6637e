"""The pure claim core: sentences, claims, matching, the differ, registry errors, replay."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from watcher.claims import Claim, extract_claims, split_sentences
from watcher.commitments.diff import (
    Document,
    apply_overdue,
    check_overdue,
    diff_document,
    initial_states,
    replay,
)
from watcher.commitments.registry import Commitment, load_registry, mint_id, parse_registry
from watcher.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "claims"
REGISTRY = ROOT / "db" / "commitments.toml"
D = dt.date(2025, 3, 1)


def _doc(text: str, name: str = "t.txt", *, published: dt.date = D, source: str = "press",
         official: bool = False, cluster: str | None = None) -> Document:
    return Document(doc=name, url=None, title="", text=text, published_at=published, source=source,
                    official=official, cluster=cluster)


def _changes(text: str, *, registry: tuple[Commitment, ...] | None = None, **kw: object) -> list[tuple[str, str]]:
    reg = registry if registry is not None else load_registry(REGISTRY)
    doc = _doc(text, **kw)  # type: ignore[arg-type]
    res = diff_document(initial_states(reg), doc, extract_claims(text, published=doc.published_at))
    return [(c.commitment, c.kind) for c in res.changes]


# ----------------------------------------------------------------- sentences
def test_split_sentences_abbreviations_and_quotes() -> None:
    text = ('S. Korea and the U.S. met Sept. 23 with Dr. Kim. "We agree," the ministry said. '
            "N.K. fired a missile. Next one.\n한미일 정상은 합의했다. 日米韓は合意した。次")
    spans = split_sentences(text)
    sents = [text[a:b] for a, b in spans]
    assert sents[0] == "S. Korea and the U.S. met Sept. 23 with Dr. Kim."
    assert sents[1] == '"We agree," the ministry said.'
    assert sents[2] == "N.K. fired a missile."
    assert "한미일 정상은 합의했다." in sents
    assert "日米韓は合意した。" in sents


def test_split_sentences_offsets_are_verbatim() -> None:
    text = "  First one.  Second “quoted.” Third.\n\nFourth"
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == ["First one.", "Second “quoted.”", "Third.", "Fourth"]
    assert [text.index(s) for s in ("First", "Second", "Third", "Fourth")] == [a for a, _b in spans]


# ----------------------------------------------------------------- claims
def test_claim_fields_and_deadline() -> None:
    text = ("The foreign ministers of South Korea, the United States and Japan agreed to establish "
            "a trilateral secretariat before the end of the year, a State Department spokesperson said.")
    claims = extract_claims(text, published=dt.date(2024, 9, 23))
    assert len(claims) == 1
    c = claims[0]
    assert isinstance(c, Claim)
    assert text[c.start:c.end] == c.sentence
    assert c.actor == "foreign ministers"
    assert c.trilateral_scope == "us_jp_kr"
    assert c.action == "agree" and c.modality == "agreed"
    assert c.reported and not c.negated and not c.denial
    assert c.deadline == dt.date(2024, 12, 31)
    assert c.deadline_text == "before the end of the year"
    assert {"US", "JP", "KR"} <= c.actor_countries


@pytest.mark.parametrize(
    ("sentence", "field", "value"),
    [
        ("The three leaders will consider establishing a hotline.", "hedged", True),
        ("Officials of Seoul, Tokyo and Washington denied reports that the summit would be cancelled.", "denial", True),
        ("The defense ministers said the drill will not be cancelled.", "negated", True),
        ("The leaders of the U.S., Japan and South Korea postponed the summit to next year.", "modality", "postponed"),
        ("The leaders of the U.S., Japan and South Korea cancelled the exercise.", "modality", "cancelled"),
        ("The leaders of the U.S., Japan and South Korea suspended the exercise.", "modality", "suspended"),
        ("The ministers plan to develop a trilateral framework on AI.", "modality", "plan"),
        ("The leaders of China, Japan and South Korea agreed to hold a summit.", "trilateral_scope", "other"),
        ("The leaders of the U.S., Japan and the Philippines agreed to hold a summit.", "trilateral_scope", "other"),
    ],
)
def test_claim_flags(sentence: str, field: str, value: object) -> None:
    claims = extract_claims("South Korea, the United States and Japan held talks. " + sentence, published=D)
    assert claims, sentence
    assert getattr(claims[-1], field) == value


def test_no_claims_from_analysts_interviews_questions_history() -> None:
    text = (
        "Analysts said the three countries could cancel the drill.\n"
        "Will the summit be held this year?\n"
        "It produced a series of landmark agreements, including the Commitment to Consult.\n"
        "Interview Between Editor and Dr. Lee\n"
        "Dr. Lee: The leaders agreed to launch the secretariat.\n"
    )
    assert extract_claims(text, published=D) == []


# ----------------------------------------------------------------- differ
def test_hedge_after_firm_is_weakened() -> None:
    text = "The leaders of the U.S., Japan and South Korea will consider establishing the trilateral hotline."
    assert _changes(text) == [("trilateral_hotline", "weakened")]


def test_denial_is_not_the_thing_denied() -> None:
    text = "South Korea's foreign ministry denied reports that the Freedom Edge exercise with the U.S. and Japan was cancelled."
    assert _changes(text) == []


def test_other_trilaterals_move_nothing() -> None:
    text = ("The leaders of South Korea, China and Japan agreed to strengthen the Trilateral Cooperation "
            "Secretariat (TCS) in Seoul. The Nuclear Consultative Group of South Korea and the United States "
            "held its fourth meeting.")
    assert _changes(text) == []


def test_strongest_change_wins_per_commitment() -> None:
    text = ("The defense ministers of the U.S., Japan and South Korea reaffirmed Freedom Edge. "
            "They said this year's Freedom Edge exercise was cancelled.")
    assert _changes(text) == [("freedom_edge", "dropped")]


def test_new_commitment_is_minted() -> None:
    text = "The leaders of the U.S., Japan and South Korea agreed to establish a trilateral maritime dialogue."
    reg = (Commitment(id="freedom_edge", title="Freedom Edge exercise", aliases=("Freedom Edge",),
                      status="in_progress", recurring=True),)
    assert _changes(text, registry=reg) == [("trilateral_maritime_dialogue", "new")]


def test_press_change_unconfirmed_until_backed_then_confirmed() -> None:
    reg = load_registry(REGISTRY)
    text = "The defense ministries of South Korea, the U.S. and Japan said this year's Freedom Edge exercise was cancelled."
    d1 = _doc(text, "a.txt", source="Yonhap", published=dt.date(2025, 7, 1))
    d2 = _doc(text, "b.txt", source="Kyodo", published=dt.date(2025, 7, 2))
    r1 = diff_document(initial_states(reg), d1, extract_claims(text))
    assert [(c.kind, c.confirmed) for c in r1.changes] == [("dropped", False)]
    r2 = diff_document(r1.states, d2, extract_claims(text))
    assert [(c.commitment, c.kind, c.doc) for c in r2.confirmations] == [("freedom_edge", "dropped", "a.txt")]
    assert [c.kind for c in r2.changes] == ["reaffirmed"]


def test_syndicated_copy_adds_outlet_only() -> None:
    reg = load_registry(REGISTRY)
    text = "The leaders of South Korea, the U.S. and Japan have agreed to launch the trilateral hotline."
    docs = [(_doc(text, "a.txt", source="Yonhap", cluster="s1"), extract_claims(text)),
            (_doc(text, "b.txt", source="Korea Times", cluster="s1"), extract_claims(text))]
    res = replay(reg, docs)
    assert [(c.doc, c.kind) for c in res.changes] == [("a.txt", "advanced")]
    assert res.changes[0].outlets == ("Yonhap", "Korea Times")
    assert [(a.doc, a.outlet) for a in res.outlet_additions] == [("a.txt", "Korea Times")]


def test_official_source_confirms() -> None:
    text = "The White House said the leaders of the U.S., Japan and South Korea postponed the trilateral summit to next year."
    reg = load_registry(REGISTRY)
    res = diff_document(initial_states(reg), _doc(text, official=True), extract_claims(text, published=D))
    assert [(c.kind, c.confirmed) for c in res.changes] == [("delayed", True)]


def test_overdue_deadline_once() -> None:
    reg = (Commitment(id="x_pilot", title="Trilateral pilot", aliases=("trilateral pilot",), status="agreed",
                      deadline=dt.date(2024, 12, 31)),)
    states = initial_states(reg)
    due = check_overdue(states, dt.date(2025, 1, 5))
    assert [(c.commitment, c.kind) for c in due] == [("x_pilot", "overdue")]
    states = apply_overdue(states, due)
    assert check_overdue(states, dt.date(2025, 2, 1)) == ()


def test_overdue_recurring_year_without_iteration() -> None:
    reg = (Commitment(id="annual_x", title="Annual trilateral meeting", status="in_progress",
                      since="2023-08-18", recurring=True),)
    states = initial_states(reg, as_of=dt.date(2024, 1, 1))
    due = check_overdue(states, dt.date(2025, 1, 2))
    assert [c.note for c in due] == ["no iteration evidenced in 2024"]


# ----------------------------------------------------------------- registry
def test_registry_errors_are_all_named() -> None:
    text = """
schema_version = 1
[[commitment]]
title = "no id"
status = "agreed"
[[commitment]]
id = "dup"
title = "a"
status = "agreed"
[[commitment]]
id = "dup"
title = "b"
status = "maybe"
deadline = "2024-13-01"
aliases = "not a list"
colour = "blue"
"""
    with pytest.raises(ConfigError) as err:
        parse_registry(text, path="bad.toml")
    problems = "\n".join(err.value.problems)
    for needle in ("commitment #1: missing id", "duplicate id", "unknown status 'maybe'", "bad deadline date",
                   "aliases must be a list of strings", "unknown key 'colour'"):
        assert needle in problems
    assert len(err.value.problems) == 6


def test_default_registry_loads_and_mint_id() -> None:
    reg = load_registry(REGISTRY)
    assert len({c.id for c in reg}) == len(reg) >= 15
    assert {c.id for c in reg if c.recurring} >= {"annual_leaders_summit", "freedom_edge"}
    assert mint_id("a trilateral framework advancing next-generation technologies") == "trilateral_technology_framework"
    assert mint_id("a trilateral maritime dialogue") == mint_id("a trilateral maritime dialogue")


# ----------------------------------------------------------------- data cases and determinism
def _read(path: Path) -> tuple[Document, dict[str, str]]:
    header: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").split("\n")
    i = 0
    while i < len(lines) and lines[i].startswith("#"):
        k, _, v = lines[i][1:].partition(":")
        header[k.strip()] = v.strip()
        i += 1
    body = "\n".join(lines[i:]).strip() + "\n"
    doc = Document(doc=path.name, url=None, title="", text=body,
                   published_at=dt.date.fromisoformat(header["published"]), source=header.get("source", "press"),
                   official=header.get("official") == "true", cluster=header.get("cluster"))
    return doc, header


def _groups() -> dict[str, list[tuple[Document, dict[str, str]]]]:
    groups: dict[str, list[tuple[Document, dict[str, str]]]] = {}
    for p in sorted(DATA.glob("*.txt")):
        doc, header = _read(p)
        groups.setdefault(header.get("group", p.name), []).append((doc, header))
    return groups


@pytest.mark.parametrize("group", sorted(_groups()))
def test_data_cases(group: str) -> None:
    reg = load_registry(REGISTRY)
    items = _groups()[group]
    res = replay(reg, [(d, extract_claims(d.text, published=d.published_at)) for d, _ in items])
    for doc, header in items:
        got = sorted(f"{c.commitment} {c.kind}" for c in res.changes if c.doc == doc.doc)
        want = [] if header["expect"] == "none" else sorted(x.strip() for x in header["expect"].split(";"))
        assert got == want, doc.doc
        evidence = [c.evidence for c in res.changes if c.doc == doc.doc]
        assert len(evidence) == len(want) and all(e in doc.text for e in evidence), doc.doc


def test_the_data_cases_are_there() -> None:
    """test_data_cases is parametrised over tests/data/claims: an empty folder would run no case at all."""
    assert sum(len(g) for g in _groups().values()) >= 25


def test_replay_is_deterministic_and_order_independent() -> None:
    reg = load_registry(REGISTRY)
    pairs = [(d, extract_claims(d.text, published=d.published_at)) for g in _groups().values() for d, _ in g]
    a = replay(reg, pairs)
    b = replay(reg, list(reversed(pairs)))
    assert a.changes == b.changes
    assert a.states == b.states
