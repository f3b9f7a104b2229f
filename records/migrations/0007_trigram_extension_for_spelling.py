"""pg_trgm on PostgreSQL, for "did you mean" (pages/spelling.py): the names closest to a
misspelled word were found by trigram similarity in the database. Django's operation does
nothing on SQLite, where the names are compared in Python.

Since the eighth session both databases compare the names in Python, from a word set kept
per data version; nothing queries pg_trgm any more, and the extension stays installed (a
migration that removed it could fail where another application uses it)."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("records", "0006_citation_field_is_a_fact_of_its_record")]

    operations = [TrigramExtension()]
