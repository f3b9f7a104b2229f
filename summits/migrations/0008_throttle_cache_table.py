"""The table the API's anonymous throttle counts in when no shared cache is configured
(settings.CACHES["throttle"]): created here so that `migrate` is the one setup step."""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor) -> None:
    # Creates only the tables that do not exist yet; nothing is ever dropped.
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("summits", "0007_edit_versions_and_sector_seed_tracking")]

    operations = [migrations.RunPython(create_cache_tables, migrations.RunPython.noop)]
