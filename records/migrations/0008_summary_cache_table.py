"""The table summaries are kept in (settings.CACHES["summaries"], records/cache.recent), made by
`migrate` like the throttle's (0003): createcachetable makes only the tables missing."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor) -> None:
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("records", "0007_trigram_extension_for_spelling")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
