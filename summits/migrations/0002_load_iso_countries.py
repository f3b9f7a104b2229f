"""Load the full ISO 3166-1 list from pycountry; names texts use come later from the seed."""

from django.db import migrations


def load_countries(apps, schema_editor):
    import pycountry

    Country = apps.get_model("summits", "Country")
    existing = set(Country.objects.values_list("code", flat=True))
    Country.objects.bulk_create(
        [
            Country(
                code=entry.alpha_2,
                name=getattr(entry, "common_name", entry.name),
                official_name=getattr(entry, "official_name", ""),
            )
            for entry in pycountry.countries
            if entry.alpha_2 not in existing
        ]
    )


class Migration(migrations.Migration):
    dependencies = [("summits", "0001_initial")]

    operations = [migrations.RunPython(load_countries, migrations.RunPython.noop)]
