"""A list page costs a fixed number of queries, however many rows and relations it shows."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date

from agreements.models import (
    Document,
    DocumentParty,
    DocumentSignatory,
    Milestone,
    Package,
    Project,
    ProjectCountry,
    ProjectOrganization,
    StatusEvent,
)
from records.models import Citation, Source
from summits.models import (
    Body,
    Country,
    Meeting,
    MeetingCountry,
    MeetingPerson,
    Organization,
    Person,
    Sector,
)
from tests.api.conftest import EXAMPLES, RESOURCES, get_json

# Queries per list page: the count, the newest change of the resource (for Last-Modified;
# countries have none), the page itself, and one per prefetched relation. Country-code filters
# add one lookup.
LIST_QUERIES = {
    "meetings": 10,
    "documents": 10,
    "packages": 6,
    "projects": 12,
    "bodies": 6,
    "countries": 2,
    "persons": 5,
    "organizations": 4,
    "sources": 3,
}
EXTRA = 120
# A source's detail shows its excerpts (records/excerpts.py): its text, its quotes, and the
# visibility of each kind of record they support (this one quotes seven).
DETAIL_EXTRA = {"sources": 10}


def cite(records, source: Source) -> None:
    content_type = ContentType.objects.get_for_model(records[0])
    Citation.objects.bulk_create(
        Citation(
            source=source,
            content_type=content_type,
            object_id=record.pk,
            quote=source.text[:20],
            start=0,
            end=20,
        )
        for record in records
        for _ in range(2)
    )


def grow(resource: str, count: int = EXTRA, first: int = 0) -> None:
    """`count` more published records of the resource (numbered from `first`, so that a
    second call adds others), each with relations and quotes."""
    source = Source.objects.first()
    az, kz = Country.objects.get(code="AZ"), Country.objects.get(code="KZ")
    aliyev = Person.objects.get(slug="ilham-aliyev")
    socar = Organization.objects.get(slug="socar")
    published = {"status": "published"}
    names = [f"bulk-{resource}-{n}" for n in range(first, first + count)]
    if resource == "countries":
        taken = set(Country.objects.values_list("code", flat=True))
        letters = [chr(c) for c in range(ord("A"), ord("Z") + 1)]
        free = [a + b for a in letters for b in letters if a + b not in taken]
        Country.objects.bulk_create(Country(code=code, name=code) for code in free[:count])
        return
    if resource == "meetings":
        meetings = Meeting.objects.bulk_create(
            Meeting(slug=s, title=s, kind="talks", start_date=dt.date(2030, 1, 1), **published)
            for s in names
        )
        MeetingCountry.objects.bulk_create(
            MeetingCountry(meeting=m, country=c, role="host" if c == az else "guest")
            for m in meetings
            for c in (az, kz)
        )
        MeetingPerson.objects.bulk_create(
            MeetingPerson(meeting=m, person=aliyev) for m in meetings
        )
        sector = Sector.objects.get(slug="energy")
        Meeting.sectors.through.objects.bulk_create(
            Meeting.sectors.through(meeting=m, sector=sector) for m in meetings
        )
        Document.objects.bulk_create(
            Document(slug=f"{m.slug}-doc", title="d", kind="treaty", meeting=m, **published)
            for m in meetings
        )
        cite(meetings, source)
    elif resource == "documents":
        documents = Document.objects.bulk_create(
            Document(slug=s, title=s, kind="treaty", date=dt.date(2030, 1, 1), **published)
            for s in names
        )
        DocumentParty.objects.bulk_create(
            DocumentParty(document=d, country=c) for d in documents for c in (az, kz)
        )
        DocumentSignatory.objects.bulk_create(
            DocumentSignatory(document=d, person=aliyev) for d in documents
        )
        events = StatusEvent.objects.bulk_create(
            StatusEvent(document=d, status="signed", date=dt.date(2030, 1, 1)) for d in documents
        )
        cite(documents, source)
        cite(events, source)
    elif resource == "packages":
        meeting = Meeting.objects.get(slug="az-kz-supreme-interstate-council-2")
        packages = Package.objects.bulk_create(
            Package(slug=s, title=s, meeting=meeting, **published) for s in names
        )
        Document.objects.bulk_create(
            Document(slug=f"{p.slug}-doc", title="d", kind="treaty", package=p, **published)
            for p in packages
        )
        cite(packages, source)
    elif resource == "projects":
        projects = Project.objects.bulk_create(
            Project(slug=s, name=s, kind="fund", **published) for s in names
        )
        ProjectCountry.objects.bulk_create(
            ProjectCountry(project=p, country=c) for p in projects for c in (az, kz)
        )
        ProjectOrganization.objects.bulk_create(
            ProjectOrganization(project=p, organization=socar) for p in projects
        )
        milestones = Milestone.objects.bulk_create(
            Milestone(project=p, kind="agreed", date=dt.date(2030, 1, 1)) for p in projects
        )
        cite(projects, source)
        cite(milestones, source)
    elif resource == "bodies":
        bodies = Body.objects.bulk_create(Body(slug=s, name=s, **published) for s in names)
        Body.members.through.objects.bulk_create(
            Body.members.through(body=b, country=c) for b in bodies for c in (az, kz)
        )
        Meeting.objects.bulk_create(
            Meeting(
                slug=f"{b.slug}-1",
                title="s",
                kind="body_session",
                body=b,
                session_number=1,
                **published,
            )
            for b in bodies
        )
        cite(bodies, source)
    elif resource == "persons":
        persons = Person.objects.bulk_create(
            Person(slug=s, name=s, country=az, **published) for s in names
        )
        cite(persons, source)
    elif resource == "organizations":
        organizations = Organization.objects.bulk_create(
            Organization(slug=s, name=s, country=az, **published) for s in names
        )
        cite(organizations, source)
    elif resource == "sources":
        Source.objects.bulk_create(
            Source(slug=s, title=s, text=s * 50, sha256=f"{n:064x}", **published)
            for n, s in enumerate(names, start=first)
        )


def warm_content_types() -> None:
    """Citations find their records' content types through a per-process cache; fill it so
    that a count does not depend on which test ran first."""
    ContentType.objects.get_for_models(
        Meeting, Document, Package, Project, Body, Person, Organization, StatusEvent, Milestone
    )


def queries(client, url: str) -> tuple[int, dict]:
    with CaptureQueriesContext(connection) as captured:
        page = get_json(client, url)
    return len(captured.captured_queries), page


@pytest.mark.parametrize("resource", RESOURCES)
def test_list_queries_do_not_grow_with_rows(
    seeded, client, resource, django_assert_max_num_queries
):
    warm_content_types()
    one, page = queries(client, f"/api/v1/{resource}/?page_size=1")
    assert len(page["results"]) == 1
    grow(resource)
    with django_assert_max_num_queries(LIST_QUERIES[resource]):
        many, page = queries(client, f"/api/v1/{resource}/?page_size=100")
    assert len(page["results"]) >= min(100, page["count"]) and page["count"] > 30
    # A nested prefetch (status events' quotes) is skipped when a page has nothing to nest.
    assert one <= many == LIST_QUERIES[resource]


def test_country_filter_costs_one_lookup(seeded, client, django_assert_max_num_queries):
    warm_content_types()
    grow("meetings")
    with django_assert_max_num_queries(LIST_QUERIES["meetings"] + 1):
        page = get_json(client, "/api/v1/meetings/?countries=AZ,KZ&page_size=100")
    assert page["count"] > EXTRA


@pytest.mark.parametrize("resource", RESOURCES)
def test_detail_queries_are_fixed(seeded, client, resource, django_assert_num_queries):
    """A list page's queries but its count and newest change: a detail's Last-Modified is
    read from its own row, with the record."""
    warm_content_types()
    list_only = 1 if resource == "countries" else 2
    with django_assert_num_queries(
        LIST_QUERIES[resource] - list_only + DETAIL_EXTRA.get(resource, 0)
    ):
        record = get_json(client, f"/api/v1/{resource}/{EXAMPLES[resource]}/")
    if resource != "countries":
        modified = client.get(f"/api/v1/{resource}/{EXAMPLES[resource]}/")["Last-Modified"]
        assert modified == http_date(parse_datetime(record["updated_at"]).timestamp())
