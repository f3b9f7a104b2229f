"""An index in the API's and the public list's default order of meetings.

The lists sort by `-start_date` with undated meetings last on every database, then title,
then id (config/api_support.stable_order). SQLite and PostgreSQL need different DDL for an
index that serves that order, so it is created per vendor here rather than in Meta.indexes:
SQLite has no NULLS LAST in CREATE INDEX but puts NULLs last when descending already;
PostgreSQL puts them first when descending unless told otherwise. On 100,000 meetings this
turns the page's sort of every published row into an index scan (and an index-only scan for
the deep page's ids).
"""

from django.db import migrations

NAME = "summits_meeting_list_order"
COLUMNS = {
    "sqlite": "status, start_date DESC, title, id",
    "postgresql": "status, start_date DESC NULLS LAST, title, id",
}


def create(apps, schema_editor):
    columns = COLUMNS.get(schema_editor.connection.vendor)
    if columns:
        schema_editor.execute(f"CREATE INDEX {NAME} ON summits_meeting ({columns})")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {NAME}")


class Migration(migrations.Migration):
    dependencies = [("summits", "0002_load_iso_countries")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
