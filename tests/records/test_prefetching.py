"""A detail page's record and related rows come from queries compiled once per page and
audience (records/prefetching.py): the same pages as Django's own `get()` and
`prefetch_related` give, drafts included for staff only, with the same queries, and no
compile for them on the next record's page."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records import prefetching
from records.compiled import NOT_COMPILED
from records.prefetching import COMPILED, get_one, prefetch_one
from summits.models import Meeting, MeetingCountry
from summits.views import MeetingDetailView
from tests.draft_world import LINKED, RESOURCES, DraftWorld

pytestmark = pytest.mark.django_db


def through_django(monkeypatch) -> None:
    """Every query built and compiled by Django, as before the compiled queries."""
    monkeypatch.setattr(prefetching, "compile_relation", lambda *args, **kwargs: NOT_COMPILED)
    monkeypatch.setattr(
        prefetching.CompiledQuery, "of", classmethod(lambda *args, **kwargs: NOT_COMPILED)
    )
    COMPILED.clear()


def detail_urls(world: DraftWorld) -> list[str]:
    urls = [f"/{resource}/{slug}/" for resource, slugs in LINKED.items() for slug in slugs]
    urls += [f"/{RESOURCES[kind]}/{draft.slug}/" for kind, draft in world.drafts.items()]
    return urls


def pages(client, urls: list[str]) -> dict[str, tuple[int, bytes]]:
    found = {}
    for url in urls:
        for cache in caches.all():
            cache.clear()  # the page cache would answer the second time
        response = client.get(url)
        found[url] = (response.status_code, response.content)
    return found


def test_every_detail_page_is_the_same_as_through_django(
    draft_world, client, admin_client, monkeypatch
):
    urls = detail_urls(draft_world)
    # Staff first: what they compile must not reach the public's pages after them.
    staff = pages(admin_client, urls)
    public = pages(client, urls)
    public_again = pages(client, urls)
    through_django(monkeypatch)
    assert pages(admin_client, urls) == staff
    assert pages(client, urls) == public
    assert public_again == public
    # The world's drafts are pages for staff and 404s for everyone else.
    drafts = {f"/{RESOURCES[kind]}/{d.slug}/" for kind, d in draft_world.drafts.items()}
    assert {url for url, (status, _) in public.items() if status == 404} == drafts
    assert all(status == 200 for status, _ in staff.values())


def meeting_page_queries(client, slug: str) -> list[str]:
    for cache in caches.all():
        cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/meetings/{slug}/").status_code == 200
    return [query["sql"] for query in queries.captured_queries]


def test_the_same_queries_as_through_django(seeded, client, monkeypatch):
    slugs = list(Meeting.objects.published().order_by("pk").values_list("slug", flat=True))
    # The first page compiles its queries, and compiling runs none.
    compiled = [meeting_page_queries(client, slug) for slug in slugs[:6]]
    through_django(monkeypatch)
    assert [meeting_page_queries(client, slug) for slug in slugs[:6]] == compiled


def test_the_next_record_compiles_none_of_its_own_queries(seeded, client, request):
    first, second = Meeting.objects.published().order_by("pk").values_list("slug", flat=True)[:2]
    meeting_page_queries(client, first)
    compiled_sql = request.getfixturevalue("compiled_sql")
    meeting_page_queries(client, second)
    # Neither the meeting's own row nor its countries, persons, sectors, documents, quotes
    # or parts went through the compiler again (a document's parties, nested, still do).
    for table in ("summits_meeting", "summits_meetingcountry", "seeds_citation"):
        assert not [sql for sql in compiled_sql if f'FROM "{table}"' in sql]


def test_related_rows_stay_the_records_own(seeded):
    meeting = Meeting.objects.published().filter(participations__isnull=False).first()
    lookups = MeetingDetailView().with_related(Meeting.objects.all(), None)
    prefetch_one(meeting, lookups._prefetch_related_lookups, key="test")
    held = meeting.participations.all()
    expected = list(MeetingCountry.objects.filter(meeting=meeting).order_by("pk"))
    assert list(held) == expected
    # Each row knows its meeting without a query, and a filter on the held rows still reads
    # this meeting's rows only.
    with CaptureQueriesContext(connection) as queries:
        assert all(row.meeting is meeting for row in held)
    assert len(queries) == 0
    host = held.filter(role=MeetingCountry.Role.HOST)
    assert {row.meeting_id for row in host} <= {meeting.pk}


def test_get_one_finds_a_record_or_says_there_is_none(seeded):
    meeting = Meeting.objects.published().first()
    queryset = Meeting.objects.published().select_related("host_country")
    assert get_one(queryset, "slug", meeting.slug, key="test") == meeting
    assert get_one(queryset, "slug", meeting.slug, key="test").host_country == (
        meeting.host_country
    )
    with pytest.raises(Meeting.DoesNotExist):
        get_one(queryset, "slug", "no-such-meeting", key="test")


def test_a_lookup_it_cannot_compile_is_left_to_django(seeded):
    meeting = Meeting.objects.published().filter(documents__isnull=False).first()
    prefetch_one(meeting, ["documents__parties", "sectors"], key="test")
    with CaptureQueriesContext(connection) as queries:
        parties = [list(document.parties.all()) for document in meeting.documents.all()]
        sectors = list(meeting.sectors.all())
    assert len(queries) == 0
    assert parties and sectors is not None
    assert COMPILED.get(("prefetch", Meeting, "default", "test", 0, "documents__parties")) is (
        NOT_COMPILED
    )
