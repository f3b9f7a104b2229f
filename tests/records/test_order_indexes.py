"""The list-order indexes made by migrations are there after every migration has run: on
SQLite a later migration that rebuilds the table drops them silently (records/order_indexes.py),
and nothing else would notice but the clock at 100,000 records."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from records.api.ordering import stable_order
from records.listing import PICKER_LIMIT, picker_rows
from records.models import Source
from records.order_indexes import ORDER_INDEXES
from summits.models import Meeting

pytestmark = pytest.mark.django_db


def indexes_of(table: str) -> dict:
    with connection.cursor() as cursor:
        return connection.introspection.get_constraints(cursor, table)


@pytest.mark.parametrize("name", sorted(ORDER_INDEXES))
def test_each_list_order_index_exists_after_the_migrations(name):
    table, columns = ORDER_INDEXES[name]
    found = indexes_of(table)
    assert name in found, f"{name} is missing from {table}: a migration dropped it"
    expected = [part.split()[0] for part in columns[connection.vendor].split(", ")]
    assert found[name]["columns"] == expected
    assert found[name]["index"] is True


def sqlite_plan(rows) -> str:
    sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        return " | ".join(str(row[-1]) for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner, in its own words")
def test_a_deep_page_of_meetings_is_read_in_index_order_without_a_sort():
    ids = stable_order(Meeting.objects.published()).values_list("pk", flat=True)[1000:1050]
    plan = sqlite_plan(ids)
    assert "summits_meeting_list_order" in plan
    assert "TEMP B-TREE" not in plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner, in its own words")
def test_the_source_picker_reads_its_index_without_a_sort():
    plan = sqlite_plan(picker_rows(Source, "slug", AnonymousUser())[:PICKER_LIMIT])
    assert "source_picker_order" in plan
    assert "TEMP B-TREE" not in plan
