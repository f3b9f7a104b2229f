"""One record and its related rows, as a detail page's `get()` and `prefetch_related` would
fetch them, from queries compiled once per process.

A record's page runs the same queries on every request, with the same querysets for the
same audience; only the record differs. Building and compiling those querysets took about as
long as the database took to run them (docs/scaling.md, eleventh session). Each query is
compiled here the first time with a stand-in value no record has (a negative primary key, a
made-up slug); later pages put their own value where the stand-in was and run the SQL, and
Django's own `ModelIterable` makes the model instances, `select_related` included. Related
rows land where `prefetch_related` puts them, so templates and `.all()` cannot tell.

A lookup this cannot compile (a nested path, a `to_attr`, a single-valued relation, a query
whose stand-in is not found exactly once among its parameters) is left to Django."""

from __future__ import annotations

import copy
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections
from django.db.models import Model, Prefetch, QuerySet
from django.db.models.fields.related_descriptors import ReverseManyToOneDescriptor
from django.db.models.query import (
    MAX_GET_RESULTS,
    ModelIterable,
    get_prefetcher,
    normalize_prefetch_lookups,
    prefetch_related_objects,
)

from records.compiled import NOT_COMPILED, CompiledSQL, PlanCache

# Stand-ins no record has (primary keys are positive; slugs are lower-case letters, digits
# and hyphens), each told apart from every other parameter of the query compiled with it.
STAND_IN_PK = -7_340_000_000_777
STAND_IN_TEXT = "Pacta stand-in 7340000000777"

COMPILED = PlanCache(512)


@dataclass(frozen=True)
class CompiledQuery:
    """A model queryset compiled with one stand-in (records/compiled.py), and the model its
    rows become."""

    sql: CompiledSQL
    model: type[Model]

    @classmethod
    def of(cls, queryset: QuerySet, stand_in: Any) -> CompiledQuery | object:
        compiled = CompiledSQL.of(queryset, [stand_in])
        if compiled is NOT_COMPILED:
            return NOT_COMPILED
        return cls(compiled, queryset.model)

    def instances(self, value: Any, db: str) -> list[Model]:
        return list(ModelIterable(_Rows(self.sql, self.model, db, self.sql.params_with([value]))))


class _Rows:
    """What `ModelIterable` reads of a queryset, answering with a compiled query."""

    _known_related_objects: dict = {}

    def __init__(self, compiled: CompiledSQL, model: type[Model], db: str, params: list):
        self.db, self.model = db, model
        compiler = object.__new__(type(compiled.compiler))
        compiler.__dict__.update(compiled.compiler.__dict__)
        # Connections belong to threads: the compiled query runs on this thread's.
        compiler.connection = connections[db]
        # An instance attribute wins over the method: the SQL is not built again, and the
        # compiler keeps the select list and converters it made the first time.
        compiler.as_sql = lambda *args, **kwargs: (compiled.sql, params)
        self.query = _Query(compiler)


class _Query:
    def __init__(self, compiler):
        self.compiler = compiler

    def get_compiler(self, using=None, connection=None, elide_empty=True):
        return self.compiler


def compiled(cache_key: tuple, compile) -> CompiledQuery | CompiledRelation | object:
    found = COMPILED.get(cache_key)
    if found is None:
        found = compile()
        COMPILED.put(cache_key, found)
    return found


# One record --------------------------------------------------------------------------------


def get_one(queryset: QuerySet, field: str, value: str, *, key: Hashable) -> Model:
    """`queryset.get(**{field: value})` for a text `value` (a slug), compiled once per `key`
    (what the queryset depends on: a page and its audience)."""
    if queryset._prefetch_related_lookups or not isinstance(value, str):
        return queryset.get(**{field: value})
    query = compiled(
        ("get", queryset.model, queryset.db, key, field),
        lambda: CompiledQuery.of(
            queryset.filter(**{field: STAND_IN_TEXT}).order_by()[:MAX_GET_RESULTS],
            STAND_IN_TEXT,
        ),
    )
    if query is NOT_COMPILED:
        return queryset.get(**{field: value})
    found = query.instances(value, queryset.db)
    if len(found) == 1:
        return found[0]
    model = queryset.model
    if not found:
        raise model.DoesNotExist(f"{model._meta.object_name} matching query does not exist.")
    raise model.MultipleObjectsReturned(f"get() returned more than one {model._meta.object_name}")


# Its related rows --------------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledRelation:
    """One relation's query for one record, and where its rows go."""

    query: CompiledQuery
    cache_name: str
    # The foreign key on the related model back to the record (a reverse foreign key only):
    # set on each row, as Django's prefetch does, so `row.meeting` costs no query.
    back_field: Any
    # Prefetches nested in the relation's queryset, run by Django on the rows fetched.
    nested: tuple


def compile_relation(model: type[Model], lookup: Prefetch, db: str) -> CompiledRelation | object:
    """`lookup`'s query for one record of `model`, compiled, or NOT_COMPILED."""
    if lookup.to_attr or "__" in lookup.prefetch_through:
        return NOT_COMPILED
    stand_in = model(pk=STAND_IN_PK)
    stand_in._state.db = db
    prefetcher, descriptor, found, _ = get_prefetcher(
        stand_in, lookup.prefetch_through, lookup.prefetch_to
    )
    if prefetcher is None or not found or not hasattr(prefetcher, "get_prefetch_querysets"):
        return NOT_COMPILED
    # What Django would read: the lookup's queryset, or the related model's default one.
    base = lookup.queryset
    if base is None:
        related = getattr(prefetcher, "model", None)  # a to-many relation's manager has it
        if related is None:
            return NOT_COMPILED
        base = related._default_manager.get_queryset()
    rel_qs, _, _, single, cache_name, is_descriptor = prefetcher.get_prefetch_querysets(
        [stand_in], [unread(base)]
    )
    if single or is_descriptor:
        return NOT_COMPILED
    query = CompiledQuery.of(rel_qs, STAND_IN_PK)
    if query is NOT_COMPILED:
        return NOT_COMPILED
    return CompiledRelation(
        query=query,
        cache_name=cache_name,
        back_field=descriptor.field if type(descriptor) is ReverseManyToOneDescriptor else None,
        nested=tuple(getattr(rel_qs, "_prefetch_related_lookups", ())),
    )


class _Unread:
    """A queryset that reads no rows: a reverse foreign key's prefetcher iterates the query it
    builds (to set each row's back reference), and here that query is only to be compiled."""

    def _fetch_all(self):
        if self._result_cache is None:
            self._result_cache = []


def unread(queryset: QuerySet) -> QuerySet:
    clone = queryset._chain()
    # Its clones (the prefetcher's filter) keep the class, and so read nothing either.
    clone.__class__ = type(f"Unread{type(queryset).__name__}", (_Unread, type(queryset)), {})
    return clone


def prefetch_one(record: Model, lookups: Sequence[str | Prefetch], *, key: Hashable) -> None:
    """Prefetch `lookups` for `record` alone, as `prefetch_related_objects([record], ...)`.

    `key` names what the lookups' querysets depend on besides the record (a page and its
    audience): a compiled query is shared by every record prefetched under the same key, so
    two keys must differ wherever their querysets could."""
    db = record._state.db
    if not hasattr(record, "_prefetched_objects_cache"):
        record._prefetched_objects_cache = {}
    by_django = []
    for position, lookup in enumerate(normalize_prefetch_lookups(lookups)):
        relation = compiled(
            ("prefetch", type(record), db, key, position, lookup.prefetch_to),
            lambda lookup=lookup: compile_relation(type(record), lookup, db),
        )
        if relation is NOT_COMPILED:
            by_django.append(lookup)
        else:
            fill(record, lookup, relation, db)
    if by_django:
        prefetch_related_objects([record], *by_django)


def fill(record: Model, lookup: Prefetch, relation: CompiledRelation, db: str) -> None:
    rows = relation.query.instances(record.pk, db)
    back = relation.back_field
    if back is not None:
        for row in rows:
            if not back.is_cached(row):
                back.set_cached_value(row, record)
    # As prefetch_related leaves it: the manager's queryset (so that `.filter()` on it still
    # reads this record's rows only), holding the rows.
    manager = getattr(record, lookup.prefetch_to)
    held = (
        manager._apply_rel_filters(lookup.queryset)
        if lookup.queryset is not None
        else manager.get_queryset()
    )
    held._result_cache = rows
    held._prefetch_done = True
    record._prefetched_objects_cache[relation.cache_name] = held
    if relation.nested and rows:
        # Copied, as Django copies them: a Prefetch keeps state while it runs.
        prefetch_related_objects(rows, *(copy.copy(nested) for nested in relation.nested))
