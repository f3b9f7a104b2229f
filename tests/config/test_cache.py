"""The data version and the caches keyed by it (records/cache.py): hits cost no query, every
kind of write invalidates, staff never see an anonymous copy, counts are cached per filter."""

import json
import os

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from records.cache import (
    REFRESH_PREFIX,
    RENDERING_SUFFIX,
    VERSION_KEY,
    bump_data_version,
    data_version,
    is_content_write,
    page_slot,
    rendering_mark,
)
from records.models import EditorialStatus, Source
from records.services import citation_create, records_publish
from summits.models import Meeting
from tests.conftest import verify_otp

COUNCIL = "az-kz-supreme-interstate-council-1"
CACHED_URLS = [
    "/api/v1/meetings/",
    "/api/v1/meetings/?countries=AZ,KZ&page_size=2",
    f"/api/v1/meetings/{COUNCIL}/",
    "/api/v1/countries/AZ/",
    "/meetings/",
    "/meetings/?country=AZ&kind=summit",
    f"/meetings/{COUNCIL}/",
    "/",
]


def titles(client, url: str = "/api/v1/meetings/?page_size=100") -> list[str]:
    return [row["title"] for row in json.loads(client.get(url).content)["results"]]


def sql_of(client, url: str, **headers) -> tuple[object, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return response, [query["sql"] for query in captured.captured_queries]


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user(
        "editor", password="a long enough password", is_staff=True
    )
    verify_otp(client, user)
    return client


# The data version ------------------------------------------------------------------------


def test_content_writes_are_recognised_and_others_are_not():
    assert is_content_write('UPDATE "summits_meeting" SET "title" = %s')
    assert is_content_write('  insert into "agreements_document" ("slug") VALUES (%s)')
    assert is_content_write('DELETE FROM "seeds_citation" WHERE "id" IN (%s)')
    assert is_content_write('INSERT INTO "summits_meeting_sectors" ("meeting_id") VALUES (1)')
    assert not is_content_write('SELECT * FROM "summits_meeting"')
    assert not is_content_write('UPDATE "django_session" SET "expire_date" = %s')
    assert not is_content_write('INSERT INTO "axes_accessattempt" ("username") VALUES (%s)')


def test_every_content_write_raises_the_version(seeded):
    before = data_version()
    Meeting.objects.filter(slug=COUNCIL).update(title="Renamed")
    after_update = data_version()
    assert after_update != before
    Meeting.objects.get(slug=COUNCIL).save()
    assert data_version() != after_update


def test_a_transaction_raises_it_again_when_it_commits(seeded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        Meeting.objects.filter(slug=COUNCIL).update(title="Renamed")
        Meeting.objects.filter(slug=COUNCIL).update(title="Renamed again")
    # One commit-time bump per transaction, however many writes it holds.
    assert callbacks == [bump_data_version]
    during = data_version()
    callbacks[0]()
    assert data_version() != during


def test_a_lost_version_starts_again_with_a_new_value(seeded):
    before = data_version()
    cache.delete("pacta:data-version")
    assert data_version() != before


def redis_reachable() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except Exception:
        return False


# A database of its own: the test empties it.
REDIS_URL = os.environ.get("PACTA_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


@pytest.mark.required
@pytest.mark.skipif(not redis_reachable(), reason=f"needs Redis at {REDIS_URL}")
def test_with_redis_every_app_server_sees_one_version(settings):
    from records.cache import RedisCache

    settings.CACHES = {"default": {"BACKEND": "records.cache.RedisCache", "LOCATION": REDIS_URL}}
    cache.clear()
    try:
        mine = data_version()
        # Another app server: its own client of the same Redis raises the version...
        other_server = RedisCache(REDIS_URL, {})
        other_server.incr("pacta:data-version")
        # ...and this one sees it at once, with no expiry to wait for.
        assert data_version() == str(int(mine) + 1)
        bump_data_version()
        assert other_server.get("pacta:data-version") == int(data_version())
        assert int(data_version()) not in (int(mine), int(mine) + 1)
    finally:
        cache.clear()


@pytest.mark.required
@pytest.mark.skipif(not redis_reachable(), reason=f"needs Redis at {REDIS_URL}")
def test_the_redis_backend_makes_one_client_per_pool_and_threads_share_it():
    import threading

    from records.cache import RedisCache

    backend = RedisCache(REDIS_URL, {})
    client = backend._cache.get_client(write=True)
    # One server: reads and writes share its pool, and so its client.
    assert backend._cache.get_client() is client
    assert backend._cache.get_client("any-key", write=True) is client
    errors = []

    def work(n: int) -> None:
        try:
            for i in range(50):
                backend.set(f"pacta:test:{n}:{i}", i)
                assert backend.get(f"pacta:test:{n}:{i}") == i
        except Exception as error:  # reported below, with the thread's number
            errors.append((n, error))

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        assert backend.get_many([f"pacta:test:{n}:49" for n in range(8)]) == {
            f"pacta:test:{n}:49": 49 for n in range(8)
        }
    finally:
        backend.clear()


def test_cache_url_redis_chooses_the_reusing_backend():
    import subprocess
    import sys

    code = (
        "import os; os.environ['DJANGO_DEBUG']='true'; os.environ['CACHE_URL']='redis://h:1/2';"
        "from config import settings; print(settings.CACHES['default']['BACKEND'])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "records.cache.RedisCache"


# Hits cost no query ------------------------------------------------------------------------


@pytest.mark.parametrize("url", CACHED_URLS)
def test_a_repeated_anonymous_request_costs_no_query(
    client, seeded, url, django_assert_num_queries
):
    first = client.get(url)
    assert first.status_code == 200
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.status_code == 200
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Content-Type"] == first["Content-Type"]


@pytest.mark.parametrize("url", CACHED_URLS)
def test_if_none_match_is_a_304_without_a_query(client, seeded, url, django_assert_num_queries):
    etag = client.get(url)["ETag"]
    cache.clear()  # even with nothing cached but the version
    client.get(url)
    etag = client.get(url)["ETag"]
    with django_assert_num_queries(0):
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304 and response.content == b""
    assert response["ETag"] == etag


def test_the_throttle_still_counts_cached_answers(seeded, client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute"},
    }
    assert client.get("/api/v1/countries/").status_code == 200
    assert client.get("/api/v1/countries/").status_code == 200
    assert client.get("/api/v1/countries/").status_code == 429


def stored_by(client, url: str, **headers) -> tuple[int, list[str]]:
    """The status of `url` and what answering it stored in the cache, besides the anonymous
    throttle's count, the data version every request reads and a page's rendering mark."""
    stored = []
    # Pages may have an in-process cache of their own (records/cache.page_cache).
    backends = [caches[alias] for alias in ("default", "pages") if alias in settings.CACHES]

    def spy(backend, name):
        original = getattr(backend, name)

        def record(key, *args, **kwargs):
            stored.extend(key if name == "set_many" else [key])
            return original(key, *args, **kwargs)

        return record

    for backend in backends:
        for name in ("set", "add", "set_many"):
            setattr(backend, name, spy(backend, name))
    try:
        status = client.get(url, **headers).status_code
    finally:
        for backend in backends:
            for name in ("set", "add", "set_many"):
                delattr(backend, name)
    kept = [
        key
        for key in stored
        # A page's rendering mark is taken while it renders and given back after.
        if not key.startswith("throttle_")
        and key != VERSION_KEY
        and not key.endswith(RENDERING_SUFFIX)
        and not key.startswith(REFRESH_PREFIX)
    ]
    return status, kept


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("/api/v1/meetings/", "/api/v1/meetings/?date_from=yesterday"),
        ("/meetings/", "/meetings/?date_from=yesterday"),
        ("/meetings/az-kz-supreme-interstate-council-1/", "/meetings/nope/"),
    ],
)
def test_errors_are_not_cached_where_successes_are(seeded, client, url, error):
    status, stored = stored_by(client, url)
    assert status == 200 and stored, url
    status, stored = stored_by(client, error)
    assert status in (400, 404) and stored == [], (error, stored)


def test_other_formats_are_cached_apart(seeded, client):
    browsable = client.get("/api/v1/meetings/", HTTP_ACCEPT="text/html")
    assert browsable["Content-Type"].startswith("text/html")
    plain = client.get("/api/v1/meetings/")
    assert plain["Content-Type"] == "application/json"
    assert plain["ETag"] != browsable["ETag"]


# Every kind of write invalidates ------------------------------------------------------------


def test_a_save_as_the_admin_does_it_shows_at_once(client, seeded):
    assert "Renamed council" not in titles(client)
    assert "Renamed council" not in client.get(f"/meetings/{COUNCIL}/").content.decode()
    meeting = Meeting.objects.get(slug=COUNCIL)
    meeting.title = "Renamed council"
    meeting.save()
    assert "Renamed council" in titles(client)
    assert "Renamed council" in client.get(f"/meetings/{COUNCIL}/").content.decode()
    api = json.loads(client.get(f"/api/v1/meetings/{COUNCIL}/").content)
    assert api["title"] == "Renamed council"


def test_publishing_a_selection_shows_at_once(client, seeded, admin_user):
    Meeting.objects.filter(slug=COUNCIL).update(status=EditorialStatus.DRAFT)
    assert client.get(f"/api/v1/meetings/{COUNCIL}/").status_code == 404
    assert client.get(f"/meetings/{COUNCIL}/").status_code == 404
    count = json.loads(client.get("/api/v1/meetings/").content)["count"]
    records_publish(queryset=Meeting.objects.filter(slug=COUNCIL), user=admin_user)
    assert client.get(f"/api/v1/meetings/{COUNCIL}/").status_code == 200
    assert client.get(f"/meetings/{COUNCIL}/").status_code == 200
    assert json.loads(client.get("/api/v1/meetings/").content)["count"] == count + 1


def test_a_queryset_update_shows_at_once(client, seeded):
    titles(client)
    Meeting.objects.filter(slug=COUNCIL).update(title="Bulk renamed")
    assert "Bulk renamed" in titles(client)


def test_a_new_citation_shows_at_once(client, seeded):
    meeting = Meeting.objects.get(slug=COUNCIL)
    url = f"/api/v1/meetings/{COUNCIL}/"
    before = json.loads(client.get(url).content)["citations"]
    page_before = client.get(f"/meetings/{COUNCIL}/").content
    source = Source.objects.published().first()
    quote = source.text[:40]
    citation_create(record=meeting, source=source, quote=quote)
    after = json.loads(client.get(url).content)["citations"]
    assert len(after) == len(before) + 1
    assert client.get(f"/meetings/{COUNCIL}/").content != page_before


def test_a_deletion_shows_at_once(client, seeded):
    assert client.get(f"/api/v1/meetings/{COUNCIL}/").status_code == 200
    Meeting.objects.filter(slug=COUNCIL).delete()
    assert client.get(f"/api/v1/meetings/{COUNCIL}/").status_code == 404
    assert COUNCIL not in client.get("/meetings/").content.decode()


# Staff ---------------------------------------------------------------------------------------


def test_staff_never_get_the_anonymous_copy_nor_leave_theirs(client, seeded, django_user_model):
    Meeting.objects.filter(slug=COUNCIL).update(status=EditorialStatus.DRAFT)
    for url in ("/api/v1/meetings/?page_size=100", "/meetings/"):
        assert COUNCIL not in client.get(url).content.decode()
    staff = django_user_model.objects.create_user(
        "editor", password="a long enough password", is_staff=True
    )
    verify_otp(client, staff)
    for url in ("/api/v1/meetings/?page_size=100", "/meetings/"):
        assert COUNCIL in client.get(url).content.decode()
    client.logout()
    for url in ("/api/v1/meetings/?page_size=100", "/meetings/"):
        assert COUNCIL not in client.get(url).content.decode()


def test_staff_answers_are_built_each_time(staff_client, seeded):
    url = "/meetings/"
    staff_client.get(url)
    with CaptureQueriesContext(connection) as captured:
        staff_client.get(url)
    assert len(captured.captured_queries) > 0


# Counts are cached per filter ----------------------------------------------------------------


def test_the_api_count_is_cached_per_filter_for_every_page(client, seeded):
    url = "/api/v1/meetings/?countries=AZ,KZ&page_size=1"
    first = json.loads(client.get(url).content)
    assert first["count"] > 1
    # Another page, size and order of the same filters: the rows are read, never counted.
    response, sql = sql_of(client, url.replace("page_size=1", "page_size=1&page=2&ordering=title"))
    assert response.status_code == 200
    assert json.loads(response.content)["count"] == first["count"]
    assert sql and not [query for query in sql if "COUNT(" in query.upper()]
    # Other filters are counted afresh.
    response, sql = sql_of(client, "/api/v1/meetings/?countries=AZ,BY&page_size=1")
    assert [query for query in sql if "COUNT(" in query.upper()]


def test_list_page_counts_and_facets_are_cached_per_filter(client, seeded):
    url = reverse("meeting-list") + "?country=AZ"
    client.get(url)
    # The same filters sorted another way: a new page, but no count and no facet query.
    response, sql = sql_of(client, url + "&ordering=title")
    assert response.status_code == 200
    assert sql and not [query for query in sql if "COUNT(" in query.upper()]
    response, sql = sql_of(client, reverse("meeting-list") + "?country=KZ")
    assert [query for query in sql if "COUNT(" in query.upper()]


def test_list_page_counts_follow_a_write(client, seeded):
    url = reverse("meeting-list") + "?kind=summit"
    client.get(url + "&ordering=title")
    before = client.get(url).context["paginator"].count
    Meeting.objects.filter(kind="summit").first().delete()
    assert client.get(url + "&ordering=-date").context["paginator"].count == before - 1


# One data version per request ----------------------------------------------------------


class CountingVersionReads:
    def __init__(self, monkeypatch):
        import records.cache as pacta_cache

        self.reads = 0
        real = pacta_cache.cache

        counter = self

        class Counting:
            def __getattr__(self, name):
                return getattr(real, name)

            def get(self, key, *args, **kwargs):
                if key == VERSION_KEY:
                    counter.reads += 1
                return real.get(key, *args, **kwargs)

        monkeypatch.setattr(pacta_cache, "cache", Counting())


def test_a_list_page_reads_the_data_version_once(client, seeded, monkeypatch):
    data_version()  # made now, as any earlier request would have made it
    counted = CountingVersionReads(monkeypatch)
    response = client.get("/meetings/?country=AZ&year=2024")
    assert response.status_code == 200
    assert counted.reads == 1


def test_a_write_in_the_request_is_seen_by_the_rest_of_it(seeded):
    from django.test import RequestFactory

    from records.cache import DataVersionScopeMiddleware

    seen = []

    def view(request):
        seen.append(data_version())
        assert data_version() == seen[0]  # read once
        bump_data_version()
        seen.append(data_version())
        from django.http import HttpResponse

        return HttpResponse()

    DataVersionScopeMiddleware(view)(RequestFactory().get("/"))
    assert seen[1] != seen[0]
    # Outside a request every call reads the cache: a write elsewhere is seen at once.
    cache.set(VERSION_KEY, 42, None)
    assert data_version() == "42"


# One render of a page at a time ----------------------------------------------------------------


def mark_of(url: str) -> str:
    return rendering_mark(page_slot("http", "testserver", url, ""))


def test_while_a_page_renders_after_a_write_others_get_it_as_it_was(client, seeded):
    from records.cache import RENDERING_SECONDS, page_cache

    url = f"/meetings/{COUNCIL}/"
    before = client.get(url)
    assert "Renamed council" not in before.content.decode()
    save_title("Renamed council")
    # Another request is rendering the page at the new version...
    assert page_cache().add(mark_of(url), True, RENDERING_SECONDS)
    stale = client.get(url)
    # ...so this one gets it as it was, with the ETag of what it holds.
    assert stale.status_code == 200
    assert "Renamed council" not in stale.content.decode()
    assert stale["ETag"] == before["ETag"]
    page_cache().delete(mark_of(url))
    fresh = client.get(url)
    assert "Renamed council" in fresh.content.decode()
    assert fresh["ETag"] != before["ETag"]
    # The mark is given back once the page is rendered.
    assert page_cache().get(mark_of(url)) is None


def test_a_page_never_rendered_is_rendered_even_while_another_request_renders_it(client, seeded):
    from records.cache import RENDERING_SECONDS, page_cache

    assert page_cache().add(mark_of("/about/"), True, RENDERING_SECONDS)
    response = client.get("/about/")
    assert response.status_code == 200 and b"<h1" in response.content
    page_cache().delete(mark_of("/about/"))


def test_a_failing_render_gives_its_mark_back(client, seeded, monkeypatch):
    from records.cache import page_cache
    from summits import views

    def broken(*args, **kwargs):
        raise RuntimeError("a render that fails")

    monkeypatch.setattr(views.MeetingDetailView, "get_context_data", broken)
    client.raise_request_exception = False
    assert client.get(f"/meetings/{COUNCIL}/").status_code == 500
    assert page_cache().get(mark_of(f"/meetings/{COUNCIL}/")) is None


def save_title(title: str) -> None:
    meeting = Meeting.objects.get(slug=COUNCIL)
    meeting.title = title
    meeting.save()


def all_refresh_slots_taken() -> list[str]:
    from records.cache import RENDERING_SECONDS, page_cache

    taken = [f"{REFRESH_PREFIX}{number}" for number in range(settings.PACTA_PAGE_REFRESHES)]
    for key in taken:
        assert page_cache().add(key, True, RENDERING_SECONDS)
    return taken


def test_while_every_refresh_slot_is_busy_a_young_page_is_served_as_it_was(client, seeded):
    from records.cache import page_cache

    url = f"/meetings/{COUNCIL}/"
    before = client.get(url)
    save_title("Renamed council")
    taken = all_refresh_slots_taken()
    stale = client.get(url)
    assert "Renamed council" not in stale.content.decode()
    assert stale["ETag"] == before["ETag"]
    # The page's own mark is given back: the next request may render it.
    assert page_cache().get(mark_of(url)) is None
    page_cache().delete_many(taken)
    fresh = client.get(url)
    assert "Renamed council" in fresh.content.decode()
    # The refresh slot it took is given back too.
    assert all(page_cache().get(key) is None for key in taken)


def test_a_page_older_than_the_stale_limit_is_rendered_however_busy(client, seeded, settings):
    from records.cache import page_cache

    settings.PACTA_PAGE_STALE_SECONDS = 0
    url = f"/meetings/{COUNCIL}/"
    client.get(url)
    save_title("Renamed council")
    taken = all_refresh_slots_taken()
    try:
        assert "Renamed council" in client.get(url).content.decode()
    finally:
        page_cache().delete_many(taken)


def test_a_page_never_kept_is_rendered_however_busy_the_refresh_slots(client, seeded):
    from records.cache import page_cache

    taken = all_refresh_slots_taken()
    try:
        response = client.get("/about/")
        assert response.status_code == 200 and b"<h1" in response.content
    finally:
        page_cache().delete_many(taken)
