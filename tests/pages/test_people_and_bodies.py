import pytest
from django.urls import reverse

from records.models import EditorialStatus
from summits.models import Body, Organization, Person

from .conftest import COUNCIL_1, COUNCIL_2, count_queries, text_of

pytestmark = pytest.mark.django_db


def test_a_body_lists_its_numbered_sessions(client, seeded):
    body = Body.objects.get(slug="az-kz-supreme-interstate-council")
    response = client.get(body.get_absolute_url())
    html = response.content.decode()
    assert response.status_code == 200
    assert f"/meetings/{COUNCIL_1}/" in html and f"/meetings/{COUNCIL_2}/" in html
    assert "Session 1:" in text_of(response) and "Session 2:" in text_of(response)
    listing = client.get(reverse("body-list"), {"country": "KG"})
    assert list(listing.context["object_list"].values_list("slug", flat=True)) == [
        "az-kg-interstate-council"
    ]


def test_a_person_shows_meetings_offices_and_quotes(client, seeded):
    person = Person.objects.get(slug="kassym-jomart-tokayev")
    response = client.get(person.get_absolute_url())
    page = text_of(response)
    assert "President of the Republic of Kazakhstan" in page
    assert "“President of the Republic of Kazakhstan Kassym-Jomart Tokayev”" in page
    assert "Second meeting of the Azerbaijan-Kazakhstan Supreme Interstate Council" in page
    listing = client.get(reverse("person-list"), {"country": "KZ"})
    assert "kassym-jomart-tokayev" in listing.content.decode()
    assert "ilham-aliyev" not in listing.content.decode()


def test_an_organization_and_its_kind_facet(client, seeded):
    response = client.get(reverse("organization-list"), {"kind": "plant"})
    shown = set(response.context["object_list"].values_list("slug", flat=True))
    assert shown == set(
        Organization.objects.published().filter(kind="plant").values_list("slug", flat=True)
    )
    facets = {facet.param: values for facet, values in response.context["facets"]}
    kinds = {value.value: value.count for value in facets["kind"]}
    assert kinds["plant"] == len(shown)
    detail = client.get(reverse("organization-detail", kwargs={"slug": "mtz"}))
    assert detail.status_code == 200


@pytest.mark.parametrize("model", [Person, Organization, Body])
def test_drafts_are_404(client, seeded, model):
    record = model.objects.published().first()
    model.objects.filter(pk=record.pk).update(status=EditorialStatus.DRAFT)
    assert client.get(record.get_absolute_url()).status_code == 404
    listed = client.get(record.get_absolute_url().rsplit("/", 2)[0] + "/").content.decode()
    # Neither a link to it nor an option of the list's pickers.
    assert record.get_absolute_url() not in listed and f'value="{record.slug}"' not in listed


def test_person_list_costs_the_same_for_many_rows(client, seeded):
    before = count_queries(client, reverse("person-list"))
    Person.objects.bulk_create(
        Person(slug=f"bulk-{n}", name=f"Bulk {n}", status="published") for n in range(40)
    )
    assert count_queries(client, reverse("person-list")) == before <= 8
