import pytest
from django.urls import reverse

from agreements.models import Document
from summits.models import Meeting

from .conftest import COUNCIL_1, KURMANGAZY, text_of

pytestmark = pytest.mark.django_db


def test_a_country_page_has_partners_meetings_documents_projects_by_year(client, seeded):
    response = client.get("/countries/kz/")
    assert response.status_code == 200
    page = text_of(response)
    html = response.content.decode()
    partners = {p["code"]: p for p in response.context["partners"]}
    assert partners["AZ"]["meetings"] == (
        Meeting.objects.published()
        .filter(participations__country__code="KZ")
        .filter(participations__country__code="AZ")
        .count()
    )
    # Kazakhstan met Armenia once (Tokayev's visit to Yerevan, 2024): a partner, linked.
    assert partners["AM"]["meetings"] == 1
    assert "Kazakhstan and Armenia 1 0 2" in page
    assert (
        '<a href="/relations/am-kz/"><span class="visually-hidden">Kazakhstan and </span>'
        "Armenia</a>" in html
    )
    assert f"/meetings/{COUNCIL_1}/" in html and f"/projects/{KURMANGAZY}/" in html
    assert "2024" in page and "2025" in page
    kz_documents = Document.objects.published().filter(party_roles__country__code="KZ")
    assert f"{kz_documents.count()} document" in page
    assert reverse("api:country-detail", kwargs={"code": "KZ"}) in html


@pytest.mark.parametrize("path", ["/countries/zz/", "/countries/kaz/", "/countries/1z/"])
def test_unknown_countries_are_404(client, seeded, path):
    assert client.get(path).status_code == 404


def test_the_country_list_puts_countries_with_records_first(client, seeded):
    response = client.get(reverse("country-list"))
    first = list(response.context["object_list"])[:3]
    assert first[0].code == "AZ"
    assert all(country.meeting_count > 0 for country in first)
    searched = client.get(reverse("country-list"), {"q": "kazakh"})
    assert [c.code for c in searched.context["object_list"]] == ["KZ"]
