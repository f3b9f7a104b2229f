"""OpenAPI details drf-spectacular cannot infer: Pacta's own filter classes, the headers of
conditional requests and of the rate limit, operation descriptions written for users, an
example response per resource, and the columns of the downloads."""

import json
from pathlib import Path

from django.conf import settings
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_basic_type, build_parameter_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from records.filters import YearFilter

# One example response per resource (a seeded record), kept beside the sync client's example.
EXAMPLES = Path(settings.BASE_DIR) / "docs" / "examples" / "responses"


class PactaFilterExtension(DjangoFilterExtension):
    """Filters that read no model field of their own name (country codes go through a role
    table) would make the stock extension guess and warn; a filter class that says
    `schema_as_string = True` takes one string, described by its help_text."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        if isinstance(filter_field, YearFilter):
            return [
                build_parameter_type(
                    name=field_name,
                    required=False,
                    location=OpenApiParameter.QUERY,
                    description="A year, such as 2024, or several, comma-separated: 2023,2024.",
                    schema={"type": "string", "pattern": r"^\d{1,4}(,\d{1,4}){0,9}$"},
                )
            ]
        if getattr(filter_field, "schema_as_string", False):
            return [
                build_parameter_type(
                    name=field_name,
                    required=filter_field.extra["required"],
                    location=OpenApiParameter.QUERY,
                    description=self._get_field_description(filter_field, None),
                    schema=build_basic_type(OpenApiTypes.STR),
                )
            ]
        return super().resolve_filter_field(
            auto_schema, model, filterset_class, field_name, filter_field
        )


FIELD_ERRORS = {
    "type": "object",
    "description": "Each refused parameter with what is wrong with it.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}
DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}


def error_response(description: str, body: dict | None = None) -> dict:
    response: dict = {"description": description}
    if body is not None:
        response["content"] = {"application/json": {"schema": body}}
    return response


def header(description: str, schema_type: str = "string") -> dict:
    return {"description": description, "schema": {"type": schema_type}}


VALIDATORS = {
    "ETag": header(
        "A weak validator of this answer: send it back as If-None-Match to get a 304 "
        "when nothing changed."
    ),
    "Last-Modified": header(
        "The newest `updated_at` among the records the answer covers (HTTP date). It does not "
        "move when a record is removed: prefer If-None-Match."
    ),
}
CONDITIONAL_PARAMETERS = [
    {
        "in": "header",
        "name": "If-None-Match",
        "schema": {"type": "string"},
        "description": "An ETag from an earlier answer: 304 Not Modified if it still holds.",
    },
    {
        "in": "header",
        "name": "If-Modified-Since",
        "schema": {"type": "string"},
        "description": "An HTTP date: 304 Not Modified if nothing it covers changed since.",
    },
]
FORMAT_PARAMETER = {
    "in": "query",
    "name": "format",
    "schema": {"type": "string", "enum": ["json"]},
    "description": (
        "`json`, the default for clients. (Browsers get the browsable HTML view, also "
        "asked for by `format=api`.) `next` and `previous` links keep the format they were "
        "asked in."
    ),
}
CURSOR_PARAMETER = {
    "in": "query",
    "name": "cursor",
    "schema": {"type": "string"},
    "description": (
        "With `ordering=updated` (or `-updated`) and no `page`: where the page starts, as "
        "given in the previous page's `next` link. Such lists page by cursor so that records "
        "edited while a client pages are never skipped; copy `next`, do not build it."
    ),
}
LINK_HEADER = header('The data licence: `<https://…>; rel="license"`.')


def rate_limit() -> str:
    rates = settings.REST_FRAMEWORK.get("DEFAULT_THROTTLE_RATES", {})
    return rates.get("anon") or "unlimited"


def example(plural: str) -> dict | None:
    path = EXAMPLES / f"{plural}.json"
    return json.loads(path.read_text()) if path.exists() else None


class PactaAutoSchema(AutoSchema):
    """Documents the answers every read may give besides its 200, so a client (and a schema
    checker) knows them: 400 for a bad parameter, 404, 304 for a conditional GET, 429; and
    the headers that go with them."""

    def get_auth(self):
        # Every operation is an anonymous read: no account, no padlock. (Signed-in staff
        # see drafts through their session, which no client of the API needs.)
        return []

    def get_description(self):
        described = self.user_description()
        return described if described is not None else super().get_description()

    def user_description(self) -> str | None:
        """What a list or a record answers, for a resource whose class documents only how it
        is built."""
        action = getattr(self.view, "action", None)
        resource = getattr(self.view, "resource", None) if hasattr(self.view, "model") else None
        if resource is None or action not in ("list", "retrieve"):
            return None
        if action == "list":
            return (
                f"The published {resource}, filtered by the parameters below, sorted by "
                "`ordering` and paged by `page` and `page_size`. Sorted by `updated`, the list "
                "pages by `cursor` instead, for syncing: follow `next` to the end. Every answer "
                "has an ETag; send it back as If-None-Match for a 304 when nothing changed."
            )
        return (
            f"One of the {resource} by its identifier in the URL, as it appears in the list, "
            "with the verbatim quotes it rests on. 404 for an unknown or unpublished one."
        )

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None or method != "GET":
            return operation
        responses = operation["responses"]
        action = getattr(self.view, "action", None)
        self.document_headers(operation, action)
        if action in ("list", "export_csv", "export_jsonl"):
            responses["400"] = error_response("A parameter is refused.", FIELD_ERRORS)
        if action in ("list", "retrieve"):
            responses.setdefault(
                "304", error_response("Not modified since the ETag or date the client sent.")
            )
            responses.setdefault(
                "404",
                error_response("No such record, page past the last, or unknown format.", DETAIL),
            )
        responses.setdefault(
            "429",
            error_response(
                f"Too many requests: anonymous clients may make {rate_limit()} per address. "
                "Wait the seconds Retry-After says.",
                DETAIL,
            ),
        )
        responses["429"]["headers"] = {
            "Retry-After": header("Seconds to wait before the next request.", "integer")
        }
        return operation

    def document_headers(self, operation: dict, action: str | None) -> None:
        responses = operation["responses"]
        parameters = operation.setdefault("parameters", [])
        if action in ("list", "retrieve"):
            parameters.extend(CONDITIONAL_PARAMETERS)
            parameters.append(FORMAT_PARAMETER)
            if action == "list" and getattr(self.view, "timestamped", False):
                parameters.append(CURSOR_PARAMETER)
            if "200" in responses and not responses["200"].get("description"):
                responses["200"]["description"] = (
                    "A page of records." if action == "list" else "The record."
                )
            for status in ("200", "304"):
                if status in responses:
                    responses[status]["headers"] = dict(VALIDATORS)
            self.add_example(responses.get("200"), action)
        if action in ("export_csv", "export_jsonl") or getattr(self.view, "streams", False):
            if "200" in responses:
                if not responses["200"].get("description"):
                    responses["200"]["description"] = "The file, streamed."
                responses["200"]["headers"] = {
                    "Link": LINK_HEADER,
                    "Content-Disposition": header('attachment; filename="pacta-…."'),
                }
            if action in ("export_csv", "export_jsonl"):
                operation["description"] = (
                    operation.get("description", "") + "\n\n" + self.columns(action)
                ).strip()

    def add_example(self, response: dict | None, action: str) -> None:
        record = example(getattr(self.view, "resource", ""))
        if response is None or record is None:
            return
        value = record
        if action == "list":
            value = {"count": 1, "next": None, "previous": None, "results": [record]}
        for content in response.get("content", {}).values():
            content["examples"] = {
                "record": {"summary": "A seeded record", "value": value},
            }

    def columns(self, action: str) -> str:
        """The download's columns, one line each, with what they hold."""
        serializer = self.view.get_serializer()
        lines = []
        for name in self.view.export_columns():
            field = serializer.fields.get(name)
            text = str(getattr(field, "help_text", "") or "").strip()
            listed = isinstance(field, serializers.ListSerializer | serializers.ListField)
            if action == "export_csv" and name == "citations":
                text += " (in CSV: `source-slug@start-end` of each quote, joined by `;`)"
            elif action == "export_csv" and (listed or isinstance(field, serializers.Serializer)):
                text += " (in CSV: items joined by `;`, each by its slug or code)"
            lines.append(f"- `{name}`: {text}".rstrip(": "))
        kind = "Columns" if action == "export_csv" else "Keys of each line"
        return f"{kind}, in order:\n" + "\n".join(lines)
