"""The pages that gather everything about a country, a pair or the whole data show a bounded
slice (the latest records, the top partners, the strongest ties) and link to the filtered
lists for the rest: their size and their number of queries do not grow with the data
(docs/scaling.md: at 100,000 meetings the Kazakhstan page was 41 MB before)."""

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from datagen.generate import generate
from pages import countries, home

PAGES = ["/countries/kz/", "/relations/az-kz/", "/", "/countries/"]
# With every slice full (the country page's persons and bodies too).
MOST_QUERIES = {"/countries/kz/": 20, "/relations/az-kz/": 19, "/": 17, "/countries/": 3}


@pytest.fixture
def small_slices(monkeypatch):
    """Slices small enough that a few hundred generated meetings fill every one of them."""
    monkeypatch.setattr(countries, "LATEST", 8)
    monkeypatch.setattr(countries, "TIMELINE_EVENTS", 12)
    monkeypatch.setattr(countries, "TOP_PARTNERS", 2)
    monkeypatch.setattr(home, "NETWORK_COUNTRIES", 6)
    monkeypatch.setattr(home, "NETWORK_TIES", 8)


def measure(client) -> dict[str, tuple[int, int]]:
    """Each page's size in bytes and number of queries, rendered from scratch."""
    found = {}
    for url in PAGES:
        cache.clear()
        if "pages" in settings.CACHES:
            caches["pages"].clear()
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, url
        found[url] = (len(response.content), len(captured.captured_queries))
    return found


def test_pages_do_not_grow_with_the_data(seeded, client, small_slices):
    generate(meetings=200, seed=5)
    smaller = measure(client)
    generate(meetings=600, seed=5, replace=True)
    larger = measure(client)
    for url in PAGES:
        (small_size, small_queries), (large_size, large_queries) = smaller[url], larger[url]
        # A slice that fills up adds one count of its rest, so a smaller database may make
        # fewer queries; never more than with every slice full.
        assert small_queries <= large_queries <= MOST_QUERIES[url], url
        # The slices are full in both; names and titles differ in length, years may be added.
        assert large_size < small_size * 1.2, (url, small_size, large_size)


def test_a_country_page_shows_the_latest_and_links_to_the_rest(seeded, client, small_slices):
    generate(meetings=300, seed=6)
    response = client.get("/countries/kz/")
    context = response.context
    assert len(context["meetings"]) == countries.LATEST < context["meeting_count"]
    dates = [m.start_date for m in context["meetings"] if m.start_date]
    assert dates == sorted(dates, reverse=True)
    assert len(context["partners"]) == countries.TOP_PARTNERS < context["partner_count"]
    html = response.content.decode()
    assert f"The latest {countries.LATEST} of {context['meeting_count']}" in html
    assert '/meetings/?country=KZ">All ' in html and '/documents/?country=KZ">All ' in html


def test_the_pair_page_shows_its_latest_events_in_date_order(seeded, client, small_slices):
    generate(meetings=300, seed=6)
    context = client.get("/relations/az-kz/").context
    dates = [event.date for event in context["timeline"]]
    assert len(dates) == countries.TIMELINE_EVENTS and context["timeline_capped"]
    assert None not in dates and dates == sorted(dates)
    assert context["meeting_count"] > countries.TIMELINE_EVENTS


def test_the_network_keeps_the_strongest_ties(seeded, client, small_slices):
    generate(meetings=300, seed=6)
    network = client.get("/").context["network"]
    assert len(network.ties) == home.NETWORK_TIES < network.tie_count
    assert len(network.countries) <= home.NETWORK_COUNTRIES < network.country_count
    weights = [tie.weight for tie in network.ties]
    assert weights == sorted(weights, reverse=True)
