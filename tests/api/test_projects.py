import pytest
from django.db.models import Q

from agreements.models import Milestone, Project
from tests.api.conftest import get_json, slugs


def test_detail_shape(seeded, client):
    project = get_json(client, "/api/v1/projects/kurmangazy-childrens-creativity-center-fuzuli/")
    record = Project.objects.get(slug="kurmangazy-childrens-creativity-center-fuzuli")
    assert project["id"] == record.pk
    assert project["kind"] == "gift" and project["kind_label"] == "Gift"
    assert project["countries"] == ["AZ", "KZ"]
    assert {(p["country"], p["role"]) for p in project["participants"]} == set(
        record.country_roles.values_list("country__code", "role")
    )
    assert [m["kind"] for m in project["milestones"]] == ["completed", "operational", "proposed"]
    assert project["milestones"][0]["date"] == "2024-03-12"
    assert project["milestones"][0]["date_precision"] == "day"
    assert all(m["citations"] for m in project["milestones"])
    assert {m["slug"] for m in project["meetings"]} == set(
        record.meetings.values_list("slug", flat=True)
    )
    assert project["sectors"] == ["culture", "education", "humanitarian"]
    assert project["citations"]


def test_organizations_by_name_and_id(seeded, client):
    project = get_json(client, "/api/v1/projects/socar-investment-grodno-azot-modernization/")
    record = Project.objects.get(slug="socar-investment-grodno-azot-modernization")
    assert {(o["id"], o["slug"], o["name"], o["role"]) for o in project["organizations"]} == {
        (row.organization.pk, row.organization.slug, row.organization.name, row.role)
        for row in record.organization_roles.select_related("organization")
    }
    assert {o["slug"] for o in project["organizations"]} == {"grodno-azot", "socar"}


@pytest.mark.parametrize(
    "query, lookup",
    [
        ("country=TR", Q(country_roles__country__code="TR")),
        ("kind=gift", Q(kind="gift")),
        ("milestone=completed", Q(milestones__kind="completed")),
        ("milestone=stalled&milestone=started", Q(milestones__kind__in=["stalled", "started"])),
        ("date_from=2024-01-01", Q(milestones__date__gte="2024-01-01")),
        ("date_to=2018-12-31", Q(milestones__date__lte="2018-12-31")),
        ("year=2022", Q(milestones__date__year=2022)),
        ("sector=energy", Q(sectors__slug="energy")),
        ("organization=mtz", Q(organizations__slug="mtz")),
        (
            "meeting=az-kz-supreme-interstate-council-2",
            Q(meetings__slug="az-kz-supreme-interstate-council-2"),
        ),
        ("document=by-az-joint-statement-2018", Q(documents__slug="by-az-joint-statement-2018")),
        ("person=nikol-pashinyan", Q(meetings__persons__slug="nikol-pashinyan")),
        (
            "body=az-kz-supreme-interstate-council",
            Q(meetings__body__slug="az-kz-supreme-interstate-council"),
        ),
        ("q=tractor", Q(name__icontains="tractor") | Q(summary__icontains="tractor")),
    ],
)
def test_filters(seeded, client, query, lookup):
    wanted = set(Project.objects.published().filter(lookup).values_list("slug", flat=True))
    assert wanted, f"the seed should have projects for {query}"
    found = slugs(client, f"/api/v1/projects/?{query}")
    assert len(found) == len(set(found)), "a project listed twice"
    if query.startswith("q="):
        assert wanted <= set(found)  # quotes match too
    else:
        assert set(found) == wanted


def test_countries_pair(seeded, client):
    found = set(slugs(client, "/api/v1/projects/?countries=AZ,TR"))
    assert found == {
        "azerbaijani-oil-processing-complex-turkey",
        "by-az-tractor-manufacturing-turkey",
    }


def test_source_filter(seeded, client):
    source = "astana-2024-03-11-supreme-interstate-council-baku"
    found = set(slugs(client, f"/api/v1/projects/?source={source}"))
    assert "kurmangazy-childrens-creativity-center-fuzuli" in found
    for slug in found:
        assert Project.objects.get(slug=slug).citations.filter(source__slug=source).exists()


def test_milestone_citations_are_their_own(seeded, client):
    milestone = Milestone.objects.filter(citations__isnull=False).first()
    project = get_json(client, f"/api/v1/projects/{milestone.project.slug}/")
    embedded = next(m for m in project["milestones"] if m["kind"] == milestone.kind)
    assert {c["quote"] for c in embedded["citations"]} <= set(
        milestone.project.milestones.values_list("citations__quote", flat=True)
    )
