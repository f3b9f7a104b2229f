"""pg_trgm on PostgreSQL, for "did you mean" (pages/spelling.py): the names closest to a
misspelled word are found by trigram similarity in the database. Django's operation does
nothing on SQLite, where the names are compared in Python."""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("records", "0006_citation_field_is_a_fact_of_its_record")]

    operations = [TrigramExtension()]
