"""A deep page is read as a deferred join (records/api/pagination.deep_page): the same records in
the same order as a plain OFFSET, at a fixed number of queries. An export costs a fixed number
of queries per chunk of rows, however many rows."""

import csv
import datetime as dt
import io
import math

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records.api import pagination, viewsets
from records.api.ordering import stable_order
from records.models import Source
from summits.models import Meeting
from tests.api.conftest import get_json, slugs, streamed
from tests.api.test_queries import grow, queries, warm_content_types

PUBLISHED = {"status": "published"}


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/meetings/?page_size=7",
        "/api/v1/meetings/?page_size=7&ordering=title",
        "/api/v1/documents/?page_size=7&ordering=-date",
        "/api/v1/projects/?page_size=7",
        "/api/v1/meetings/?page_size=4",
        "/api/v1/meetings/?page_size=4&ordering=-title",
        "/api/v1/documents/?page_size=4&country=AZ",
    ],
)
# Blocks of ids as kept, and of three, so that pages of four and seven straddle them.
@pytest.mark.parametrize("block", [pagination.ORDER_BLOCK, 3])
def test_deferred_join_pages_equal_offset_pages(seeded, client, monkeypatch, url, block):
    grow("meetings")
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_OFFSET", 10**9)
    plain = slugs(client, url)
    cache.clear()
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_OFFSET", 1)
    monkeypatch.setattr(pagination, "ORDER_BLOCK", block)
    deferred = slugs(client, url)
    again = slugs(client, url)  # a second reading, from what the first one kept
    assert deferred == again == plain
    assert len(plain) == len(set(plain)) == get_json(client, url)["count"] > 8


def block_reads(client, url: str) -> tuple[int, list[str]]:
    """How many blocks of ids (of five: LIMIT 5) a page read from the database, and its slugs."""
    with CaptureQueriesContext(connection) as captured:
        page = get_json(client, url)
    reads = [q["sql"] for q in captured.captured_queries if "LIMIT 5" in q["sql"]]
    return len(reads), [record["slug"] for record in page["results"]]


def test_kept_blocks_of_ids_are_read_once_until_the_next_write(seeded, client, monkeypatch):
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_OFFSET", 1)
    monkeypatch.setattr(pagination, "ORDER_BLOCK", 5)
    grow("meetings")
    cache.clear()
    ordered = slugs(client, "/api/v1/meetings/?page_size=50")
    cache.clear()
    # Rows 4 and 5: the end of the first block and the start of the second.
    assert block_reads(client, "/api/v1/meetings/?page_size=2&page=3") == (2, ordered[4:6])
    # Other pages in those blocks read none; one reaching a third block reads that one.
    assert block_reads(client, "/api/v1/meetings/?page_size=3&page=2") == (0, ordered[3:6])
    assert block_reads(client, "/api/v1/meetings/?page_size=4&page=2") == (0, ordered[4:8])
    assert block_reads(client, "/api/v1/meetings/?page_size=4&page=3") == (1, ordered[8:12])
    # A write: the blocks are read again, with the new record in its place.
    Meeting.objects.create(
        slug="aaa-newest", title="A", kind="talks", start_date=dt.date(2099, 1, 1), **PUBLISHED
    )
    reads, moved = block_reads(client, "/api/v1/meetings/?page_size=3&page=3")
    assert (reads, moved) == (1, ["aaa-newest", *ordered][6:9])


def test_without_a_cache_deep_pages_read_their_ids_by_offset(seeded, client, monkeypatch):
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_OFFSET", 1)
    grow("meetings")
    monkeypatch.setitem(
        pagination.settings.CACHES["default"],
        "BACKEND",
        "django.core.cache.backends.dummy.DummyCache",
    )
    captured_ids = []
    ids_in_order = pagination.ids_in_order

    def watched(ids, offset, size):
        found = ids_in_order(ids, offset, size)
        captured_ids.append(found)
        return found

    monkeypatch.setattr(pagination, "ids_in_order", watched)
    expected = list(stable_order(Meeting.objects.published()).values_list("pk", flat=True)[4:8])
    cache.clear()
    get_json(client, "/api/v1/meetings/?page_size=4&page=2")
    assert captured_ids == [expected]
    assert not [key for key in cache._cache if "list-order" in key]


def uncached_queries(client, url: str) -> tuple[int, dict]:
    cache.clear()  # the row count is cached per filters, whatever the page
    return queries(client, url)


def test_deep_page_queries_are_fixed(seeded, client, monkeypatch):
    warm_content_types()
    monkeypatch.setattr(pagination, "DEFERRED_JOIN_OFFSET", 10)
    shallow, _ = uncached_queries(client, "/api/v1/meetings/?page_size=10")
    first, _ = uncached_queries(client, "/api/v1/meetings/?page_size=10&page=2")
    grow("meetings")
    deep, page = uncached_queries(client, "/api/v1/meetings/?page_size=10&page=12")
    again, _ = uncached_queries(client, "/api/v1/meetings/?page_size=10&page=3")
    assert len(page["results"]) == 10
    assert first == deep == again == shallow + 1


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/meetings/?countries=AZ,KZ",
        "/api/v1/documents/?country=AZ",
        "/api/v1/projects/?countries=KZ",
        "/api/v1/packages/?country=AZ",
        "/api/v1/persons/?country=KZ",
        "/api/v1/bodies/?country=AZ",
    ],
)
def test_country_filters_compare_ids_not_codes(seeded, client, url):
    # Only the lookup that checks the codes reads them; the filter itself compares country ids,
    # which the planner estimates from statistics (a join through the code cost 6 s on
    # PostgreSQL with 300,000 documents, docs/scaling.md).
    cache.clear()
    _, page = queries(client, url)
    assert page["count"] > 0
    with CaptureQueriesContext(connection) as captured:
        cache.clear()
        get_json(client, url)
    by_code = [q["sql"] for q in captured.captured_queries if '"code" IN' in q["sql"]]
    assert len(by_code) == 1 and by_code[0].lstrip().startswith('SELECT "summits_country"')


# Queries per chunk of an export: one per relation the viewset prefetches (nested ones too,
# as the quotes of a document's status events) and per computed field, and the chunk's rows
# when their lines are built (records/api/lines.py). The ids and times of all rows are one
# query, whatever their number, and the migrations applied one more.
EXPORT_QUERIES_PER_CHUNK = {
    "meetings": 7,
    "documents": 7,
    "packages": 3,
    "projects": 9,
    "bodies": 3,
    "persons": 2,
    "organizations": 1,
    "sources": 0,
}


@pytest.mark.parametrize("resource", EXPORT_QUERIES_PER_CHUNK)
def test_export_queries_are_fixed_per_chunk(
    seeded, client, resource, django_assert_max_num_queries
):
    warm_content_types()
    ContentType.objects.get_for_model(Source)  # the `q` search's own lookup
    grown = 0
    for rows in (10, 1000):
        grow(resource, rows - grown, first=grown)
        grown = rows
        chunks = math.ceil(rows / viewsets.EXPORT_CHUNK_SIZE)
        for suffix in ("jsonl", "csv"):
            per_chunk = EXPORT_QUERIES_PER_CHUNK[resource] + 1
            with django_assert_max_num_queries(2 + per_chunk * chunks):
                body = streamed(client.get(f"/api/v1/{resource}/export.{suffix}?q=bulk"))
            # One record a line (JSON Lines) or a CSV record (a cell of quotes holds line
            # breaks), plus the CSV's header.
            records = (
                body.count("\n") if suffix == "jsonl" else len(list(csv.reader(io.StringIO(body))))
            )
            assert records == rows + (suffix == "csv"), (resource, suffix)


def test_country_export_is_one_query(seeded, client, django_assert_num_queries):
    """Countries embed nothing: their export is the rows' one query, however many."""
    grow("countries", 400)
    with django_assert_num_queries(1):
        body = streamed(client.get("/api/v1/countries/export.csv"))
    assert body.count("\n") > 600
