"""records.cache.DatabaseCache, the backend of the throttle's counts and the summary store
without a shared cache: Django's database cache with `set` as one upsert, on either database."""

from __future__ import annotations

import time

import pytest
from django.core.cache import caches
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from records.cache import DatabaseCache

pytestmark = pytest.mark.django_db


def cleared(alias: str):
    store = caches[alias]
    store.clear()
    yield store
    store.clear()


@pytest.fixture
def store():
    # The summary store's table, made by `migrate` (records/migrations/0008).
    yield from cleared("summaries")


@pytest.fixture
def throttle():
    # The rate limits' table without Redis (summits/migrations/0008).
    yield from cleared("throttle")


def rows(store) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(store._table)}")
        return cursor.fetchone()[0]


def test_a_value_is_written_read_and_replaced(store):
    store.set("count", [1.5, 2.5], 60)
    assert store.get("count") == [1.5, 2.5]
    store.set("count", {"x": "Ə ü 😀"}, 60)
    assert store.get("count") == {"x": "Ə ü 😀"}
    assert rows(store) == 1


def test_a_set_is_one_statement(store):
    store.set("warm", 1, 60)
    with CaptureQueriesContext(connection) as queries:
        store.set("count", 1, 60)
        store.set("count", 2, 60)
    # A test runs in a transaction, where each write has its savepoint; in autocommit, none.
    statements = [
        query["sql"] for query in queries.captured_queries if "SAVEPOINT" not in query["sql"]
    ]
    assert len(statements) == 2
    assert all("ON CONFLICT" in sql for sql in statements)


def test_expiry_is_kept(store):
    store.set("forever", "kept", None)
    store.set("gone", "soon", 1)
    store.set("now", "never seen", 0)
    assert store.get("now") is None
    time.sleep(2.1)
    assert store.get("gone") is None
    assert store.get("forever") == "kept"
    # `add` (Django's) takes an expired row's place.
    assert store.add("gone", "again", 60) is True
    assert store.get("gone") == "again"


def test_the_table_is_culled_past_its_bound(store, monkeypatch):
    monkeypatch.setattr(store, "CULL_EVERY", 1)
    monkeypatch.setattr(store, "_max_entries", 10)
    for number in range(40):
        store.set(f"key-{number}", number, 60)
    assert rows(store) <= 11
    assert store.get("key-39") == 39


def test_inside_a_transaction_the_write_goes_with_it(store):
    with transaction.atomic():
        store.set("kept", 1, 60)
    with pytest.raises(RuntimeError), transaction.atomic():
        store.set("undone", 1, 60)
        raise RuntimeError("the caller's own failure")
    assert store.get("kept") == 1
    assert store.get("undone") is None


def test_a_failed_write_is_dropped_and_the_callers_transaction_goes_on(store):
    missing = DatabaseCache("no_such_table", {})
    with transaction.atomic():
        missing.set("lost", 1, 60)  # logged, not raised
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone() == (1,)


def test_the_throttles_counts_outlive_a_busy_window(throttle, monkeypatch):
    # More clients in one window than Django's default bound (300): no client's count is
    # culled while it is live, or a client could reset its own by sending others' requests.
    monkeypatch.setattr(throttle, "CULL_EVERY", 1)
    throttle.set("client-0", [1.0, 2.0], 60)
    for number in range(1, 400):
        throttle.set(f"client-{number}", [1.0], 60)
    assert throttle.get("client-0") == [1.0, 2.0]
