"""What anonymous clients can observe changing: the change feed's rows and what they saw last.

`Change` is the feed (`/api/v1/changes/`): one row each time a record's public JSON changes,
appears or disappears. `PublishedState` holds a digest of each record's public JSON as the
feed last reported it, so that a write is reported only when a client could tell, and every
record whose JSON it changed (the meeting that embeds a renamed person) is reported and has
its `updated_at` moved (records/tracking.py writes both). `ChangeFeed` is one row: the lock
that makes changes commit in the order of their cursors, and how far the feed was purged.
"""

from __future__ import annotations

from django.db import models


class ChangeAction(models.TextChoices):
    UPDATED = "updated", "Updated"
    # Unpublished or deleted: either way the record is gone for an anonymous client.
    REMOVED = "removed", "Removed"


class Change(models.Model):
    """One change an anonymous client can observe. The id is the feed's cursor."""

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=50, help_text="The resource: meetings, documents…")
    slug = models.CharField(max_length=200, help_text="The record's slug (a country's code).")
    action = models.CharField(max_length=10, choices=ChangeAction)
    at = models.DateTimeField("when", db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name = "change in the public data"

    def __str__(self) -> str:
        return f"{self.id}: {self.kind}/{self.slug} {self.action}"


class PublishedState(models.Model):
    """A record's public JSON as the feed last reported it (a digest, without `updated_at`)."""

    kind = models.CharField(max_length=50)
    object_id = models.PositiveBigIntegerField()
    slug = models.CharField(max_length=200)
    digest = models.CharField(max_length=64, help_text="SHA-256 of the JSON minus updated_at.")
    stamp = models.CharField(
        max_length=40, blank=True, help_text="The record's updated_at as the JSON showed it."
    )

    class Meta:
        verbose_name = "published state of a record"
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="published_state_record")
        ]

    def __str__(self) -> str:
        return f"{self.kind}/{self.slug}"


class ChangeFeed(models.Model):
    """The feed's single row: locked while changes are written, so that they commit in the
    order of their ids and a reader's cursor never jumps over a change committed later."""

    purged_through = models.BigIntegerField(
        default=0, help_text="Changes up to this id were purged; older cursors must re-sync."
    )

    class Meta:
        verbose_name = "change feed"

    def __str__(self) -> str:
        return f"Change feed (purged through {self.purged_through})"


def latest_change() -> int:
    """The cursor of the newest change (0 before the first): the version of the public data,
    which a citation names so that a reader can ask the feed what changed since."""
    return Change.objects.aggregate(last=models.Max("id"))["last"] or 0
