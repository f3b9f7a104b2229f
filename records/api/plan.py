"""The exports' records, built from plain rows by reading the resource's serializer once.

An export holds exactly the records the API serves: the serializer's fields, in its order,
with its values. Serializing model instances one at a time is slow (DRF's per-field machinery,
and the prefetches' model instances; figures in docs/scaling.md).
Here the serializer is read once per export into a `RecordPlan`; each chunk of rows then comes
from `.values()`, and each relation the viewset prefetches costs one `.values()` query per
chunk, run on the very queryset its `Prefetch` declares, so that order and visibility are the
ones the API shows.

A field the plan cannot read from columns or prefetched relations (a SerializerMethodField)
is computed per chunk by a function the viewset names in `computed_fields()`; a field of a
kind the plan does not know is refused when the plan is built. Either way the tests that
compare every export with the serializer fail, rather than the export silently drifting.
"""

from __future__ import annotations

import copy
import operator
import re
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from itertools import islice
from typing import Any

from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import connections, models
from django.db.models import Model, Prefetch, QuerySet
from django.urls import NoReverseMatch
from rest_framework import serializers

from records.compiled import NOT_COMPILED, CompiledSQL, PlanCache
from records.serializers import ApiUrlField, LinkSerializer, PublicUrlField, RelatedValuesField
from records.visibility import status_shown

# A function per chunk: the ids of the chunk's records -> each one's value.
Computed = Callable[[list[int]], Mapping[int, Any]]
# Reads one field of a record from its row and what the chunk's queries found.
Reader = Callable[[dict, dict], Any]

# Serializer fields whose to_representation gives a value of these model fields back as it
# is (str(), int() or the value itself), so the plan skips the call. Exact classes: a
# subclass may represent differently.
UNCHANGED = {
    serializers.BooleanField: (models.BooleanField,),
    serializers.CharField: (models.CharField, models.TextField),
    serializers.ChoiceField: (models.CharField,),
    serializers.IntegerField: (models.IntegerField,),
    serializers.SlugField: (models.CharField,),
    serializers.URLField: (models.CharField,),
}
DISPLAY = re.compile(r"get_(\w+)_display")
# A key that reverse() and build_absolute_uri() copy into a URL verbatim: no case, no
# character to quote. It is also what the API's routes accept as a slug.
VERBATIM_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
PLACEHOLDER, PROBE = "url-placeholder", "second-probe-42"


class RecordPlan:
    """How to build one serializer's records from `.values()` rows of its model.

    `prefix` is set for a related record read through a foreign key in the same row
    ("body__"); `prefetches` are the lookups of the queryset the serializer reads from.
    """

    def __init__(
        self,
        serializer: serializers.Serializer,
        model: type[Model],
        *,
        prefetches: tuple = (),
        loaded: list[str] | None = None,
        lookup: str = "slug",
        computed: Mapping[str, Computed] | None = None,
        prefix: str = "",
    ):
        self.label = type(serializer).__name__
        self.model, self.prefix, self.lookup = model, prefix, lookup
        self.staff = bool(serializer.context.get("staff"))
        self.prefetches = {p.prefetch_to: p for p in map(as_prefetch, prefetches)}
        self.loaded = loaded or [model._meta.pk.attname]
        # The .values() paths the rows need, in a stable order (a dict as an ordered set).
        self.columns: dict[str, None] = {}
        self.pk = self.column(model._meta.pk.attname)
        self.relations: dict[str, Relation] = {}
        self.computed: dict[str, Computed] = {}
        # A detail's own query by database and lookup (build_one), shared with bound copies.
        self.details = PlanCache(8)
        self.hidden_unless_published = None
        if (
            isinstance(serializer, LinkSerializer)
            and not self.staff
            and has_field(model, "status")
        ):
            self.hidden_unless_published = self.column("status")
        computed = computed or {}
        self.names: list[str] = []
        # Columns the record holds as they are, copied in one step; then the other readers.
        plain: list[tuple[str, str]] = []
        self.readers: list[tuple[str, Reader]] = []
        for name, field in serializer.fields.items():
            if field.write_only:
                continue
            self.names.append(name)
            read = self.reader(name, field, computed)
            if isinstance(read, str):
                plain.append((name, read))
            else:
                self.readers.append((name, read))
        self.plain_names = [name for name, _ in plain]
        self.plain_values = tuple_getter([path for _, path in plain])

    @classmethod
    def for_queryset(cls, serializer, queryset: QuerySet, **options) -> RecordPlan:
        return cls(
            serializer,
            queryset.model,
            prefetches=queryset._prefetch_related_lookups,
            loaded=loaded_columns(queryset),
            **options,
        )

    # Reading the serializer ----------------------------------------------------------------

    def column(self, path: str) -> str:
        path = self.prefix + path
        self.columns[path] = None
        return path

    def refuse(self, name: str, why: str) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"Export of {self.label}.{name}: {why}")

    def reader(self, name: str, field, computed: Mapping[str, Computed]) -> Reader | str:
        """How the record reads the field: a function, or the path of a column it holds
        unchanged."""
        if name in computed:
            self.computed[name] = computed[name]
            pk = self.pk
            return lambda row, found: found[name][row[pk]]
        if isinstance(field, serializers.SerializerMethodField):
            raise self.refuse(
                name, "a method field; give the viewset's computed_fields() a function for it"
            )
        if isinstance(field, ApiUrlField | PublicUrlField):
            return self.url_reader(name, field)
        if isinstance(field, serializers.ListSerializer | RelatedValuesField):
            self.relation(name, field.source).add(name, field)
            pk = self.pk
            return lambda row, found: found[name].get(row[pk], [])
        if isinstance(field, serializers.Serializer):
            return self.link_reader(name, field)
        if field.source == "*":
            raise self.refuse(name, "a field reading the whole record is not known to exports")
        return self.column_reader(name, field)

    def column_reader(self, name: str, field) -> Reader | str:
        """A model column, perhaps through foreign keys ("country.code"), or its choice label
        ("get_kind_display")."""
        model, path, labels = self.model, "", None
        attrs = field.source_attrs
        for position, attr in enumerate(attrs):
            last = position == len(attrs) - 1
            display = DISPLAY.fullmatch(attr) if last else None
            try:
                model_field = model._meta.get_field(display.group(1) if display else attr)
            except FieldDoesNotExist:
                if len(attrs) == 1 and isinstance(getattr(model, attr, None), property):
                    return self.instance_reader(field)
                raise self.refuse(name, f"{attr!r} is neither a column nor a property") from None
            if display:
                labels = {value: str(label) for value, label in model_field.flatchoices}
            if last:
                if model_field.is_relation and attr == model_field.name:
                    raise self.refuse(name, "a relation as a value; read one of its columns")
                path += attr if not display else model_field.name
                # A label is text, whatever the column it labels; a key is its target's type.
                column = model_field.target_field if model_field.is_relation else model_field
                column_type = models.CharField if display else type(column)
                break
            if not model_field.many_to_one:
                raise self.refuse(name, f"{attr!r} is not a foreign key")
            if model_field.null and not field.allow_null:
                # DRF would leave the key out of a record whose foreign key is null.
                raise self.refuse(name, f"{attr!r} may be null; give the field allow_null=True")
            model, path = model_field.related_model, path + attr + "__"
        path = self.column(path)
        kept = issubclass(column_type, UNCHANGED.get(type(field), ()))
        convert = None if kept else field.to_representation
        if labels is None and convert is None:
            return path
        if labels is None:
            return lambda row, found: None if row[path] is None else convert(row[path])

        def read_label(row: dict, found: dict):
            value = row[path]
            if value is None:
                return None
            value = labels.get(value, value)
            return value if convert is None else convert(value)

        return read_label

    def instance_reader(self, field) -> Reader:
        """A property of the model, computed as DRF does on an unsaved instance holding the
        row's own columns. Slow, so only for what no column holds (a country's slug)."""
        self.need_instances()

        def read(row: dict, found: dict):
            value = field.get_attribute(self.instance(row))
            return None if value is None else field.to_representation(value)

        return read

    def url_reader(self, name: str, field) -> Reader:
        """The record's API or public URL: `head + key + tail`, where the two parts were found
        once from a placeholder key; a key that would not be copied verbatim is left to the
        field itself (a country's upper-case code)."""
        self.need_instances()
        key = getattr(field, "lookup_field", self.lookup)
        key_column = self.column(key)
        parts = url_parts(lambda value: field.to_representation(self.model(**{key: value})))
        if parts is None:
            return lambda row, found: field.to_representation(self.instance(row))
        head, tail = parts

        def read(row: dict, found: dict) -> str:
            value = row[key_column]
            if VERBATIM_KEY.fullmatch(value):
                return head + value + tail
            return field.to_representation(self.instance(row))

        return read

    def link_reader(self, name: str, field: serializers.Serializer) -> Reader:
        """A related record through a foreign key (a meeting's body), read from the same row:
        null when the key is, and a draft shows as null to anonymous clients."""
        if self.prefix:
            raise self.refuse(name, "a link inside a link")
        try:
            foreign_key = self.model._meta.get_field(field.source)
        except FieldDoesNotExist:
            foreign_key = None
        if foreign_key is None or not foreign_key.many_to_one:
            raise self.refuse(name, "a nested record that is not a foreign key")
        link = RecordPlan(field, foreign_key.related_model, prefix=f"{field.source}__")
        if link.relations or link.computed:
            raise self.refuse(name, "a link with relations of its own")
        self.columns.update(link.columns)
        return lambda row, found: link.record(row, found)

    def relation(self, name: str, source: str) -> Relation:
        if source not in self.relations:
            prefetch = self.prefetches.get(source)
            if prefetch is None:
                raise self.refuse(name, f"the viewset does not prefetch {source!r}")
            self.relations[source] = Relation(self.model, prefetch)
        return self.relations[source]

    def need_instances(self) -> None:
        if self.prefix:
            raise ImproperlyConfigured(f"Export of {self.label}: a link cannot build instances")
        for column in self.loaded:
            self.column(column)

    def instance(self, row: dict) -> Model:
        return self.model(**{column: row[column] for column in self.loaded})

    def bound(self, computed: Mapping[str, Computed]) -> RecordPlan:
        """This plan with its computed fields' functions taken from `computed` (a request's
        own, when the plan is shared by a process's requests)."""
        if not self.computed:
            return self
        plan = copy.copy(self)
        plan.computed = {name: computed[name] for name in self.computed}
        return plan

    # Building records ----------------------------------------------------------------------

    def record(self, row: dict, found: dict) -> dict | None:
        if row[self.pk] is None:  # a link whose foreign key is null
            return None
        hidden = self.hidden_unless_published
        if hidden is not None and not status_shown(row[hidden], self.staff):
            return None
        # The keys first, in the serializer's order, so that filling them keeps that order.
        record = dict.fromkeys(self.names)
        record.update(zip(self.plain_names, self.plain_values(row), strict=True))
        for name, read in self.readers:
            record[name] = read(row, found)
        return record

    def build(self, rows: list[dict] | QuerySet) -> list[dict | None]:
        """The records of a chunk of rows (or of a queryset's few rows, a page, read in one
        query), with one query per relation and computed field."""
        if isinstance(rows, QuerySet):
            rows = list(rows.prefetch_related(None).values(*self.columns))
        found: dict[str, Any] = {}
        if rows and (self.relations or self.computed):
            ids = [row[self.pk] for row in rows]
            for relation in self.relations.values():
                found.update(relation.fetch(ids))
            for name, compute in self.computed.items():
                found[name] = compute(ids)
        if not self.readers and self.hidden_unless_published is None:
            # Columns only, as most nested records are (a meeting's countries, its quotes):
            # an export builds about a million of them, so without a call per record.
            names, values = self.plain_names, self.plain_values
            return [dict(zip(names, values(row), strict=True)) for row in rows]
        return [self.record(row, found) for row in rows]

    def build_one(self, queryset: QuerySet, lookup: str, value: str) -> list[dict | None]:
        """The records of `queryset` whose `lookup` is `value` (a detail). The query is
        compiled once per plan and database: the caller gives the same base queryset for
        every request this plan serves, so only the value differs."""
        alias = queryset.db
        compiled = self.details.get((alias, lookup))
        if compiled is None:
            compiled = NOT_COMPILED
            if isinstance(value, str):
                stand_in = "pacta-lookup-stand-in-5b1e0c7d"
                values = queryset.filter(**{lookup: stand_in}).prefetch_related(None)
                compiled = CompiledValues.of(values.values(*self.columns), [stand_in])
            self.details.put((alias, lookup), compiled)
        if compiled is NOT_COMPILED or not isinstance(value, str):
            return self.build(queryset.filter(**{lookup: value}))
        return self.build(compiled.rows([value]))

    def records(self, queryset: QuerySet, *, chunk_size: int) -> Iterator[dict]:
        """Every record of the queryset, in its order, read a chunk at a time. Nothing is read
        before the first record is asked for."""
        rows = queryset.prefetch_related(None).values(*self.columns).iterator(chunk_size)
        while chunk := list(islice(rows, chunk_size)):
            yield from self.build(chunk)


class Relation:
    """A to-many relation the viewset prefetches, read for a chunk of records in one
    `.values()` query on the prefetch's own queryset. Fields sharing it (a meeting's
    `countries` and `participants`) share the query."""

    def __init__(self, model: type[Model], prefetch: Prefetch):
        self.name = prefetch.prefetch_to
        field = model._meta.get_field(self.name)
        queryset = prefetch.queryset
        if queryset is None:
            queryset = field.related_model._default_manager.all()
        self.queryset = queryset
        self.content_type = None
        if isinstance(field, GenericRelation):
            self.key = field.object_id_field_name
            self.content_type = (field.content_type_field_name, model, field.for_concrete_model)
        elif field.auto_created:  # the far side of a foreign key or many-to-many field
            self.key = field.field.name
        elif field.many_to_many:
            self.key = field.related_query_name()
        else:
            raise ImproperlyConfigured(f"Export: {model.__name__}.{self.name} is not to-many")
        # The same SQL as `<key>__in`, but the ids are checked as plain integers rather than
        # as related records: three times quicker to build for a chunk's 500 ids.
        self.match = f"{self.key}__in"
        if self.content_type is None:
            self.match = f"{self.key}__{model._meta.pk.name}__in"
        self.columns: dict[str, None] = {}
        self.builders: list[tuple[str, Callable[[list[dict]], list]]] = []
        # By database, number of ids and content type: a detail's one id, a page's, an
        # export's chunk.
        self.compiled = PlanCache(64)

    def add(self, name: str, field) -> None:
        """A field read from this relation: its records' values, or whole nested records."""
        if isinstance(field, RelatedValuesField):
            path = field.path.replace(".", "__")
            self.columns[path] = None
            self.builders.append((name, lambda rows: [row[path] for row in rows]))
        else:
            plan = RecordPlan.for_queryset(field.child, self.queryset)
            self.columns.update(plan.columns)
            self.builders.append((name, plan.build))

    def fetch(self, ids: list[int]) -> dict[str, dict[int, list]]:
        rows = self.rows(list(dict.fromkeys(ids)))
        keys = [row[self.key] for row in rows]
        found = {}
        for name, build in self.builders:
            groups = defaultdict(list)
            for key, value in zip(keys, build(rows), strict=True):
                groups[key].append(value)
            found[name] = groups
        return found

    def rows(self, ids: list[int]) -> list[dict]:
        """The relation's rows for these (distinct) ids, by the SQL compiled for as many ids
        the first time: the ORM takes longer to build and compile the query than the
        database to answer it, for every record of every request."""
        if not ids:
            return []
        content_type = None
        if self.content_type is not None:
            _, model, concrete = self.content_type
            content_type = ContentType.objects.get_for_model(model, for_concrete_model=concrete)
        key = (self.queryset.db, len(ids), content_type and content_type.pk)
        compiled = self.compiled.get(key)
        if compiled is not None and compiled is not NOT_COMPILED:
            return compiled.rows(ids)
        queryset = self.queryset.prefetch_related(None)
        if content_type is not None:
            queryset = queryset.filter(**{self.content_type[0]: content_type})
        columns = [column for column in self.columns if column != self.key]
        if compiled is None:
            compiled = CompiledValues.compile(queryset, self.match, len(ids), self.key, columns)
            self.compiled.put(key, compiled)
            if compiled is not NOT_COMPILED:
                return compiled.rows(ids)
        return list(queryset.filter(**{self.match: ids}).values(self.key, *columns))


class CompiledValues:
    """A `.values()` query compiled once (records/compiled.py), with its column names, so that
    running it again for other ids is a cursor call; its compiler converts the rows (dates on
    SQLite, JSON)."""

    def __init__(self, compiled: CompiledSQL, names: list[str]):
        self.compiled, self.names = compiled, names
        self.alias = compiled.compiler.using

    @classmethod
    def compile(
        cls, queryset: QuerySet, match: str, count: int, *names: str | list[str]
    ) -> CompiledValues | object:
        """`queryset` filtered on a list of `count` ids (`match`: its `__in` lookup)."""
        flat = [names[0], *names[1]]
        # Distinct stand-ins no real parameter equals, found again among the parameters.
        stand_ins = [-7_340_000_000_001 - i for i in range(count)]
        return cls.of(queryset.filter(**{match: stand_ins}).values(*flat), stand_ins)

    @classmethod
    def of(cls, values: QuerySet, stand_ins: list) -> CompiledValues | object:
        """`values` compiled, with each of `stand_ins` to be replaced by those given to
        rows(), in order; or NOT_COMPILED (the caller then runs the query through the ORM)."""
        query = values.query
        if query.extra_select:
            return NOT_COMPILED
        # The row's names as ValuesIterable gives them.
        names = list(query.selected) if query.selected else [*query.values_select]
        names += list(query.annotation_select) if not query.selected else []
        compiled = CompiledSQL.of(values, stand_ins)
        if compiled is NOT_COMPILED:
            return NOT_COMPILED
        return cls(compiled, names)

    def rows(self, ids: list[int]) -> list[dict]:
        compiled = self.compiled
        with connections[self.alias].cursor() as cursor:
            cursor.execute(compiled.sql, compiled.params_with(ids))
            fetched = cursor.fetchall()
        names = self.names
        return [
            dict(zip(names, row, strict=True))
            for row in compiled.compiler.results_iter(results=[fetched])
        ]


def as_prefetch(lookup: str | Prefetch) -> Prefetch:
    return lookup if isinstance(lookup, Prefetch) else Prefetch(lookup)


def has_field(model: type[Model], name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def loaded_columns(queryset: QuerySet) -> list[str]:
    """The model's own columns the queryset loads (after `.only()` or `.defer()`)."""
    names, deferred = queryset.query.deferred_loading
    fields = queryset.model._meta.concrete_fields
    if deferred:
        return [f.attname for f in fields if f.name not in names]
    return [f.attname for f in fields if f.name in names or f.primary_key]


def tuple_getter(paths: list[str]) -> Callable[[dict], tuple]:
    """row -> its values at `paths`, as a tuple however many (itemgetter's is not for one)."""
    if len(paths) == 1:
        [path] = paths
        return lambda row: (row[path],)
    return operator.itemgetter(*paths) if paths else lambda row: ()


def url_parts(make: Callable[[str], str]) -> tuple[str, str] | None:
    """(head, tail) such that make(key) == head + key + tail, found from a placeholder and
    checked with a second key; None when the URL is not made that way."""
    try:
        sample, probe = make(PLACEHOLDER), make(PROBE)
    except NoReverseMatch:
        return None
    head, _, tail = sample.partition(PLACEHOLDER)
    if sample.count(PLACEHOLDER) != 1 or probe != head + PROBE + tail:
        return None
    return head, tail
