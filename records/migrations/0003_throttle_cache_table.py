"""The table the API's anonymous throttle counts in when no shared cache is configured
(settings.CACHES["throttle"]): created here so that `migrate` is the one setup step."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor) -> None:
    # Creates only the tables that do not exist yet; nothing is ever dropped.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("records", "0002_citation_version")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
