"""An index for the lists' source picker (records/listing.picker_choices): the first
published sources by title without sorting the table."""


from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0008_summary_cache_table'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='source',
            index=models.Index(fields=['status', 'title', 'slug'], name='source_picker_order'),
        ),
    ]
