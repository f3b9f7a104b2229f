"""Write paths of the analysts' workspace: publishing, edit conflicts, analyst-edit marks.

The admin calls these; they know nothing of forms or requests, only records and users.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction

from records.models import Citation, EditorialStatus, EditVersioned, SeedTracked, Source

# Bookkeeping that every save touches; showing it in a diff would only hide the real changes.
BOOKKEEPING_FIELDS = ("version", "updated_at", "created_at", "seeded", "analyst_edited")


@dataclass(frozen=True)
class StatusChange:
    changed: int
    already: int
    records: tuple = ()


def records_set_status(
    *, queryset: models.QuerySet, status: str, user: object | None
) -> StatusChange:
    """Publish or unpublish every record in `queryset`: one save, one history row each."""
    with transaction.atomic():
        return _set_status(queryset=queryset, status=status, user=user)


def _set_status(*, queryset: models.QuerySet, status: str, user: object | None) -> StatusChange:
    model = queryset.model
    # Locked one by one in pk order, so two analysts publishing overlapping selections queue.
    locked = (
        model._default_manager.select_for_update()
        .filter(pk__in=queryset.values("pk"))
        .order_by("pk")
    )
    changed_records, already = [], 0
    for record in locked:
        if record.status == status:
            already += 1
            continue
        record.status = status
        # A re-seed must not undo an analyst's decision to publish or withdraw a record.
        record.mark_analyst_edited(["status"])
        record._history_user = user
        record.save()
        changed_records.append(record)
    return StatusChange(
        changed=len(changed_records), already=already, records=tuple(changed_records)
    )


def records_publish(*, queryset: models.QuerySet, user: object | None) -> StatusChange:
    return records_set_status(queryset=queryset, status=EditorialStatus.PUBLISHED, user=user)


def records_unpublish(*, queryset: models.QuerySet, user: object | None) -> StatusChange:
    return records_set_status(queryset=queryset, status=EditorialStatus.DRAFT, user=user)


def mark_edited(*, record: SeedTracked, names: Iterable[str]) -> None:
    """Add `names` to the fields the seed leaves alone, without a new version or history row.

    For lists edited beside the record (its countries, its citations): the record itself may
    not be saved again, and the mark is bookkeeping, not an edit of its own.
    """
    names = set(names)
    if not names:
        return
    model = type(record)
    current = model._default_manager.select_for_update().filter(pk=record.pk).first()
    if current is None:
        return
    current.mark_analyst_edited(names)
    model._default_manager.filter(pk=record.pk).update(analyst_edited=current.analyst_edited)
    record.analyst_edited = current.analyst_edited


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass
class EditConflict:
    """Someone saved the record after the version an analyst's form was rendered with."""

    seen_version: int
    current_version: int
    authors: list[str] = field(default_factory=list)
    changed_at: object = None
    changes: list[FieldChange] = field(default_factory=list)
    log_messages: list[str] = field(default_factory=list)

    def summary(self) -> str:
        who = ", ".join(self.authors) or "someone"
        when = f" at {self.changed_at:%Y-%m-%d %H:%M:%S %Z}" if self.changed_at else ""
        return (
            f"{who} changed this record{when} while you were editing it "
            f"(version {self.seen_version} → {self.current_version})."
        )


def _display(value: object, limit: int = 120) -> str:
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, list | tuple | set):
        text = ", ".join(str(item) for item in value) or "(none)"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _history_author(row: models.Model) -> str:
    user = row.history_user
    return user.get_username() if user is not None else "an unrecorded process (e.g. the seed)"


def edit_conflict(
    *, model: type[EditVersioned], pk: object, seen_version: int
) -> EditConflict | None:
    """Lock the row and compare its version with the one a form was rendered with.

    Must run inside a transaction: the lock is what keeps a third save from slipping in
    between this check and the save that follows it.
    """
    current = (
        model._default_manager.select_for_update()
        .filter(pk=pk)
        .values_list("version", flat=True)
        .first()
    )
    if current is None or current == seen_version:
        return None
    conflict = EditConflict(seen_version=seen_version, current_version=current)
    if not hasattr(model, "history"):
        # Reference rows (countries, sectors) keep no history: the admin's log tells the rest.
        return _logged_changes(conflict, model, pk, since=None)
    history = model.history.filter(**{model._meta.pk.attname: pk}).select_related("history_user")
    # In the order they were saved, told apart by id when two share a time; a record has
    # few versions, and a conflict is rare.
    saves = sorted(history, key=lambda row: (row.history_date, row.history_id))
    newer = [row for row in saves if row.version > seen_version]
    older = [row for row in saves if row.version <= seen_version]
    base = older[-1] if older else None
    for row in newer:
        author = _history_author(row)
        if author not in conflict.authors:
            conflict.authors.append(author)
    if newer:
        latest = newer[-1]
        conflict.changed_at = latest.history_date
        if base is not None:
            # diff_against() compares editable fields only, and every bookkeeping field is
            # editable=False (tests/admin/test_locking_services.py checks it of every kind).
            delta = latest.diff_against(base)
            for change in delta.changes:
                model_field = model._meta.get_field(change.field)
                # Empty for a field without choices: its values are shown as they are.
                labels = dict(model_field.flatchoices)
                old, new = labels.get(change.old, change.old), labels.get(change.new, change.new)
                conflict.changes.append(
                    FieldChange(str(model_field.verbose_name), _display(old), _display(new))
                )
    # The admin's own log says what happened to the lists beside the record (its countries,
    # citations…), which the record's history rows do not carry.
    if base is not None:
        since = base.history_date
    elif newer:
        since = newer[0].history_date
    else:
        return conflict
    return _logged_changes(conflict, model, pk, since=since)


def _logged_changes(conflict: EditConflict, model, pk: object, *, since) -> EditConflict:
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model), object_id=str(pk)
    ).select_related("user")
    if since is not None:
        entries = entries.filter(action_time__gt=since)
    else:
        # Without history, the newest log entry is the best account of who saved since.
        latest = entries.order_by("-action_time").first()
        if latest is None:
            return conflict
        conflict.authors.append(latest.user.get_username())
        conflict.changed_at = latest.action_time
        entries = entries.filter(pk=latest.pk)
    for entry in entries.order_by("action_time")[:20]:
        message = entry.get_change_message()
        if message and message != "No fields changed.":
            conflict.log_messages.append(f"{entry.user.get_username()}: {message}")
    return conflict


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
    with transaction.atomic():
        citation.full_clean()
        citation.save()
    return citation
