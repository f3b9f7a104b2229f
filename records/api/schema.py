"""OpenAPI details drf-spectacular cannot infer from Pacta's own filter classes."""

from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_basic_type, build_parameter_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter


class PactaFilterExtension(DjangoFilterExtension):
    """Filters that read no model field of their own name (country codes go through a role
    table) would make the stock extension guess and warn; a filter class that says
    `schema_as_string = True` takes one string, described by its help_text."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
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


class PactaAutoSchema(AutoSchema):
    """Documents the answers every read may give besides its 200, so a client (and a schema
    checker) knows them: 400 for a bad parameter, 404, 304 for a conditional GET, 429."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None or method != "GET":
            return operation
        responses = operation["responses"]
        action = getattr(self.view, "action", None)
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
        responses.setdefault("429", error_response("Too many requests; see Retry-After.", DETAIL))
        return operation
