from agreements.models import Package
from tests.api.conftest import get_json, slugs


def test_detail_shape(seeded, client):
    package = get_json(client, "/api/v1/packages/az-kg-package-2022-04-20/")
    record = Package.objects.get(slug="az-kg-package-2022-04-20")
    assert package["id"] == record.pk
    assert package["meeting"]["slug"] == record.meeting.slug
    assert package["countries"] == ["AZ", "KG"]
    assert package["announced_count"] == record.announced_count
    assert package["announced_text"] == record.announced_text
    assert [d["slug"] for d in package["documents"]] == [
        "az-kg-declaration-strategic-partnership-2022"
    ]
    assert package["citations"]


def test_a_package_without_meeting_has_no_countries(seeded, client):
    Package.objects.filter(slug="az-kg-package-2022-04-20").update(meeting=None)
    package = get_json(client, "/api/v1/packages/az-kg-package-2022-04-20/")
    assert package["meeting"] is None and package["countries"] == []


def test_filters(seeded, client):
    assert slugs(client, "/api/v1/packages/?country=KG") == ["az-kg-package-2022-04-20"]
    assert slugs(client, "/api/v1/packages/?meeting=tokayev-official-visit-armenia-2024") == [
        "kz-am-agreements-2024-04-15"
    ]
    assert slugs(client, "/api/v1/packages/?year=2018") == ["by-az-documents-2018-11-19"]
    assert slugs(client, "/api/v1/packages/?year=2001") == []
    assert slugs(client, "/api/v1/packages/?ordering=-date") == [
        "kz-am-agreements-2024-04-15",
        "az-kg-package-2022-04-20",
        "by-az-documents-2018-11-19",
    ]
    assert "az-kg-package-2022-04-20" in slugs(
        client, "/api/v1/packages/?source=balci-2022-az-kg-strategic-partnership"
    )
