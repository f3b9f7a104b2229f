"""Full-text indexes for searching sources (their whole text) and the quotes cited from them: FTS5 tables
with triggers on SQLite, GIN indexes on PostgreSQL (summits/search.py). The columns are frozen
here; a later change to a model's `search_fields` needs a migration of its own."""

from django.db import migrations

from summits.search import create_index, drop_index

INDEXED = {
    "seeds_source": ("title", "publisher", "author", "text"),
    "seeds_citation": ("quote",),
}


def create(apps, schema_editor):
    for table, columns in INDEXED.items():
        create_index(schema_editor, table, columns)


def drop(apps, schema_editor):
    for table in INDEXED:
        drop_index(schema_editor, table)


class Migration(migrations.Migration):
    dependencies = [("seeds", "0001_initial"), ("summits", "0004_search_index")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
