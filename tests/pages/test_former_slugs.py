"""A record's old address answers with a 301 to its new one, for every kind's page."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from records import registry
from records.slugs import record_rename
from summits.models import Meeting, Person
from tests.pages.conftest import COUNCIL_2


@pytest.mark.parametrize("kind", registry.kinds(), ids=lambda kind: kind.plural)
def test_every_kinds_old_page_address_moves_permanently(client, seeded, kind):
    record = kind.model.objects.published().order_by("pk").first()
    old_url = record.get_absolute_url()
    renamed = record_rename(record=record, slug=f"{record.slug}-renamed")

    response = client.get(old_url)

    assert response.status_code == 301
    assert response["Location"] == renamed.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200


def test_the_query_string_is_kept_and_a_chain_of_renames_is_one_hop(client, seeded):
    meeting = Meeting.objects.get(slug=COUNCIL_2)
    first_url = meeting.get_absolute_url()
    record_rename(record=meeting, slug="council-2-b")
    second_url = Meeting.objects.get(pk=meeting.pk).get_absolute_url()
    final = record_rename(record=meeting, slug="council-2-c").get_absolute_url()

    for old in (first_url, second_url):
        response = client.get(old + "?lang=en&x=1")
        assert response.status_code == 301
        assert response["Location"] == final + "?lang=en&x=1"


def test_an_unknown_slug_stays_404_in_two_queries(client, seeded):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/persons/nobody-ever/")
    assert response.status_code == 404
    # The record's lookup, then the former slugs'.
    assert len([q for q in queries.captured_queries if "former" in q["sql"]]) == 1


def test_a_draft_is_not_revealed_by_its_old_address(staff_client, seeded):
    person = Person.objects.get(slug="ilham-aliyev")
    record_rename(record=person, slug="ilham-aliyev-draft")
    Person.objects.filter(pk=person.pk).update(status="draft")

    assert Client().get("/persons/ilham-aliyev/").status_code == 404
    response = staff_client.get("/persons/ilham-aliyev/")
    assert response.status_code == 301
    assert response["Location"] == "/persons/ilham-aliyev-draft/"
