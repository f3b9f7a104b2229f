"""The one DRF router of the public API, mounted at /api/v1/ under the "api" URL namespace.

Besides each resource's list and detail, every resource has `<resource>/export.csv` and
`<resource>/export.jsonl` (URL names `api:<basename>-export-csv` / `-export-jsonl`), and the
namespace holds `api:dataset`, `api:schema` and `api:docs`.
"""

import json
from collections.abc import Iterator

from csp.decorators import csp_update
from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import routers, serializers
from rest_framework.reverse import reverse
from rest_framework.views import APIView

# Importing each app's API module defines its resources (RecordViewSet.by_model).
import agreements.api  # noqa: F401
import records.api.sources  # noqa: F401
import summits.api  # noqa: F401
from records import cache, registry
from records.api import schema as api_schema
from records.api.downloads import (
    JSONOnlyNegotiation,
    built_once,
    json_line,
    streaming,
)
from records.api.feed import ChangeFeedView, latest_change
from records.api.ordering import stable_order
from records.api.throttling import ApiAnonThrottle
from records.api.viewsets import (
    DATASET_FORMAT_VERSION,
    RecordViewSet,
    pacta_version,
)
from records.licence import data_license, link_header
from records.visibility import sees_drafts

# (URL prefix, viewset, basename) of every resource, in the registry's order.
RESOURCES = [
    (kind.plural, RecordViewSet.by_model[kind.model], kind.basename)
    for kind in registry.resources()
]


class ApiRootView(routers.APIRootView):
    """Pacta's read-only API: follow a link to list a resource. Downloads and the OpenAPI
    documentation are linked here too."""

    throttle_classes = [ApiAnonThrottle]

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        for name in ("changes", "dataset", "schema", "docs"):
            response.data[name] = reverse(f"api:{name}", request=request)
        response.data["license"] = data_license()
        response["Link"] = link_header()
        return response


def dataset_serializer():
    fields = {
        "version": serializers.IntegerField(help_text="Version of the file's format."),
        "built_at": serializers.DateTimeField(help_text="When this file was built (UTC)."),
        "generator": serializers.CharField(help_text="The Pacta release that built it."),
    }
    for prefix, viewset, _ in RESOURCES:
        record = viewset.dataset_serializer_class or viewset.serializer_class
        fields[prefix] = record(many=True, help_text=f"Every {prefix} record.")
    # After the records, so that the header's fields keep their places.
    fields["license"] = inline_serializer(
        "DataLicense",
        {
            "name": serializers.CharField(help_text="The data licence: CC BY 4.0."),
            "url": serializers.URLField(help_text="Its text."),
        },
        help_text="The licence the data is published under.",
    )
    fields["changes_cursor"] = serializers.CharField(
        help_text=(
            "The change feed's cursor when the file was started: follow `changes/?since=` it "
            "to keep the copy in step."
        )
    )
    return inline_serializer("Dataset", fields)


class DatasetView(APIView):
    """Everything the client may see, as one JSON file, streamed so memory stays flat."""

    throttle_classes = [ApiAnonThrottle]
    content_negotiation_class = JSONOnlyNegotiation
    schema = api_schema.PactaAutoSchema()
    # A download: the schema documents its Link (licence) and Content-Disposition headers.
    streams = True

    @extend_schema(
        summary="The whole dataset as one JSON file",
        description=(
            "Every record of every resource, in the same shapes as the API, with the file's "
            "format version and build time. Anonymous clients get published records only."
        ),
        responses={200: dataset_serializer()},
    )
    def get(self, request, *args, **kwargs):
        if sees_drafts(request.user):  # staff see drafts: theirs is always built afresh
            return streaming(self.chunks(request), "application/json", FILENAME)
        # The public file is built once per data version (and host: its links are absolute),
        # then served from disk: building it took 68 s at 100,000 meetings.
        key = cache.versioned_key(
            "dataset", DATASET_FORMAT_VERSION, pacta_version(), request.build_absolute_uri("/")
        )
        return built_once(
            request,
            key=key,
            name="dataset",
            chunks=lambda: self.chunks(request),
            content_type="application/json",
            filename=FILENAME,
        )

    def chunks(self, request) -> Iterator[str]:
        header = {
            "version": DATASET_FORMAT_VERSION,
            "built_at": timezone.now().isoformat(),
            "generator": f"Pacta {pacta_version()}",
        }
        # Taken before any record is read: changes made while the file streams come again
        # from the feed.
        cursor = str(latest_change())
        yield json.dumps(header, ensure_ascii=False)[:-1]
        for prefix, viewset_class, _ in RESOURCES:
            viewset = viewset_class(request=request, format_kwarg=None, kwargs={})
            viewset.action = "dataset"
            yield f', "{prefix}": ['
            queryset = stable_order(viewset.get_queryset())
            separator = "\n"
            # The records' JSON lines, kept between data versions as the JSON Lines export
            # keeps them (records/api/lines.py). A JSON line holds no line break of its own
            # (the encoder escapes them), so a chunk splits at each.
            for chunk in viewset.lines_of(queryset, "jsonl", json_line):
                if chunk:
                    yield separator + ",\n".join(chunk[:-1].split("\n"))
                    separator = ",\n"
            yield "]"
        footer = {"license": data_license(), "changes_cursor": cursor}
        yield ", " + json.dumps(footer, ensure_ascii=False)[1:] + "\n"


FILENAME = "pacta-dataset.json"


class ApiRouter(routers.DefaultRouter):
    APIRootView = ApiRootView


router = ApiRouter()
for prefix, viewset, basename in RESOURCES:
    router.register(prefix, viewset, basename=basename)

# Before the router's own routes, whose detail pattern with a format suffix would otherwise
# read "export.csv" as the record "export" in the format "csv".
export_urls = [
    path(
        f"{prefix}/export.{suffix}",
        viewset.as_view({"get": f"export_{suffix}"}),
        name=f"{basename}-export-{suffix}",
    )
    for prefix, viewset, basename in RESOURCES
    for suffix in ("csv", "jsonl")
]

# Swagger UI (from the vendored sidecar) injects one fixed <style> element when it starts.
# Allow exactly that style by its hash on this page only; the browser test in
# tests/browser/test_csp.py fails if an upgrade changes it.
SWAGGER_UI_STYLE_HASH = "'sha256-MMpT0iDxyjALd9PdfepImGX3DBfJPXZ4IlDWdPAgtn0='"


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI. Its only renderer is an HTML template, which has nothing to render DRF's
    OPTIONS metadata with (that was a 500); OPTIONS answers with the allowed methods alone.
    Its page is Pacta's own (a language, a landmark, contrast-fixed badges)."""

    template_name = "api/swagger_ui.html"

    def options(self, request, *args, **kwargs):
        return HttpResponse(headers={"Allow": ", ".join(self.allowed_methods)})


swagger_docs = csp_update({"style-src": [SWAGGER_UI_STYLE_HASH]})(
    ApiDocsView.as_view(url_name="api:schema")
)

urlpatterns = [
    *export_urls,
    path("dataset.json", DatasetView.as_view(), name="dataset"),
    path("changes/", ChangeFeedView.as_view(), name="changes"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", swagger_docs, name="docs"),
    *router.urls,
]
