import datetime as dt

import pytest
from django.urls import reverse

from agreements.models import Milestone, Project, ProjectCountry
from summits.models import Country

from .conftest import KURMANGAZY, count_queries, text_of

pytestmark = pytest.mark.django_db


def test_the_detail_shows_milestones_as_a_timeline_with_quotes(client, seeded):
    project = Project.objects.get(slug=KURMANGAZY)
    response = client.get(project.get_absolute_url())
    page = text_of(response)
    assert response.status_code == 200
    assert "Milestones" in page
    assert "12 Mar 2024" in page and "as written: “Tomorrow”" in page
    assert (
        "“Tomorrow we will open this center, which will also be the center of our friendship.”"
        in page
    )
    assert (
        "21 Oct 2025 (year inferred: As of the speech of October 21 [2025], see source.)" in page
    )
    assert "Kazakhstan (donor)" in page and "Azerbaijan (recipient)" in page
    assert "Around 100 children are currently studying at this center." in page
    assert 'class="mini-timeline"' in response.content.decode()


def test_the_list_filters_by_milestone_and_year(client, seeded):
    response = client.get(reverse("project-list"), {"milestone": "operational", "year": 2025})
    slugs = set(response.context["object_list"].values_list("slug", flat=True))
    assert KURMANGAZY in slugs
    expected = set(
        Project.objects.published()
        .filter(milestones__kind="operational")
        .filter(milestones__date__year=2025)
        .values_list("slug", flat=True)
    )
    assert slugs == expected
    facets = {facet.param: values for facet, values in response.context["facets"]}
    assert {value.value for value in facets["milestone"]} >= {"operational"}


def test_the_list_costs_a_fixed_number_of_queries(client, seeded):
    before = count_queries(client, reverse("project-list"))
    az = Country.objects.get(code="AZ")
    created = Project.objects.bulk_create(
        Project(slug=f"bulk-{n}", name=f"Bulk {n}", kind="fund", status="published")
        for n in range(30)
    )
    ProjectCountry.objects.bulk_create(ProjectCountry(project=p, country=az) for p in created)
    Milestone.objects.bulk_create(
        Milestone(project=p, kind="agreed", date=dt.date(2023, 1, 1)) for p in created
    )
    assert count_queries(client, reverse("project-list")) == before <= 17
