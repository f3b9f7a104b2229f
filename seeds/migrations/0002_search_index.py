"""Full-text indexes for searching sources (their whole text) and the quotes cited from them: FTS5 tables
with triggers on SQLite, GIN indexes on PostgreSQL (records/search.py). The columns are frozen
here; a later change to a model's `search_fields` needs a migration of its own."""

from django.db import migrations

from records.search import index_tables

INDEXED = {
    "seeds_source": ("title", "publisher", "author", "text"),
    "seeds_citation": ("quote",),
}


class Migration(migrations.Migration):
    dependencies = [("seeds", "0001_initial"), ("summits", "0004_search_index")]

    operations = [index_tables(INDEXED)]
