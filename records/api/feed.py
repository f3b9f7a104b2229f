"""The change feed, `/api/v1/changes/?since=<cursor>`: what changed for an anonymous client,
in order, from a cursor on (records/changes.py, written by records/tracking.py).

Modelled on CouchDB's `_changes` and Zotero's `?since=`: a client takes the current cursor
(`since=now`), downloads everything, then asks for the changes since that cursor, and from the
cursor each answer gives it, forever. Changes commit in the order of their cursors (the feed is
locked while they are written), so a cursor never jumps over a change committed later.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
)
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from records.api.pagination import positive_int_or_none
from records.api.schema import PactaAutoSchema
from records.api.throttling import ApiAnonThrottle
from records.changes import Change, ChangeAction, ChangeFeed, latest_change
from records.registry import registry
from records.tracking import retention_days

FEED_LIMIT = 100
FEED_MAX_LIMIT = 1000


class Gone(exceptions.APIException):
    status_code = status.HTTP_410_GONE
    default_code = "gone"


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What is wrong, and what to do.")


class FieldErrorsSerializer(serializers.Serializer):
    since = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="What is wrong with `since`."
    )
    limit = serializers.ListField(
        child=serializers.CharField(), required=False, help_text="What is wrong with `limit`."
    )


class ChangeSerializer(serializers.Serializer):
    cursor = serializers.CharField(
        help_text="This change's position; `since` it, the feed starts after it."
    )
    kind = serializers.ChoiceField(
        choices=[], help_text="The resource the record belongs to: `meetings`, `persons`…"
    )
    slug = serializers.CharField(help_text="The record's slug (a country's is its code).")
    change = serializers.ChoiceField(
        choices=ChangeAction.choices,
        help_text=(
            "`updated`: fetch the record again (it is new, or its JSON changed). `removed`: "
            "it was unpublished or deleted; delete your copy."
        ),
    )
    at = serializers.DateTimeField(help_text="When the change was recorded (UTC).")
    url = serializers.URLField(help_text="The record's API URL (a 404 for a removed record).")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [kind.plural for kind in registry.resources()]


class ChangePageSerializer(serializers.Serializer):
    cursor = serializers.CharField(
        help_text="Where to resume: pass it as `since` next time, even when `results` is empty."
    )
    next = serializers.URLField(
        allow_null=True, help_text="URL of the next page, or null when this is the last one."
    )
    results = ChangeSerializer(many=True, help_text="The changes after `since`, oldest first.")


def basename_of(plural: str) -> str:
    return next(k.basename for k in registry.resources() if k.plural == plural)


class ChangeFeedView(APIView):
    """The changes an anonymous client can observe, oldest first, after a cursor."""

    throttle_classes = [ApiAnonThrottle]
    schema = PactaAutoSchema()
    # Public data: the feed shows what anonymous clients see, to everyone, signed in or not.
    authentication_classes: list = []

    @extend_schema(
        operation_id="changes_list",
        summary="Changes since a cursor (for syncing)",
        description=(
            "Every change an anonymous client can observe, in order: a record of `kind` with "
            "`slug` was `updated` (created, published, edited, or something it shows changed: "
            "a person it embeds renamed, a quote edited, a source unpublished) or `removed` "
            "(unpublished or deleted; the same to a client). Start with `since=now` to get the "
            "current cursor, download the data, then ask for the changes `since` that cursor "
            "and from the `cursor` of each answer. Changes are kept for "
            f"{retention_days()} days (`PACTA_CHANGES_RETENTION_DAYS`); a cursor older than "
            "that is answered 410 Gone: download everything again and start over."
        ),
        parameters=[
            OpenApiParameter(
                "since",
                OpenApiTypes.STR,
                description="A `cursor` from an earlier answer, `0` for all kept changes, or "
                "`now` (the default) for the current cursor and no changes.",
            ),
            OpenApiParameter(
                "limit",
                OpenApiTypes.INT,
                description=f"Changes per page, 1 to {FEED_MAX_LIMIT} (default {FEED_LIMIT}).",
            ),
        ],
        responses={
            200: OpenApiResponse(
                ChangePageSerializer, description="The changes after `since`, oldest first."
            ),
            400: OpenApiResponse(FieldErrorsSerializer, description="A parameter is refused."),
            404: OpenApiResponse(DetailSerializer, description="An unknown `format`."),
            410: OpenApiResponse(
                DetailSerializer,
                description="The cursor is older than the changes kept: download everything "
                "again and follow the changes since=now.",
            ),
        },
        examples=[
            OpenApiExample(
                "Two changes",
                response_only=True,
                value={
                    "cursor": "1042",
                    "next": None,
                    "results": [
                        {
                            "cursor": "1041",
                            "kind": "persons",
                            "slug": "ilham-aliyev",
                            "change": "updated",
                            "at": "2026-11-30T08:00:00Z",
                            "url": "https://pacta.example/api/v1/persons/ilham-aliyev/",
                        },
                        {
                            "cursor": "1042",
                            "kind": "documents",
                            "slug": "a-withdrawn-memorandum",
                            "change": "removed",
                            "at": "2026-11-30T08:00:05Z",
                            "url": "https://pacta.example/api/v1/documents/a-withdrawn-memorandum/",
                        },
                    ],
                },
            )
        ],
    )
    def get(self, request, *args, **kwargs):
        since = self.since(request)
        limit = self.limit(request)
        latest = latest_change()
        if since is None:
            return Response({"cursor": str(latest), "next": None, "results": []})
        purged = ChangeFeed.objects.filter(pk=1).values_list("purged_through", flat=True).first()
        if purged and since < purged:
            raise Gone(
                f"The cursor {since} is older than the changes kept ({retention_days()} days): "
                "download the whole dataset again (or every list), then follow the changes "
                "since=now."
            )
        rows = list(Change.objects.filter(id__gt=since).order_by("id")[: limit + 1])
        more, rows = len(rows) > limit, rows[:limit]
        cursor = rows[-1].id if rows else since
        next_url = None
        if more:
            query = request.query_params.copy()
            query["since"] = str(cursor)
            next_url = request.build_absolute_uri(request.path) + "?" + query.urlencode()
        return Response(
            {
                "cursor": str(cursor),
                "next": next_url,
                "results": [self.entry(row, request) for row in rows],
            }
        )

    @staticmethod
    def entry(row: Change, request) -> dict:
        name = "api:" + basename_of(row.kind) + "-detail"
        return {
            "cursor": str(row.id),
            "kind": row.kind,
            "slug": row.slug,
            "change": row.action,
            "at": serializers.DateTimeField().to_representation(row.at),
            "url": reverse(name, args=[row.slug], request=request),
        }

    @staticmethod
    def since(request) -> int | None:
        raw = request.query_params.get("since", "now")
        if raw == "now":
            return None
        if not raw.isascii() or not raw.isdecimal() or len(raw) > 18:
            raise exceptions.ValidationError(
                {"since": ["Give a cursor from an earlier answer, 0, or now."]}
            )
        return int(raw)

    @staticmethod
    def limit(request) -> int:
        raw = request.query_params.get("limit")
        if raw in (None, ""):
            return FEED_LIMIT
        value = positive_int_or_none(raw)
        if value is None or value > FEED_MAX_LIMIT:
            raise exceptions.ValidationError(
                {"limit": [f"Give a whole number from 1 to {FEED_MAX_LIMIT}."]}
            )
        return value
