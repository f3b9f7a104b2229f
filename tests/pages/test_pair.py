import pytest
from django.urls import reverse

from agreements.models import Document
from records.models import EditorialStatus
from summits.models import Meeting

from .conftest import COUNCIL_1, COUNCIL_2, KURMANGAZY, text_of

pytestmark = pytest.mark.django_db


def test_the_az_kz_page_lists_both_councils_and_the_kurmangazy_centre(client, seeded):
    response = client.get("/relations/az-kz/")
    assert response.status_code == 200
    html = response.content.decode()
    page = text_of(response)
    assert "Azerbaijan and Kazakhstan" in page
    assert f"/meetings/{COUNCIL_1}/" in html and f"/meetings/{COUNCIL_2}/" in html
    assert f"/projects/{KURMANGAZY}/" in html
    assert "Project completed" in page and "Project operational" in page
    assert "/documents/az-kz-treaty-strategic-partnership-allied-relations/" in html
    assert "Document signed" in page  # a status event of a shared document


def test_the_timeline_runs_in_date_order(client, seeded):
    timeline = client.get("/relations/az-kz/").context["timeline"]
    dates = [event["date"] for event in timeline if event["date"]]
    assert dates == sorted(dates)
    assert {event["type"] for event in timeline} == {"meeting", "document", "status", "milestone"}


def test_any_order_redirects_to_the_canonical_pair(client, seeded):
    response = client.get("/relations/kz-az/")
    assert response.status_code == 301 and response["Location"] == "/relations/az-kz/"
    assert client.get("/relations/AZ-KZ/").status_code == 301


@pytest.mark.parametrize(
    "path", ["/relations/az-az/", "/relations/az-zz/", "/relations/azk-kz/", "/relations/az/"]
)
def test_unknown_or_malformed_pairs_are_404(client, seeded, path):
    assert client.get(path).status_code == 404


def test_both_country_pages_link_to_the_pair(client, seeded):
    for code in ("az", "kz"):
        html = client.get(reverse("country-detail", kwargs={"code": code})).content.decode()
        assert 'href="/relations/az-kz/"' in html


def test_drafts_stay_off_the_pair_page(client, seeded):
    Meeting.objects.filter(slug=COUNCIL_1).update(status=EditorialStatus.DRAFT)
    Document.objects.filter(slug="az-kz-treaty-strategic-partnership-allied-relations").update(
        status=EditorialStatus.DRAFT
    )
    html = client.get("/relations/az-kz/").content.decode()
    assert COUNCIL_1 not in html
    assert "az-kz-treaty-strategic-partnership-allied-relations" not in html
