"""Round 2 of issue 12: general rules of how English, Korean and Japanese texts say that something
recurring goes on, was held down or was put off (written generically or from dev2's tuning part)."""

from __future__ import annotations

import datetime as dt

from watcher.claims import extract_claims, split_sentences
from watcher.commitments.diff import Document, replay
from watcher.commitments.registry import parse_registry

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


def test_a_later_iteration_named_by_its_ordinal_reaffirms_rather_than_advances() -> None:
    # the first exercise went unreported here: the second one cannot be the step that started it
    second = ("The militaries of the United States, Japan and South Korea held the second Freedom Edge exercise "
              "this week.")
    assert [c.repeat for c in extract_claims(second)] == [True]
    assert _run(_AGREED, ("2024-11-13", second))[-1] == ("d1.txt", "freedom_edge", "reaffirmed", "agreed")
    first = "The militaries of the United States, Japan and South Korea held the first Freedom Edge exercise."
    assert _run(_AGREED, ("2024-06-27", first))[-1] == ("d1.txt", "freedom_edge", "advanced", "in_progress")
    # an ordinal naming the setting is not the iteration
    setting = ("The foreign ministers of the United States, Japan and South Korea met on the sidelines of the "
               "80th UN General Assembly session.")
    assert [c.repeat for c in extract_claims(setting)] == [False]


def test_a_numbered_korean_or_japanese_meeting_is_a_later_iteration() -> None:
    ja = ("韓米日3カ国は13日、韓国南部の釜山で安全保障担当高官による3回目の「経済安全保障対話」を開き、"
          "協力強化策を協議した。")
    ko = "한미일 3국은 서울에서 제2차 안보실장 회의를 개최했다."
    assert any(c.repeat for c in extract_claims(ja))
    assert any(c.repeat for c in extract_claims(ko))
    assert not any(c.repeat for c in extract_claims("한미일 3국은 서울에서 첫 안보실장 회의를 개최했다."))
    # a numbered meeting of something never seen before: made, and already under way
    assert [(k, s) for _d, _c, k, s in _run(("2024-03-13", ja))] == [("new", "in_progress")]


_FRAMEWORK = ("2024-07-28", "The defense ministers of the United States, Japan and South Korea signed a Memorandum of "
                            "Cooperation on the Trilateral Security Cooperation Framework (TSCF).")


def test_an_exercise_to_be_conducted_under_a_framework_reaffirms_both() -> None:
    # an agentless future passive; "signed by the ministers" describes the memorandum, it is not the verb
    text = ("“Freedom Edge 24-2” will be conducted in accordance with the Memorandum of Cooperation on the "
            "Trilateral Security Cooperation Framework signed by the defense ministers of Japan, the U.S., and the "
            "ROK in July.")
    (claim,) = extract_claims(text)
    assert (claim.klass, claim.actor, claim.action) == ("agree", "officials", "hold")
    changes = _run(_AGREED, _FRAMEWORK, ("2024-11-13", text))
    assert sorted(changes[2:]) == [("d2.txt", "freedom_edge", "reaffirmed", "agreed"),
                                   ("d2.txt", "trilateral_security_cooperation_framework", "reaffirmed",
                                    "implemented")]


def test_to_be_held_is_scheduled_not_held() -> None:
    (claim,) = extract_claims("The trilateral exercise will be held next month, the three countries said.")
    assert (claim.klass, claim.iteration) == ("agree", False)
    (held,) = extract_claims("The trilateral exercise was held last week, the three countries said.")
    assert (held.klass, held.iteration) == ("hold", True)


def test_restating_verbs_of_official_texts_reaffirm() -> None:
    for text in (
        "The defense ministers of Japan, the United States and the Republic of Korea renewed their commitment to "
        "the Freedom Edge exercise.",
        "The national security advisers of the United States, Japan and South Korea reviewed progress on the "
        "Freedom Edge exercise.",
        "The foreign ministers of the United States, Japan and South Korea recalled the Freedom Edge exercise.",
        "The foreign ministers of the United States, Japan and South Korea, building on the Freedom Edge "
        "exercise, discussed maritime security.",
    ):
        assert _run(_AGREED, ("2024-11-13", text))[1:] == [("d1.txt", "freedom_edge", "reaffirmed", "agreed")], text


def test_undertook_to_is_an_undertaking() -> None:
    text = "The leaders of the United States, Japan and South Korea undertook to hold the trilateral summit annually."
    assert [(c.klass, c.action) for c in extract_claims(text)] == [("agree", "commit")]


def test_a_ministers_meeting_put_off_or_called_off_delays_their_recurring_meeting() -> None:
    reg = parse_registry(_MINISTERIAL)

    def changes(text: str) -> list[tuple[str, str]]:
        d = dt.date(2025, 10, 29)
        doc = Document(doc="a.txt", url=None, title="", text=text, published_at=d, source="wire")
        return [(c.commitment, c.kind) for c in replay(reg, [(doc, extract_claims(text, published=d))]).changes
                if c.kind != "overdue"]

    delayed = [("annual_ministerial_meetings", "delayed")]
    assert changes("The meeting of the foreign ministers of the United States, Japan and South Korea, planned for "
                   "Thursday, was postponed.") == delayed
    assert changes("The foreign ministers of the United States, Japan and South Korea called off their meeting "
                   "planned for Thursday.") == delayed
    assert changes("The vice foreign ministers of the United States, Japan and South Korea postponed their "
                   "meeting.") == []


_MINISTERIAL = """schema_version = 1
[[commitment]]
id = "annual_ministerial_meetings"
title = "Annual Meetings Between Foreign Ministers, Defense Ministers and National Security Advisors"
status = "in_progress"
recurring = true
"""


def test_a_numbered_english_meeting_of_something_never_seen_makes_it_under_way() -> None:
    assert _run(("2025-02-15", "Senior officials of the United States, Japan and South Korea held the second meeting "
                               "of their trilateral economic security dialogue in Seoul on Tuesday.")) == [
        ("d0.txt", "trilateral_economic_security_dialogue", "new", "in_progress")]
    # neither first nor numbered: an occurrence of something unknown makes nothing
    assert _run(("2025-02-15", "The United States, Japan and South Korea held a trilateral maritime law "
                               "enforcement exercise.")) == []


def test_a_later_name_with_the_same_head_noun_and_two_words_in_common_is_the_same_commitment() -> None:
    changes = _run(
        ("2024-10-25", "The national security advisers of the United States, Japan and South Korea welcomed the "
                       "establishment of a trilateral quantum workforce training program."),
        ("2025-02-15", "The United States, Japan and South Korea agreed to expand the trilateral quantum workforce "
                       "development program."),
        ("2025-03-15", "The United States, Japan and South Korea agreed to establish a trilateral quantum research "
                       "center."),
    )
    assert changes == [
        ("d0.txt", "trilateral_quantum_workforce_training_program", "new", "implemented"),
        ("d1.txt", "trilateral_quantum_workforce_training_program", "reaffirmed", "implemented"),
        ("d2.txt", "trilateral_quantum_research_center", "new", "agreed"),   # one word in common: another thing
    ]


def test_their_next_summit_put_off_delays_the_recurring_summit() -> None:
    reg = parse_registry('schema_version = 1\n[[commitment]]\nid = "annual_trilateral_summit"\n'
                         'title = "Annual trilateral summit"\nstatus = "in_progress"\nrecurring = true\n')
    text = "South Korea, the United States and Japan have put off their next trilateral summit."
    d = dt.date(2025, 2, 15)
    doc = Document(doc="a.txt", url=None, title="", text=text, published_at=d, source="wire")
    res = replay(reg, [(doc, extract_claims(text, published=d))])
    assert [(c.commitment, c.kind) for c in res.changes if c.kind != "overdue"] == [
        ("annual_trilateral_summit", "delayed")]
