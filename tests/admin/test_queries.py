"""Changelists cost the same number of queries with 10 rows as with 1,000."""

import datetime as dt
import itertools

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agreements.models import (
    Document,
    DocumentParty,
    Milestone,
    Package,
    Project,
    ProjectCountry,
    StatusEvent,
)
from records.models import Citation, Source
from summits.models import Body, Country, Meeting, MeetingCountry, Organization, Person, Sector
from tests.admin.conftest import changelist_url

counter = itertools.count()


def _slugs(prefix, n):
    return [f"{prefix}-{next(counter)}" for _ in range(n)]


def _country(code):
    return Country.objects.get(code=code)


def make_meetings(n):
    body = Body.objects.order_by("pk").first()
    az, kz = _country("AZ"), _country("KZ")
    meetings = Meeting.objects.bulk_create(
        Meeting(
            slug=slug,
            title=f"Meeting {slug}",
            kind="talks",
            body=body if i % 2 else None,
            start_date=dt.date(2020 + i % 5, 1 + i % 12, 1),
            host_country=kz,
        )
        for i, slug in enumerate(_slugs("meeting", n))
    )
    MeetingCountry.objects.bulk_create(
        MeetingCountry(meeting=m, country=c) for m in meetings for c in (az, kz)
    )


def make_documents(n):
    meeting = Meeting.objects.order_by("pk").first()
    by = _country("BY")
    documents = Document.objects.bulk_create(
        Document(
            slug=slug,
            title=f"Document {slug}",
            kind="agreement",
            meeting=meeting,
            date=dt.date(2021, 5, 1),
        )
        for slug in _slugs("document", n)
    )
    DocumentParty.objects.bulk_create(DocumentParty(document=d, country=by) for d in documents)
    StatusEvent.objects.bulk_create(StatusEvent(document=d, status="signed") for d in documents)


def make_projects(n):
    az, kz = _country("AZ"), _country("KZ")
    projects = Project.objects.bulk_create(
        Project(slug=slug, name=f"Project {slug}", kind="fund", location_country=az)
        for slug in _slugs("project", n)
    )
    ProjectCountry.objects.bulk_create(ProjectCountry(project=p, country=kz) for p in projects)
    Milestone.objects.bulk_create(Milestone(project=p, kind="agreed") for p in projects)


def make_persons(n):
    az = _country("AZ")
    Person.objects.bulk_create(
        Person(slug=slug, name=f"Person {slug}", country=az) for slug in _slugs("person", n)
    )


def make_organizations(n):
    kz = _country("KZ")
    Organization.objects.bulk_create(
        Organization(slug=slug, name=f"Org {slug}", country=kz)
        for slug in _slugs("organization", n)
    )


def make_bodies(n):
    az, kz = _country("AZ"), _country("KZ")
    bodies = Body.objects.bulk_create(
        Body(slug=slug, name=f"Body {slug}") for slug in _slugs("body", n)
    )
    through = Body.members.through
    through.objects.bulk_create(through(body=b, country=c) for b in bodies for c in (az, kz))


def make_packages(n):
    meeting = Meeting.objects.order_by("pk").first()
    Package.objects.bulk_create(
        Package(slug=slug, title=f"Package {slug}", meeting=meeting, announced_count=3)
        for slug in _slugs("package", n)
    )


def make_sources(n):
    Source.objects.bulk_create(
        Source(slug=slug, title=f"Source {slug}", text=f"Text {slug}.", sha256=slug)
        for slug in _slugs("source", n)
    )


def make_citations(n):
    source = Source.objects.order_by("pk").first()
    meeting = Meeting.objects.order_by("pk").first()
    document = Document.objects.order_by("pk").first()
    quote = source.text[:20]
    Citation.objects.bulk_create(
        Citation(
            source=source,
            content_type=ContentType.objects.get_for_model(record),
            object_id=record.pk,
            quote=quote,
            start=0,
            end=len(quote),
        )
        for i in range(n)
        for record in [(meeting, document)[i % 2]]
    )


def make_status_events(n):
    document = Document.objects.order_by("pk").first()
    StatusEvent.objects.bulk_create(
        StatusEvent(document=document, status="signed", date=dt.date(2022, 1, 1)) for _ in range(n)
    )


def make_milestones(n):
    project = Project.objects.order_by("pk").first()
    Milestone.objects.bulk_create(Milestone(project=project, kind="started") for _ in range(n))


def make_sectors(n):
    Sector.objects.bulk_create(
        Sector(slug=slug, name=f"Sector {slug}") for slug in _slugs("sector", n)
    )


FACTORIES = {
    Meeting: make_meetings,
    Document: make_documents,
    Project: make_projects,
    Person: make_persons,
    Organization: make_organizations,
    Body: make_bodies,
    Package: make_packages,
    Source: make_sources,
    Citation: make_citations,
    StatusEvent: make_status_events,
    Milestone: make_milestones,
    Sector: make_sectors,
}


def _count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("model", FACTORIES, ids=lambda model: model._meta.label)
def test_changelist_queries_do_not_grow_with_rows(
    seeded, analyst_client, django_assert_max_num_queries, model
):
    url = changelist_url(model)
    FACTORIES[model](10)
    analyst_client.get(url)  # warm the content-type and permission caches
    small = _count(analyst_client, url)

    FACTORIES[model](990)
    with django_assert_max_num_queries(small):
        response = analyst_client.get(url)

    assert response.context["cl"].result_count >= 1000
    assert len(response.context["cl"].result_list) == response.context["cl"].list_per_page


def test_the_country_changelist_shows_all_249_in_constant_queries(
    seeded, analyst_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        response = analyst_client.get(changelist_url(Country))
    assert response.context["cl"].result_count == Country.objects.count() >= 249
