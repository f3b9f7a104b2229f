"""What every API resource shares: visibility, pagination, conditional GET, throttling, exports.

Kept apart from the viewsets so that each app's `api.py` only declares its queryset,
prefetches, serializer and FilterSet.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable, Iterator
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.core.cache import cache as django_cache
from django.db.models import Max, Prefetch, QuerySet
from django.http import HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.dateparse import parse_datetime
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.response import Response

from records import cache, registry
from records.api.downloads import (
    EXPORT_ACTIONS,
    JSONOnlyNegotiation,
    batches,
    built_once,
    csv_header,
    csv_line,
    downloads_dir,
    export_filename,
    json_line,
    kept_bytes,
    streaming,
)
from records.api.lines import code_digest, kept_lines, migrations_applied
from records.api.lines import store_path as lines_store_path
from records.api.ordering import stable_order
from records.api.pagination import ApiPagination, UpdatedCursorPagination
from records.api.plan import Computed, RecordPlan, as_prefetch, loaded_columns
from records.api.schema import PactaAutoSchema
from records.api.throttling import ApiAnonThrottle
from records.compiled import PlanCache
from records.models import Citation
from records.slugs import moved_record, with_query
from records.visibility import audience, sees_drafts

# Raised when a record's shape changes in a way a client must notice (a field removed or
# renamed); adding a field does not raise it. Also part of every ETag.
DATASET_FORMAT_VERSION = 1
EXPORT_CHUNK_SIZE = 500
# Plans per process: one per resource, action, audience and host, so a few dozen in use.
PLANS = PlanCache(256)
# The resources' base querysets (RecordViewSet.get_queryset).
QUERYSETS = PlanCache(256)
SLUG_REGEX = r"[a-z0-9]+(?:-[a-z0-9]+)*"


@functools.cache
def pacta_version() -> str:
    try:
        return metadata.version("pacta")
    except metadata.PackageNotFoundError:
        # A checkout whose venv was not made by `make` (no `pip install -e .`): the version
        # is still the one pyproject.toml declares.
        with open(settings.BASE_DIR / "pyproject.toml", "rb") as file:
            return tomllib.load(file)["project"]["version"]


def own_fields(model, *extra: str) -> list[str]:
    """The model's columns minus the seed bookkeeping the API never shows, for `.only()`."""
    skipped = {"seeded", "analyst_edited", "created_at", "version"}
    names = [f.name for f in model._meta.concrete_fields if f.name not in skipped]
    return [*names, *extra]


def citations_prefetch(staff: bool, lookup: str = "citations") -> Prefetch:
    """A page's citations in one query, from sources the client may see; the source joined
    for its slug and publisher only, never its full text."""
    quotes = (
        Citation.objects.visible_to(staff)
        .select_related("source")
        .only(
            "content_type",
            "object_id",
            "source",
            "quote",
            "start",
            "end",
            "field",
            "source__slug",
            "source__publisher",
        )
    )
    return Prefetch(lookup, queryset=quotes)


def whole_seconds(moment) -> int | None:
    return int(moment.timestamp()) if moment else None


class RecordAutoSchema(PactaAutoSchema):
    """Exports take the list's filters; drf-spectacular only documents them for `list`."""

    def get_filter_backends(self):
        if getattr(self.view, "action", None) in EXPORT_ACTIONS:
            return getattr(self.view, "filter_backends", [])
        return super().get_filter_backends()


class RecordViewSet(viewsets.ReadOnlyModelViewSet):
    """A read-only resource: visible records only, stable order, conditional GET, exports.

    Each resource declares its model, serializer and FilterSet, and may override
    `with_relations()` to declare its select_related / prefetches once for lists, details and
    exports alike. Its names (the plural in URLs and file names) come from the registry.
    """

    model = None
    # Every concrete resource by its model, for the router (config/api.py).
    by_model: dict = {}
    lookup_field = "slug"
    lookup_value_regex = SLUG_REGEX
    pagination_class = ApiPagination
    throttle_classes = [ApiAnonThrottle]
    schema = RecordAutoSchema()
    # Whether the model has `updated_at` (every Record); Country has not.
    timestamped = True
    # The shape in the whole-dataset file, when it differs from the list's.
    dataset_serializer_class = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.model is not None:
            RecordViewSet.by_model[cls.model] = cls

    @property
    def resource(self) -> str:
        return next(k.plural for k in registry.resources() if k.model is self.model)

    @property
    def paginator(self):
        """Cursor pages for a list ordered by `updated` without a page number (syncing),
        page numbers otherwise (records/api/pagination.py)."""
        if not hasattr(self, "_paginator"):
            params = self.request.query_params if self.request is not None else {}
            syncing = (
                self.timestamped
                and params.get("ordering", "").lstrip("-") == "updated"
                and "page" not in params
            )
            self._paginator = UpdatedCursorPagination() if syncing else self.pagination_class()
        return self._paginator

    def get_serializer_class(self):
        if self.action == "dataset" and self.dataset_serializer_class is not None:
            return self.dataset_serializer_class
        return super().get_serializer_class()

    def get_queryset(self) -> QuerySet:
        """What the viewer may see, with the relations the serializer shows. Made once per
        process for each resource, action and audience, which is all it depends on (making
        its prefetches was a quarter of an uncached detail's time); each request gets a clone,
        so the shared one is never evaluated."""
        key = (type(self), getattr(self, "action", None), self.staff)
        shared = QUERYSETS.get(key)
        if shared is None:
            base = self.model.objects
            qs = base.visible_to(self.staff) if self.timestamped else base.all()
            shared = self.with_relations(qs)
            QUERYSETS.put(key, shared)
        return shared.all()

    def with_relations(self, qs: QuerySet) -> QuerySet:
        return qs

    @property
    def staff(self) -> bool:
        return sees_drafts(self.request.user)

    def get_serializer_context(self) -> dict:
        return {**super().get_serializer_context(), "staff": self.staff}

    def get_content_negotiator(self):
        if getattr(self, "action", None) in EXPORT_ACTIONS:
            return JSONOnlyNegotiation()
        return super().get_content_negotiator()

    def filter_queryset(self, queryset: QuerySet) -> QuerySet:
        return stable_order(super().filter_queryset(queryset))

    # Conditional GET and the response cache ---------------------------------------------
    #
    # The ETag is a digest of the URL, the representation, the viewer's visibility and the
    # data version (records/cache.py), so an If-None-Match is answered without the database.
    # Last-Modified and the row count (`validators`) are cached per filters and version; an
    # anonymous JSON answer is cached whole under the ETag's key.

    def validators(self, qs: QuerySet) -> dict:
        """A list's {"rows": count, "last": newest change as a whole-second timestamp or None}.

        The newest change among all the records of its kind the viewer may see, whatever the
        filters: two index reads (the `<model>_changes` index) instead of visiting every
        matching row for its MAX, which cost most of a large list's count (docs/scaling.md).
        Like the MAX it replaces, it does not move when a record is unpublished or deleted;
        the ETag does, which is why clients are told to send If-None-Match."""
        if not self.timestamped:
            return {"rows": qs.order_by().count(), "last": None}
        return {"rows": qs.order_by().count(), "last": self.newest_change()}

    def last_change_of(self, record: dict) -> int | None:
        """A detail's Last-Modified: its record's own `updated_at`, in whole seconds."""
        if not self.timestamped or not record.get("updated_at"):
            return None
        return whole_seconds(parse_datetime(str(record["updated_at"])))

    def newest_change(self) -> int | None:
        key = cache.versioned_key("newest", self.model._meta.label, audience(self.request.user))

        def newest() -> dict:
            visible = self.model.objects.visible_to(self.request.user).order_by()
            return {"last": whole_seconds(visible.aggregate(last=Max("updated_at"))["last"])}

        return cache.remembered(key, newest)["last"]

    def response_key(self) -> str:
        renderer = getattr(self.request, "accepted_renderer", None)
        return cache.versioned_key(
            "api",
            DATASET_FORMAT_VERSION,
            pacta_version(),
            self.request.build_absolute_uri(),
            getattr(renderer, "format", ""),
            getattr(self.request, "accepted_media_type", ""),
            audience(self.request.user),
        )

    def validators_key(self) -> str:
        skipped = {"page", "cursor", self.paginator.page_size_query_param, "format", "ordering"}
        return cache.versioned_key(
            "rows",
            self.model._meta.label,
            audience(self.request.user),
            cache.filter_params(self.request.query_params, skipped),
        )

    def cacheable(self) -> bool:
        renderer = getattr(self.request, "accepted_renderer", None)
        return not self.staff and getattr(renderer, "format", "") == "json"

    def answer(self, rows, build, *, detail: bool = False):
        """304, a cached body, or `build(queryset, known)` stamped and (for anonymous JSON)
        cached. `rows()` makes the queryset only on a miss: filtering may itself query (a
        country code is looked up), and a hit must not touch the database. A `detail` is built
        first: its Last-Modified is its record's own, and no record is a 404."""
        key = self.response_key()
        etag = cache.etag_for(key)
        request = self.request._request
        if request.headers.get("If-None-Match"):
            not_modified = get_conditional_response(request, etag=etag)
            if not_modified is not None:
                return self.stamp(not_modified, etag, None)
        stored = django_cache.get(key) if self.cacheable() else None
        if stored is not None:
            content, content_type, timestamp = stored
            not_modified = get_conditional_response(request, etag=etag, last_modified=timestamp)
            if not_modified is not None:
                return self.stamp(not_modified, etag, timestamp)
            return self.stamp(HttpResponse(content, content_type=content_type), etag, timestamp)
        queryset = rows()
        built = None
        if detail:
            # A detail's last change is its own row's: read with the record (its build raises
            # NotFound when there is none), not counted by an aggregate query first.
            built = build(queryset, None)
            timestamp = self.last_change_of(built.data)
        else:
            known = cache.remembered(self.validators_key(), lambda: self.validators(queryset))
            timestamp = known["last"]
        not_modified = get_conditional_response(request, etag=etag, last_modified=timestamp)
        if not_modified is not None:
            return self.stamp(not_modified, etag, timestamp)
        if built is None:
            built = build(queryset, known)
        response = self.stamp(built, etag, timestamp)
        if self.cacheable():

            def store(rendered):
                if rendered.status_code == 200:
                    entry = (rendered.content, rendered["Content-Type"], timestamp)
                    django_cache.set(key, entry, cache.response_seconds())

            response.add_post_render_callback(store)
        return response

    @staticmethod
    def stamp(response, etag: str, timestamp: int | None):
        response["ETag"] = etag
        if timestamp is not None:
            response["Last-Modified"] = http_date(timestamp)
        return response

    def list(self, request, *args, **kwargs):
        def build(queryset, known):
            self.paginator.known_count = known["rows"]
            rows = self.paginator.page_rows(queryset, self.request)
            return self.get_paginated_response(self.page_records(rows))

        return self.answer(lambda: self.filter_queryset(self.get_queryset()), build)

    def retrieve(self, request, *args, **kwargs):
        value = self.lookup_value(kwargs[self.lookup_url_kwarg or self.lookup_field])

        def build(base, known):
            records = self.plan(base).build_one(base, self.lookup_field, value)
            if not records:
                raise exceptions.NotFound()
            return Response(records[0])

        try:
            return self.answer(self.get_queryset, build, detail=True)
        except exceptions.NotFound:
            moved = self.moved(value)
            if moved is None:
                raise
            return moved

    def moved(self, value: str) -> HttpResponsePermanentRedirect | None:
        """A 301 to the record's current address when `value` is a slug it had before."""
        if not self.timestamped or self.lookup_field != "slug":
            return None
        record = moved_record(self.model, value, self.request.user)
        if record is None:
            return None
        name = f"{self.request.resolver_match.namespace}:{self.basename}-detail".lstrip(":")
        url = reverse(name, kwargs={self.lookup_field: record.slug})
        return HttpResponsePermanentRedirect(
            with_query(url, self.request.META.get("QUERY_STRING", ""))
        )

    def lookup_value(self, raw: str) -> str:
        return raw

    # Exports ----------------------------------------------------------------------------

    def records_of(self, queryset: QuerySet) -> Iterator[dict]:
        """The serializer's record of every row, as the API shows it, but built from plain
        rows a chunk at a time (records/api/plan.py): ten times quicker than serializing
        model instances."""
        return self.plan(queryset).records(queryset, chunk_size=EXPORT_CHUNK_SIZE)

    def page_records(self, rows: QuerySet) -> list[dict]:
        """A page's (or one record's) records, built like the exports' from plain rows, with
        the same queries a prefetch would make but no model instance per row."""
        return self.plan(rows).build(rows)

    def plan(self, queryset: QuerySet) -> RecordPlan:
        """The resource's plan, read from its serializer once per process for each shape of
        request (about a third of an uncached detail's time when built per request): what
        the plan depends on is in the key; the computed fields, which may hold per-request
        state, are bound to this request's."""
        request = self.request
        key = (
            type(self),
            self.action,
            self.get_serializer_class(),
            self.staff,
            self.lookup_field,
            # Absolute URLs are made from the request's scheme and host.
            request.build_absolute_uri("/") if request is not None else "",
            tuple(
                as_prefetch(lookup).prefetch_to for lookup in queryset._prefetch_related_lookups
            ),
            tuple(loaded_columns(queryset)),
        )
        plan = PLANS.get(key)
        if plan is None:
            plan = RecordPlan.for_queryset(
                self.get_serializer(),
                queryset,
                lookup=self.lookup_field,
                computed=self.computed_fields(),
            )
            PLANS.put(key, plan)
        return plan.bound(self.computed_fields())

    def computed_fields(self) -> dict[str, Computed]:
        """For each method field of the serializer, the export's function from a chunk's ids
        to each record's value, in one query."""
        return {}

    def export_columns(self) -> list[str]:
        return list(self.get_serializer().fields)

    @extend_schema(
        summary="CSV export of the filtered list",
        description=(
            "Every record the same filters select (no pagination), streamed. List fields "
            "hold their items separated by `;`; citations one a line, each its quote, "
            "publisher and place in the source. Dates are written only as precise as their "
            "precision column says (`2005`, `2024-11`, `2024-11-12`). The file's name says "
            "what was filtered."
        ),
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR), 400: None},
    )
    def export_csv(self, request, *args, **kwargs):
        columns = self.export_columns()
        return self.download(
            "csv",
            "text/csv; charset=utf-8",
            head=csv_header(columns),
            line=csv_line(columns),
        )

    @extend_schema(
        summary="JSON Lines export of the filtered list",
        description="Every record the same filters select, one JSON object per line, streamed.",
        responses={(200, "application/jsonl"): OpenApiResponse(OpenApiTypes.STR), 400: None},
    )
    def export_jsonl(self, request, *args, **kwargs):
        return self.download(
            "jsonl",
            "application/jsonl; charset=utf-8",
            head="",
            line=json_line,
        )

    def download(
        self, extension: str, content_type: str, *, head: str, line: Callable[[dict], str]
    ):
        """The export: `head`, then a `line` per record. Staff, who see drafts, get it built
        afresh; the public's is built once per data version and set of filters, then served
        from a file (records/api/downloads.built_once) with its ETag, and its lines are kept
        per record between versions (records/api/lines.py)."""
        # Filtered now, so that a bad filter is a 400 before the 200 starts; rows are read
        # only while the body streams. An export never read (or abandoned mid-way) then holds
        # no open server-side cursor: on PostgreSQL such a cursor, finalized later by the
        # garbage collector in the middle of another query on the connection, deadlocked it.
        queryset = self.filter_queryset(self.get_queryset())
        filename = self.export_filename(extension)

        def chunks():
            if head:
                yield head
            yield from self.lines_of(queryset, extension, line)

        if self.staff:
            return streaming(chunks(), content_type, filename)
        key = cache.versioned_key(
            "export",
            self.resource,
            extension,
            DATASET_FORMAT_VERSION,
            pacta_version(),
            # Absolute URLs are made from the request's scheme and host.
            self.request.build_absolute_uri("/"),
            cache.filter_params(self.export_params()),
        )
        return built_once(
            self.request._request,
            key=key,
            name=self.resource,
            chunks=chunks,
            content_type=content_type,
            filename=filename,
        )

    def lines_of(
        self, queryset: QuerySet, extension: str, line: Callable[[dict], str]
    ) -> Iterator[str]:
        """The `line` of each record of `queryset`, a chunk at a time: each kept between data
        versions (records/api/lines.py), or built when lines cannot be kept (no `updated_at`
        to know a line is current, no files kept at all, or drafts shown)."""
        plan = self.plan(queryset)
        if (
            self.staff
            or not self.timestamped
            or "updated_at" not in plan.columns
            or kept_bytes() <= 0
        ):
            records = plan.records(queryset, chunk_size=EXPORT_CHUNK_SIZE)
            return (
                "".join([line(record) for record in batch])
                for batch in batches(records, EXPORT_CHUNK_SIZE)
            )
        store = self.line_store(queryset, plan, extension)
        return kept_lines(queryset, plan, line, store, chunk_size=EXPORT_CHUNK_SIZE)

    def line_store(self, queryset: QuerySet, plan: RecordPlan, extension: str) -> Path:
        """Where the lines are kept: one store for everything that makes a line."""
        alias = queryset.db
        database = settings.DATABASES[alias]
        return lines_store_path(
            downloads_dir(),
            self.resource,
            extension,
            self.export_columns() if extension == "csv" else (),
            self.get_serializer_class().__qualname__,
            tuple(plan.columns),
            DATASET_FORMAT_VERSION,
            pacta_version(),
            self.request.build_absolute_uri("/"),
            code_digest(),
            (database["ENGINE"], str(database["NAME"]), database.get("HOST", "")),
            migrations_applied(alias),
        )

    def export_filename(self, extension: str) -> str:
        """The file's name says what the filters selected."""
        return export_filename(self.resource, self.export_params(), extension)

    def export_params(self):
        """The query's FilterSet parameters, already validated (a bad one was a 400 before
        this): all that selects and orders an export's rows. Others change nothing, so they
        neither name the file nor build another."""
        declared = getattr(self.filterset_class, "base_filters", {})
        params = self.request.query_params.copy()
        for name in list(params):
            if name not in declared:
                params.pop(name)
        return params
