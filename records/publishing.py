"""Publishing what belongs together: a record with the drafts it shows, an article's records.

A published meeting whose body, persons or documents are still drafts shows the public a
meeting without them. `shown_drafts()` finds those drafts for any kind, from what the registry
and the models declare, with no code per kind:

- the record's own links to other records (foreign keys and many-to-many fields: a meeting's
  body and parent, a document's meeting, package and signatories, a project's organizations);
- the links of the rows inside it (each part's `visible_through`: a meeting's persons, a
  document's related documents);
- the sources of its quotes and of its parts' quotes (a document's status events);
- what a higher layer contributes to its public record (`registry.contribute`, surface "api":
  a meeting's documents, packages and projects).

It follows drafts only: a published record reached on the way is shown already, and what it
shows in turn is its own affair. Persons, bodies, organizations and sources link no further
records, so the set stays within what the chosen records put on screen.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Model

from records.models import Citation, EditorialStatus, Record, Source
from records.registry import registry
from records.services import StatusChange, records_set_status

Found = dict[type[Model], set[int]]


def _cited(model: type[Model]) -> bool:
    return any(
        isinstance(f, GenericRelation) and f.name == "citations" for f in model._meta.get_fields()
    )


def _links(model: type[Model], pks: set[int]) -> Found:
    """The records that the rows `pks` of `model` show, by model (any status)."""
    kinds = registry.kinds_by_model
    found: Found = defaultdict(set)
    rows = model._default_manager.filter(pk__in=pks)
    # Its own foreign keys, in one query.
    forward = [
        f for f in model._meta.concrete_fields if f.is_relation and f.related_model in kinds
    ]
    if forward:
        for values in rows.values_list(*(f.attname for f in forward)):
            for fk, value in zip(forward, values, strict=True):
                if value is not None:
                    found[fk.related_model].add(value)
    # Its many-to-many fields, through their tables.
    for m2m in model._meta.many_to_many:
        if m2m.related_model in kinds:
            through = m2m.remote_field.through._default_manager
            linked = through.filter(**{f"{m2m.m2m_field_name()}__in": pks})
            found[m2m.related_model].update(
                linked.values_list(m2m.m2m_reverse_field_name(), flat=True)
            )
    # The rows inside it: what each links besides its owner, and the quotes cited for it.
    cited_parts = []
    for part in registry.parts_by_model.values():
        owner = part.model._meta.get_field(part.owner)
        if getattr(owner, "related_model", None) is not model:
            continue
        inside = part.model._default_manager.filter(**{f"{part.owner}__in": pks})
        for name in getattr(part.model, "visible_through", ()):
            target = part.model._meta.get_field(name).related_model
            if name != part.owner and target in kinds:
                found[target].update(inside.values_list(name, flat=True))
        if _cited(part.model):
            cited_parts.append((part.model, inside.values("pk")))
    # The sources of its quotes and of its parts' quotes.
    cited = [(model, list(pks))] if _cited(model) else []
    for cited_model, ids in [*cited, *cited_parts]:
        quotes = Citation.objects.filter(
            content_type=ContentType.objects.get_for_model(cited_model), object_id__in=ids
        )
        found[Source].update(quotes.values_list("source_id", flat=True))
    # What higher layers add to its public record (a meeting's documents).
    for contribution in registry.contributed:
        if contribution.model is not model or contribution.surface != "api":
            continue
        relation = model._meta.get_field(contribution.prefetch(True).prefetch_through)
        if relation.related_model in kinds:
            reverse = relation.related_model._default_manager.filter(
                **{f"{relation.field.name}__in": pks}
            )
            found[relation.related_model].update(reverse.values_list("pk", flat=True))
    return found


def shown_drafts(records: Iterable[Record]) -> list[Record]:
    """The drafts `records` show (above), and the drafts those show, in the registry's order
    of kinds; `records` themselves are left out. One round of queries per step of links, not
    per record."""
    seen: Found = defaultdict(set)
    frontier: Found = defaultdict(set)
    for record in records:
        seen[type(record)].add(record.pk)
        frontier[type(record)].add(record.pk)
    drafts: Found = defaultdict(set)
    while frontier:
        reached: Found = defaultdict(set)
        for model, pks in frontier.items():
            for target, ids in _links(model, pks).items():
                reached[target] |= ids
        frontier = defaultdict(set)
        for model, ids in reached.items():
            new = ids - seen[model]
            if not new:
                continue
            seen[model] |= new
            found = model._default_manager.filter(pk__in=new, status=EditorialStatus.DRAFT)
            draft_ids = set(found.values_list("pk", flat=True))
            if draft_ids:
                drafts[model] |= draft_ids
                frontier[model] = draft_ids
    shown: list[Record] = []
    for kind in registry.kinds():
        if drafts.get(kind.model):
            rows = kind.model._default_manager.filter(pk__in=drafts[kind.model])
            shown += sorted(rows, key=lambda record: str(record).casefold())
    return shown


def article_records(source: Source) -> list[Record]:
    """An article's records: the source and every record citing it, a part's quote counted
    for the record it belongs to (a status event's for its document)."""
    cited: Found = defaultdict(set)
    quotes = Citation.objects.filter(source=source).values_list("content_type_id", "object_id")
    for content_type_id, object_id in quotes.distinct():
        cited[ContentType.objects.get_for_id(content_type_id).model_class()].add(object_id)
    owners: Found = defaultdict(set)
    for model, ids in cited.items():
        part = registry.part(model)
        if model in registry.kinds_by_model:
            owners[model] |= ids
        elif part is not None:
            owner = model._meta.get_field(part.owner).related_model
            rows = model._default_manager.filter(pk__in=ids)
            owners[owner].update(rows.values_list(part.owner, flat=True))
    records: list[Record] = [source]
    for kind in registry.kinds():
        if owners.get(kind.model):
            rows = kind.model._default_manager.filter(pk__in=owners[kind.model])
            records += list(rows)
    return records


def records_publish_together(*, records: Iterable[Record], user: object | None) -> StatusChange:
    """Publish `records` and every draft they show, in one transaction, one history row each
    (records_set_status). Returns how many changed, with the records that did."""
    records = list(records)
    changed, already = [], 0
    with transaction.atomic():
        grouped: Found = defaultdict(set)
        for record in [*records, *shown_drafts(records)]:
            grouped[type(record)].add(record.pk)
        for kind in registry.kinds():
            if kind.model not in grouped:
                continue
            result = records_set_status(
                queryset=kind.model._default_manager.filter(pk__in=grouped[kind.model]),
                status=EditorialStatus.PUBLISHED,
                user=user,
            )
            changed += result.records
            already += result.already
    return StatusChange(changed=len(changed), already=already, records=tuple(changed))
