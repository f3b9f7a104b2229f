"""What one save costs the change feed does not grow with the data: the feed compares the
records that show the saved row, not every record sharing a sector or a country with it, and a
database loaded without a baseline (`record_changes` never run) does not make the first save
walk the whole graph."""

import datetime as dt
from collections import defaultdict

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records import tracking
from records.changes import Change, PublishedState
from records.models import EditorialStatus
from summits.models import Country, Meeting, MeetingCountry, Sector


@pytest.fixture
def compared(monkeypatch) -> dict:
    """The ids each reconcile compared, by model."""
    seen = defaultdict(set)
    real = tracking.compare

    def recording(model, ids, *args, **kwargs):
        seen[model] |= set(ids)
        return real(model, ids, *args, **kwargs)

    monkeypatch.setattr(tracking, "compare", recording)
    return seen


def a_meeting_with_a_sector(capture) -> Meeting:
    meeting = (
        Meeting.objects.published()
        .filter(participations__isnull=False)
        .order_by("pk")
        .distinct()
        .first()
    )
    sector = Sector.objects.order_by("pk").first()
    with capture(execute=True):
        meeting.sectors.add(sector)
    return meeting


def crowd(meeting: Meeting, n: int) -> list[int]:
    """`n` published meetings sharing the meeting's sectors, countries and host: records that
    do not show it."""
    countries = list(Country.objects.filter(participations__meeting=meeting).distinct())
    others = Meeting.objects.bulk_create(
        Meeting(
            slug=f"crowd-{meeting.pk}-{i}",
            title=f"Crowd {i}",
            kind=meeting.kind,
            status=EditorialStatus.PUBLISHED,
            start_date=dt.date(2021, 1 + i % 12, 1),
            host_country=meeting.host_country,
        )
        for i in range(n)
    )
    MeetingCountry.objects.bulk_create(
        MeetingCountry(meeting=other, country=country) for other in others for country in countries
    )
    through = Meeting.sectors.through
    through.objects.bulk_create(
        through(meeting_id=other.pk, sector=sector)
        for other in others
        for sector in meeting.sectors.all()
    )
    return [other.pk for other in others]


def save(meeting: Meeting, capture) -> int:
    with CaptureQueriesContext(connection) as queries, capture(execute=True):
        meeting = Meeting.objects.get(pk=meeting.pk)
        meeting.summary = (meeting.summary or "") + " (edited)"
        meeting.save()
    return len(queries)


def test_a_save_compares_the_records_showing_it_not_those_sharing_its_sector(
    seeded, compared, django_capture_on_commit_callbacks
):
    meeting = a_meeting_with_a_sector(django_capture_on_commit_callbacks)
    save(meeting, django_capture_on_commit_callbacks)
    alone = {model: set(ids) for model, ids in compared.items()}
    compared.clear()
    before = save(meeting, django_capture_on_commit_callbacks)
    compared.clear()

    others = crowd(meeting, 40)
    after = save(meeting, django_capture_on_commit_callbacks)

    assert not set(others) & compared[Meeting]
    assert {model: set(ids) for model, ids in compared.items()} == alone
    assert meeting.pk in compared[Meeting]
    # The same work with 40 more meetings in its sector and countries as with none.
    assert after == before


def test_without_a_baseline_the_first_save_reports_its_neighbourhood_only(
    seeded, compared, django_capture_on_commit_callbacks
):
    meeting = a_meeting_with_a_sector(django_capture_on_commit_callbacks)
    crowd(meeting, 20)
    PublishedState.objects.all().delete()
    first_change = Change.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    save(meeting, django_capture_on_commit_callbacks)

    shown_by = tracking.neighbours(Meeting, {meeting.pk})
    assert dict(compared) == {model: ids for model, ids in shown_by.items() if ids}
    reported = set(
        Change.objects.filter(pk__gt=first_change).values_list("kind", "slug").distinct()
    )
    expected = set()
    for model, ids in shown_by.items():
        plural = tracking.resources()[model]
        for record in tracking.representations(model, ids).values():
            expected.add((plural, record["slug"]))
    assert ("meetings", meeting.slug) in reported
    assert reported == expected
    # Every record it reported now has its baseline, and no other record does.
    assert PublishedState.objects.count() == len(expected)
