from django.db import migrations, models

import records.models
from records.search import create_index, drop_index

# A body's word index covers its aliases too, as persons' and organizations' do; the columns
# are frozen here (records/search.py).
BEFORE = ("name", "summary")
AFTER = ("name", "aliases", "summary")


def index_of(columns):
    def rebuild(apps, schema_editor) -> None:
        # On SQLite adding the column rebuilt the table, which dropped the index's triggers.
        drop_index(schema_editor, "summits_body")
        create_index(schema_editor, "summits_body", columns)

    return rebuild


class Migration(migrations.Migration):
    dependencies = [
        ("summits", "0009_host_country_as_participant"),
    ]

    operations = [
        migrations.AddField(
            model_name="body",
            name="aliases",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Other names texts use for it: “Supreme Interstate Council”.",
                validators=[records.models.list_of_strings],
            ),
        ),
        migrations.AddField(
            model_name="historicalbody",
            name="aliases",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Other names texts use for it: “Supreme Interstate Council”.",
                validators=[records.models.list_of_strings],
            ),
        ),
        migrations.RunPython(index_of(AFTER), index_of(BEFORE), elidable=False),
    ]
