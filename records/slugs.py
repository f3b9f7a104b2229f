"""Slugs: made from a title by transliteration, and the former slugs that keep old URLs alive.

A slug is in every public URL and in citations of Pacta elsewhere, so a record renamed by an
Editor keeps its old slug in `FormerSlug`: the page and the API answer the old address with
a 301 to the new one (`records.views.RecordDetailView`, `records.api.viewsets.RecordViewSet`).
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from slugify import slugify

SLUG_MAX_LENGTH = 180
# Azerbaijani's schwa has no transliteration in text-unidecode (it would drop the letter:
# "Əliyev" → "liyev"); the official romanisation writes it "e".
TRANSLITERATION = [("Ə", "E"), ("ə", "e")]


def slug_from(text: str, *, max_length: int = SLUG_MAX_LENGTH) -> str:
    """A URL slug of `text`: transliterated (Cyrillic included), lower case, every run of
    characters that is not a letter or digit (dashes of every kind, spaces, quotes) one
    hyphen, cut at a word boundary. "Uzbekistan–Azerbaijan talks" → "uzbekistan-azerbaijan-talks".
    Empty when `text` has no letter or digit."""
    return slugify(
        text,
        max_length=max_length,
        word_boundary=True,
        replacements=TRANSLITERATION,
    )


class FormerSlug(models.Model):
    """A slug a record had before an Editor changed it; its old URLs redirect to the record.

    One row per retired slug of a kind (a unique constraint): the same kind never has two
    records answering one old address. A former slug never belongs to a live record of its
    kind either: `Record.clean()`, which every write path runs (the admin's forms, the rename
    service, the import review, the seed), refuses a slug that is another record's former one,
    and `unique_slug()` skips former slugs. That half is validation, not a database
    constraint: a CHECK cannot look into another table, and a trigger naming the record tables
    breaks SQLite's table rebuilds in later migrations ("error in trigger …: no such table"
    when the rebuilt table is renamed into place). Were one to get in by a raw write, the live
    record would answer that slug and the redirect would no longer be reached."""

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, help_text="The kind of record renamed."
    )
    object_id = models.PositiveBigIntegerField(help_text="The record, under its current slug.")
    slug = models.SlugField(max_length=200, help_text="The slug the record had before.")
    retired_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["content_type", "slug"]
        verbose_name = "former slug"
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "slug"],
                name="former_slug_once_per_kind",
                violation_error_message="This slug is already a former address of a record.",
            )
        ]
        indexes = [models.Index(fields=["content_type", "object_id"], name="former_slug_record")]

    def __str__(self) -> str:
        return f"{self.content_type.model}/{self.slug}"


def former_owner(model: type[models.Model], slug: str) -> int | None:
    """The id of the record of `model` that once had `slug`, or None."""
    content_type = ContentType.objects.get_for_model(model)
    return (
        FormerSlug.objects.filter(content_type=content_type, slug=slug)
        .values_list("object_id", flat=True)
        .first()
    )


def moved_record(model: type[models.Model], slug: str, viewer) -> models.Model | None:
    """The record of `model` that once had `slug`, when `viewer` may see it; else None (a
    draft's new address is as unknown to the public as the draft)."""
    object_id = former_owner(model, slug)
    if object_id is None:
        return None
    return model.objects.visible_to(viewer).filter(pk=object_id).only("pk", "slug").first()


def with_query(url: str, query_string: str) -> str:
    """`url` with the request's query string kept (filters, format) when it had one."""
    return f"{url}?{query_string}" if query_string else url


def unique_slug(model: type[models.Model], text: str) -> str:
    """A slug of `text` that no record of `model` has or had: "-2", "-3"… added as needed."""
    base = slug_from(text) or model._meta.model_name
    content_type = ContentType.objects.get_for_model(model)
    slug, number = base, 2
    while (
        model._default_manager.filter(slug=slug).exists()
        or FormerSlug.objects.filter(content_type=content_type, slug=slug).exists()
    ):
        slug, number = f"{base}-{number}", number + 1
    return slug


def former_slug_keep(*, record: models.Model, old_slug: str) -> None:
    """Before `record` is saved under a new slug: keep `old_slug`, its current one, as a former
    slug whose URLs redirect to it, and drop the new slug from its former ones when it is
    renamed back. The caller saves the record in the same transaction (`record_rename`, or
    the admin's save of a change form that changed the slug)."""
    if old_slug == record.slug:
        return
    content_type = ContentType.objects.get_for_model(type(record))
    FormerSlug.objects.filter(
        content_type=content_type, object_id=record.pk, slug=record.slug
    ).delete()
    former = FormerSlug(content_type=content_type, object_id=record.pk, slug=old_slug)
    former.full_clean()
    former.save()


def record_rename(*, record: models.Model, slug: str, user: object | None = None) -> models.Model:
    """Give `record` a new slug; its old URLs answer with a 301 to the new one. Refuses a
    slug another record of its kind has or had (ValidationError)."""
    model = type(record)
    with transaction.atomic():
        current = model._default_manager.select_for_update().get(pk=record.pk)
        old = current.slug
        if slug == old:
            return current
        current.slug = slug
        current.full_clean()
        former_slug_keep(record=current, old_slug=old)
        current.mark_analyst_edited(["slug"])
        current._history_user = user
        current.save()
    return current
