"""Every list, search and public list costs the same queries at 10 and at 1,000 extra records
(issue 6). Each size runs in its own test, on the seed plus `grow()`'s rows with their
relations and quotes, and both must meet the same bound; the bound is the one the smaller
tests in test_queries.py pin exactly."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from records.models import Source
from tests.api.conftest import RESOURCES
from tests.api.test_queries import LIST_QUERIES, grow, queries, warm_content_types

SIZES = (10, 1000)
# Countries are capped by the two-letter codes left free beside the ISO list.
MOST_COUNTRIES = 400
# What a public list page costs: the page, its count, one query per facet and the names of the
# countries a country facet found, whatever the number of rows (the counts are cached per
# filters; here every request starts cold).
# Each includes one query per picker of names in the filter form (records/listing.py), made
# once per data version and cached after.
PAGE_QUERIES = {
    "meetings": 13,
    "documents": 17,
    "packages": 8,
    "projects": 17,
    "bodies": 8,
    "persons": 6,
    "organizations": 7,
    # and one for the page's quote counts (pages/sources.py)
    "sources": 7,
}
PAGE_ROUTES = {
    "meetings": "meeting-list",
    "documents": "document-list",
    "packages": "package-list",
    "projects": "project-list",
    "bodies": "body-list",
    "persons": "person-list",
    "organizations": "organization-list",
    "sources": "source-list",
}


def grown(resource: str, size: int) -> int:
    warm_content_types()
    ContentType.objects.get_for_model(Source)
    grow(resource, min(size, MOST_COUNTRIES) if resource == "countries" else size)
    cache.clear()
    return size


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("resource", RESOURCES)
def test_api_list_queries_do_not_depend_on_rows(seeded, client, resource, size):
    grown(resource, size)
    count, page = queries(client, f"/api/v1/{resource}/?page_size=100")
    assert page["count"] > min(size, MOST_COUNTRIES)
    assert len(page["results"]) == min(100, page["count"])
    assert count == LIST_QUERIES[resource]


SEARCHED = [resource for resource in RESOURCES if resource != "countries"]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("resource", SEARCHED)
def test_api_search_queries_do_not_depend_on_rows(seeded, client, resource, size):
    grown(resource, size)
    # Every grown record's slug (and title or name) holds "bulk", so all of them match.
    count, page = queries(client, f"/api/v1/{resource}/?q=bulk&page_size=100")
    assert page["count"] >= size and len(page["results"]) == min(size, 100)
    assert count == LIST_QUERIES[resource]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("resource", PAGE_ROUTES)
def test_public_list_queries_do_not_depend_on_rows(seeded, client, resource, size):
    grown(resource, size)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(PAGE_ROUTES[resource]))
    assert response.status_code == 200
    assert len(captured.captured_queries) == PAGE_QUERIES[resource]
