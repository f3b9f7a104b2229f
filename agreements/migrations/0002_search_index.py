"""Full-text indexes for searching packages, documents and projects: FTS5 tables
with triggers on SQLite, GIN indexes on PostgreSQL (records/search.py). The columns are frozen
here; a later change to a model's `search_fields` needs a migration of its own."""

from django.db import migrations

from records.search import index_tables

INDEXED = {
    "agreements_package": ("title", "summary"),
    "agreements_document": ("title", "summary"),
    "agreements_project": ("name", "summary", "location_city"),
}


class Migration(migrations.Migration):
    dependencies = [("agreements", "0001_initial"), ("summits", "0004_search_index")]

    operations = [index_tables(INDEXED)]
