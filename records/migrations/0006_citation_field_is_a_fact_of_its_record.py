"""A citation's field becomes a choice of its record's facts: stored values that are none of
them are mapped where the intent is clear (other capitals or spacing, one typo: "ctiy" →
"city"); the others are kept as they are, never deleted, and the citation list's filter
"Field: not a field of its record" shows them for review. Reversing keeps the mapped values:
the typos are not worth restoring.
"""

from django.apps import apps as current_apps
from django.db import migrations, models

from records.models import citable_fields, mapped_field


def map_fields(apps, schema_editor):
    # The facts are read from the current model classes (their fields, lists and basis_facts'
    # short names), which historical models lack; a kind that no longer exists is skipped.
    Citation = apps.get_model("records", "Citation")
    ContentType = apps.get_model("contenttypes", "ContentType")
    for content_type in ContentType.objects.filter(
        pk__in=Citation.objects.values("content_type")
    ):
        try:
            model = current_apps.get_model(content_type.app_label, content_type.model)
        except LookupError:
            continue
        facts = citable_fields(model)
        rows = Citation.objects.filter(content_type=content_type).exclude(field="")
        for value in set(rows.exclude(field__in=facts).values_list("field", flat=True)):
            mapped = mapped_field(value, facts)
            if mapped is not None:
                rows.filter(field=value).update(field=mapped)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("records", "0005_former_slugs"),
    ]

    operations = [
        migrations.AlterField(
            model_name=model_name,
            name="field",
            field=models.CharField(
                blank=True,
                help_text=(
                    "The fact the quote supports, one of the cited record's fields (date, "
                    "city, status…); empty for the whole record."
                ),
                max_length=100,
            ),
        )
        for model_name in ("citation", "historicalcitation")
    ] + [migrations.RunPython(map_fields, migrations.RunPython.noop)]
