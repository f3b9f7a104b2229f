"""A version on citations, so a stale save of the stand-alone citation page is refused as a
record's is. Every row starts at version 1.

SQLite adds the column by rebuilding the table, which drops the quote index's triggers: the
index is built again after it (a no-op on PostgreSQL, whose index survives)."""

from django.db import migrations, models

from records.search import index_tables

VERSION_HELP = "Raised by every save; a save based on an older version is refused."


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="citation",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, help_text=VERSION_HELP),
        ),
        migrations.AddField(
            model_name="historicalcitation",
            name="version",
            field=models.PositiveIntegerField(default=1, editable=False, help_text=VERSION_HELP),
        ),
        index_tables({"seeds_citation": ("quote",)}),
    ]
