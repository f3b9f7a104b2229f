"""The import assistant's review: one per imported source, one row per proposed record.

The extractor's proposals (`seeds.importer.model`) are kept as JSON, as it proposed them, so a
review can be left and resumed, and what the analyst decided stays beside what was proposed.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.urls import reverse


class ImportReview(models.Model):
    """An imported article under review: its source and the records proposed from it."""

    source = models.OneToOneField(
        "records.Source",
        on_delete=models.PROTECT,
        related_name="import_review",
        help_text="The article, stored as a draft source when it was imported.",
    )
    reference = models.JSONField(
        default=dict,
        blank=True,
        help_text="The date the extractor read the text from, and why (for the review page).",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who imported the article; empty for a command-line import.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The analyst who published the article's records together.",
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "article import"
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return str(self.source)

    def get_absolute_url(self) -> str:
        return reverse("admin:seeds_importreview_review", args=[self.pk])


class Proposal(models.Model):
    """One proposed record and what the analyst decided about it."""

    class Kind(models.TextChoices):
        MEETING = "meeting", "Meeting"
        DOCUMENT = "document", "Document"
        PACKAGE = "package", "Package"
        PROJECT = "project", "Project"
        STATUS_EVENT = "status_event", "Status of a known document"

    class Decision(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        EDITED = "edited", "Edited and accepted"
        MERGED = "merged", "Merged into an existing record"
        REJECTED = "rejected", "Rejected"

    review = models.ForeignKey(ImportReview, on_delete=models.CASCADE, related_name="proposals")
    kind = models.CharField(max_length=20, choices=Kind)
    key = models.CharField(
        max_length=200, help_text="The extractor's key; other proposals refer to it."
    )
    position = models.PositiveSmallIntegerField(default=0)
    payload = models.JSONField(help_text="The proposal as the extractor made it.")
    edits = models.JSONField(
        default=dict, blank=True, help_text="The fields the analyst changed before accepting."
    )
    decision = models.CharField(
        max_length=10, choices=Decision, default=Decision.PENDING, db_index=True
    )
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        help_text="The kind of the record created or merged into.",
    )
    object_id = models.PositiveBigIntegerField(null=True, blank=True)
    record = GenericForeignKey("content_type", "object_id")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Who decided.",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["review", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "kind", "key"], name="proposal_key_once"),
            models.CheckConstraint(
                condition=models.Q(decision="pending")
                | models.Q(decision="rejected")
                | models.Q(object_id__isnull=False),
                name="proposal_decided_names_its_record",
                violation_error_message="An accepted or merged proposal names its record.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title}"

    @property
    def title(self) -> str:
        data = self.values
        if self.kind == self.Kind.STATUS_EVENT:
            target = data.get("document") or data.get("document_key")
            return f"{data.get('status', '')} — {target}"
        return data.get("title") or data.get("name") or self.key

    @property
    def values(self) -> dict:
        """The payload with the analyst's edits applied."""
        return {**self.payload, **self.edits}

    @property
    def is_pending(self) -> bool:
        return self.decision == self.Decision.PENDING
