"""The page cache keys a page on the parameters its view reads, keeps a bounded number of
pages per process, and anonymous pages are rate-limited like the API (records/cache.py,
config/middleware.py)."""

import pytest
from django.conf import settings
from django.core.cache import caches

from records.cache import known_params

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url", ["/meetings/", "/countries/kz/", "/relations/az-kz/", "/", "/search/?q=supreme"]
)
def test_unknown_parameters_make_no_new_entry(seeded, client, url, django_assert_num_queries):
    first = client.get(url)
    assert first.status_code == 200
    joiner = "&" if "?" in url else "?"
    with django_assert_num_queries(0):
        junk = client.get(f"{url}{joiner}cb=1&utm_source=x&page_size=9999")
    assert junk.content == first.content and junk["ETag"] == first["ETag"]


def test_the_view_never_sees_an_unknown_parameter(seeded, client):
    html = client.get("/meetings/?cb=12345&country=KZ").content.decode()
    assert "cb=12345" not in html
    assert "country=KZ" in html


def test_known_parameters_still_make_their_own_pages(seeded, client):
    every = client.get("/meetings/")
    kazakh = client.get("/meetings/?country=KZ")
    assert every["ETag"] != kazakh["ETag"]
    assert client.get("/meetings/?country=KZ&cb=1")["ETag"] == kazakh["ETag"]


def test_known_params_follow_the_view(rf):
    request = rf.get("/meetings/?country=KZ&page=2&cb=1&q=gas&ordering=title")
    assert dict(known_params(request).lists()) == {
        "country": ["KZ"],
        "page": ["2"],
        "q": ["gas"],
        "ordering": ["title"],
    }
    assert not known_params(rf.get("/about/?q=x"))
    assert dict(known_params(rf.get("/search/?q=x&y=1")).lists()) == {"q": ["x"]}
    assert not known_params(rf.get("/no/such/page/?q=x"))


@pytest.mark.skipif("pages" not in settings.CACHES, reason="pages live in the shared cache")
def test_each_process_keeps_a_bounded_number_of_pages(
    seeded, client, settings, django_assert_num_queries
):
    limit = 4
    settings.CACHES = {
        **settings.CACHES,
        "pages": {**settings.CACHES["pages"], "OPTIONS": {"MAX_ENTRIES": limit}},
    }
    pages = caches["pages"]
    for year in range(1995, 2007):
        assert client.get(f"/meetings/?year={year}").status_code == 200
        assert len(pages._cache) <= limit
    # The most recent page is kept.
    with django_assert_num_queries(0):
        assert client.get("/meetings/?year=2006").status_code == 200


def test_pages_over_the_size_limit_are_not_stored(seeded, client, settings):
    settings.PACTA_PAGE_CACHE_MAX_BYTES = 1000
    client.get("/about/")
    response = client.get("/about/")
    assert len(response.content) > 1000
    assert "ETag" not in response  # answered afresh, not from the cache
    settings.PACTA_PAGE_CACHE_MAX_BYTES = 10**6
    client.get("/about/")
    assert "ETag" in client.get("/about/")


def test_anonymous_pages_are_rate_limited(seeded, client, settings):
    settings.PACTA_HTML_ANON_RATE = "3/minute"
    for _ in range(3):
        assert client.get("/about/").status_code == 200
    refused = client.get("/meetings/")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    assert b"Too many requests" in refused.content
    # The health check, static files and the API (its own rate) are not counted here.
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/countries/").status_code == 200


def test_signed_in_users_are_not_rate_limited(seeded, client, settings, django_user_model):
    settings.PACTA_HTML_ANON_RATE = "1/minute"
    user = django_user_model.objects.create_user("reader", password="x" * 20)
    client.force_login(user)
    assert all(client.get("/about/").status_code == 200 for _ in range(3))


def test_an_empty_rate_turns_the_limit_off(seeded, client, settings):
    settings.PACTA_HTML_ANON_RATE = ""
    assert all(client.get("/about/").status_code == 200 for _ in range(5))
