"""The locking services (records/services.py) called directly, on a database without the seed:
what an edit conflict reports, publish counts, analyst-edit marks and how values are shown.

These are the tests `make mutate MUTATE=locking` runs first: fast (no seed, a few rows each),
and exact about every value the admin's refusal message is built from."""

import datetime as dt

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from records.models import EditorialStatus, Source
from records.registry import registry
from records.services import (
    BOOKKEEPING_FIELDS,
    EditConflict,
    _display,
    _history_author,
    _logged_changes,
    citation_create,
    edit_conflict,
    mark_edited,
    records_publish,
    records_set_status,
    records_unpublish,
)
from summits.models import Country, Person


@pytest.fixture
def users(db):
    model = get_user_model()
    return {name: model.objects.create_user(name, password="x" * 20) for name in ("bob", "carol")}


def save_as(record, user, **changes):
    for name, value in changes.items():
        setattr(record, name, value)
    record._history_user = user
    record.save()
    return record


def person(slug="p-1", **fields):
    return Person.objects.create(slug=slug, name=fields.pop("name", "Ann Example"), **fields)


def log(user, obj, message, when=None):
    entry = LogEntry.objects.create(
        user=user,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action_flag=CHANGE,
        change_message=message,
    )
    if when is not None:
        LogEntry.objects.filter(pk=entry.pk).update(action_time=when)
    return entry


# _display and the summary: the words of the refusal message.


def test_display_of_empty_values_lists_and_long_text():
    assert _display(None) == "(empty)"
    assert _display("") == "(empty)"
    assert _display(0) == "0"
    assert _display(False) == "False"
    assert _display(["a", "b"]) == "a, b"
    assert _display(("a",)) == "a"
    assert _display({"only"}) == "only"
    assert _display([]) == "(none)"
    assert _display("x" * 120) == "x" * 120
    assert _display("x" * 121) == "x" * 119 + "…"
    assert _display("abcdef", limit=4) == "abc…"
    assert _display("abcd", limit=4) == "abcd"


def test_the_summary_names_who_when_and_both_versions():
    when = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    conflict = EditConflict(
        seen_version=3, current_version=5, authors=["bob", "carol"], changed_at=when
    )
    assert conflict.summary() == (
        "bob, carol changed this record at 2026-01-02 03:04:05 UTC while you were editing it "
        "(version 3 → 5)."
    )
    assert EditConflict(seen_version=1, current_version=2).summary() == (
        "someone changed this record while you were editing it (version 1 → 2)."
    )


def test_a_history_row_names_its_author_or_the_seed(users):
    author = save_as(person(), users["bob"], name="Ann B. Example").history.latest()
    assert _history_author(author) == "bob"
    anonymous = save_as(author.instance, None, name="Ann C. Example").history.latest()
    assert _history_author(anonymous) == "an unrecorded process (e.g. the seed)"


# edit_conflict


def test_no_conflict_at_the_current_version_or_for_a_missing_row(users):
    record = person()
    assert edit_conflict(model=Person, pk=record.pk, seen_version=record.version) is None
    assert edit_conflict(model=Person, pk=record.pk + 1000, seen_version=1) is None


def test_a_conflict_reports_authors_time_and_each_field_changed(users):
    bob, carol = users["bob"], users["carol"]
    record = person()
    save_as(record, carol, summary="Carol's summary.")
    seen = record.version
    save_as(record, bob, name="Ann Bob-Example")
    save_as(record, carol, status=EditorialStatus.PUBLISHED, wikidata_id="Q42")
    save_as(record, bob, summary="")

    conflict = edit_conflict(model=Person, pk=record.pk, seen_version=seen)

    assert conflict.seen_version == seen
    assert conflict.current_version == record.version == seen + 3
    # Each author once, in the order they saved; carol's save at the seen version is not new.
    assert conflict.authors == ["bob", "carol"]
    assert conflict.changed_at == record.history.latest().history_date
    changes = {change.field: (change.old, change.new) for change in conflict.changes}
    assert changes == {
        "name": ("Ann Example", "Ann Bob-Example"),
        # A choice is shown by its label.
        "editorial status": ("Draft", "Published"),
        "Wikidata id": ("(empty)", "Q42"),
        "summary": ("Carol's summary.", "(empty)"),
    }
    assert conflict.log_messages == []


def test_the_changed_at_is_the_newest_save(users):
    record = person()
    seen = record.version
    save_as(record, users["bob"], name="First")
    first = record.history.latest().history_date
    save_as(record, users["bob"], name="Second")
    conflict = edit_conflict(model=Person, pk=record.pk, seen_version=seen)
    assert conflict.changed_at == record.history.latest().history_date
    assert conflict.changed_at != first
    assert [(c.field, c.new) for c in conflict.changes] == [("name", "Second")]


def test_saves_are_told_in_the_order_of_their_time_not_their_id(users):
    record = person()
    seen = record.version
    save_as(record, users["bob"], name="Saved by Bob")
    save_as(record, users["carol"], name="Saved by Carol")
    bobs, carols = record.history.filter(version__gt=seen).order_by("history_id")
    # Carol's row was written last but bears the earlier time (a clock set back).
    type(carols).objects.filter(pk=carols.pk).update(
        history_date=bobs.history_date - dt.timedelta(seconds=1)
    )

    conflict = edit_conflict(model=Person, pk=record.pk, seen_version=seen)

    assert conflict.authors == ["carol", "bob"]
    assert conflict.changed_at == bobs.history_date
    assert [(c.field, c.new) for c in conflict.changes] == [("name", "Saved by Bob")]


def test_reading_a_conflict_costs_the_same_for_any_number_of_authors(users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    model = get_user_model()
    more = [model.objects.create_user(f"user{n}", password="x" * 20) for n in range(3)]

    def queries(authors) -> int:
        record = person(slug=f"p-{len(authors)}")
        seen = record.version
        for number, author in enumerate(authors):
            save_as(record, author, name=f"Name {number}")
        with CaptureQueriesContext(connection) as captured:
            conflict = edit_conflict(model=Person, pk=record.pk, seen_version=seen)
        assert len(conflict.authors) == len(authors)
        return len(captured)

    assert queries([users["bob"], *more]) == queries([users["bob"]])


def test_the_admin_log_since_the_seen_version_tells_about_the_lists_beside(users):
    bob, carol = users["bob"], users["carol"]
    record = person()
    seen = record.version
    old = record.history.latest().history_date
    log(carol, record, "Before the form was rendered.", when=old - dt.timedelta(minutes=1))
    save_as(record, bob, name="Ann Bob-Example")
    log(bob, record, "Changed role for participating country.")
    log(bob, record, "")
    log(bob, record, "No fields changed.")
    log(carol, record, "Added citation.")

    conflict = edit_conflict(model=Person, pk=record.pk, seen_version=seen)

    assert conflict.log_messages == [
        "bob: Changed role for participating country.",
        "carol: Added citation.",
    ]


def test_without_a_base_row_the_log_counts_from_the_first_newer_save(users):
    bob = users["bob"]
    record = person()
    record.history.all().delete()
    save_as(record, bob, name="Ann Bob-Example")
    first_newer = record.history.get().history_date
    log(bob, record, "Before any history.", when=first_newer - dt.timedelta(minutes=1))
    log(bob, record, "Changed aliases.", when=first_newer + dt.timedelta(minutes=1))

    conflict = edit_conflict(model=Person, pk=record.pk, seen_version=1)

    assert conflict.authors == ["bob"]
    assert conflict.changed_at == first_newer
    # No row at the seen version to diff against: no field changes, only the log.
    assert conflict.changes == []
    assert conflict.log_messages == ["bob: Changed aliases."]


def test_without_any_history_the_conflict_has_only_the_versions(users):
    record = person()
    record.history.all().delete()
    Person.objects.filter(pk=record.pk).update(version=4)
    log(users["bob"], record, "Changed name.")

    conflict = edit_conflict(model=Person, pk=record.pk, seen_version=2)

    assert (conflict.seen_version, conflict.current_version) == (2, 4)
    assert conflict.authors == [] and conflict.changed_at is None
    assert conflict.changes == [] and conflict.log_messages == []


def test_a_row_without_history_is_told_by_the_newest_log_entry(users):
    bob, carol = users["bob"], users["carol"]
    country = Country.objects.create(code="ZZ", name="Zedland")
    seen = country.version
    Country.objects.filter(pk=country.pk).update(version=seen + 1)

    unlogged = edit_conflict(model=Country, pk=country.pk, seen_version=seen)
    assert unlogged.authors == [] and unlogged.changed_at is None
    assert unlogged.log_messages == []

    now = dt.datetime.now(dt.UTC)
    log(carol, country, "Changed adjective.", when=now - dt.timedelta(hours=1))
    newest = log(bob, country, "Changed name.", when=now)
    conflict = edit_conflict(model=Country, pk=country.pk, seen_version=seen)
    assert conflict.authors == ["bob"]
    assert conflict.changed_at == LogEntry.objects.get(pk=newest.pk).action_time
    assert conflict.log_messages == ["bob: Changed name."]


def test_at_most_twenty_log_messages(users):
    record = person()
    seen = record.version
    save_as(record, users["bob"], name="Ann Bob-Example")
    for number in range(21):
        log(users["bob"], record, f"Change {number}.")
    conflict = edit_conflict(model=Person, pk=record.pk, seen_version=seen)
    assert len(conflict.log_messages) == 20
    assert conflict.log_messages[0] == "bob: Change 0."


# records_set_status, publish, unpublish


def test_set_status_counts_changes_and_records_already_there(users):
    records = [person(slug=f"p-{n}") for n in range(5)]
    for record in records[:2]:
        save_as(record, None, status=EditorialStatus.PUBLISHED)
    versions = {r.pk: Person.objects.get(pk=r.pk).version for r in records}

    change = records_set_status(
        queryset=Person.objects.filter(pk__in=[r.pk for r in records]),
        status=EditorialStatus.PUBLISHED,
        user=users["bob"],
    )

    # The already published come first in pk order: counting them goes on to the rest.
    assert (change.changed, change.already) == (3, 2)
    assert [r.pk for r in change.records] == [r.pk for r in records[2:]]
    for record in records[2:]:
        record.refresh_from_db()
        assert record.status == EditorialStatus.PUBLISHED
        assert record.analyst_edited == ["status"]
        assert record.version == versions[record.pk] + 1
        assert record.history.latest().history_user == users["bob"]
    for record in records[:2]:
        record.refresh_from_db()
        assert record.version == versions[record.pk]
        assert record.analyst_edited == []


def test_publish_and_unpublish_record_their_author(users):
    record = person()
    published = records_publish(queryset=Person.objects.filter(pk=record.pk), user=users["bob"])
    assert (published.changed, published.already) == (1, 0)
    record.refresh_from_db()
    assert record.status == EditorialStatus.PUBLISHED
    assert record.history.latest().history_user == users["bob"]

    withdrawn = records_unpublish(
        queryset=Person.objects.filter(pk=record.pk), user=users["carol"]
    )
    assert (withdrawn.changed, withdrawn.already) == (1, 0)
    record.refresh_from_db()
    assert record.status == EditorialStatus.DRAFT
    assert record.history.latest().history_user == users["carol"]
    again = records_unpublish(queryset=Person.objects.filter(pk=record.pk), user=None)
    assert (again.changed, again.already, again.records) == (0, 1, ())


# mark_edited


def test_mark_edited_adds_names_without_a_version_or_history_row(users):
    record = person()
    Person.objects.filter(pk=record.pk).update(analyst_edited=["summary"])
    version, rows = record.version, record.history.count()

    mark_edited(record=record, names=iter(["countries", "citations"]))

    assert record.analyst_edited == ["citations", "countries", "summary"]
    record.refresh_from_db()
    assert record.analyst_edited == ["citations", "countries", "summary"]
    assert record.version == version and record.history.count() == rows


def test_mark_edited_with_no_names_or_no_row_does_nothing(users):
    record = person()
    mark_edited(record=record, names=[])
    record.refresh_from_db()
    assert record.analyst_edited == []

    gone = person(slug="p-gone")
    Person.objects.filter(pk=gone.pk).delete()
    mark_edited(record=gone, names=["summary"])
    assert gone.analyst_edited == []
    assert not Person.objects.filter(pk=gone.pk).exists()


# citation_create


def test_citation_create_defaults_and_refuses_a_quote_the_source_lacks(db):
    source = Source.objects.create(
        slug="s-1",
        title="A source",
        published_on=dt.date(2025, 1, 1),
        text="The leaders met in Astana and signed a treaty.",
        url="https://example.org/s-1",
    )
    record = person()
    citation = citation_create(record=record, source=source, quote="signed a treaty")
    assert (citation.field, citation.occurrence) == ("", 1)
    assert citation.pk is not None
    assert (citation.content_type.model_class(), citation.object_id) == (Person, record.pk)
    named = citation_create(
        record=record, source=source, quote="met in Astana", field="city", occurrence=1
    )
    assert named.field == "city"
    with pytest.raises(ValidationError):
        citation_create(record=record, source=source, quote="never said")


def test_citation_create_cites_the_occurrence_asked_for(db):
    text = "They signed a treaty in 2005. In 2024 they signed a treaty again."
    source = Source.objects.create(
        slug="s-2", title="A source", published_on=dt.date(2025, 1, 1), text=text, url=""
    )
    second = citation_create(record=person(), source=source, quote="signed a treaty", occurrence=2)
    assert (second.occurrence, second.start) == (2, text.rindex("signed a treaty"))


def test_only_this_records_log_entries_count(users, django_assert_num_queries):
    bob, carol = users["bob"], users["carol"]
    record = person()
    other = person(slug="p-other")
    seen = record.version
    save_as(record, bob, name="Ann Bob-Example")
    log(bob, record, "Changed name.")
    # Another person's entry, and another model's row with the same pk: neither is this record.
    log(carol, other, "Changed other person.")
    country = Country.objects.create(code="ZZ", name="Zedland")
    log(carol, country, "Changed country.")
    LogEntry.objects.filter(content_type__model="country").update(object_id=str(record.pk))

    conflict = edit_conflict(model=Person, pk=record.pk, seen_version=seen)
    assert conflict.log_messages == ["bob: Changed name."]
    # The authors' names come with the entries, not one query each.
    since = record.history.earliest().history_date
    fresh = EditConflict(seen_version=seen, current_version=record.version)
    with django_assert_num_queries(1):
        _logged_changes(fresh, Person, record.pk, since=since)
    assert fresh.log_messages == ["bob: Changed name."]


@pytest.mark.parametrize(
    "model", [kind.model for kind in registry.kinds()], ids=lambda model: model.__name__
)
def test_bookkeeping_fields_stay_out_of_every_kinds_conflict_diff(model):
    # edit_conflict() leaves bookkeeping out of its diff because diff_against() compares
    # editable fields only: a bookkeeping field made editable would flood every conflict.
    present = [f for f in model._meta.fields if f.name in BOOKKEEPING_FIELDS]
    assert {f.name for f in present} >= {"version", "updated_at"}
    assert [f.name for f in present if f.editable] == []
