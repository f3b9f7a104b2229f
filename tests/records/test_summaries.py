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


@pytest.fixture
def stored(settings):
    settings.PACTA_SUMMARY_CACHE = "summaries"
    settings.PACTA_SUMMARY_REFRESH = "request"
    caches["summaries"].clear()
    yield caches["summaries"]
    caches["summaries"].clear()


def flush_keeping_the_version() -> None:
    """The cache emptied, as a restarted process's own cache is, the data unchanged."""
    version = cache.get(pacta_cache.VERSION_KEY)
    cache.clear()
    if "pages" in caches:
        caches["pages"].clear()
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
