"""The documents' list-order index again: on SQLite, a later migration's table rebuild dropped
the index 0005 made (records/order_indexes.py). A no-op where the index is there."""

from django.db import migrations

from records.order_indexes import order_index


class Migration(migrations.Migration):
    dependencies = [("agreements", "0009_document_level_and_conclusion_help")]

    operations = [
        order_index(
            "agreements_document_list_order",
            "agreements_document",
            {
                "sqlite": "status, date DESC, title, id",
                "postgresql": "status, date DESC NULLS LAST, title, id",
            },
        )
    ]
