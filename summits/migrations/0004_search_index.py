"""Full-text indexes for searching persons, organizations, bodies and meetings: FTS5 tables
with triggers on SQLite, GIN indexes on PostgreSQL (records/search.py). The columns are frozen
here; a later change to a model's `search_fields` needs a migration of its own."""

from django.db import migrations

from records.search import index_tables

INDEXED = {
    "summits_person": ("name", "aliases", "summary"),
    "summits_organization": ("name", "aliases", "summary"),
    "summits_body": ("name", "summary"),
    "summits_meeting": ("title", "summary", "city"),
}


class Migration(migrations.Migration):
    dependencies = [("summits", "0003_meeting_list_order_index")]

    operations = [index_tables(INDEXED)]
