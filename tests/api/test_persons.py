from summits.models import Person
from tests.api.conftest import get_json, slugs


def test_detail_shape(seeded, client):
    person = get_json(client, "/api/v1/persons/ilham-aliyev/")
    record = Person.objects.get(slug="ilham-aliyev")
    assert person["id"] == record.pk and person["name"] == "Ilham Aliyev"
    assert person["country"] == "AZ"
    assert person["aliases"] == record.aliases
    assert person["wikidata_id"] == record.wikidata_id
    assert len(person["offices"]) == record.offices.count()
    assert all(
        {"title", "country", "start_date", "start_precision"} <= set(o) for o in person["offices"]
    )


def test_filters(seeded, client):
    assert slugs(client, "/api/v1/persons/?country=AM") == ["nikol-pashinyan"]
    assert slugs(client, "/api/v1/persons/?country=AM,KG") == ["nikol-pashinyan", "sadyr-japarov"]
    assert slugs(client, "/api/v1/persons/?q=tokayev") == ["kassym-jomart-tokayev"]
    names = [p["name"] for p in get_json(client, "/api/v1/persons/?ordering=-name")["results"]]
    assert names == sorted(names, reverse=True)
