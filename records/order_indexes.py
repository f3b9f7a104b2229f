"""Indexes in a list's default order that Django's `Meta.indexes` cannot declare for both
databases: newest first with undated records last needs `DESC NULLS LAST` spelt out on
PostgreSQL, which SQLite's CREATE INDEX refuses (it puts NULLs last when descending anyway).

They are created by migrations (`order_index()`), which has a cost on SQLite: Django alters a
table there by rebuilding it, and the rebuild keeps only the indexes the models declare. The
meetings' and documents' order indexes were lost that way by later migrations, and
every deep page sorted the whole table again (found at 100,000 meetings: page 732 of the
API list took 340 ms in its sort; docs/scaling.md). `ORDER_INDEXES` lists them so that a test
(tests/records/test_order_indexes.py) fails when a migration drops one; a migration that
rebuilds such a table calls `order_index()` again after it.
"""

from __future__ import annotations

from django.db import migrations

# name -> (table, columns per vendor). Their migrations freeze their own copies.
ORDER_INDEXES = {
    "summits_meeting_list_order": (
        "summits_meeting",
        {
            "sqlite": "status, start_date DESC, title, id",
            "postgresql": "status, start_date DESC NULLS LAST, title, id",
        },
    ),
    "agreements_document_list_order": (
        "agreements_document",
        {
            "sqlite": "status, date DESC, title, id",
            "postgresql": "status, date DESC NULLS LAST, title, id",
        },
    ),
}


def order_index(name: str, table: str, columns: dict[str, str]) -> migrations.RunPython:
    """A migration operation creating the index if it is missing (and dropping it when the
    migration is reversed). Safe to run again."""

    def create(apps, schema_editor) -> None:
        vendor_columns = columns.get(schema_editor.connection.vendor)
        if vendor_columns:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({vendor_columns})"
            )
        if schema_editor.connection.vendor == "sqlite" and has_statistics(schema_editor):
            # Where the table has statistics, an index without any misleads SQLite's planner
            # into it for unrelated queries (a MAX over another index took 180 ms instead of
            # 1 ms at 100,000 meetings): give it its own.
            schema_editor.execute(f"ANALYZE {name}")

    def drop(apps, schema_editor) -> None:
        if schema_editor.connection.vendor in columns:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(create, drop, elidable=False)


def has_statistics(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")
        return cursor.fetchone() is not None
