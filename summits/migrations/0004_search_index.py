"""Full-text indexes for searching persons, organizations, bodies and meetings: FTS5 tables
with triggers on SQLite, GIN indexes on PostgreSQL (summits/search.py). The columns are frozen
here; a later change to a model's `search_fields` needs a migration of its own."""

from django.db import migrations

from summits.search import create_index, drop_index

INDEXED = {
    "summits_person": ("name", "aliases", "summary"),
    "summits_organization": ("name", "aliases", "summary"),
    "summits_body": ("name", "summary"),
    "summits_meeting": ("title", "summary", "city"),
}


def create(apps, schema_editor):
    for table, columns in INDEXED.items():
        create_index(schema_editor, table, columns)


def drop(apps, schema_editor):
    for table in INDEXED:
        drop_index(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [("summits", "0003_meeting_list_order_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
