from summits.models import Body
from tests.api.conftest import get_json, slugs


def test_detail_shape(seeded, client):
    body = get_json(client, "/api/v1/bodies/az-kz-supreme-interstate-council/")
    record = Body.objects.get(slug="az-kz-supreme-interstate-council")
    assert body["id"] == record.pk and body["name"] == record.name
    assert body["kind"] == "council" and body["kind_label"] == "Council"
    assert body["countries"] == ["AZ", "KZ"]
    assert [s["slug"] for s in body["sessions"]] == [
        "az-kz-supreme-interstate-council-2",
        "az-kz-supreme-interstate-council-1",
    ]
    assert [s["session_number"] for s in body["sessions"]] == [2, 1]
    assert body["citations"]


def test_filters(seeded, client):
    assert slugs(client, "/api/v1/bodies/?country=KG") == ["az-kg-interstate-council"]
    assert set(slugs(client, "/api/v1/bodies/?country=KZ")) == {
        "az-kz-supreme-interstate-council",
        "az-kz-intergovernmental-commission",
    }
    assert slugs(client, "/api/v1/bodies/?kind=commission") == [
        "az-kz-intergovernmental-commission"
    ]
    assert "az-kz-supreme-interstate-council" in slugs(client, "/api/v1/bodies/?q=supreme")
    names = [b["name"] for b in get_json(client, "/api/v1/bodies/?ordering=-name")["results"]]
    assert names == sorted(names, reverse=True)
