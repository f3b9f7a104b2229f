"""Honest change times and the change feed: every write that changes what an anonymous client
sees is reported, on the record it changed and on every record that shows it.

A record's public JSON embeds other records (a meeting shows its persons, body, documents),
rows inside them (a meeting's attendances) and quotes with their sources. Editing any of these
changes the JSON of records whose own row did not change. So writes are not judged by the
row they touch: each write of a content model (a record kind, a part, a reference list, a
quote; records/registry.py) is noted (`post_save`, `pre_delete`, `m2m_changed`), and when its
transaction commits, the records it may show through are found by walking the model graph
(`neighbours`), their anonymous JSON is rendered by their API resource and compared with the
digest stored when the feed last reported them (`PublishedState`). Where the JSON differs, the
record's `updated_at` moves and a `Change` is written; a record that disappeared (unpublished
or deleted) gets a `removed` change. A record whose JSON changed is walked in turn, so a chain
of embeddings (a status event -> its document -> the meeting showing that document) is
followed as far as the JSON really changes, and no further. A record the feed had never
reported (no digest yet) is reported, and walked from only when the transaction wrote it.

The walk reads the ORM's relations and the registry only: no domain model is named here.
Writes that bypass model signals (`queryset.update()`) are not seen; services and the admin
save models. `manage.py record_changes` reconciles every record, after a bulk load.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections import defaultdict

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import connections, router, transaction
from django.db.models import SET_DEFAULT, SET_NULL, Max, Model
from django.db.models.signals import m2m_changed, post_save, pre_delete
from django.test.client import RequestFactory
from django.urls import get_resolver
from django.utils import timezone
from rest_framework.request import Request

from records.changes import Change, ChangeAction, ChangeFeed, PublishedState
from records.registry import registry

Touched = dict[type[Model], set[int]]

# The host the digests' absolute URLs are built with: any fixed name will do, since a digest
# is only ever compared with another built the same way.
DIGEST_HOST = "pacta.invalid"


def retention_days() -> int:
    return int(getattr(settings, "PACTA_CHANGES_RETENTION_DAYS", 90))


@functools.cache
def resources() -> dict[type[Model], str]:
    """Every model with an API resource, by model: its plural (the feed's `kind`)."""
    return {kind.model: kind.plural for kind in registry.resources()}


@functools.cache
def content_models() -> frozenset[type[Model]]:
    """Models whose rows can show in a record's JSON: the resources, their parts, reference
    lists, and the many-to-many tables between them."""
    models = {*resources(), *registry.parts_by_model, *registry.references}
    for model in list(models):
        for field in model._meta.many_to_many:
            models.add(field.remote_field.through)
    return frozenset(models)


def relations_to(model: type[Model], target: type[Model]) -> list[str]:
    """The lookups from `model` to rows of `target`: forward and reverse foreign keys,
    many-to-many in either direction, generic relations."""
    names = []
    for field in model._meta.get_fields(include_hidden=True):
        if not field.is_relation or isinstance(field, GenericForeignKey):
            continue
        if field.related_model is target:
            if field.auto_created and not field.concrete and field.hidden:
                # A hidden reverse relation (a through table's `+`) has no lookup name.
                continue
            names.append(field.name)
    return names


def generic_targets(model: type[Model], pks: set[int]) -> Touched:
    """The records that rows of `model` point at through a generic foreign key (a quote's
    record), read before the rows are deleted or from rows that still exist."""
    found: Touched = defaultdict(set)
    for field in model._meta.private_fields:
        if not isinstance(field, GenericForeignKey):
            continue
        rows = model._default_manager.filter(pk__in=pks).values_list(
            field.ct_field, field.fk_field
        )
        by_type = defaultdict(set)
        for content_type_id, object_id in rows:
            by_type[content_type_id].add(object_id)
        for content_type_id, ids in by_type.items():
            target = ContentType.objects.get_for_id(content_type_id).model_class()
            if target is not None:
                found[target] |= ids
    return found


def one_hop(model: type[Model], pks: set[int]) -> Touched:
    """Resources that hold a relation to these rows of `model`."""
    found: Touched = defaultdict(set)
    for resource in resources():
        for lookup in relations_to(resource, model):
            ids = resource._default_manager.filter(**{f"{lookup}__in": pks}).values_list(
                "pk", flat=True
            )
            found[resource] |= set(ids)
    for target, ids in generic_targets(model, pks).items():
        if target in resources():
            found[target] |= ids
    return found


def pointing_at(middle: type[Model], target: type[Model]) -> list[str]:
    """The lookups from `middle` to `target` that the middle row holds itself (its foreign
    keys and declared many-to-many): the rows that belong to or link a target row."""
    return [
        field.name
        for field in middle._meta.get_fields()
        if field.is_relation
        and not field.auto_created
        and not isinstance(field, GenericForeignKey | GenericRelation)
        and field.related_model is target
    ]


def generic_relations(model: type[Model], target: type[Model]) -> list[str]:
    """The generic relations from `model` to rows of `target` (a record's quotes)."""
    return [
        field.name
        for field in model._meta.private_fields
        if isinstance(field, GenericRelation) and field.related_model is target
    ]


def neighbours(model: type[Model], pks: set[int]) -> Touched:
    """Every resource whose JSON may show these rows of `model`: the rows themselves when
    they are records, records related to them, and records related to a row (a part, a link,
    a quote) that points at them (a meeting through its attendance of a person).

    The second hop goes only through rows that point at these: a row these point at and
    others share (a meeting's sector) shows none of them, and following it would reach every
    record of that sector at each save."""
    pks = {pk for pk in pks if pk is not None}
    found: Touched = defaultdict(set)
    if not pks:
        return found
    if model in resources():
        found[model] |= pks
    for resource, ids in one_hop(model, pks).items():
        found[resource] |= ids
    for middle in content_models() | {citation_model()}:
        if middle in resources():
            continue
        rows = set()
        for lookup in pointing_at(middle, model):
            rows |= set(
                middle._default_manager.filter(**{f"{lookup}__in": pks}).values_list(
                    "pk", flat=True
                )
            )
        # A generic relation (a record's quotes) has no field on the quote's side to look it
        # up by: it is read from the record's side.
        for lookup in generic_relations(model, middle):
            rows |= set(model._default_manager.filter(pk__in=pks).values_list(lookup, flat=True))
        rows.discard(None)
        if rows:
            for resource, ids in one_hop(middle, rows).items():
                found[resource] |= ids
    return found


@functools.cache
def citation_model() -> type[Model]:
    from records.models import Citation

    return Citation


# Noting writes ---------------------------------------------------------------------------


class Pending:
    """What one transaction touched, kept on its connection until it commits."""

    def __init__(self):
        self.touched: Touched = defaultdict(set)
        # Found before a delete, while the deleted rows could still be walked.
        self.candidates: Touched = defaultdict(set)
        self.closed = False

    def __call__(self) -> None:
        # Closed first: a test's captured on_commit callback stays listed after it ran.
        self.closed = True
        reconcile(self)


def pending_for(model: type[Model]) -> Pending:
    alias = router.db_for_write(model)
    connection = connections[alias]
    current = getattr(connection, "pacta_pending", None)
    registered = connection.in_atomic_block and any(
        func is current for _, func, _ in connection.run_on_commit
    )
    if current is None or current.closed or not registered:
        current = Pending()
        connection.pacta_pending = current
        # Outside a transaction on_commit runs at once; mark it after the caller has noted.
        if connection.in_atomic_block:
            transaction.on_commit(current, using=alias)
    return current


def tracked(model: type[Model]) -> bool:
    return model in content_models() or model is citation_model()


def run_now(pending: Pending, model: type[Model]) -> None:
    if not connections[router.db_for_write(model)].in_atomic_block:
        pending()


def saved(sender, instance, **kwargs) -> None:
    if not tracked(sender):
        return
    pending = pending_for(sender)
    pending.touched[sender].add(instance.pk)
    run_now(pending, sender)


def deleting(sender, instance, **kwargs) -> None:
    """What a deleted row was shown by, read from the row itself (its foreign keys and
    generic key), so that deleting many rows costs no query each; at commit those records are
    walked like any touched row. Only rows that point at it and survive (SET_NULL) are
    looked up now, since afterwards they no longer point at it."""
    if not tracked(sender):
        return
    pending = pending_for(sender)
    if sender in resources():
        pending.candidates[sender].add(instance.pk)
    for field in sender._meta.concrete_fields:
        if field.is_relation and tracked(field.related_model):
            value = getattr(instance, field.attname)
            if value is not None:
                pending.touched[field.related_model].add(value)
    for field in sender._meta.private_fields:
        if isinstance(field, GenericForeignKey):
            content_type_id = getattr(instance, f"{field.ct_field}_id", None)
            target = (
                ContentType.objects.get_for_id(content_type_id).model_class()
                if content_type_id
                else None
            )
            if target is not None and tracked(target):
                pending.touched[target].add(getattr(instance, field.fk_field))
    for relation in sender._meta.related_objects:
        if relation.on_delete in (SET_NULL, SET_DEFAULT) and tracked(relation.related_model):
            pointing = relation.related_model._default_manager.filter(
                **{relation.field.name: instance.pk}
            ).values_list("pk", flat=True)
            pending.touched[relation.related_model] |= set(pointing)
    run_now(pending, sender)


def linked(sender, instance, action, model, pk_set, **kwargs) -> None:
    if not tracked(type(instance)) or action not in ("post_add", "post_remove", "pre_clear"):
        return
    pending = pending_for(type(instance))
    pending.touched[type(instance)].add(instance.pk)
    if action == "pre_clear":
        # Which rows are about to be unlinked: the field's name is unknown here, so ask
        # every relation of the instance's model to `model`.
        pk_set = set()
        for lookup in relations_to(model, type(instance)):
            pk_set |= set(
                model._default_manager.filter(**{lookup: instance.pk}).values_list("pk", flat=True)
            )
        for target, ids in neighbours(model, pk_set).items():
            pending.candidates[target] |= ids
    else:
        pending.touched[model] |= set(pk_set or ())
    run_now(pending, type(instance))


def install() -> None:
    post_save.connect(saved, dispatch_uid="pacta-changes-saved")
    pre_delete.connect(deleting, dispatch_uid="pacta-changes-deleting")
    m2m_changed.connect(linked, dispatch_uid="pacta-changes-linked")


# Reconciling ------------------------------------------------------------------------------


def anonymous_request() -> Request:
    request = RequestFactory().get("/api/v1/")
    request.user = AnonymousUser()
    request.get_host = lambda: DIGEST_HOST
    return Request(request)


def representations(model: type[Model], pks: set[int]) -> dict[int, dict]:
    """The JSON an anonymous client gets for each of these records it may see, by id."""
    from records.api.viewsets import RecordViewSet

    if model not in RecordViewSet.by_model:
        # The resources are defined where the API's URLs are (config/api.py); a command or
        # a test that never resolved a URL has not imported them yet.
        get_resolver().url_patterns  # noqa: B018
    viewset = RecordViewSet.by_model[model](
        request=anonymous_request(), format_kwarg=None, kwargs={}
    )
    viewset.action = "retrieve"
    found = {}
    ordered = sorted(pks)
    for start in range(0, len(ordered), 500):
        chunk = viewset.get_queryset().filter(pk__in=ordered[start : start + 500])
        for record in viewset.page_records(chunk):
            if record is not None:
                found[record["id"]] = record
    return found


def digest(record: dict) -> str:
    shown = {key: value for key, value in record.items() if key != "updated_at"}
    text = json.dumps(shown, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def timestamped(model: type[Model]) -> bool:
    return any(field.name == "updated_at" for field in model._meta.concrete_fields)


def reconcile(pending: Pending) -> None:
    candidates: Touched = defaultdict(set)
    direct: Touched = defaultdict(set)
    for model, ids in pending.candidates.items():
        candidates[model] |= ids
        direct[model] |= ids
    for model, ids in pending.touched.items():
        if model in resources():
            direct[model] |= ids
        for resource, found in neighbours(model, ids).items():
            candidates[resource] |= found
    pending.touched.clear()
    pending.candidates.clear()
    if candidates:
        report(candidates, direct=direct)


def report(
    candidates: Touched, *, direct: Touched | None = None, move_new: bool = False
) -> list[Change]:
    """Compare each candidate's public JSON with the last reported one; write the changes,
    move `updated_at` where the JSON changed, and walk on from every record that changed.

    `direct` are the records the transaction wrote itself (all candidates when not given):
    of the records the feed had never reported, only these are walked from."""
    direct = candidates if direct is None else direct
    written: list[Change] = []
    with transaction.atomic():
        feed = lock_feed()
        now = timezone.now()
        seen: Touched = defaultdict(set)
        queue = [(model, set(ids)) for model, ids in candidates.items()]
        while queue:
            model, ids = queue.pop(0)
            ids -= seen[model]
            if not ids or model not in resources():
                continue
            seen[model] |= ids
            changed, first_seen = compare(model, ids, now, written, move_new)
            # A record the feed had never reported and this transaction did not write is
            # reported but not walked from: nothing says its JSON changed, and in a database
            # loaded without a baseline (`record_changes`) every record is such, so walking on
            # would reach all of them at one save.
            walk = changed - (first_seen - direct.get(model, set()))
            if walk:
                for resource, found in neighbours(model, walk).items():
                    queue.append((resource, found - seen[resource]))
        purge(feed, now)
    return written


def lock_feed() -> ChangeFeed:
    ChangeFeed.objects.get_or_create(pk=1)
    return ChangeFeed.objects.select_for_update().get(pk=1)


def compare(
    model: type[Model], ids: set[int], now: dt.datetime, written: list, move_new: bool
) -> tuple[set[int], set[int]]:
    """The records whose JSON changed, and of them those the feed had never reported."""
    kind = resources()[model]
    shown = representations(model, ids)
    states = {
        state.object_id: state
        for state in PublishedState.objects.filter(kind=kind, object_id__in=ids)
    }
    changed, moved = set(), set()
    first_seen = {pk for pk in ids if pk not in states}
    for pk in sorted(ids):
        record, state = shown.get(pk), states.get(pk)
        if record is None:
            if state is not None:
                written.append(note(kind, state.slug, ChangeAction.REMOVED, now))
                state.delete()
                changed.add(pk)
            continue
        if state is not None and state.slug != record["slug"]:
            # A new slug is a new address: the old one is gone for the client.
            written.append(note(kind, state.slug, ChangeAction.REMOVED, now))
        if state is None or state.digest != digest(record) or state.slug != record["slug"]:
            changed.add(pk)
            # A record seen for the first time keeps its own time: it was just saved (created,
            # published), or loaded as it was (a restore). One whose JSON changed gets now.
            if timestamped(model) and (state is not None or move_new):
                moved.add(pk)
        elif state.stamp != str(record.get("updated_at") or ""):
            # Saved with nothing visible changed but its time: the client's copy is stale by
            # its `updated_at` alone, which embedding records do not show.
            written.append(note(kind, record["slug"], ChangeAction.UPDATED, now))
            state.stamp = str(record.get("updated_at") or "")
            state.save(update_fields=["stamp"])
    if moved:
        model._default_manager.filter(pk__in=moved).update(updated_at=now)
        shown.update(representations(model, moved))
    for pk in sorted(changed):
        record = shown.get(pk)
        if record is None:
            continue
        written.append(note(kind, record["slug"], ChangeAction.UPDATED, now))
        PublishedState.objects.update_or_create(
            kind=kind,
            object_id=pk,
            defaults={
                "slug": record["slug"],
                "digest": digest(record),
                "stamp": str(record.get("updated_at") or ""),
            },
        )
    return changed, first_seen & changed


def note(kind: str, slug: str, action: str, now: dt.datetime) -> Change:
    return Change.objects.create(kind=kind, slug=slug, action=action, at=now)


def purge(feed: ChangeFeed, now: dt.datetime) -> None:
    """Forget changes older than the retention; cursors from before them must re-sync."""
    expired = Change.objects.filter(at__lt=now - dt.timedelta(days=retention_days()))
    last = expired.aggregate(last=Max("id"))["last"]
    if last is not None:
        expired.delete()
        feed.purged_through = max(feed.purged_through, last)
        feed.save(update_fields=["purged_through"])


def reconcile_everything() -> list[Change]:
    """Every record of every resource compared at once (after a bulk load or restore)."""
    candidates: Touched = {}
    for model, kind in resources().items():
        ids = set(model._default_manager.values_list("pk", flat=True))
        ids |= set(PublishedState.objects.filter(kind=kind).values_list("object_id", flat=True))
        candidates[model] = ids
    return report(candidates)
