from __future__ import annotations

import hashlib

from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from summits.models import (
    DatedMixin,
    DatePrecision,
    EditVersioned,
    Record,
    changes_index,
    format_partial_date,
)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def find_quote(text: str, quote: str, occurrence: int = 1) -> int:
    """Offset of the nth verbatim occurrence of quote in text, or -1."""
    if not quote:
        return -1
    start = -1
    for _ in range(max(occurrence, 1)):
        start = text.find(quote, start + 1)
        if start < 0:
            return -1
    return start


class Source(DatedMixin, Record):
    """A news text, stored verbatim: every citation points into it by character offsets."""

    title = models.CharField(max_length=500)
    publisher = models.CharField(
        max_length=200, blank=True, help_text="Empty when the text does not name its publisher."
    )
    author = models.CharField(max_length=200, blank=True)
    dateline = models.CharField(max_length=200, blank=True, help_text='"Astana, October 21".')
    published_on = models.DateField("publication date", null=True, blank=True, db_index=True)
    published_precision = models.CharField(
        max_length=5, choices=DatePrecision, default=DatePrecision.DAY
    )
    language = models.CharField(max_length=10, default="en", help_text="BCP 47 code: en, ru.")
    url = models.URLField("URL", max_length=1000, blank=True)
    filename = models.CharField(
        max_length=200, blank=True, help_text="The file under seeds/texts/ it was loaded from."
    )
    text = models.TextField(help_text="The article's full text, verbatim. Never edit it.")
    sha256 = models.CharField(
        "SHA-256",
        max_length=64,
        unique=True,
        blank=True,
        editable=False,
        help_text="Of the UTF-8 text; the same text is never stored twice.",
    )
    history = HistoricalRecords(excluded_fields=["text"])

    search_fields = ("title", "publisher", "author", "text")

    class Meta:
        ordering = ["-published_on", "title"]
        indexes = [changes_index("source")]

    def __str__(self) -> str:
        return f"{self.publisher}: {self.title}" if self.publisher else self.title

    def get_absolute_url(self) -> str:
        return reverse("source-detail", kwargs={"slug": self.slug})

    def save(self, *args, **kwargs) -> None:
        self.sha256 = text_sha256(self.text)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        self.sha256 = text_sha256(self.text)
        duplicate = Source.objects.filter(sha256=self.sha256).exclude(pk=self.pk).first()
        if duplicate is not None:
            message = f"This text is already stored as source “{duplicate}” ({duplicate.slug})."
            raise ValidationError({"text": message})

    @property
    def date_display(self) -> str:
        return format_partial_date(self.published_on, self.published_precision)


class Citation(EditVersioned):
    """A verbatim quote in a source that supports a record, or one fact of it."""

    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="citations")
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, help_text="The kind of record cited."
    )
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    field = models.CharField(
        max_length=100,
        blank=True,
        help_text="The fact the quote supports (date, city, status…); empty for the whole record.",
    )
    quote = models.TextField(help_text="Copied verbatim from the source text.")
    occurrence = models.PositiveSmallIntegerField(
        default=1, help_text="Which occurrence of the quote, when it appears more than once."
    )
    start = models.PositiveIntegerField(editable=False, help_text="Character offset of the quote.")
    end = models.PositiveIntegerField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["source", "start", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="citation_record")]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__gt=F("start")), name="citation_offsets_in_order"
            ),
        ]

    def __str__(self) -> str:
        quote = self.quote if len(self.quote) <= 60 else self.quote[:57] + "…"
        return f"“{quote}” ({self.source.publisher})"

    def save(self, *args, **kwargs) -> None:
        self.locate()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        if self.source_id is None or not self.quote:
            return
        self.locate()

    def locate(self) -> None:
        """Fill in the offsets, or refuse a quote the source does not contain verbatim."""
        start = find_quote(self.source.text, self.quote, self.occurrence)
        if start < 0:
            raise ValidationError(
                {
                    "quote": (
                        f"The quote “{self.quote}” is not found verbatim in source "
                        f"“{self.source.slug}”. Copy it exactly from the text."
                    )
                }
            )
        self.start, self.end = start, start + len(self.quote)
