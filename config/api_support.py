"""What every API resource shares: visibility, pagination, conditional GET, throttling, exports.

Kept apart from the viewsets so that each app's `api.py` only declares its queryset,
prefetches, serializer and FilterSet.
"""

from __future__ import annotations

import csv
import functools
import json
import tomllib
from collections.abc import Iterator
from importlib import metadata

from django.conf import settings
from django.core.cache import cache as django_cache
from django.core.cache import caches
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import InvalidPage
from django.db.models import Count, F, Max, Prefetch, QuerySet
from django.http import HttpResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, viewsets
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.pagination import PageNumberPagination
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle
from rest_framework.utils.encoders import JSONEncoder

from config import cache
from config.api_schema import PactaAutoSchema
from config.exports import Computed, RecordPlan

# Raised when a record's shape changes in a way a client must notice (a field removed or
# renamed); adding a field does not raise it. Also part of every ETag.
DATASET_FORMAT_VERSION = 1
EXPORT_CHUNK_SIZE = 500
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


def sees_drafts(user) -> bool:
    return bool(user is not None and user.is_active and user.is_staff)


def visible(qs: QuerySet, staff: bool) -> QuerySet:
    """Related records embedded in another: drafts only for staff, as for the record itself."""
    return qs if staff else qs.published()


def published_link(relation: str, staff: bool) -> dict[str, str]:
    """Filter for a through row (a meeting's person, a project's organization): a draft
    person or organization stays hidden from anonymous clients, like the record itself."""
    return {} if staff else {f"{relation}__status": "published"}


def ties_by_pk(qs: QuerySet) -> QuerySet:
    """A prefetch's order (or its model's), then the primary key. Without it, records that
    tie (two documents of a meeting with one date and title) come in whatever order the plan
    gives, which on PostgreSQL may differ between the API's prefetch and the export's narrower
    query of the same rows."""
    return qs.order_by(*(qs.query.order_by or qs.model._meta.ordering), "pk")


def own_fields(model, *extra: str) -> list[str]:
    """The model's columns minus the seed bookkeeping the API never shows, for `.only()`."""
    skipped = {"seeded", "analyst_edited", "created_at", "version"}
    names = [f.name for f in model._meta.concrete_fields if f.name not in skipped]
    return [*names, *extra]


def citations_prefetch(lookup: str = "citations") -> Prefetch:
    """A page's citations in one query; the source joined for its slug and publisher only,
    never its full text."""
    from seeds.models import Citation

    quotes = Citation.objects.select_related("source").only(
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
    return Prefetch(lookup, queryset=quotes)


class ApiAnonThrottle(AnonRateThrottle):
    """The anonymous rate, read per request so `override_settings(REST_FRAMEWORK=...)` and a
    changed PACTA_API_ANON_RATE take effect without re-importing DRF's throttling module."""

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    @property
    def cache(self):
        # One count for all worker processes (settings.PACTA_THROTTLE_CACHE).
        return caches[settings.PACTA_THROTTLE_CACHE]


class ApiPagination(PageNumberPagination):
    """`page` and `page_size` are validated like filters: a bad value is a 400 naming it.

    A page past the last one stays DRF's 404 ("Invalid page."): the request is well formed,
    the page simply does not exist.
    """

    page_size = settings.API_PAGE_SIZE
    max_page_size = settings.API_MAX_PAGE_SIZE
    page_size_query_param = "page_size"
    page_size_query_description = (
        f"Records per page, 1 to {settings.API_MAX_PAGE_SIZE} (default {settings.API_PAGE_SIZE})."
    )
    page_query_description = "A page number, 1 or more, or `last`."

    # The conditional-GET aggregate (cached per filters) already counted the rows.
    known_count: int | None = None

    def get_paginated_response_schema(self, schema):
        envelope = super().get_paginated_response_schema(schema)
        descriptions = {
            "count": "How many records the filters select, over all pages.",
            "next": "URL of the next page, or null on the last.",
            "previous": "URL of the previous page, or null on the first.",
            "results": "This page's records.",
        }
        for name, description in descriptions.items():
            envelope["properties"][name]["description"] = description
        return envelope

    def get_page_size(self, request) -> int:
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None or raw == "":
            return self.page_size
        value = positive_int_or_none(raw)
        if value is None or value > self.max_page_size:
            raise exceptions.ValidationError(
                {
                    self.page_size_query_param: [
                        f"Give a whole number from 1 to {self.max_page_size}."
                    ]
                }
            )
        return value

    def paginate_queryset(self, queryset, request, view=None):
        return list(self.page_rows(queryset, request))

    def page_rows(self, queryset, request):
        """The requested page's rows, not yet read: a slice of `queryset`, or for a deep page
        the page's ids looked up first (`deep_page`). Sets `self.page` for the envelope."""
        self.request = request
        page_size = self.get_page_size(request)
        raw = request.query_params.get(self.page_query_param, "1")
        if raw not in self.last_page_strings and positive_int_or_none(raw) is None:
            raise exceptions.ValidationError(
                {self.page_query_param: ["Give a page number: a whole number, 1 or more."]}
            )
        paginator = self.django_paginator_class(queryset, page_size)
        if self.known_count is not None:
            paginator.__dict__["count"] = self.known_count  # fills the cached_property
        page_number = paginator.num_pages if raw in self.last_page_strings else int(raw)
        try:
            self.page = paginator.page(page_number)
        except InvalidPage as exc:
            raise exceptions.NotFound(f"Invalid page: there are {paginator.num_pages}.") from exc
        if paginator.num_pages > 1 and self.template is not None:
            self.display_page_controls = True
        offset = self.page.start_index() - 1
        if offset >= DEFERRED_JOIN_OFFSET and isinstance(queryset, QuerySet):
            self.page.object_list = deep_page(queryset, offset, page_size)
        return self.page.object_list


# From this many skipped rows on, a page is read as a deferred join (`deep_page`).
DEFERRED_JOIN_OFFSET = 1000


def deep_page(queryset: QuerySet, offset: int, size: int) -> QuerySet:
    """A page far from the first, without OFFSET over whole rows: the page's ids first,
    skipped over the narrow index in the list's order (an index-only scan where the order
    has one, `summits_meeting_list_order`), then those rows with their relations. Same rows,
    same order as `queryset[offset:offset + size]`; one query more."""
    ids = list(queryset.values_list("pk", flat=True)[offset : offset + size])
    return queryset.filter(pk__in=ids)


def whole_seconds(moment) -> int | None:
    return int(moment.timestamp()) if moment else None


def positive_int_or_none(raw: str) -> int | None:
    # isdecimal() also accepts other scripts' digits, which int() reads; isascii() keeps
    # it to 0-9 so "٣" is not silently page 3. The length cap keeps int() cheap.
    if not raw.isascii() or not raw.isdecimal() or len(raw) > 9:
        return None
    value = int(raw)
    return value if value >= 1 else None


class JSONOnlyNegotiation(BaseContentNegotiation):
    """Exports stream their own content type; only their error answers are rendered, as JSON,
    whatever the client's Accept header asked for (an `Accept: text/csv` must not be a 406)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = JSONRenderer()
        return renderer, renderer.media_type


EXPORT_ACTIONS = {"export_csv", "export_jsonl"}


class RecordAutoSchema(PactaAutoSchema):
    """Exports take the list's filters; drf-spectacular only documents them for `list`."""

    def get_filter_backends(self):
        if getattr(self.view, "action", None) in EXPORT_ACTIONS:
            return getattr(self.view, "filter_backends", [])
        return super().get_filter_backends()


class Echo:
    """A file-like object whose write() hands the line back, for csv.writer in a generator."""

    def write(self, value: str) -> str:
        return value


def brief(item: dict) -> str:
    """One embedded object as a short CSV cell part: 'KZ (host)', 'azertac@120-180'."""
    if "quote" in item:
        return f"{item.get('source_slug')}@{item.get('start')}-{item.get('end')}"
    for key in ("slug", "country", "code", "status", "kind", "name", "title", "text"):
        if item.get(key) not in (None, ""):
            ident = str(item[key])
            break
    else:
        ident = json.dumps(item, cls=JSONEncoder, ensure_ascii=False)
    if item.get("role"):
        ident = f"{ident} ({item['role']})"
    if item.get("date"):
        ident = f"{ident} {item['date']}"
    return ident


# A cell starting with one of these is a formula to Excel and LibreOffice; quoted texts are
# hostile input, so such a cell is prefixed with an apostrophe (OWASP's CSV injection advice).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    text = value if type(value) is str else flat_cell(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def flat_cell(value) -> str:
    # Most cells are plain strings: they go first, before the isinstance() checks.
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ";".join([brief(v) if isinstance(v, dict) else flat_cell(v) for v in value])
    if isinstance(value, dict):
        return brief(value)
    return str(value)


def csv_lines(columns: list[str], records: Iterator[dict]) -> Iterator[str]:
    """The header, then one line per record, its lists and objects flattened, its formulas
    defused."""
    writer = csv.writer(Echo())
    yield writer.writerow(columns)
    for record in records:
        yield writer.writerow([safe_cell(record.get(column)) for column in columns])


# One encoder for every line: json.dumps(cls=...) would build one per call.
LINE_ENCODER = JSONEncoder(ensure_ascii=False)


def json_line(record: dict) -> str:
    return LINE_ENCODER.encode(record) + "\n"


class RecordViewSet(viewsets.ReadOnlyModelViewSet):
    """A read-only resource: visible records only, stable order, conditional GET, exports.

    Subclasses set `model`, `serializer_class`, `filterset_class` and `resource` (the plural
    used in URLs and file names), and may override `with_relations()` to declare their
    select_related / prefetches once for lists, details and exports alike.
    """

    model = None
    resource = ""
    lookup_field = "slug"
    lookup_value_regex = SLUG_REGEX
    pagination_class = ApiPagination
    throttle_classes = [ApiAnonThrottle]
    schema = RecordAutoSchema()
    # Whether the model has `updated_at` (every Record); Country has not.
    timestamped = True
    # The shape in the whole-dataset file, when it differs from the list's.
    dataset_serializer_class = None

    def get_serializer_class(self):
        if self.action == "dataset" and self.dataset_serializer_class is not None:
            return self.dataset_serializer_class
        return super().get_serializer_class()

    def get_queryset(self) -> QuerySet:
        base = self.model.objects
        qs = base.visible_to(self.request.user) if self.timestamped else base.all()
        return self.with_relations(qs)

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
    # data version (config/cache.py), so an If-None-Match is answered without the database.
    # Last-Modified and the row count (`validators`) are cached per filters and version; an
    # anonymous JSON answer is cached whole under the ETag's key.

    def validators(self, qs: QuerySet, lookup: str = "") -> dict:
        """{"rows": count, "last": newest change as a whole-second timestamp or None}.

        A record's own change for a detail. For a list, the newest change among all the
        records of its kind the viewer may see, whatever the filters: two index reads (the
        `<model>_changes` index) instead of visiting every matching row for its MAX, which
        cost 13 of the 17 ms a count of 100,000 meetings took on SQLite. Like the MAX it
        replaces, it does not move when a record is unpublished or deleted; the ETag does,
        which is why clients are told to send If-None-Match."""
        if not self.timestamped:
            return {"rows": qs.order_by().count(), "last": None}
        if lookup:
            found = qs.order_by().aggregate(rows=Count("pk"), last=Max("updated_at"))
            return {"rows": found["rows"], "last": whole_seconds(found["last"])}
        return {"rows": qs.order_by().count(), "last": self.newest_change()}

    def newest_change(self) -> int | None:
        key = cache.versioned_key(
            "newest", self.model._meta.label, cache.visibility(self.request.user)
        )

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
            cache.visibility(self.request.user),
        )

    def validators_key(self, lookup: str = "") -> str:
        skipped = {"page", self.paginator.page_size_query_param, "format", "ordering"}
        return cache.versioned_key(
            "rows",
            self.model._meta.label,
            cache.visibility(self.request.user),
            lookup,
            cache.filter_params(self.request.query_params, skipped),
        )

    def cacheable(self) -> bool:
        renderer = getattr(self.request, "accepted_renderer", None)
        return not self.staff and getattr(renderer, "format", "") == "json"

    def answer(self, rows, lookup: str, build):
        """304, a cached body, or `build(queryset, known)` stamped and (for anonymous JSON)
        cached. `rows()` makes the queryset only on a miss: filtering may itself query (a
        country code is looked up), and a hit must not touch the database."""
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
        known = cache.remembered(
            self.validators_key(lookup), lambda: self.validators(queryset, lookup)
        )
        if lookup and known["rows"] == 0:
            raise exceptions.NotFound()
        timestamp = known["last"]
        not_modified = get_conditional_response(request, etag=etag, last_modified=timestamp)
        if not_modified is not None:
            return self.stamp(not_modified, etag, timestamp)
        response = self.stamp(build(queryset, known), etag, timestamp)
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

        return self.answer(lambda: self.filter_queryset(self.get_queryset()), "", build)

    def retrieve(self, request, *args, **kwargs):
        value = self.lookup_value(kwargs[self.lookup_url_kwarg or self.lookup_field])

        def build(matching, known):
            records = self.page_records(matching)
            if not records:  # deleted since its row was counted
                raise exceptions.NotFound()
            return Response(records[0])

        return self.answer(
            lambda: self.get_queryset().filter(**{self.lookup_field: value}),
            f"{self.lookup_field}={value}",
            build,
        )

    def lookup_value(self, raw: str) -> str:
        return raw

    # Exports ----------------------------------------------------------------------------

    def export_records(self) -> Iterator[dict]:
        # Filtering happens now, so a bad filter is a 400 before the 200 starts; rows are read
        # only while the body streams. An export never read (or abandoned mid-way) then holds
        # no open server-side cursor: on PostgreSQL such a cursor, finalized later by the
        # garbage collector in the middle of another query on the connection, deadlocked it.
        return self.records_of(self.filter_queryset(self.get_queryset()))

    def records_of(self, queryset: QuerySet) -> Iterator[dict]:
        """The serializer's record of every row, as the API shows it, but built from plain
        rows a chunk at a time (config/exports.py): ten times quicker than serializing
        model instances."""
        return self.plan(queryset).records(queryset, chunk_size=EXPORT_CHUNK_SIZE)

    def page_records(self, rows: QuerySet) -> list[dict]:
        """A page's (or one record's) records, built like the exports' from plain rows, with
        the same queries a prefetch would make but no model instance per row."""
        return self.plan(rows).build(rows)

    def plan(self, queryset: QuerySet) -> RecordPlan:
        return RecordPlan.for_queryset(
            self.get_serializer(),
            queryset,
            lookup=self.lookup_field,
            computed=self.computed_fields(),
        )

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
            "hold their items separated by `;`."
        ),
        responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR), 400: None},
    )
    def export_csv(self, request, *args, **kwargs):
        lines = csv_lines(self.export_columns(), self.export_records())
        return streaming(lines, "text/csv; charset=utf-8", f"pacta-{self.resource}.csv")

    @extend_schema(
        summary="JSON Lines export of the filtered list",
        description="Every record the same filters select, one JSON object per line, streamed.",
        responses={(200, "application/jsonl"): OpenApiResponse(OpenApiTypes.STR), 400: None},
    )
    def export_jsonl(self, request, *args, **kwargs):
        records = self.export_records()
        return streaming(
            (json_line(record) for record in records),
            "application/jsonl; charset=utf-8",
            f"pacta-{self.resource}.jsonl",
        )


def streaming(content: Iterator[str], content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def stable_order(qs: QuerySet) -> QuerySet:
    """The requested (or the model's) order, made total and portable: undated records last on
    every database (PostgreSQL would put them first when descending, SQLite last), then the
    primary key, so that pages never overlap or skip a record when two rows tie."""
    terms = []
    for term in list(qs.query.order_by) or list(qs.model._meta.ordering):
        if not isinstance(term, str) or term.lstrip("-") in {"pk", "id"}:
            terms.append(term)
            continue
        name = term.lstrip("-")
        if not nullable(qs.model, name):
            terms.append(term)
        elif term.startswith("-"):
            terms.append(F(name).desc(nulls_last=True))
        else:
            terms.append(F(name).asc(nulls_last=True))
    return qs.order_by(*terms, "pk")


def nullable(model, path: str) -> bool:
    if "__" in path:
        return True
    try:
        return model._meta.get_field(path).null
    except FieldDoesNotExist:
        return True
