"""The seed's sync engine (seeds/sync.py) called directly, on a database without the seed: what
it writes, what it remembers in `seeded`, which analyst edits it keeps and reports, and how it
compares lists (many-to-many, through rows, dated events, citations). These are the tests
`make mutate MUTATE=seed-marks` runs first: a few rows each, no seed."""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from agreements.models import Document, StatusEvent
from records.models import Citation, Source
from records.slugs import FormerSlug
from seeds.records import PartialDate
from seeds.sync import (
    Collection,
    SeedError,
    SeedReport,
    SyncEngine,
    canonical,
    date_fields,
    messages_of,
    plain,
)
from summits.models import Body, Country, Meeting, MeetingCountry, MeetingPerson, Person

TEXT = "Astana, May 1. The leaders met. They signed the treaty. The leaders met again."


# plain, canonical, date_fields, messages_of, the report


def test_plain_values_are_what_json_can_hold(db):
    az = Country.objects.get(code="AZ")
    assert plain(az) == az.pk
    assert plain(dt.date(2024, 5, 1)) == "2024-05-01"
    assert plain(dt.datetime(2024, 5, 1, 12, 30)) == "2024-05-01T12:30:00"
    assert plain(Decimal("1.50")) == "1.5"
    assert plain(Decimal("100")) == "1E+2"
    assert plain([az, dt.date(2024, 1, 2), ("x", Decimal("2.0"))]) == [
        az.pk,
        "2024-01-02",
        ["x", "2"],
    ]
    assert plain((1, 2)) == [1, 2]
    assert plain("text") == "text"
    assert plain(None) is None
    assert plain({"a": dt.date(2024, 1, 2)}) == {"a": dt.date(2024, 1, 2)}


def test_canonical_order_is_by_json_whatever_the_insertion_order():
    items = [["b", 2], ["a", None], ["a", 1], {"z": 1, "a": dt.date(2024, 1, 2)}]
    assert canonical(items) == [
        ["a", 1],
        ["a", None],
        ["b", 2],
        {"z": 1, "a": dt.date(2024, 1, 2)},
    ]
    assert canonical(list(reversed(items))) == canonical(items)
    # Keys sorted: {"a": 2, …} before {"a": 3, …} whatever the order of each dict's keys.
    assert canonical([{"b": 1, "a": 2}, {"a": 3, "b": 0}]) == [{"b": 1, "a": 2}, {"a": 3, "b": 0}]
    assert canonical([{"a": 3, "b": 0}, {"b": 1, "a": 2}]) == [{"b": 1, "a": 2}, {"a": 3, "b": 0}]
    assert canonical([]) == []


def test_date_fields_name_the_date_and_its_precision_and_carry_the_rest():
    value = PartialDate(dt.date(2024, 5, 1), "month", "May 2024", True, "from the dateline")
    assert date_fields(value, "start_date", "start_precision") == {
        "start_date": dt.date(2024, 5, 1),
        "start_precision": "month",
        "date_text": "May 2024",
        "year_inferred": True,
        "inference": "from the dateline",
    }


def test_messages_of_a_field_error_name_the_field():
    error = ValidationError({"name": ["Too long.", "Not a name."], "slug": ["Taken."]})
    assert messages_of(error) == ["name: Too long. Not a name.", "slug: Taken."]


def test_messages_of_a_plain_error_are_its_messages():
    assert messages_of(ValidationError(["One.", "Two."])) == ["One.", "Two."]
    assert messages_of(ValidationError("Alone.")) == ["Alone."]


def test_the_report_counts_records_of_every_kind_of_outcome():
    report = SeedReport(
        created=Counter(persons=2, bodies=1),
        updated=Counter(persons=3),
        unchanged=Counter(meetings=4),
        kept=["persons/a.name", "persons/b.name"],
        citations=7,
    )
    assert report.records == 10
    assert report.summary() == (
        "Seeded 10 records: 3 created, 3 updated, 4 unchanged; 7 citations written; "
        "2 analyst edit(s) kept."
    )
    report.checked_only = True
    assert report.summary() == (
        "Checked 10 records: 3 created, 3 updated, 4 unchanged; 7 citations written; "
        "2 analyst edit(s) kept (nothing written)."
    )


def test_an_empty_report():
    report = SeedReport()
    assert report.records == 0
    assert report.kept == []
    assert report.citations == 0
    assert report.checked_only is False
    assert report.summary() == (
        "Seeded 0 records: 0 created, 0 updated, 0 unchanged; 0 citations written; "
        "0 analyst edit(s) kept."
    )


# the engine's lookups


@pytest.fixture
def engine(db):
    logged = []
    engine = SyncEngine({}, {}, logged.append)
    engine.logged = logged
    return engine


def test_the_engine_keeps_what_it_was_given(db):
    data, texts = {"persons": []}, {"s": "Text."}
    engine = SyncEngine(data, texts, print)
    assert engine.data is data
    assert engine.texts is texts
    assert engine.log is print
    assert engine.report == SeedReport()
    assert engine.by_slug == {}


class Refusing:
    def full_clean(self):
        raise ValidationError({"name": ["Blank.", "Short."], "slug": ["Taken."]})

    def save(self):
        raise AssertionError("an invalid record is not saved")


def test_every_message_of_a_refused_record_is_told(engine):
    with pytest.raises(SeedError) as refused:
        engine.validated_save(Refusing(), "persons/ann")
    assert str(refused.value) == "persons/ann: name: Blank. Short.; slug: Taken."


def test_every_message_of_a_refused_list_is_told(engine):
    def refuse(obj):
        raise ValidationError(["One.", "Two."])

    with pytest.raises(SeedError) as refused:
        engine.write_collection(None, Collection("offices", [], list, refuse), "persons/ann")
    assert str(refused.value) == "persons/ann.offices: One.; Two."


def test_the_report_counts_every_record_of_a_section(engine):
    for slug in ("ann", "bob", "cid"):
        engine.upsert("persons", Person, {"slug": slug}, {"name": slug.title()})
    assert engine.report.created == Counter(persons=3)

    again = SyncEngine({}, {}, print)
    for slug, name in (("ann", "Ann"), ("bob", "Robert"), ("cid", "Cid"), ("dan", "Dan")):
        again.upsert("persons", Person, {"slug": slug}, {"name": name})
    assert again.report.created == Counter(persons=1)
    assert again.report.updated == Counter(persons=1)
    assert again.report.unchanged == Counter(persons=2)

    third = SyncEngine({}, {}, print)
    for slug in ("ann", "bob", "cid"):
        third.upsert("persons", Person, {"slug": slug}, {"name": "Changed"})
    assert third.report.updated == Counter(persons=3)


def test_the_engine_knows_every_country_by_code(engine):
    assert engine.country("AZ") == Country.objects.get(code="AZ")
    assert engine.country(None) is None
    assert engine.countries["KZ"].code == "KZ"
    with pytest.raises(SeedError) as refused:
        engine.country("XX")
    assert str(refused.value) == "Unknown country code 'XX': not in the ISO 3166-1 list."


def test_the_engine_finds_what_it_wrote_by_section_and_slug(engine):
    person = engine.upsert("persons", Person, {"slug": "ann"}, {"name": "Ann"})
    assert engine.get("persons", "ann") == person
    assert engine.get("persons", None) is None
    assert engine.by_slug == {"persons": {"ann": person}}
    with pytest.raises(KeyError):
        engine.get("persons", "bob")


def test_sources_by_pk_are_the_sources_written(engine):
    source = engine.upsert(
        "sources", Source, {"slug": "s"}, {"title": "Report", "text": TEXT, "status": "draft"}
    )
    assert engine.sources_by_pk == {source.pk: source}


def test_an_invalid_record_is_refused_with_its_label_and_messages(engine):
    with pytest.raises(SeedError) as refused:
        engine.upsert("persons", Person, {"slug": "ann"}, {"name": ""})
    assert str(refused.value) == "persons/ann: name: This field cannot be blank."
    assert not Person.objects.filter(slug="ann").exists()


# upsert: create, update, keep


def test_a_new_record_is_written_and_remembered_without_a_history_row(engine):
    az = Country.objects.get(code="AZ")

    person = engine.upsert("persons", Person, {"slug": "ann"}, {"name": "Ann", "country": az})

    assert person.pk is not None
    assert person.seeded == {"name": "Ann", "country": az.pk}
    stored = Person.objects.get(slug="ann")
    assert (stored.name, stored.country, stored.seeded) == ("Ann", az, person.seeded)
    assert stored.history.count() == 1
    assert engine.report.created == Counter(persons=1)
    assert engine.report.updated == Counter()
    assert engine.report.unchanged == Counter()


def test_the_same_record_again_is_unchanged(engine):
    engine.upsert("persons", Person, {"slug": "ann"}, {"name": "Ann"})
    version = Person.objects.get(slug="ann").version

    again = SyncEngine({}, {}, print)
    person = again.upsert("persons", Person, {"slug": "ann"}, {"name": "Ann"})

    assert again.report.unchanged == Counter(persons=1)
    assert again.report.updated == Counter()
    assert again.report.created == Counter()
    assert Person.objects.get(slug="ann").version == version
    assert again.by_slug["persons"]["ann"] == person


def test_a_changed_value_is_written_and_remembered(engine):
    engine.upsert("persons", Person, {"slug": "ann"}, {"name": "Ann", "summary": "Old."})

    again = SyncEngine({}, {}, print)
    again.upsert("persons", Person, {"slug": "ann"}, {"name": "Ann", "summary": "New."})

    stored = Person.objects.get(slug="ann")
    assert stored.summary == "New."
    assert stored.seeded == {"name": "Ann", "summary": "New."}
    assert stored.history.count() == 2
    assert again.report.updated == Counter(persons=1)
    assert again.report.unchanged == Counter()
    assert again.report.kept == []


def test_an_invalid_change_is_refused_with_the_records_label(engine):
    engine.upsert("persons", Person, {"slug": "ann"}, {"name": "Ann"})

    again = SyncEngine({}, {}, print)
    with pytest.raises(SeedError) as refused:
        again.upsert("persons", Person, {"slug": "ann"}, {"name": ""})
    assert str(refused.value) == "persons/ann: name: This field cannot be blank."


def test_an_analysts_change_is_kept_and_reported(engine):
    engine.upsert("persons", Person, {"slug": "ann"}, {"name": "Ann", "summary": "Old."})
    Person.objects.filter(slug="ann").update(summary="The analyst's.")

    again = SyncEngine({}, {}, print)
    again.upsert("persons", Person, {"slug": "ann"}, {"name": "Ann B", "summary": "New."})

    stored = Person.objects.get(slug="ann")
    assert stored.summary == "The analyst's."
    assert stored.name == "Ann B"
    assert stored.seeded == {"name": "Ann B", "summary": "Old."}
    assert again.report.kept == ["persons/ann.summary"]
    assert again.report.updated == Counter(persons=1)


def test_a_field_marked_analyst_edited_is_kept_even_with_the_seeds_value(engine):
    engine.upsert("persons", Person, {"slug": "ann"}, {"name": "Ann", "summary": "Old."})
    Person.objects.filter(slug="ann").update(analyst_edited=["summary"])

    again = SyncEngine({}, {}, print)
    again.upsert("persons", Person, {"slug": "ann"}, {"name": "Ann", "summary": "New."})

    assert Person.objects.get(slug="ann").summary == "Old."
    assert again.report.kept == ["persons/ann.summary"]
    assert again.report.unchanged == Counter(persons=1)


def test_keep_is_for_marked_fields_and_values_changed_since_the_seed(engine):
    person = Person(slug="ann", name="Ann", seeded={"name": "Ann"}, analyst_edited=["summary"])
    assert engine.keep(person, "summary", "anything") is True
    assert engine.keep(person, "name", "Ann") is False
    assert engine.keep(person, "name", "Ann B") is True
    # Never written by the seed: the seed may write it.
    assert engine.keep(person, "country", 3) is False


def test_a_value_the_seed_never_wrote_is_written_over(engine):
    Person.objects.create(slug="ann", name="Ann", summary="By hand.")

    engine.upsert("persons", Person, {"slug": "ann"}, {"name": "Ann", "summary": "Seed's."})

    stored = Person.objects.get(slug="ann")
    assert stored.summary == "Seed's."
    assert stored.seeded == {"name": "Ann", "summary": "Seed's."}
    assert engine.report.updated == Counter(persons=1)


def test_equal_values_are_remembered_without_a_save(engine):
    Person.objects.create(slug="ann", name="Ann")
    stored = Person.objects.get(slug="ann")
    version, rows = stored.version, stored.history.count()

    person = engine.upsert("persons", Person, {"slug": "ann"}, {"name": "Ann"})

    stored = Person.objects.get(slug="ann")
    assert stored.seeded == {"name": "Ann"} == person.seeded
    assert (stored.version, stored.history.count()) == (version, rows)
    assert engine.report.unchanged == Counter(persons=1)


def test_a_renamed_record_is_found_by_its_former_slug(engine):
    person = engine.upsert("persons", Person, {"slug": "ann"}, {"name": "Ann"})
    Person.objects.filter(pk=person.pk).update(slug="ann-b")
    FormerSlug.objects.create(
        content_type=ContentType.objects.get_for_model(Person), object_id=person.pk, slug="ann"
    )

    again = SyncEngine({}, {}, print)
    found = again.upsert("persons", Person, {"slug": "ann"}, {"name": "Ann"})

    assert found.pk == person.pk
    assert found.slug == "ann-b"
    assert Person.objects.filter(slug__in=["ann", "ann-b"]).count() == 1
    assert again.by_slug["persons"]["ann"] == found
    assert again.report.unchanged == Counter(persons=1)


def test_a_lookup_without_a_slug_is_not_looked_up_as_a_former_one(engine):
    engine.upsert("countries", Country, {"code": "AZ"}, {"name": "Azerbaijan"})
    assert engine.by_slug["countries"]["AZ"] == Country.objects.get(code="AZ")


# collections


def members(engine, *codes):
    return engine.many("members", [engine.countries[code] for code in codes])


def test_a_plain_many_to_many_is_remembered_by_its_targets_codes_or_slugs(engine):
    body = engine.upsert(
        "bodies", Body, {"slug": "c"}, {"name": "Council"}, [members(engine, "KZ", "AZ")]
    )

    assert sorted(body.members.values_list("code", flat=True)) == ["AZ", "KZ"]
    assert body.seeded == {"name": "Council", "members": ["AZ", "KZ"]}
    assert Body.objects.get(slug="c").seeded == body.seeded


def test_many_reads_sorted_slugs_of_what_has_no_code(engine):
    ann = Person.objects.create(slug="ann", name="Ann")
    bob = Person.objects.create(slug="bob", name="Bob")
    collection = engine.many("persons", [bob, ann])
    assert collection.name == "persons"
    assert collection.desired == ["ann", "bob"]


def test_a_changed_list_is_written_and_an_edited_one_kept(engine):
    engine.upsert("bodies", Body, {"slug": "c"}, {"name": "Council"}, [members(engine, "AZ")])

    again = SyncEngine({}, {}, print)
    body = again.upsert(
        "bodies", Body, {"slug": "c"}, {"name": "Council"}, [members(again, "AZ", "KZ")]
    )
    assert sorted(body.members.values_list("code", flat=True)) == ["AZ", "KZ"]
    assert Body.objects.get(slug="c").seeded["members"] == ["AZ", "KZ"]
    assert again.report.updated == Counter(bodies=1)

    body.members.set([again.countries["UZ"]])
    third = SyncEngine({}, {}, print)
    third.upsert("bodies", Body, {"slug": "c"}, {"name": "Council"}, [members(third, "TM")])
    assert list(body.members.values_list("code", flat=True)) == ["UZ"]
    assert third.report.kept == ["bodies/c.members"]
    assert third.report.unchanged == Counter(bodies=1)


def test_an_unchanged_list_is_remembered_when_it_was_not(engine):
    body = Body.objects.create(slug="c", name="Council")
    body.members.set([engine.countries["AZ"]])

    engine.upsert("bodies", Body, {"slug": "c"}, {"name": "Council"}, [members(engine, "AZ")])

    assert Body.objects.get(slug="c").seeded == {"name": "Council", "members": ["AZ"]}
    assert engine.report.unchanged == Counter(bodies=1)


def test_a_list_marked_analyst_edited_is_kept(engine):
    engine.upsert("bodies", Body, {"slug": "c"}, {"name": "Council"}, [members(engine, "AZ")])
    Body.objects.filter(slug="c").update(analyst_edited=["members"])

    again = SyncEngine({}, {}, print)
    body = again.upsert("bodies", Body, {"slug": "c"}, {"name": "Council"}, [members(again, "KZ")])

    assert list(body.members.values_list("code", flat=True)) == ["AZ"]
    assert again.report.kept == ["bodies/c.members"]


def test_a_list_that_cannot_be_written_is_refused_with_its_label(engine):
    def refuse(obj):
        raise ValidationError({"role": ["Two hosts."]})

    collection = Collection("countries", ["x"], lambda obj: [], refuse)
    with pytest.raises(SeedError) as refused:
        engine.upsert("bodies", Body, {"slug": "c"}, {"name": "Council"}, [collection])
    assert str(refused.value) == "bodies/c.countries: role: Two hosts."


def test_a_changed_list_that_cannot_be_written_is_refused_with_its_label(engine):
    engine.upsert("bodies", Body, {"slug": "c"}, {"name": "Council"}, [members(engine, "AZ")])

    def refuse(obj):
        raise ValidationError(["No such country."])

    collection = Collection("members", ["KZ"], lambda obj: ["AZ"], refuse)
    again = SyncEngine({}, {}, print)
    with pytest.raises(SeedError) as refused:
        again.upsert("bodies", Body, {"slug": "c"}, {"name": "Council"}, [collection])
    assert str(refused.value) == "bodies/c.members: No such country."


def test_a_collection_compares_as_is_by_default():
    collection = Collection("x", [], lambda obj: [], lambda obj: None)
    assert collection.as_seeded([1, 2], [3]) == [1, 2]


def participations(engine, items):
    return engine.through(
        "countries",
        "participations",
        MeetingCountry,
        "meeting",
        items,
        "country",
        engine.country,
        "country",
    )


def test_through_rows_are_pairs_of_target_and_role_with_the_default_role(engine):
    items = [{"country": "KZ", "role": "host"}, {"country": "AZ"}, {"country": "UZ", "role": ""}]
    collection = participations(engine, items)
    assert collection.name == "countries"
    assert collection.desired == [["AZ", "participant"], ["KZ", "host"], ["UZ", "participant"]]

    meeting = engine.upsert(
        "meetings", Meeting, {"slug": "m"}, {"title": "Summit", "kind": "summit"}, [collection]
    )

    rows = meeting.participations.order_by("country__code")
    assert [(row.country.code, row.role) for row in rows] == [
        ("AZ", "participant"),
        ("KZ", "host"),
        ("UZ", "participant"),
    ]
    assert collection.read(meeting) == collection.desired
    assert meeting.seeded["countries"] == collection.desired


def test_through_rows_are_rewritten_when_the_seed_changes_them(engine):
    engine.upsert(
        "meetings",
        Meeting,
        {"slug": "m"},
        {"title": "Summit", "kind": "summit"},
        [participations(engine, [{"country": "AZ"}, {"country": "KZ"}])],
    )
    again = SyncEngine({}, {}, print)
    meeting = again.upsert(
        "meetings",
        Meeting,
        {"slug": "m"},
        {"title": "Summit", "kind": "summit"},
        [participations(again, [{"country": "KZ", "role": "host"}])],
    )
    assert [(row.country.code, row.role) for row in meeting.participations.all()] == [
        ("KZ", "host")
    ]
    assert again.report.updated == Counter(meetings=1)


def test_a_through_row_is_validated(engine):
    with pytest.raises(SeedError) as refused:
        engine.upsert(
            "meetings",
            Meeting,
            {"slug": "m"},
            {"title": "Summit", "kind": "summit"},
            [participations(engine, [{"country": "AZ", "role": "emperor"}])],
        )
    assert str(refused.value).startswith("meetings/m.countries: role: ")


def attendances(engine, items):
    return engine.through(
        "persons",
        "attendances",
        MeetingPerson,
        "meeting",
        items,
        "person",
        lambda slug: engine.get("persons", slug),
        "person",
    )


def test_through_rows_of_records_without_a_code_are_told_by_slug(engine):
    for slug in ("ann", "bob"):
        engine.upsert("persons", Person, {"slug": slug}, {"name": slug.title()})
    collection = attendances(engine, [{"person": "bob", "role": "mediator"}, {"person": "ann"}])
    assert collection.desired == [["ann", "principal"], ["bob", "mediator"]]

    meeting = engine.upsert(
        "meetings", Meeting, {"slug": "m"}, {"title": "Summit", "kind": "summit"}, [collection]
    )

    assert collection.read(meeting) == collection.desired


def test_through_rows_are_read_in_one_query(engine, django_assert_num_queries):
    items = [{"country": code} for code in ("AZ", "KZ", "UZ")]
    collection = participations(engine, items)
    meeting = engine.upsert(
        "meetings", Meeting, {"slug": "m"}, {"title": "Summit", "kind": "summit"}, [collection]
    )
    meeting = Meeting.objects.get(pk=meeting.pk)
    with django_assert_num_queries(1):
        assert collection.read(meeting) == collection.desired


# citations


@pytest.fixture
def source(engine):
    return engine.upsert(
        "sources", Source, {"slug": "s"}, {"title": "Report", "text": TEXT, "status": "draft"}
    )


def test_cite_keys_are_source_quote_field_and_occurrence_in_canonical_order(engine, source):
    record = {
        "cite": [
            {"source": "s", "quote": "They signed the treaty.", "field": "date"},
            {"source": "s", "quote": "The leaders met", "occurrence": 2},
            {"source": "s", "quote": "The leaders met", "field": None},
        ]
    }
    assert engine.cite_key(record) == [
        [source.pk, "The leaders met", "", 1],
        [source.pk, "The leaders met", "", 2],
        [source.pk, "They signed the treaty.", "date", 1],
    ]
    assert engine.cite_key({}) == []
    assert engine.cite_key({"cite": None}) == []


def test_citations_are_written_counted_and_read_back_the_same_way(engine, source):
    record = {
        "cite": [
            {"source": "s", "quote": "The leaders met", "occurrence": 2},
            {"source": "s", "quote": "They signed the treaty.", "field": "name"},
        ]
    }
    person = engine.upsert(
        "persons", Person, {"slug": "ann"}, {"name": "Ann"}, [engine.citations(record)]
    )

    quotes = Citation.objects.filter(source=source).order_by("start")
    assert [(c.quote, c.field, c.occurrence, c.start) for c in quotes] == [
        ("They signed the treaty.", "name", 1, TEXT.index("They")),
        ("The leaders met", "", 2, TEXT.rindex("The leaders met")),
    ]
    assert all(c.record == person and c.source == source for c in quotes)
    assert engine.report.citations == 2
    assert SyncEngine.current_cites(person) == engine.cite_key(record)
    assert person.seeded["citations"] == engine.cite_key(record)


def test_citations_are_replaced_when_the_seed_changes_them(engine, source):
    first = {"cite": [{"source": "s", "quote": "The leaders met"}]}
    engine.upsert("persons", Person, {"slug": "ann"}, {"name": "Ann"}, [engine.citations(first)])
    second = {"cite": [{"source": "s", "quote": "They signed the treaty."}]}

    again = SyncEngine({}, {}, print)
    again.by_slug["sources"] = {"s": source}
    person = again.upsert(
        "persons", Person, {"slug": "ann"}, {"name": "Ann"}, [again.citations(second)]
    )

    assert [c.quote for c in person.citations.all()] == ["They signed the treaty."]
    assert again.report.citations == 1
    assert again.report.updated == Counter(persons=1)


# events


def status_history(engine, items):
    return engine.events(
        "status_history", "status_events", StatusEvent, "document", "status", items
    )


def document(engine, items):
    return engine.upsert(
        "documents",
        Document,
        {"slug": "d"},
        {"title": "Treaty", "kind": "agreement"},
        [status_history(engine, items)],
    )


SIGNED = {
    "status": "signed",
    "date": {"date": dt.date(2024, 5, 1), "precision": "month"},
    "note": "At the summit.",
    "cite": [{"source": "s", "quote": "They signed the treaty."}],
}


def test_events_are_written_with_their_dates_notes_and_quotes(engine, source):
    treaty = document(engine, [SIGNED, {"status": "in_force", "note": None}])

    events = treaty.status_events.order_by("status")
    assert [(e.status, e.date, e.date_precision, e.note) for e in events] == [
        ("in_force", None, "day", ""),
        ("signed", dt.date(2024, 5, 1), "month", "At the summit."),
    ]
    signed = events.get(status="signed")
    assert [c.quote for c in signed.citations.all()] == ["They signed the treaty."]
    assert engine.report.citations == 1
    collection = status_history(engine, [SIGNED, {"status": "in_force", "note": None}])
    assert collection.read(treaty) == collection.desired
    assert treaty.seeded["status_history"] == collection.desired


def test_an_event_without_a_note_has_an_empty_one(engine, source):
    treaty = document(engine, [{"status": "signed"}])
    assert treaty.status_events.get().note == ""


def test_event_keys_are_their_fields_in_name_order_then_their_quotes(engine, source):
    collection = status_history(engine, [SIGNED])
    assert collection.desired == [
        [
            {},
            "2024-05-01",
            "month",
            "",
            "",
            "At the summit.",
            "signed",
            False,
            [[source.pk, "They signed the treaty.", "", 1]],
        ]
    ]


def test_events_are_unchanged_when_read_back_and_rewritten_when_changed(engine, source):
    document(engine, [SIGNED])
    again = SyncEngine({}, {}, print)
    again.by_slug["sources"] = {"s": source}
    document(again, [SIGNED])
    assert again.report.unchanged == Counter(documents=1)

    third = SyncEngine({}, {}, print)
    third.by_slug["sources"] = {"s": source}
    treaty = document(third, [{**SIGNED, "note": "Later."}])
    assert [e.note for e in treaty.status_events.all()] == ["Later."]
    assert third.report.updated == Counter(documents=1)


def test_an_events_basis_is_written_and_compared_as_the_seed_keeps_it(engine, source):
    basis = {
        "date": {"basis": "inferred", "reasoning": "From the dateline."},
        "status": {"basis": "stated"},
    }
    treaty = document(engine, [{**SIGNED, "basis": basis}])

    kept = {"date": {"basis": "inferred", "reasoning": "From the dateline."}}
    assert treaty.status_events.get().basis == kept
    collection = status_history(engine, [{**SIGNED, "basis": basis}])
    assert collection.desired[0][0] == kept
    assert collection.read(treaty) == collection.desired


def test_an_invalid_event_is_refused(engine, source):
    with pytest.raises(SeedError) as refused:
        document(engine, [{"status": "ratified"}])
    assert str(refused.value) == (
        "documents/d.status_history: status: Value 'ratified' is not a valid choice."
    )


def test_no_events_read_as_an_empty_list(engine, source):
    treaty = document(engine, [])
    assert status_history(engine, []).read(treaty) == []
    assert treaty.seeded["status_history"] == []


def test_events_remembered_before_they_had_a_basis_still_count_as_the_seeds(engine, source):
    collection = status_history(engine, [SIGNED])
    current = collection.desired
    older = [key[1:] for key in current]
    assert collection.as_seeded(current, older) == canonical(older)
    # Remembered with a basis already, or nothing remembered: compared as they are.
    assert collection.as_seeded(current, current) == current
    assert collection.as_seeded(current, None) == current
    assert collection.as_seeded(current, []) == current
    assert collection.as_seeded([], older) == []
    assert status_history(engine, []).as_seeded(current, older) == current
    assert collection.as_seeded(current, {"x": 1}) == current


def test_an_event_the_seed_wrote_before_bases_is_updated_not_kept(engine, source):
    treaty = document(engine, [SIGNED])
    old = [key[1:] for key in treaty.seeded["status_history"]]
    Document.objects.filter(pk=treaty.pk).update(seeded={**treaty.seeded, "status_history": old})

    again = SyncEngine({}, {}, print)
    again.by_slug["sources"] = {"s": source}
    treaty = document(again, [{**SIGNED, "note": "Later."}])

    assert [e.note for e in treaty.status_events.all()] == ["Later."]
    assert again.report.kept == []
