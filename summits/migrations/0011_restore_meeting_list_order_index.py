"""The meetings' list-order index again: on SQLite, 0009 rebuilt the table (altering its
foreign keys) and the rebuild dropped the index 0003 made, so every deep page of the list
sorted all meetings again (records/order_indexes.py). A no-op where the index is there."""

from django.db import migrations

from records.order_indexes import order_index


class Migration(migrations.Migration):
    dependencies = [("summits", "0010_body_aliases")]

    operations = [
        order_index(
            "summits_meeting_list_order",
            "summits_meeting",
            {
                "sqlite": "status, start_date DESC, title, id",
                "postgresql": "status, start_date DESC NULLS LAST, title, id",
            },
        )
    ]
