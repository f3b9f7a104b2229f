"""Facet counts: grouped cheaply yet counting each record once, and recounted at most once per
PACTA_FACET_STALE_SECONDS while writes go on (records/cache.recent)."""

import pytest
from django.urls import reverse

import records.cache
from agreements.models import Project, StatusEvent
from records.cache import AnonymousPageCacheMiddleware
from records.listing import owner_unique_per_value
from records.models import EditorialStatus
from summits.models import Body, Country, Meeting, MeetingCountry, Person

pytestmark = pytest.mark.django_db


def facet_counts(response, param: str) -> dict[str, int]:
    facets = {facet.param: values for facet, values in response.context["facets"]}
    return {value.value: value.count for value in facets[param]}


def facet_labels(response, param: str) -> list[str]:
    facets = {facet.param: values for facet, values in response.context["facets"]}
    return [value.label for value in facets[param]]


def test_country_facet_counts_and_names_each_country(client, seeded):
    response = client.get(reverse("meeting-list"))
    counts = facet_counts(response, "country")
    published = Meeting.objects.published()
    for code, count in counts.items():
        assert count == published.filter(participations__country__code=code).count()
    names = dict(Country.objects.filter(code__in=counts).values_list("code", "name"))
    labels = facet_labels(response, "country")
    assert labels == [names[code] for code in counts]
    # Most meetings first, ties by name: the order the GROUP BY on code and name gave.
    order = [(-count, names[code]) for code, count in counts.items()]
    assert order == sorted(order)


def test_a_filter_joining_a_to_many_relation_still_counts_each_record_once(client, seeded):
    """`person` on projects joins meetings and their persons, then asks for distinct rows;
    the kind facet must count projects, not project-person pairs."""
    project = Project.objects.published().filter(meetings__persons__isnull=False).first()
    assert project is not None
    person = project.meetings.filter(persons__isnull=False).first().persons.first()
    meetings = project.meetings.all()
    for meeting in meetings:
        # Two meetings (or two persons) per project would list it twice in the join.
        meeting.persons.add(*Person.objects.all()[:3])
    response = client.get(reverse("project-list"), {"person": person.slug})
    assert response.status_code == 200
    expected = Project.objects.published().filter(meetings__persons=person).distinct()
    kinds = facet_counts(response, "kind")
    assert sum(kinds.values()) == expected.count()
    for kind, count in kinds.items():
        assert count == expected.filter(kind=kind).count()


def test_counting_without_distinct_only_where_a_constraint_allows(seeded):
    assert owner_unique_per_value(MeetingCountry, "meeting", "country")
    assert owner_unique_per_value(Person, "pk", "country")
    assert owner_unique_per_value(Body.members.through, "body", "country")
    # A package's countries come through its meeting: two packages of a meeting share them.
    assert not owner_unique_per_value(MeetingCountry, "meeting__packages", "country")
    assert not owner_unique_per_value(StatusEvent, "document", "status")


def test_facets_may_lag_a_write_by_the_grace_period_but_rows_never_do(
    client, seeded, settings, monkeypatch
):
    settings.PACTA_FACET_STALE_SECONDS = 30
    url = reverse("meeting-list")
    before = facet_counts(client.get(url), "kind")
    meeting = Meeting.objects.published().filter(kind="state_visit").first() or (
        Meeting.objects.published().first()
    )
    old_kind = meeting.kind
    new_kind = next(kind for kind in Meeting.Kind.values if kind != old_kind)
    meeting.kind = new_kind
    meeting.save()

    fresh = client.get(url, {"kind": new_kind})
    # The rows are current at once; the facet counts are the ones from before the write, for
    # up to the grace period, and a page showing them is not cached.
    assert meeting.slug in {row.slug for row in fresh.context["object_list"]}
    assert facet_counts(fresh, "kind") == before
    # The page showing them is cached no longer than their grace period.
    until = fresh.wsgi_request.stale_counts_until
    assert 0 < until - records.cache.time.time() <= 30
    assert AnonymousPageCacheMiddleware.lifetime(fresh.wsgi_request) <= 30

    later = records.cache.time.time() + 31
    monkeypatch.setattr(records.cache.time, "time", lambda: later)
    recounted = facet_counts(client.get(url), "kind")
    assert recounted.get(old_kind, 0) == before.get(old_kind, 0) - 1
    assert recounted[new_kind] == before.get(new_kind, 0) + 1


def test_without_a_grace_period_facets_follow_every_write(client, seeded):
    url = reverse("meeting-list")
    before = facet_counts(client.get(url), "kind")
    meeting = Meeting.objects.published().first()
    meeting.status = EditorialStatus.DRAFT
    meeting.save()
    after = facet_counts(client.get(url), "kind")
    assert after.get(meeting.kind, 0) == before[meeting.kind] - 1
