"""Which quotes count as cited in public: those cited by a published record."""

from __future__ import annotations

from django.apps import apps
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q

from summits.models import EditorialStatus, Record


def _published_ids(model: type[models.Model]) -> models.QuerySet | None:
    """The ids of `model`'s published rows; a row inside a record (a document's status event,
    a project's milestone) is published with that record."""
    if issubclass(model, Record):
        return model._default_manager.published().values("pk")
    for field in model._meta.concrete_fields:
        if field.many_to_one and issubclass(field.related_model, Record):
            published = {f"{field.name}__status": EditorialStatus.PUBLISHED}
            return model._default_manager.filter(**published).values("pk")
    return None


def cited_by_published() -> Q:
    """A filter on Citation: the quotes whose record is published."""
    condition = Q(pk__in=[])
    for model in apps.get_models():
        relation = next(
            (f for f in model._meta.private_fields if isinstance(f, GenericRelation)), None
        )
        if relation is None or relation.name != "citations":
            continue
        ids = _published_ids(model)
        if ids is not None:
            condition |= Q(
                content_type=ContentType.objects.get_for_model(model), object_id__in=ids
            )
    return condition
