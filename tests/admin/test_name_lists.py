"""Aliases of persons, organizations and bodies are edited one name a line in the admin."""

import pytest

from records.input_checks import NameListField
from summits.models import Body, Organization, Person
from tests.admin.conftest import change_url, form_data


@pytest.mark.parametrize("model", [Person, Organization, Body], ids=lambda m: m._meta.label)
def test_aliases_are_typed_one_a_line(seeded, analyst_client, model):
    record = model.objects.order_by("pk").first()
    page = analyst_client.get(change_url(record))
    field = page.context["adminform"].form.fields["aliases"]
    assert isinstance(field, NameListField)
    assert "One name a line." in field.help_text
    data = form_data(page) | {"aliases": "Mirziyoyev\n\n  Second   name\nmirziyoyev\n"}

    response = analyst_client.post(change_url(record), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    record.refresh_from_db()
    assert record.aliases == ["Mirziyoyev", "Second name"]
    assert "aliases" in record.analyst_edited


def test_a_body_is_found_by_its_alias(seeded, analyst_client, client):
    body = Body.objects.published().order_by("pk").first()
    data = form_data(analyst_client.get(change_url(body))) | {
        "aliases": "Zanzibarian Quorum of States"
    }
    assert analyst_client.post(change_url(body), data).status_code == 302

    assert list(Body.objects.search("zanzibarian", None)) == [body]
    api = client.get("/api/v1/bodies/", {"q": "zanzibarian quorum"}).json()
    assert [row["slug"] for row in api["results"]] == [body.slug]
    assert api["results"][0]["aliases"] == ["Zanzibarian Quorum of States"]
