import pytest
from django.urls import reverse

from .conftest import KURMANGAZY, text_of

pytestmark = pytest.mark.django_db


def test_results_are_grouped_by_record_type(client, seeded):
    response = client.get(reverse("search"), {"q": "Kurmangazy"})
    assert response.status_code == 200
    groups = {g["label"]: g["results"] for g in response.context["groups"] if g["results"]}
    # Each result comes with its snippet (or None), where the words matched.
    assert KURMANGAZY in {p.slug for p, _ in groups["Projects"]}
    assert "kurmangazy-center-inauguration-2024" in {m.slug for m, _ in groups["Meetings"]}
    assert "Sources" in groups
    page = text_of(response)
    assert page.index("Meetings") < page.index("Projects")


def test_search_finds_a_quote_and_a_country(client, seeded):
    response = client.get(reverse("search"), {"q": "fivefold"})
    groups = {g["label"]: g["results"] for g in response.context["groups"] if g["results"]}
    assert "az-kz-supreme-interstate-council-1" in {m.slug for m, _ in groups["Meetings"]}
    countries = client.get(reverse("search"), {"q": "Kyrgyz"}).context["groups"][-1]
    assert [c.code for c, _ in countries["results"]] == ["KG"]


def test_an_empty_query_shows_the_form_and_a_bad_one_is_400(client, seeded):
    empty = client.get(reverse("search"))
    assert empty.status_code == 200 and empty.context["groups"] == []
    bad = client.get(reverse("search"), {"q": "x" * 500})
    assert bad.status_code == 400
    assert "at most 200 characters" in text_of(bad)
    nul = client.get(reverse("search"), {"q": "a\x00b"})
    assert nul.status_code == 400


def test_a_hostile_query_is_echoed_as_text(client, seeded):
    response = client.get(reverse("search"), {"q": "<script>alert(1)</script>"})
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
