from summits.models import Organization
from tests.api.conftest import get_json, slugs


def test_detail_shape(seeded, client):
    organization = get_json(client, "/api/v1/organizations/azertac/")
    record = Organization.objects.get(slug="azertac")
    assert organization["id"] == record.pk and organization["name"] == record.name
    assert organization["country"] == "AZ"
    assert organization["kind"] == record.kind
    assert organization["kind_label"] == record.get_kind_display()


def test_filters(seeded, client):
    by_country = set(slugs(client, "/api/v1/organizations/?country=BY"))
    assert by_country == set(
        Organization.objects.published().filter(country__code="BY").values_list("slug", flat=True)
    )
    assert by_country
    universities = slugs(client, "/api/v1/organizations/?kind=university")
    assert universities == ["university-of-civil-protection-belarus"]
    assert slugs(client, "/api/v1/organizations/?q=state+oil") == ["socar"]


def test_search_finds_an_organization_by_an_alias(seeded, client):
    found = client.get("/api/v1/organizations/?q=socar").json()["results"]
    assert [org["slug"] for org in found] == ["socar"]
