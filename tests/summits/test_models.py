import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from records.models import DatePrecision, EditorialStatus, format_partial_date
from summits.models import Body, Country, Meeting, Office, Person

pytestmark = pytest.mark.usefixtures("empty_db")


def make_meeting(**fields) -> Meeting:
    defaults = {"slug": "a-meeting", "title": "A meeting", "kind": Meeting.Kind.TALKS}
    return Meeting.objects.create(**{**defaults, **fields})


def test_the_full_iso_list_is_loaded():
    assert Country.objects.count() == 249
    assert Country.objects.get(code="KZ").name == "Kazakhstan"
    assert Country.objects.get(code="AZ").official_name == "Republic of Azerbaijan"


def test_database_refuses_a_meeting_that_ends_before_it_starts():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_meeting(start_date=dt.date(2025, 10, 21), end_date=dt.date(2025, 10, 20))


def test_full_clean_explains_an_end_before_the_start():
    meeting = Meeting(
        slug="m",
        title="m",
        kind=Meeting.Kind.TALKS,
        start_date=dt.date(2025, 10, 21),
        end_date=dt.date(2025, 10, 20),
    )
    with pytest.raises(ValidationError, match="cannot end before it starts"):
        meeting.full_clean()


def test_database_refuses_a_duplicate_slug():
    make_meeting(slug="same")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_meeting(slug="same", title="Another")


def test_session_number_is_unique_within_its_body():
    council = Body.objects.create(slug="council", name="Council")
    other = Body.objects.create(slug="other", name="Other council")
    make_meeting(slug="first", body=council, session_number=1)
    make_meeting(slug="first-of-other", body=other, session_number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_meeting(slug="again", body=council, session_number=1)


def test_session_number_needs_a_body():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_meeting(session_number=3)


def test_database_refuses_an_office_that_ends_before_it_starts():
    person = Person.objects.create(slug="p", name="P")
    with pytest.raises(IntegrityError), transaction.atomic():
        Office.objects.create(
            person=person,
            title="President",
            start_date=dt.date(2020, 1, 1),
            end_date=dt.date(2019, 1, 1),
        )


def test_meeting_cannot_be_its_own_ancestor():
    visit = make_meeting(slug="visit")
    session = make_meeting(slug="session", parent=visit)
    visit.parent = session
    with pytest.raises(ValidationError, match="contained in itself"):
        visit.full_clean()


def test_unknown_format_is_refused():
    meeting = Meeting(slug="m", title="m", kind=Meeting.Kind.TALKS, formats=["cosy"])
    with pytest.raises(ValidationError, match="Formats must be"):
        meeting.full_clean()


def test_inferred_year_needs_a_reason():
    meeting = Meeting(slug="m", title="m", kind=Meeting.Kind.TALKS, year_inferred=True)
    with pytest.raises(ValidationError, match="inferred"):
        meeting.full_clean()


def test_every_save_raises_the_version():
    meeting = make_meeting()
    assert meeting.version == 1
    meeting.title = "Renamed"
    meeting.save()
    meeting.refresh_from_db()
    assert meeting.version == 2


def test_published_and_visible_to():
    make_meeting(slug="draft")
    make_meeting(slug="public", status=EditorialStatus.PUBLISHED)
    assert list(Meeting.objects.published().values_list("slug", flat=True)) == ["public"]
    assert Meeting.objects.visible_to(None).count() == 1


@pytest.mark.parametrize(
    ("precision", "expected"),
    [(DatePrecision.DAY, "21 Oct 2025"), (DatePrecision.MONTH, "Oct 2025"), ("year", "2025")],
)
def test_dates_show_no_more_than_their_precision(precision, expected):
    assert format_partial_date(dt.date(2025, 10, 21), precision) == expected
