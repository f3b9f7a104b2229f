import pytest
from django.db.models import Q

from agreements.models import Document, Project, ProjectOrganization
from summits.models import Organization
from tests.api.conftest import get_json, slugs


def test_detail_shape(seeded, client):
    document = get_json(client, "/api/v1/documents/armenia-azerbaijan-peace-agreement/")
    record = Document.objects.get(slug="armenia-azerbaijan-peace-agreement")
    assert document["id"] == record.pk
    assert document["url"].endswith("/api/v1/documents/armenia-azerbaijan-peace-agreement/")
    assert document["public_url"].endswith(record.get_absolute_url())
    assert document["kind"] == "treaty" and document["kind_label"] == "Treaty"
    assert document["countries"] == ["AM", "AZ"]
    assert {p["country"] for p in document["parties"]} == {"AM", "AZ"}
    assert "date" in document and "date_precision" in document
    history = document["status_history"]
    assert [e["status"] for e in history] == [e.status for e in record.status_events.all()]
    assert history, "the peace agreement has a cited status history"
    assert all(event["citations"] for event in history)
    assert {"date", "date_precision", "status_label", "note"} <= set(history[0])
    assert document["citations"]


def test_package_and_signatories_embedded(seeded, client):
    packaged = Document.objects.filter(package__isnull=False).first()
    document = get_json(client, f"/api/v1/documents/{packaged.slug}/")
    assert document["package"] == {
        "id": packaged.package.pk,
        "slug": packaged.package.slug,
        "title": packaged.package.title,
    }
    signed = get_json(client, "/api/v1/documents/declaration-peaceful-settlement-az-am/")
    assert signed["package"] is None
    assert [(p["slug"], p["role"]) for p in signed["persons"]] == [("ilham-aliyev", "signed")]


@pytest.mark.parametrize(
    "query, expected",
    [
        ("country=AM", lambda d: d.parties.filter(code="AM").exists()),
        (
            "countries=AZ,KZ",
            lambda d: {"AZ", "KZ"} <= set(d.parties.values_list("code", flat=True)),
        ),
        ("date_from=2022-01-01", lambda d: d.date and d.date.year >= 2022),
        ("date_to=2019-12-31", lambda d: d.date and d.date.year <= 2019),
        ("year=2018", lambda d: d.date and d.date.year == 2018),
        ("kind=declaration", lambda d: d.kind == "declaration"),
        ("level=interstate", lambda d: d.level == "interstate"),
        ("status=signed", lambda d: d.status_events.filter(status="signed").exists()),
        (
            "package=az-kg-package-2022-04-20",
            lambda d: d.package_id and d.package.slug == "az-kg-package-2022-04-20",
        ),
        (
            "meeting=aliyev-official-visit-belarus-2018",
            lambda d: d.meeting_id and d.meeting.slug == "aliyev-official-visit-belarus-2018",
        ),
        ("person=ilham-aliyev", lambda d: d.signatories.filter(slug="ilham-aliyev").exists()),
        (
            "source=anadolu-2024-04-15-tokayev-yerevan-peace-treaty",
            lambda d: d.citations.filter(
                source__slug="anadolu-2024-04-15-tokayev-yerevan-peace-treaty"
            ).exists(),
        ),
    ],
)
def test_filters(seeded, client, query, expected):
    wanted = {d.slug for d in Document.objects.published() if expected(d)}
    assert wanted, f"the seed should have documents for {query}"
    assert set(slugs(client, f"/api/v1/documents/?{query}")) == wanted


@pytest.mark.parametrize(
    "query, lookup",
    [
        (
            "body=az-kz-supreme-interstate-council",
            Q(meeting__body__slug="az-kz-supreme-interstate-council")
            | Q(establishes_body__slug="az-kz-supreme-interstate-council"),
        ),
        ("sector=trade", Q(meeting__sectors__slug="trade")),
        ("organization=socar", Q(projects__organizations__slug="socar")),
    ],
)
def test_relation_filters(seeded, client, query, lookup):
    # No seeded project with a document names an organization; give the cable one.
    ProjectOrganization.objects.create(
        project=Project.objects.get(slug="caspian-subsea-electric-cable"),
        organization=Organization.objects.get(slug="socar"),
    )
    wanted = set(Document.objects.published().filter(lookup).values_list("slug", flat=True))
    assert wanted, f"the seed should have documents for {query}"
    found = slugs(client, f"/api/v1/documents/?{query}")
    assert len(found) == len(set(found)), "a document listed twice"
    assert set(found) == wanted


def test_q_and_ordering(seeded, client):
    assert "armenia-azerbaijan-peace-agreement" in slugs(client, "/api/v1/documents/?q=peace")
    titles = [
        d["title"] for d in get_json(client, "/api/v1/documents/?ordering=-title")["results"]
    ]
    assert titles == sorted(titles, reverse=True)
