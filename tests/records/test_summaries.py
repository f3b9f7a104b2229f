"""Summaries (records/cache.summary and recent(durable=True)): kept in a database table that
outlives the cache, and recounted in a background thread while the last count is shown, so
that after a save no visitor waits for a GROUP BY over every row."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache, caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records import cache as pacta_cache
from records.cache import bump_data_version, recent

pytestmark = pytest.mark.django_db


class Counting:
    def __init__(self, *values):
        self.values = list(values)
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return self.values[min(self.calls, len(self.values)) - 1]


def settle() -> None:
    """Wait for the background refreshes queued so far."""
    pacta_cache.refresher().submit(lambda: None).result(timeout=10)


def summaries_in(settings, alias: str):
    """Summaries kept in the cache `alias`, emptied before and after, counted in the request
    that asks for a stale one."""
    settings.PACTA_SUMMARY_CACHE = alias
    settings.PACTA_SUMMARY_REFRESH = "request"
    caches[alias].clear()
    yield caches[alias]
    caches[alias].clear()


@pytest.fixture
def stored(settings):
    yield from summaries_in(settings, "summaries")


def flush() -> None:
    """The cache emptied, as a restarted Redis or process leaves it."""
    cache.clear()
    if "pages" in caches:
        caches["pages"].clear()


def flush_keeping_the_version() -> None:
    """The cache emptied, as a restarted process's own cache is, the data unchanged."""
    version = cache.get(pacta_cache.VERSION_KEY)
    flush()
    cache.set(pacta_cache.VERSION_KEY, version, None)


def test_a_summary_outlives_a_flushed_cache_in_its_table(stored):
    compute = Counting(7)
    assert recent("k", compute, 30, durable=True) == (7, None)
    flush_keeping_the_version()
    assert recent("k", compute, 30, durable=True) == (7, None)
    assert compute.calls == 1
    assert stored.get("k")[2] == 7


def test_a_flushed_cache_loses_the_version_and_the_table_is_shown_as_stale(stored):
    """Without its version the cache cannot tell whether the data changed: the stored value
    is shown within its grace like any stale one."""
    compute = Counting(7, 8)
    recent("k", compute, 30, durable=True)
    cache.clear()
    value, until = recent("k", compute, 30, durable=True)
    assert value == 7 and until is not None
    assert compute.calls == 1


def test_a_value_that_is_not_durable_stays_out_of_the_table(stored):
    compute = Counting(3)
    recent("plain", compute, 30)
    assert stored.get("plain") is None
    cache.clear()
    recent("plain", compute, 30)
    assert compute.calls == 2


def test_without_a_store_a_flushed_cache_recounts(settings):
    settings.PACTA_SUMMARY_CACHE = ""
    settings.PACTA_SUMMARY_REFRESH = "request"
    compute = Counting(1, 2)
    recent("k", compute, 30, durable=True)
    cache.clear()
    assert recent("k", compute, 30, durable=True) == (2, None)


def test_after_a_write_the_last_count_is_shown_during_its_grace(stored):
    compute = Counting(1, 2)
    recent("k", compute, 30, durable=True)
    bump_data_version()
    value, until = recent("k", compute, 30, durable=True)
    assert value == 1 and until is not None and until > time.time()
    assert compute.calls == 1


def test_past_its_grace_a_stale_count_is_recounted_in_the_request_when_so_configured(stored):
    compute = Counting(1, 2)
    recent("k", compute, 0, durable=True)
    bump_data_version()
    assert recent("k", compute, 0, durable=True) == (2, None)


def test_past_its_grace_a_stale_count_is_shown_while_the_background_recounts_it(settings):
    settings.PACTA_SUMMARY_CACHE = ""
    settings.PACTA_SUMMARY_REFRESH = "background"
    compute = Counting(1, 2)
    recent("k", compute, 0, durable=True)
    bump_data_version()
    value, until = recent("k", compute, 0, durable=True)
    assert value == 1
    assert 0 < until - time.time() <= pacta_cache.REFRESH_SECONDS
    settle()
    assert compute.calls == 2
    assert recent("k", compute, 0, durable=True) == (2, None)
    assert compute.calls == 2


def test_a_refresh_that_fails_is_logged_and_tried_again(settings, caplog):
    settings.PACTA_SUMMARY_CACHE = ""
    settings.PACTA_SUMMARY_REFRESH = "background"
    outcomes = iter([1, RuntimeError("database gone"), 3])

    def compute():
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    recent("k", compute, 0, durable=True)
    bump_data_version()
    assert recent("k", compute, 0, durable=True)[0] == 1
    settle()
    assert "refreshing a summary failed" in caplog.text
    assert recent("k", compute, 0, durable=True)[0] == 1  # the last count, while retried
    settle()
    assert recent("k", compute, 0, durable=True) == (3, None)


def test_a_full_refresh_queue_recounts_in_the_request(settings, monkeypatch):
    settings.PACTA_SUMMARY_CACHE = ""
    settings.PACTA_SUMMARY_REFRESH = "background"
    monkeypatch.setattr(pacta_cache, "REFRESH_QUEUE", 0)
    compute = Counting(1, 2)
    recent("k", compute, 0, durable=True)
    bump_data_version()
    assert recent("k", compute, 0, durable=True) == (2, None)


def test_the_home_pages_summaries_are_read_from_their_table_after_a_flush(client, seeded, stored):
    with CaptureQueriesContext(connection) as first:
        assert client.get("/").status_code == 200
    flush_keeping_the_version()
    with CaptureQueriesContext(connection) as again:
        assert client.get("/").status_code == 200
    grouped = [q["sql"] for q in again.captured_queries if "GROUP BY" in q["sql"]]
    assert grouped == []
    assert len(again) < len(first)


# The data version kept in the summary store ---------------------------------------------------


@pytest.fixture
def kept(settings):
    """A summary store outside the database, so that a bump keeps its version at once (a
    database store waits for the commit, which a test's transaction never reaches)."""
    settings.CACHES = {
        **settings.CACHES,
        "kept": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kept"},
    }
    yield from summaries_in(settings, "kept")


def test_a_flushed_cache_takes_up_the_kept_version_and_its_summaries_stay_current(kept):
    bump_data_version()
    version = pacta_cache.data_version()
    assert kept.get(pacta_cache.VERSION_KEY) == int(version)
    compute = Counting(7, 8)
    assert recent("k", compute, 0, durable=True) == (7, None)
    flush()
    assert pacta_cache.data_version() == version
    # Current, not stale: no count again, and no grace period for the page to honour.
    assert recent("k", compute, 0, durable=True) == (7, None)
    assert compute.calls == 1


def test_after_a_write_a_flushed_cache_counts_again(kept):
    bump_data_version()
    compute = Counting(7, 8)
    assert recent("k", compute, 0, durable=True) == (7, None)
    before = pacta_cache.data_version()
    bump_data_version()
    flush()
    assert pacta_cache.data_version() != before
    assert recent("k", compute, 0, durable=True) == (8, None)


def test_versions_are_never_reused_by_two_writers(kept):
    """Two processes' own caches, each raising its version after a different write, must not
    arrive at one version: versions are new values, not counts."""
    made = []
    for _ in range(2):  # each process's cache at the same version, then a write in each
        cache.set(pacta_cache.VERSION_KEY, 5, None)
        bump_data_version()
        made.append(pacta_cache.data_version())
    assert made[0] != made[1]


def test_without_a_summary_store_a_flushed_cache_makes_a_new_version(settings):
    settings.PACTA_SUMMARY_CACHE = ""
    bump_data_version()
    before = pacta_cache.data_version()
    flush()
    assert pacta_cache.data_version() != before


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_store_keeps_the_version_when_the_write_commits(settings):
    from django.db import transaction

    from summits.models import Meeting

    settings.PACTA_SUMMARY_CACHE = "summaries"
    store = caches["summaries"]
    store.delete(pacta_cache.VERSION_KEY)
    with transaction.atomic():
        Meeting.objects.filter(pk=-1).update(title="no row has this key")
        # Not inside the transaction: the store's row would be locked until the commit.
        assert store.get(pacta_cache.VERSION_KEY) is None
    assert store.get(pacta_cache.VERSION_KEY) == int(pacta_cache.data_version())
    store.delete(pacta_cache.VERSION_KEY)


def test_without_a_cache_at_all_the_kept_version_is_the_version(kept, settings, monkeypatch):
    """CACHE_URL=dummy:// keeps nothing in the cache: the summaries stay current as long as
    no write is kept, rather than every request making a version of its own."""
    from django.core.cache.backends.dummy import DummyCache

    bump_data_version()
    version = pacta_cache.data_version()
    monkeypatch.setattr(pacta_cache, "cache", DummyCache("dummy", {}))
    assert pacta_cache.data_version() == pacta_cache.data_version() == version
    bump_data_version()
    assert pacta_cache.data_version() != version


# remembered_many(): several values in one round trip ------------------------------------------


def test_remembered_many_computes_only_what_the_cache_lacks():
    cache.clear()
    asked = []

    def compute(items):
        asked.append(list(items))
        return {item: item.upper() for item in items}

    first = pacta_cache.remembered_many({"k-a": "a", "k-b": "b"}, compute)
    second = pacta_cache.remembered_many({"k-a": "a", "k-b": "b", "k-c": "c"}, compute)
    assert first == {"a": "A", "b": "B"}
    assert second == {"a": "A", "b": "B", "c": "C"}
    assert asked == [["a", "b"], ["c"]]
    assert pacta_cache.remembered_many({"k-c": "c"}, compute) == {"c": "C"}
    assert len(asked) == 2
    cache.clear()
