"""Source and Citation (with their history) now belong to the records app, the bottom layer
every record kind points at. Only Django's idea of where the models live changes here: the
tables, their rows and their history stay as they are (records 0001 takes the models over
under the same table names)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("seeds", "0003_list_count_indexes"), ("records", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="HistoricalCitation"),
                migrations.DeleteModel(name="Citation"),
                migrations.DeleteModel(name="HistoricalSource"),
                migrations.DeleteModel(name="Source"),
            ],
            database_operations=[],
        )
    ]
