from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from seeds.models import Citation, Source


@transaction.atomic
def citation_create(
    *,
    record: models.Model,
    source: Source,
    quote: str,
    field: str = "",
    occurrence: int = 1,
) -> Citation:
    """Cite `quote` from `source` for `record`; refuses a quote the source lacks verbatim."""
    citation = Citation(
        source=source,
        content_type=ContentType.objects.get_for_model(record),
        object_id=record.pk,
        quote=quote,
        field=field,
        occurrence=occurrence,
    )
    citation.full_clean()
    citation.save()
    return citation
