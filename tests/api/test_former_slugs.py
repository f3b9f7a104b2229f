"""The API's detail of a record answers its old slug with a 301 to the new address."""

import pytest

from records import registry
from records.slugs import record_rename
from summits.models import Person
from tests.api.conftest import get_json


@pytest.mark.parametrize("kind", registry.kinds(), ids=lambda kind: kind.plural)
def test_every_kinds_old_api_address_moves_permanently(client, seeded, kind):
    record = kind.model.objects.published().order_by("pk").first()
    old = f"/api/v1/{kind.plural}/{record.slug}/"
    renamed = record_rename(record=record, slug=f"{record.slug}-renamed")

    response = client.get(old + "?format=json")

    assert response.status_code == 301
    new = f"/api/v1/{kind.plural}/{renamed.slug}/"
    assert response["Location"] == new + "?format=json"
    assert get_json(client, response["Location"])["slug"] == renamed.slug


def test_renamed_twice_both_old_api_addresses_lead_to_the_current_one(client, seeded):
    person = Person.objects.get(slug="ilham-aliyev")
    record_rename(record=person, slug="ilham-aliyev-b")
    record_rename(record=person, slug="ilham-aliyev-c")
    for old in ("ilham-aliyev", "ilham-aliyev-b"):
        response = client.get(f"/api/v1/persons/{old}/")
        assert response.status_code == 301
        assert response["Location"] == "/api/v1/persons/ilham-aliyev-c/"


def test_a_drafts_old_api_address_is_404_to_the_public(client, seeded):
    person = Person.objects.get(slug="ilham-aliyev")
    record_rename(record=person, slug="ilham-aliyev-b")
    Person.objects.filter(pk=person.pk).update(status="draft")
    assert client.get("/api/v1/persons/ilham-aliyev/").status_code == 404
    assert client.get("/api/v1/persons/never-was/").status_code == 404
