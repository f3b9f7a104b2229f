"""The one visibility rule: who may see a draft, and which rows each surface may show.

Every surface (public pages, API lists and details, exports, `dataset.json`, search, facet
counts, charts, country, pair and source pages) asks here, through `sees_drafts()` or the
`visible_to()` method that every record and every row inside a record has (`RecordQuerySet`,
`PartQuerySet`, `Citation.objects`). Nothing else compares a status with "published".

A *viewer* is a user (or None for an anonymous request), or a bool already decided by
`sees_drafts()` when the code has no user at hand (an export plan, a cached count).
"""

from __future__ import annotations

from django.conf import settings

# The value of `status` that the public may see (records.models.EditorialStatus.PUBLISHED).
PUBLISHED = "published"


def sees_drafts(viewer) -> bool:
    """Whether `viewer` may see drafts: an active staff member, who has also verified a
    second factor when the site requires one (PACTA_REQUIRE_2FA, on in production). A
    password alone never shows unpublished work."""
    if isinstance(viewer, bool):
        return viewer
    if not (_says(viewer, "is_active") and _says(viewer, "is_staff")):
        return False
    if settings.PACTA_REQUIRE_2FA:
        # django-otp's middleware gives request.user is_verified(); a user loaded any other
        # way (a shell, a test's model instance) has not verified anything.
        is_verified = getattr(viewer, "is_verified", None)
        return bool(is_verified is not None and is_verified())
    return True


def _says(viewer, flag: str) -> bool:
    # Fails closed: None, or a viewer of another shape (no such attribute), is refused.
    return hasattr(viewer, flag) and getattr(viewer, flag) is True


def audience(viewer) -> str:
    """The part of a cache key that depends on the viewer: what they may see."""
    return "staff" if sees_drafts(viewer) else "public"


def shows(record, viewer) -> bool:
    """Whether a record already loaded may be shown (linked, embedded) to `viewer`: reference
    data without a status (a country) always, a record when published or the viewer sees
    drafts."""
    if record is None:
        return False
    return status_shown(getattr(record, "status", PUBLISHED), viewer)


def status_shown(status: str, viewer) -> bool:
    """Whether a record with this `status` may be shown to `viewer` (rows read as values)."""
    return status == PUBLISHED or sees_drafts(viewer)


def published_lookup(*paths: str) -> dict[str, str]:
    """ORM lookups that keep rows whose records at `paths` ("meeting", "projects__organizations")
    are published: how a query says "only what the public may see" through a relation."""
    return {f"{path}__status": PUBLISHED for path in paths}
