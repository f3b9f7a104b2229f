"""OpenAPI details drf-spectacular cannot infer from Pacta's own filter classes."""

from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.plumbing import build_basic_type, build_parameter_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from summits.filters import CountryCodesFilter, CountryCodesMethodFilter


class PactaFilterExtension(DjangoFilterExtension):
    """Country-code filters read no model field of their own name (they go through a role
    table), so the stock extension would guess, warn and drop nothing useful; they take a
    comma-separated string of ISO codes, described by their help_text."""

    priority = 1

    def resolve_filter_field(self, auto_schema, model, filterset_class, field_name, filter_field):
        if isinstance(filter_field, (CountryCodesFilter, CountryCodesMethodFilter)):
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
