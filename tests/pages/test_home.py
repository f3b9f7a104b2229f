import re

import pytest
from django.urls import reverse

from agreements.models import Document
from records.models import Citation
from summits.models import Meeting

from .conftest import COUNCIL_2, outline, text_of

pytestmark = pytest.mark.django_db


def test_home_shows_counts_latest_meetings_and_both_pictures(client, seeded):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    page = text_of(response)
    assert f"{Meeting.objects.published().count()} meetings" in page
    assert f"{Document.objects.published().count()} documents" in page
    assert f"{Citation.objects.count()} quotes cited" in page
    html = response.content.decode()
    latest = html.index("Latest meetings")
    assert html.index(f"/meetings/{COUNCIL_2}/", latest) > latest
    assert outline(response).h1 == 1

    timeline = re.search(r'<svg class="chart timeline".*?</svg>', html, re.S).group(0)
    # A short spoken name; the numbers are in the table under it, not read a second time.
    title = re.search(r"<title id=\"timeline-title\">(.*?)</title>", timeline).group(1)
    assert len(title) < 120 and "<desc" not in timeline
    assert "2025: " in timeline and "meetings" in timeline

    network = re.search(r'<svg class="chart network".*?</svg>', html, re.S).group(0)
    assert 'href="/relations/az-kz/"' in network
    assert 'href="/countries/kz/"' in network
    assert 'aria-label="Azerbaijan and Kazakhstan: ' in network
    # The text alternatives: the same numbers as tables.
    assert "The same numbers as a table" in page and "The ties as a table" in page


def test_the_network_weights_edges_by_shared_meetings_and_documents(client, seeded):
    response = client.get(reverse("home"))
    ties = {(t.first.code, t.second.code): t for t in response.context["network"].ties}
    az_kz = ties[("AZ", "KZ")]
    both = (
        Meeting.objects.published()
        .filter(participations__country__code="AZ")
        .filter(participations__country__code="KZ")
    )
    docs = (
        Document.objects.published()
        .filter(party_roles__country__code="AZ")
        .filter(party_roles__country__code="KZ")
    )
    assert (az_kz.meetings, az_kz.documents) == (both.count(), docs.count())
    assert response.context["network"].ties[0] == az_kz  # the heaviest tie comes first


def test_the_home_page_works_on_an_empty_database(client, empty_db):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert "No meeting is published yet." in text_of(response)
