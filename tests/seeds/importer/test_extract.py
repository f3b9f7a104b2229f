"""The extractor, pattern by pattern, on short texts written for these tests: no database."""

import datetime as dt
import json

import pytest

from seeds.importer.evaluate import stated_errors
from seeds.importer.extract import extract

VISIT = (
    "Tashkent, October 22 (UzA). President of Uzbekistan Shavkat Mirziyoyev and the Kazakh "
    "President held talks in narrow and expanded formats in Tashkent as part of Kassym-Jomart "
    "Tokayev's state visit to Uzbekistan.\n\n"
    "On October 22, the third meeting of the Supreme Interstate Council was held in Tashkent. "
    "The head of state noted that trade had grown.\n\n"
    "“Dear Kassym-Jomart Kemelevich, welcome,” Mirziyoyev said. We have had the opportunity, "
    "both yesterday and today, to discuss the whole agenda.\n\n"
    "Following the talks, a package of 15 documents was signed, including a Treaty on Allied "
    "Relations. The sides also intend to prepare a memorandum on water cooperation. The "
    "Agreement on the Demarcation of the Kazakh-Uzbek State Border was initialed.\n"
)


@pytest.fixture
def visit(gazetteer):
    return extract(VISIT, published=dt.date(2025, 10, 22), gazetteer=gazetteer)


def test_every_quote_is_verbatim_at_its_offsets(visit):
    quotes = [q for item in visit.all() for q in item.quotes]
    assert quotes
    assert all(VISIT[q.start : q.end] == q.text for q in quotes)
    assert stated_errors(VISIT, visit) == []


def test_the_visit_its_kind_place_and_dates(visit):
    [main] = [m for m in visit.meetings if m.main]
    assert main.kind == "state_visit"
    assert (main.city, main.host_country) == ("Tashkent", "UZ")
    assert {(c.code, c.role) for c in main.countries} == {("UZ", "host"), ("KZ", "guest")}
    # Under way "yesterday and today": it started on the 21st; its end is not stated.
    assert (main.date.start, main.date.end) == (dt.date(2025, 10, 21), None)
    assert main.basis["date"].basis == "inferred"
    assert "yesterday" in main.basis["date"].reasoning
    assert {"narrow", "expanded"} <= set(main.formats)


def test_a_session_by_ordinal_is_the_existing_body_never_a_new_one(visit):
    [session] = [m for m in visit.meetings if m.kind == "body_session"]
    assert session.body == "kz-uz-supreme-interstate-council"
    assert session.session_number == 3
    assert session.basis["session_number"].evidence.startswith("third meeting")
    assert session.parent == next(m.key for m in visit.meetings if m.main)
    assert session.date.start == dt.date(2025, 10, 22)
    assert session.city == "Tashkent"
    # session 3 is new: the known session 2 is not offered as the same meeting
    assert session.merge_candidates == []


def test_a_known_session_is_offered_for_merging(gazetteer):
    proposals = extract(
        "The second meeting of the Kazakhstan-Uzbekistan Supreme Interstate Council was held "
        "in Astana on December 22, 2023.",
        gazetteer=gazetteer,
    )
    [session] = proposals.meetings
    # both halves of 'Kazakhstan-Uzbekistan' name the council's members
    assert session.body == "kz-uz-supreme-interstate-council"
    assert session.session_number == 2
    assert session.merge_candidates[0].slug == "kz-uz-supreme-interstate-council-2"
    assert session.merge_candidates[0].score == 100


def test_an_unknown_body_is_named_but_not_resolved(gazetteer):
    proposals = extract(
        "On 3 May 2024 the fifth meeting of the Joint Trade Commission was held in Tashkent.",
        gazetteer=gazetteer,
    )
    [session] = proposals.meetings
    assert (session.body, session.body_name, session.session_number) == (
        "",
        "Joint Trade Commission",
        5,
    )


def test_persons_by_name_alias_title_and_the_head_of_state(visit, gazetteer):
    from seeds.importer.text import Article

    article = Article(VISIT, gazetteer)
    by_text = {m.text: (m.value, m.form) for m in article.persons}
    assert by_text["Shavkat Mirziyoyev"] == ("shavkat-mirziyoyev", "name")
    assert by_text["the Kazakh President"] == ("kassym-jomart-tokayev", "title")
    assert by_text["Kassym-Jomart Kemelevich"] == ("kassym-jomart-tokayev", "alias")
    assert by_text["The head of state"][0] == "kassym-jomart-tokayev"
    [main] = [m for m in visit.meetings if m.main]
    assert {p.slug for p in main.persons} == {"shavkat-mirziyoyev", "kassym-jomart-tokayev"}


def test_titles_of_office_in_other_word_orders(gazetteer):
    from seeds.importer.text import Article

    article = Article(
        "Uzbekistan President Shavkat Mirziyoyev spoke. The President of Kazakhstan replied.",
        gazetteer,
    )
    assert [m.value for m in article.persons] == ["shavkat-mirziyoyev", "kassym-jomart-tokayev"]


def test_a_package_with_its_count_and_its_documents(visit):
    [package] = visit.packages
    assert package.count == 15
    assert package.announced_text == "a package of 15 documents"
    [treaty] = [d for d in visit.documents if d.kind == "treaty"]
    assert treaty.title == "Treaty on Allied Relations"
    assert treaty.status == "signed"
    assert treaty.package == package.key


def test_a_number_of_documents_has_no_count(gazetteer):
    proposals = extract(
        "The presidents attended the ceremony to sign a number of bilateral documents.",
        published=dt.date(2024, 5, 2),
        gazetteer=gazetteer,
    )
    [package] = proposals.packages
    assert package.count is None
    assert package.basis["count"].basis == "inferred"
    [ceremony] = proposals.meetings
    assert ceremony.kind == "ceremony"
    assert package.meeting == ceremony.key


def test_promised_documents_are_proposed_not_signed(visit, gazetteer):
    [memorandum] = [d for d in visit.documents if d.kind == "memorandum"]
    assert memorandum.status == "proposed"
    proposals = extract(
        "The leaders welcomed the desire of both sides to conclude a peace treaty. Perhaps we "
        "could develop a roadmap for cultural cooperation. Last November, we signed a "
        "trilateral agreement to build a subsea cable.",
        published=dt.date(2025, 10, 21),
        gazetteer=gazetteer,
    )
    statuses = {d.kind: d.status for d in proposals.documents}
    assert statuses == {"treaty": "proposed", "programme": "proposed", "agreement": "signed"}
    [agreement] = [d for d in proposals.documents if d.kind == "agreement"]
    assert (agreement.date.start, agreement.date.precision) == (dt.date(2024, 11, 1), "month")


def test_a_status_event_for_a_document_already_in_the_database(visit):
    [event] = visit.status_events
    assert (event.document, event.status) == ("kz-uz-border-demarcation-agreement", "initialed")
    assert "initialed" in event.quote.text


def test_a_known_documents_anniversary_dates_the_text(gazetteer):
    proposals = extract(
        "The visit takes place in the year marking the 10th anniversary of the Treaty on "
        "Strategic Partnership. The talks were held on June 14.",
        gazetteer=gazetteer,
    )
    assert proposals.reference["year"] == 2023
    [treaty] = proposals.documents
    assert treaty.date.start.year == 2013 and treaty.date.basis == "inferred"


@pytest.mark.parametrize(
    ("sentence", "milestone"),
    [
        ("The project to build a car plant in Jizzakh is in the pipeline.", "proposed"),
        ("The sides agreed to establish a joint investment fund.", "agreed"),
        ("Construction of the Darbaza–Maktaaral railway is already underway.", "started"),
        ("The presidents inaugurated the Friendship Industrial Park in Turkestan.", "operational"),
    ],
)
def test_milestone_from_the_wording(gazetteer, sentence, milestone):
    proposals = extract(sentence, published=dt.date(2025, 1, 10), gazetteer=gazetteer)
    [project] = proposals.projects
    assert [m.kind for m in project.milestones] == [milestone]
    assert project.milestones[0].cue in sentence


def test_two_projects_in_one_sentence_keep_their_own_stage(gazetteer):
    proposals = extract(
        "The project to build a car plant in Jizzakh is in the pipeline, while construction "
        "of the Darbaza–Maktaaral railway is already underway.",
        gazetteer=gazetteer,
    )
    stages = {p.name: [m.kind for m in p.milestones] for p in proposals.projects}
    assert stages == {
        "Project to build a car plant in Jizzakh": ["proposed"],
        "Darbaza–Maktaaral railway": ["started"],
    }


def test_project_partners_place_and_figures(gazetteer):
    proposals = extract(
        "Uzbekistan and Kazakhstan are ready to set up a joint venture to produce buses in "
        "Tashkent. More than 2,000 buses have been already assembled in Samarkand.",
        gazetteer=gazetteer,
    )
    by_kind = {p.kind: p for p in proposals.projects}
    venture = by_kind["joint_venture"]
    assert (venture.city, venture.location_country) == ("Tashkent", "UZ")
    assert {c.code for c in venture.countries} == {"UZ", "KZ"}
    assembly = by_kind["assembly_plant"]
    assert assembly.figures[0].value == 2000 and assembly.figures[0].qualifier == "more than"
    assert [m.kind for m in assembly.milestones] == ["operational"]


def test_a_visit_and_the_ceremony_held_during_it(gazetteer):
    proposals = extract(
        "President Shavkat Mirziyoyev paid an official visit to Kazakhstan on 5 March 2024. "
        "The presidents inaugurated the Friendship Industrial Park in Turkestan.",
        gazetteer=gazetteer,
    )
    main = next(m for m in proposals.meetings if m.main)
    assert (main.kind, main.host_country) == ("official_visit", "KZ")
    assert main.date.start == dt.date(2024, 3, 5) and main.basis["date"].basis == "stated"
    [ceremony] = [m for m in proposals.meetings if m.kind == "ceremony"]
    assert ceremony.parent == main.key
    assert ceremony.city == "Turkestan"


def test_an_invitation_is_not_a_visit(gazetteer):
    proposals = extract(
        "Tokayev invited Mirziyoyev to come to Kazakhstan on an official visit.",
        gazetteer=gazetteer,
    )
    assert [m.kind for m in proposals.meetings] == []


def test_summit_with_city_and_month(gazetteer):
    proposals = extract(
        "Tokayev will attend the upcoming Samarkand summit in November.",
        published=dt.date(2024, 3, 11),
        gazetteer=gazetteer,
    )
    [summit] = proposals.meetings
    assert summit.kind == "summit"
    assert (summit.date.start, summit.date.precision) == (dt.date(2024, 11, 1), "month")


def test_dry_run_json(visit):
    data = json.loads(visit.to_json())
    assert {"meetings", "documents", "packages", "projects", "status_events"} <= set(data)
    first = data["meetings"][0]
    assert (
        first["quotes"][0]["text"]
        == VISIT[first["quotes"][0]["start"] : first["quotes"][0]["end"]]
    )


def test_another_agencys_style(gazetteer):
    """A wire report: dateline in the text, talks without a visit, a weekday for the date."""
    text = (
        "TASHKENT, March 5 (Reuters) - Uzbek President Shavkat Mirziyoyev and Kazakh President "
        "Kassym-Jomart Tokayev signed a memorandum of understanding on water use on Tuesday.\n\n"
        "The two leaders also attended the groundbreaking ceremony for a new gas pipeline.\n\n"
        '"We will continue to support each other," Mirziyoyev told a joint news conference '
        "after the talks in Tashkent."
    )
    proposals = extract(text, gazetteer=gazetteer)
    assert proposals.reference["date"] is None  # no year anywhere: nothing is guessed
    main = next(m for m in proposals.meetings if m.main)
    assert (main.kind, main.city, main.host_country) == ("talks", "Tashkent", "UZ")
    assert main.title == "Talks between Shavkat Mirziyoyev and Kassym-Jomart Tokayev"
    assert "press_conference" in main.formats
    [memorandum] = proposals.documents
    assert memorandum.title == "Memorandum of understanding on water use"
    assert memorandum.status == "signed"
    [ceremony] = [m for m in proposals.meetings if m.kind == "ceremony"]
    assert ceremony.parent == main.key


def test_a_dateline_in_the_text_dates_it_with_the_publication_year(gazetteer):
    text = (
        "ASTANA, May 16 (Kazinform) - Kassym-Jomart Tokayev and Shavkat Mirziyoyev held talks "
        "on Thursday in Astana."
    )
    proposals = extract(text, published=dt.date(2024, 5, 17), gazetteer=gazetteer)
    assert proposals.reference["date"] == "2024-05-16"
    main = next(m for m in proposals.meetings if m.main)
    assert main.date.start == dt.date(2024, 5, 16)


def test_the_host_named_before_the_visit(gazetteer):
    proposals = extract(
        "Tokayev held talks with Mirziyoyev, who is in Kazakhstan on a state visit.",
        gazetteer=gazetteer,
    )
    main = next(m for m in proposals.meetings if m.main)
    assert (main.kind, main.host_country) == ("state_visit", "KZ")
    assert {(c.code, c.role) for c in main.countries} == {("KZ", "host"), ("UZ", "guest")}


PRESIDENCY = (
    "Tashkent, 12 September 2024 — An official welcome ceremony was held for President of the "
    "Republic of Kazakhstan Kassym-Jomart Tokayev, who arrived in Uzbekistan on a state visit.\n\n"
    "The first meeting of the Supreme State Council between Kazakhstan and Uzbekistan took "
    "place in an expanded format.\n\n"
    "Kazakhstan-Uzbekistan documents were signed in the presence of the presidents. The Treaty "
    "on Allied Relations between the Republic of Kazakhstan and the Republic of Uzbekistan was "
    "signed."
)


def test_a_presidency_style_report(gazetteer):
    proposals = extract(PRESIDENCY, gazetteer=gazetteer)
    main = next(m for m in proposals.meetings if m.main)
    assert (main.kind, main.host_country) == ("state_visit", "UZ")
    # the dateline's city, in the host country
    assert main.city == "Tashkent" and main.basis["city"].basis == "inferred"
    assert main.date.start == dt.date(2024, 9, 12)
    [ceremony] = [m for m in proposals.meetings if m.kind == "ceremony"]
    assert (ceremony.parent, ceremony.city) == (main.key, "Tashkent")
    [package] = proposals.packages
    assert package.count is None
    [treaty] = proposals.documents
    assert treaty.title.endswith("and the Republic of Uzbekistan")
    assert treaty.status == "signed"


def test_a_council_of_other_members_is_a_new_body(gazetteer):
    """'Supreme State Council between Kazakhstan and Uzbekistan' is not in the database: it
    is proposed under its own name, not as the council whose name ends alike."""
    proposals = extract(PRESIDENCY, gazetteer=gazetteer)
    [session] = [m for m in proposals.meetings if m.kind == "body_session"]
    assert session.body == ""
    assert session.body_name == "Supreme State Council between Kazakhstan and Uzbekistan"
    assert session.session_number == 1
    other = extract(
        "The second meeting of the Supreme Interstate Council of Azerbaijan and Armenia was held.",
        gazetteer=gazetteer,
    )
    assert [m.body for m in other.meetings] == [""]


def test_any_piece_of_a_text_gives_verbatim_quotes_and_honest_stated_facts():
    """Slices cut anywhere (mid-sentence, mid-word) never crash the extractor, and what it
    marks `stated` is always in its quote."""
    import random

    from seeds.importer.evaluate import RECORDS, TEXTS
    from seeds.importer.gazetteer import from_records_yaml

    gazetteer = from_records_yaml(RECORDS)
    texts = [p.read_text(encoding="utf-8") for p in sorted(TEXTS.glob("*.txt"))]
    rnd = random.Random(14)
    for _ in range(40):
        text = rnd.choice(texts)
        start = rnd.randrange(len(text))
        piece = text[start : start + rnd.randrange(1, 2500)]
        proposals = extract(piece, published=dt.date(2024, 2, 29), gazetteer=gazetteer)
        assert stated_errors(piece, proposals) == []
        json.loads(proposals.to_json())


TREND = (
    "Tashkent, August 22, Trend. Within the framework of his state visit to Uzbekistan, "
    "President of Kazakhstan Kassym-Jomart Tokayev held a meeting with President Shavkat "
    "Mirziyoyev in a one-on-one format.\n\n"
    "In total, 15 documents were signed, including an intergovernmental agreement on road "
    "transport.\n\n"
    "The presidents also launched the construction of the Kazakh-Uzbek textile factory in "
    "Navoi. The sides agreed to hold the next meeting of the Supreme Interstate Council in "
    "Astana next year.\n\n"
    "On August 23, the leaders will visit Khiva."
)


def test_what_is_only_planned_is_not_a_meeting(gazetteer):
    proposals = extract(TREND, published=dt.date(2024, 8, 22), gazetteer=gazetteer)
    kinds = sorted(m.kind for m in proposals.meetings)
    # no session (the next one is only agreed) and no second visit ('will visit Khiva')
    assert kinds == ["ceremony", "state_visit"]
    main = next(m for m in proposals.meetings if m.main)
    # the dateline's city, not the building site of the ceremony held during the visit
    assert (main.city, main.date.start) == ("Tashkent", dt.date(2024, 8, 22))


def test_documents_listed_in_a_signed_package_are_signed(gazetteer):
    proposals = extract(TREND, published=dt.date(2024, 8, 22), gazetteer=gazetteer)
    [agreement] = proposals.documents
    assert (agreement.status, agreement.level) == ("signed", "intergovernmental")
    # the sentence that lists it says the documents were signed
    assert agreement.basis["status"].evidence == "signed"
    assert agreement.package == proposals.packages[0].key


def test_starting_construction_is_the_start_of_a_project(gazetteer):
    proposals = extract(TREND, published=dt.date(2024, 8, 22), gazetteer=gazetteer)
    [factory] = proposals.projects
    assert factory.city == "Navoi"
    assert [m.kind for m in factory.milestones] == ["started"]
    [ceremony] = [m for m in proposals.meetings if m.kind == "ceremony"]
    assert ceremony.title.startswith("Start of the construction of")


def test_a_summit_report_with_talks_on_its_sidelines(gazetteer):
    text = (
        "TASHKENT, November 6 (UzA) - The 11th Summit of the Organization of Turkic States was "
        "held in Tashkent on November 6.\n\n"
        "Heads of state of Kazakhstan, Uzbekistan and Turkey took part in the summit.\n\n"
        "On the sidelines of the summit, President Kassym-Jomart Tokayev met with President "
        "Shavkat Mirziyoyev. They recalled the state visit of the Uzbek President to Astana in "
        "2022.\n\n"
        "The next summit will be held in Turkey."
    )
    proposals = extract(text, published=dt.date(2024, 11, 6), gazetteer=gazetteer)
    by_kind = {m.kind: m for m in proposals.meetings}
    # the 2022 visit is recalled, the next summit only planned: neither is proposed
    assert sorted(by_kind) == ["summit", "talks"]
    summit, talks = by_kind["summit"], by_kind["talks"]
    assert summit.main and summit.title == "11th summit of the Organization of Turkic States"
    assert (summit.city, summit.date.start) == ("Tashkent", dt.date(2024, 11, 6))
    assert {c.code for c in summit.countries} == {"UZ", "KZ", "TR"}
    assert talks.parent == summit.key
    assert talks.title == "Talks between Kassym-Jomart Tokayev and Shavkat Mirziyoyev"


def test_a_visit_across_new_year_is_reported_an_old_one_recalled(gazetteer):
    reported = extract(
        "Shavkat Mirziyoyev paid a state visit to Kazakhstan on 30 December 2025.",
        published=dt.date(2026, 1, 2),
        gazetteer=gazetteer,
    )
    assert [(m.kind, m.date.start) for m in reported.meetings] == [
        ("state_visit", dt.date(2025, 12, 30))
    ]
    recalled = extract(
        "They recalled the state visit of Shavkat Mirziyoyev to Kazakhstan on 3 March 2019.",
        published=dt.date(2026, 1, 2),
        gazetteer=gazetteer,
    )
    assert recalled.meetings == []
