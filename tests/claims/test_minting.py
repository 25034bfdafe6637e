"""New commitments (issue 12, points 1 and 2): minted with a stable id and title from their name, found
again by later documents under the names they use, and their iterations read as reaffirmations."""

from __future__ import annotations

import datetime as dt

from watcher.claims import extract_claims
from watcher.claims.naming import name_of, signature
from watcher.commitments.diff import Document, replay
from watcher.commitments.registry import parse_registry

EMPTY = "schema_version = 1\n"


def _name(clause: str, obj: str = "") -> str | None:
    found = name_of(clause, clause, obj or clause)
    return found.id if found else None


def test_the_most_canonical_form_of_a_name_is_the_id() -> None:
    assert _name("• Commitment to Consult: The Leaders announced their governments' commitment to consult.") == \
        "commitment_to_consult"
    assert _name('agreed to launch a new exercise named Freedom Edge this summer') == "freedom_edge"
    assert _name("developing a Trilateral Maritime Security Cooperation Framework (TMSCF) to address challenges",
                 "developing a Trilateral Maritime Security Cooperation Framework (TMSCF)") == \
        "trilateral_maritime_security_cooperation_framework"
    assert _name("will create a permanent secretariat", "create a permanent secretariat") == "trilateral_secretariat"
    assert _name("held the first meeting of their three-way economic security dialogue",
                 "first meeting of their three-way economic security dialogue") == \
        "trilateral_economic_security_dialogue"
    assert _name("will hold a three-way summit meeting every year", "hold a three-way summit meeting every year") == \
        "annual_trilateral_summit"
    # a venue is not what is undertaken, and a bare event noun names nothing
    assert _name("decided to meet at this APEC summit", "meet at this APEC summit") is None
    assert _name("agreed to hold a meeting", "hold a meeting") is None


def test_names_with_the_same_content_words_are_one_commitment() -> None:
    assert signature("Annual Leaders' Meeting") == signature("annual trilateral summit")
    assert signature("three-way economic security dialogue") == signature("Trilateral Economic Security Dialogue")
    assert signature("trilateral secretariat") != signature("trilateral security cooperation framework")


def _run(*docs: tuple[str, str]) -> tuple[list[tuple[str, str, str, str]], dict[str, object]]:
    pairs = []
    for i, (date, text) in enumerate(docs):
        d = dt.date.fromisoformat(date)
        pairs.append((Document(doc=f"d{i}.txt", url=None, title="", text=text, published_at=d, source=f"wire{i}"),
                      extract_claims(text, published=d)))
    res = replay(parse_registry(EMPTY), pairs)
    return ([(c.doc, c.commitment, c.kind, c.to_status) for c in res.changes if c.kind != "overdue"],
            dict(res.states))


def test_a_minted_commitment_is_found_again_and_its_iterations_reaffirm_it() -> None:
    changes, states = _run(
        ("2024-06-02", "South Korea, the United States and Japan have agreed to launch a new trilateral multidomain "
                       "exercise named Freedom Edge this summer."),
        ("2024-06-27", "The United States, Japan and South Korea conducted the first Freedom Edge exercise on Thursday, "
                       "the defense ministry said."),
        ("2024-11-13", "The militaries of the United States, Japan and South Korea held the second Freedom Edge "
                       "exercise this week."),
        ("2024-07-28", "The defense ministers of the United States, Japan and South Korea signed a Memorandum of "
                       "Cooperation on the Trilateral Security Cooperation Framework (TSCF)."),
        ("2024-08-20", "The United States, Japan and South Korea agreed to expand the TSCF, the ministries said."),
    )
    assert changes == [
        ("d0.txt", "freedom_edge", "new", "agreed"),
        ("d1.txt", "freedom_edge", "advanced", "in_progress"),        # the first-ever iteration
        ("d3.txt", "trilateral_security_cooperation_framework", "new", "implemented"),
        ("d4.txt", "trilateral_security_cooperation_framework", "reaffirmed", "implemented"),  # by its acronym
        ("d2.txt", "freedom_edge", "reaffirmed", "in_progress"),      # another iteration
    ]   # in publication order
    tscf = states["trilateral_security_cooperation_framework"]
    assert "TSCF" in tscf.commitment.aliases  # type: ignore[attr-defined]


def test_ministers_meeting_again_is_an_iteration_of_their_annual_meeting() -> None:
    changes, _ = _run(
        ("2023-08-18", "• Annual Meetings Between Foreign Ministers, Defense Ministers and National Security "
                       "Advisors: At least annually, the ministers of the three countries will meet.\n\n"
                       "The leaders of the United States, Japan and the Republic of Korea announced these steps."),
        ("2024-09-23", "The foreign ministers of the United States, Japan and South Korea met in New York on "
                       "Monday."),
        ("2025-02-15", "The foreign ministers of the United States, Japan and South Korea met in Munich on "
                       "Saturday."),
        ("2025-03-01", "The vice foreign ministers of the United States, Japan and South Korea met in Tokyo."),
    )
    assert changes == [("d0.txt", "annual_ministerial_meetings", "new", "agreed"),
                       ("d1.txt", "annual_ministerial_meetings", "advanced", "in_progress"),
                       ("d2.txt", "annual_ministerial_meetings", "reaffirmed", "in_progress")]


def test_a_commitment_named_by_the_action_undertaken() -> None:
    changes, _ = _run(
        ("2023-08-18", "The leaders of the United States, Japan and South Korea committed to consult each other "
                       "in an expeditious manner in a crisis."),
        ("2023-08-18", "The leaders of the United States, Japan and South Korea agreed to meet at least once a year."),
        ("2024-10-25", "The national security advisers of the United States, Japan and South Korea committed to "
                       "coordinate support for Ukraine's energy infrastructure."),
        ("2024-11-15", "The leaders of the United States, Japan and South Korea agreed to coordinate closely."),
    )
    assert changes == [("d0.txt", "commitment_to_consult", "new", "agreed"),
                       ("d1.txt", "annual_trilateral_summit", "new", "agreed"),
                       ("d2.txt", "coordinate_support_for_ukraine", "new", "agreed")]


def test_a_think_tank_as_the_venue_is_not_the_speaker() -> None:
    said = ("The United States, Japan and South Korea will hold another trilateral summit before the end of the "
            "year,” the official said in a speech at the Hudson Institute, a think tank in Washington.")
    assert [c.klass for c in extract_claims(said)] == ["agree"]
    analyst = ("The United States, Japan and South Korea will hold another trilateral summit this year, Kim, an "
               "analyst at a think tank in Seoul, said.")
    assert extract_claims(analyst) == []


def test_the_three_listed_with_a_serial_comma_are_the_subject_of_will() -> None:
    text = "Japan, the ROK, and the United States will begin the second Freedom Edge exercise on November 13."
    assert [(c.klass, c.actor) for c in extract_claims(text)] == [("agree", "ministry")]


def test_a_meeting_now_is_not_history_because_an_earlier_one_is_named_after_a_comma() -> None:
    text = ("The national security advisers of the United States, Japan and South Korea met in Washington, "
            "their first meeting since Camp David in August 2023.")
    (claim,) = extract_claims(text, published=dt.date(2024, 10, 25))
    assert (claim.klass, claim.retrospective) == ("hold", False)


def test_a_sharing_mechanism_is_named_by_the_activity() -> None:
    assert _name("welcomed the operationalization of a trilateral missile warning data sharing mechanism",
                 "a trilateral missile warning data sharing mechanism") == "missile_warning_data_sharing"
    assert _name("launched a system to share North Korean missile warning data in real time",
                 "system to share North Korean missile warning data in real time") == "missile_warning_data_sharing"


def test_a_korean_or_japanese_name_keeps_an_id_and_a_signature_of_its_own() -> None:
    from watcher.claims.naming import named

    ko, ja = named("한미일 사무국"), named("日米韓事務局")
    assert ko is not None and ja is not None and ko.id != ja.id and ko.id.startswith("trilateral_")
    assert signature("한·미·일 사무국") == signature("한미일 사무국") == frozenset({"사무국"})
    assert signature("日米韓の事務局") == signature("日米韓事務局") == frozenset({"事務局"})


def test_a_quotation_continued_in_its_own_sentence_keeps_its_speaker() -> None:
    text = ("The leaders of the United States, Japan and South Korea agreed to “improve our trilateral communication "
            "mechanism,” the statement said. “That will include yearly trilateral meetings between leaders, "
            "foreign ministers, defense ministers, and national security advisors.”")
    claims = extract_claims(text)
    assert [(c.klass, c.actor) for c in claims] == [("agree", "leaders"), ("agree", "leaders")]
    found = name_of(claims[1].clause, claims[1].sentence, claims[1].obj)
    assert found is not None and signature(found.title) == signature("annual ministerial meetings")


def test_an_iteration_named_as_the_subject_with_a_participle_is_held() -> None:
    text = ("The United States, Japan and South Korea agree on regional issues. The inaugural trilateral "
            "Indo-Pacific Dialogue, held in Washington on January 5, marked a significant development.")
    assert [(c.klass, c.actor) for c in extract_claims(text)][-1] == ("hold", "officials")
