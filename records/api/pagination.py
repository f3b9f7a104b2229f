"""Page-number pages for browsing: `page` and `page_size` validated like filters, and deep
pages read as a deferred join; cursor pages for syncing (`ordering=updated`)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from array import array

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import InvalidPage
from django.db.models import Q, QuerySet
from rest_framework import exceptions
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from records import cache


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
    same order as `queryset[offset:offset + size]`; one query more at most, none when the
    ids are in the cache (`ids_in_order`)."""
    ids = ids_in_order(queryset.values_list("pk", flat=True), offset, size)
    return queryset.filter(pk__in=ids)


# A list's ids in its order are kept in blocks of this many, per data version and query: a
# deep page reads one block (two where it straddles them) instead of skipping tens of
# thousands of index entries (10 ms for page 1,234 of the meetings on PostgreSQL).
ORDER_BLOCK = 10_000
# Keys kept as 64-bit integers in a block; a list keyed otherwise is read by OFFSET.
INTEGER_KEYS = ("AutoField", "BigAutoField", "IntegerField", "BigIntegerField", "SmallAutoField")


def ids_in_order(ids: QuerySet, offset: int, size: int) -> list:
    """`ids[offset:offset + size]`, read from blocks of the ordered ids kept in the cache;
    a missing block is read once (its own OFFSET) and kept until the next write. Without a
    cache (`dummy://`) the slice is read as it is, since a block would be thrown away."""
    whole_numbers = ids.model._meta.pk.get_internal_type() in INTEGER_KEYS
    if not whole_numbers or not cache.keeps_values():
        return list(ids[offset : offset + size])
    try:
        sql, params = ids.query.get_compiler(using=ids.db).as_sql()
    except EmptyResultSet:
        return []
    first, last = offset // ORDER_BLOCK, (offset + size - 1) // ORDER_BLOCK
    keys = {
        cache.versioned_key("list-order", ids.db, sql, params, ORDER_BLOCK, block): block
        for block in range(first, last + 1)
    }

    def read(blocks: list[int]) -> dict[int, bytes]:
        kept = {}
        for block in blocks:
            start = block * ORDER_BLOCK
            kept[block] = array("q", ids[start : start + ORDER_BLOCK]).tobytes()
        return kept

    blocks = cache.remembered_many(keys, read)
    joined = array("q")
    for block in range(first, last + 1):
        joined.frombytes(blocks[block])
    start = offset - first * ORDER_BLOCK
    return joined[start : start + size].tolist()


def positive_int_or_none(raw: str) -> int | None:
    # isdecimal() also accepts other scripts' digits, which int() reads; isascii() keeps
    # it to 0-9 so "٣" is not silently page 3. The length cap keeps int() cheap.
    if not raw.isascii() or not raw.isdecimal() or len(raw) > 9:
        return None
    value = int(raw)
    return value if value >= 1 else None


class UpdatedCursorPagination(ApiPagination):
    """Pages of a list ordered by `updated` (or `-updated`), for syncing: each `next` link
    carries a cursor, the last record's (updated_at, id), and the next page is what follows
    it in that order. A record edited while a client pages moves to the end of an `updated`
    list instead of shifting every later page by one, so nothing is skipped (with page
    numbers a record moving from page 3 to the end made page 4 start one record late).

    Used when the list is ordered by `updated` and no `page` is asked for; `page` still gets
    page numbers, for browsing."""

    cursor_query_param = "cursor"

    def page_rows(self, queryset, request):
        self.request = request
        self.page_size_now = self.get_page_size(request)
        descending = request.query_params.get("ordering", "").startswith("-")
        self.descending = descending
        after = self.decode(request.query_params.get(self.cursor_query_param))
        if after is not None:
            moment, pk = after
            if descending:
                later = Q(updated_at__lt=moment) | Q(updated_at=moment, pk__lt=pk)
            else:
                later = Q(updated_at__gt=moment) | Q(updated_at=moment, pk__gt=pk)
            queryset = queryset.filter(later)
        order = ("-updated_at", "-pk") if descending else ("updated_at", "pk")
        queryset = queryset.order_by(*order)
        keys = list(queryset.values_list("updated_at", "pk")[: self.page_size_now + 1])
        self.more = len(keys) > self.page_size_now
        keys = keys[: self.page_size_now]
        self.last_key = keys[-1] if keys else None
        return queryset.filter(pk__in=[pk for _, pk in keys])

    def get_paginated_response(self, data):
        return Response(
            {
                "count": self.known_count,
                "next": self.get_next_link(),
                "previous": None,
                "results": data,
            }
        )

    def get_next_link(self) -> str | None:
        if not self.more or self.last_key is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(url, self.cursor_query_param, self.encode(*self.last_key))

    @staticmethod
    def encode(moment: dt.datetime, pk: int) -> str:
        raw = f"{moment.isoformat()}|{pk}".encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    def decode(self, raw: str | None) -> tuple[dt.datetime, int] | None:
        if raw is None or raw == "":
            return None
        try:
            padded = raw + "=" * (-len(raw) % 4)
            moment_text, pk_text = base64.urlsafe_b64decode(padded).decode().split("|")
            moment = dt.datetime.fromisoformat(moment_text)
            pk = int(pk_text)
            if moment.tzinfo is None or not 0 <= pk < 2**63:
                raise ValueError(raw)
            # In UTC, as the database stores it: PostgreSQL refuses offsets past ±15:59.
            moment = moment.astimezone(dt.UTC)
        except (ValueError, OverflowError, UnicodeDecodeError, binascii.Error) as exc:
            raise exceptions.ValidationError(
                {self.cursor_query_param: ["Give a cursor from a `next` link, unchanged."]}
            ) from exc
        return moment, pk
