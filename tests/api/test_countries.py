from summits.models import Country
from tests.api.conftest import get_json, slugs


def test_detail_by_code_in_any_case(seeded, client):
    upper = get_json(client, "/api/v1/countries/AZ/")
    lower = get_json(client, "/api/v1/countries/az/")
    assert upper == lower
    assert upper["code"] == "AZ" and upper["slug"] == "az" and upper["name"] == "Azerbaijan"
    assert upper["url"] == "http://testserver/api/v1/countries/AZ/"
    assert (
        upper["public_url"]
        == "http://testserver" + Country.objects.get(code="AZ").get_absolute_url()
    )
    assert upper["updated_at"] is None


def test_unknown_or_malformed_code_is_404(seeded, client):
    assert get_json(client, "/api/v1/countries/ZZ/", status=404) == {"detail": "Not found."}
    # Not even routed: the URL pattern only takes two letters.
    for path in ["/api/v1/countries/AZE/", "/api/v1/countries/A%00/", "/api/v1/countries/%00%00/"]:
        assert client.get(path).status_code == 404


def test_list_and_filters(seeded, client):
    page = get_json(client, "/api/v1/countries/")
    assert page["count"] == Country.objects.count()
    active = {c["code"] for c in get_json(client, "/api/v1/countries/?active=true")["results"]}
    assert {"AZ", "KZ", "BY", "KG", "AM"} <= active
    assert slugs(client, "/api/v1/countries/?q=kazakh") == ["kz"]
    codes = [c["code"] for c in get_json(client, "/api/v1/countries/?ordering=-code")["results"]]
    assert codes == sorted(codes, reverse=True)
