"""What every resource promises alike: schema, docs, conditional GET, CORS, throttling,
read-only methods, drafts, pagination and 400s for bad input."""

import datetime as dt
import json
from io import StringIO

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from django.utils.http import http_date

from agreements.filters import DocumentFilter, PackageFilter, ProjectFilter
from config.api import RESOURCES as ROUTES
from records.filters import SourceFilter
from summits.filters import (
    BodyFilter,
    CountryFilter,
    MeetingFilter,
    OrganizationFilter,
    PersonFilter,
)
from summits.models import Meeting
from tests.api.conftest import EXAMPLES, RESOURCES, get_json

FILTERSETS = {
    "meetings": MeetingFilter,
    "documents": DocumentFilter,
    "packages": PackageFilter,
    "projects": ProjectFilter,
    "bodies": BodyFilter,
    "countries": CountryFilter,
    "persons": PersonFilter,
    "organizations": OrganizationFilter,
    "sources": SourceFilter,
}
DRAFTABLE = [resource for resource in RESOURCES if resource != "countries"]


def detail_url(resource: str) -> str:
    return f"/api/v1/{resource}/{EXAMPLES[resource]}/"


@pytest.fixture(scope="module")
def schema(seed_report, django_db_blocker) -> dict:
    out = StringIO()
    with django_db_blocker.unblock():
        # --fail-on-warn: an undescribable filter or field fails the test, not just warns.
        call_command(
            "spectacular", "--validate", "--fail-on-warn", "--format", "openapi-json", stdout=out
        )
    return json.loads(out.getvalue())


# Schema and docs -------------------------------------------------------------------------


def test_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "Pacta API"


@pytest.mark.parametrize("resource", RESOURCES)
def test_schema_describes_every_filter(schema, resource):
    for path in (
        f"/api/v1/{resource}/",
        f"/api/v1/{resource}/export.csv",
        f"/api/v1/{resource}/export.jsonl",
    ):
        parameters = {p["name"]: p for p in schema["paths"][path]["get"]["parameters"]}
        for name in FILTERSETS[resource].base_filters:
            assert name in parameters, (path, name)
            assert parameters[name].get("description"), (path, name)
    listed = {p["name"] for p in schema["paths"][f"/api/v1/{resource}/"]["get"]["parameters"]}
    assert {"page", "page_size"} <= listed


def test_schema_describes_every_field(schema):
    undescribed = []
    for name, component in schema["components"]["schemas"].items():
        for field, spec in component.get("properties", {}).items():
            if not (spec.get("description") or "$ref" in spec or spec.get("allOf")):
                undescribed.append(f"{name}.{field}")
    assert undescribed == []


@pytest.mark.parametrize("resource", RESOURCES)
def test_schema_names_the_record_fields(schema, resource):
    paginated = schema["paths"][f"/api/v1/{resource}/"]["get"]["responses"]["200"]
    ref = paginated["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    record_ref = schema["components"]["schemas"][ref]["properties"]["results"]["items"]["$ref"]
    record = schema["components"]["schemas"][record_ref.rsplit("/", 1)[1]]
    assert {"id", "slug", "url", "public_url", "updated_at"} <= set(record["properties"])


def test_schema_is_served(seeded, client):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    assert yaml.safe_load(response.content)["openapi"].startswith("3.")
    assert json.loads(client.get("/api/v1/schema/?format=json").content)["paths"]


def test_docs_work_offline_without_inline_scripts(seeded, client):
    page = client.get("/api/v1/docs/").content.decode()
    assert "cdn" not in page.lower() and "https://" not in page
    scripts = [chunk.split(">", 1)[0] for chunk in page.split("<script")[1:]]
    assert scripts and all("src=" in attributes for attributes in scripts)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and b"/api/v1/schema/" in script.content


def test_root_lists_every_resource_and_download(seeded, client):
    root = get_json(client, "/api/v1/")
    assert list(root)[: len(RESOURCES)] == list(RESOURCES)
    assert root["meetings"] == "http://testserver/api/v1/meetings/"
    assert root["dataset"] == "http://testserver/api/v1/dataset.json"
    assert root["schema"] == "http://testserver/api/v1/schema/"
    assert root["docs"] == "http://testserver/api/v1/docs/"


# Formats -----------------------------------------------------------------------------------


@pytest.mark.parametrize("resource", RESOURCES)
def test_format_json_and_browsable_api(seeded, client, resource):
    as_json = client.get(f"/api/v1/{resource}/?format=json")
    assert as_json["Content-Type"] == "application/json"
    browsable = client.get(f"/api/v1/{resource}/", HTTP_ACCEPT="text/html")
    assert browsable.status_code == 200 and browsable["Content-Type"].startswith("text/html")
    detail = client.get(detail_url(resource), HTTP_ACCEPT="text/html")
    assert detail.status_code == 200 and b"<html" in detail.content


# Every resource: list, detail, read-only, drafts ---------------------------------------------


@pytest.mark.parametrize("resource", RESOURCES)
def test_list_and_detail(seeded, client, resource):
    page = get_json(client, f"/api/v1/{resource}/")
    assert set(page) == {"count", "next", "previous", "results"}
    assert page["count"] > 0 and page["results"]
    record = get_json(client, detail_url(resource))
    assert {"id", "slug", "url", "public_url", "updated_at"} <= set(record)
    assert get_json(client, record["url"]) == record
    public = client.get(record["public_url"])
    assert public.status_code == 200, record["public_url"]
    assert record["slug"] in {r["slug"] for r in page["results"]} or page["next"]


@pytest.mark.parametrize("resource", RESOURCES)
def test_unknown_slug_is_404(seeded, client, resource):
    missing = "QQ" if resource == "countries" else "no-such-record"
    assert get_json(client, f"/api/v1/{resource}/{missing}/", status=404)["detail"]
    assert client.get(f"/api/v1/{resource}/bad%00slug/").status_code == 404


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_writes_are_refused(seeded, client, admin_client, resource, method):
    body = {"data": json.dumps({"title": "x"}), "content_type": "application/json"}
    for url in (f"/api/v1/{resource}/", detail_url(resource), f"/api/v1/{resource}/export.csv"):
        assert getattr(client, method)(url, **body).status_code in {403, 405}, url
        assert getattr(admin_client, method)(url, **body).status_code in {403, 405}, url
    assert client.post(f"/api/v1/{resource}/", **body).status_code == 405
    assert client.get(detail_url(resource)).status_code == 200  # unchanged


@pytest.mark.parametrize("resource", DRAFTABLE)
def test_drafts_are_for_staff_only(seeded, client, admin_client, resource):
    get_json(client, detail_url(resource))
    model = next(viewset.model for prefix, viewset, _ in ROUTES if prefix == resource)
    model.objects.filter(slug=EXAMPLES[resource]).update(status="draft")
    get_json(client, detail_url(resource), status=404)
    public = get_json(client, f"/api/v1/{resource}/?page_size=100")
    assert EXAMPLES[resource] not in {r["slug"] for r in public["results"]}
    assert get_json(admin_client, detail_url(resource))["slug"] == EXAMPLES[resource]
    staff = get_json(admin_client, f"/api/v1/{resource}/?page_size=100")
    assert EXAMPLES[resource] in {r["slug"] for r in staff["results"]}
    assert staff["count"] == public["count"] + 1


# Pagination --------------------------------------------------------------------------------


def test_page_size_defaults_to_50_and_is_capped_at_100(seeded, client):
    first = get_json(client, "/api/v1/countries/")
    assert len(first["results"]) == 50
    assert first["next"] == "http://testserver/api/v1/countries/?page=2"
    assert len(get_json(client, "/api/v1/countries/?page_size=100")["results"]) == 100
    assert get_json(client, "/api/v1/countries/?page_size=101", status=400) == {
        "page_size": ["Give a whole number from 1 to 100."]
    }
    second = get_json(client, "/api/v1/countries/?page=2&page_size=100")
    assert second["previous"] == "http://testserver/api/v1/countries/?page_size=100"
    last = get_json(client, "/api/v1/countries/?page=last&page_size=100")
    assert last["next"] is None


def test_pages_cover_every_record_exactly_once(seeded, client):
    seen = []
    url = "/api/v1/meetings/?page_size=3&ordering=date"
    while url:
        page = get_json(client, url)
        seen += [m["slug"] for m in page["results"]]
        url = page["next"]
    assert sorted(seen) == sorted(Meeting.objects.published().values_list("slug", flat=True))
    assert len(seen) == len(set(seen))


def test_page_past_the_last_is_404(seeded, client):
    count = get_json(client, "/api/v1/meetings/")["count"]
    assert get_json(client, f"/api/v1/meetings/?page={count + 1}&page_size=1", status=404)[
        "detail"
    ]


# Bad input ---------------------------------------------------------------------------------


BAD_INPUT = [
    ("country=ZZ", "country"),
    ("countries=AZ,QQ", "countries"),
    ("countries=A1", "countries"),
    ("date_from=yesterday", "date_from"),
    ("date_to=2025-02-30", "date_to"),
    ("year=99999999999", "year"),
    ("page=-1", "page"),
    ("page=0", "page"),
    ("page=abc", "page"),
    ("page=%00", "page"),
    ("page_size=1000000000", "page_size"),
    ("page_size=0", "page_size"),
    ("page_size=-5", "page_size"),
    ("q=peace%00treaty", "q"),
    ("q=" + "x" * 201, "q"),
    ("ordering=secret_field", "ordering"),
    ("ordering=-status", "ordering"),
    ("kind=coronation", "kind"),
    ("body=%00", "body"),
    ("person=Not A Slug", "person"),
    ("updated_since=last-week", "updated_since"),
    ("updated_since=9999-12-31T23:59:59-12:00", "updated_since"),
    ("session_number=99999999", "session_number"),
]


@pytest.mark.parametrize(
    "path, query, field",
    [("", query, field) for query, field in BAD_INPUT]
    # Exports are not paginated: page parameters do not apply there.
    + [
        (path, query, field)
        for query, field in BAD_INPUT
        if not field.startswith("page")
        for path in ("export.csv", "export.jsonl")
    ],
)
def test_bad_input_is_a_400_naming_the_field(seeded, client, path, query, field):
    response = client.get(f"/api/v1/meetings/{path}?{query}")
    assert response.status_code == 400, (query, response.content[:300])
    assert response["Content-Type"] == "application/json"
    assert field in json.loads(response.content)


@pytest.mark.parametrize("resource", RESOURCES)
def test_nul_byte_and_unknown_ordering_on_every_resource(seeded, client, resource):
    assert "q" in get_json(client, f"/api/v1/{resource}/?q=a%00b", status=400)
    assert "ordering" in get_json(client, f"/api/v1/{resource}/?ordering=nope", status=400)


def test_unknown_parameters_are_ignored(seeded, client):
    plain = get_json(client, "/api/v1/meetings/")
    assert get_json(client, "/api/v1/meetings/?colour=blue&%00=1") == plain


# Conditional GET ---------------------------------------------------------------------------


@pytest.mark.parametrize("resource", RESOURCES)
def test_etag_and_304(seeded, client, resource):
    for url in (f"/api/v1/{resource}/", detail_url(resource)):
        first = client.get(url)
        etag = first["ETag"]
        assert etag.startswith('W/"')
        again = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304 and again.content == b""
        assert again["ETag"] == etag
        assert client.get(url, HTTP_IF_NONE_MATCH='W/"other"').status_code == 200
        if resource != "countries":
            assert first["Last-Modified"]
            repeat = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
            assert repeat.status_code == 304


def test_etag_changes_with_the_data_the_filters_and_the_viewer(seeded, client, admin_client):
    url = "/api/v1/meetings/?countries=AZ,KZ"
    etag = client.get(url)["ETag"]
    assert client.get("/api/v1/meetings/?countries=AZ,BY")["ETag"] != etag
    assert client.get(url + "&format=json")["ETag"] != etag
    assert admin_client.get(url)["ETag"] != etag
    Meeting.objects.get(slug="az-kz-supreme-interstate-council-1").save()
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_last_modified_is_the_newest_change(seeded, client):
    later = timezone.now() + dt.timedelta(days=2)
    Meeting.objects.filter(slug="cop29-baku-2024").update(updated_at=later)
    response = client.get("/api/v1/meetings/")
    assert response["Last-Modified"] == http_date(later.timestamp())
    stale = http_date((later - dt.timedelta(days=1)).timestamp())
    assert client.get("/api/v1/meetings/", HTTP_IF_MODIFIED_SINCE=stale).status_code == 200


# CORS and throttling -------------------------------------------------------------------------


def test_cors_open_for_reading(seeded, client):
    response = client.get("/api/v1/meetings/", HTTP_ORIGIN="https://notebook.example")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options(
        "/api/v1/meetings/",
        HTTP_ORIGIN="https://notebook.example",
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
    )
    assert preflight["Access-Control-Allow-Origin"] == "*"
    assert "POST" not in preflight["Access-Control-Allow-Methods"]
    export = client.get("/api/v1/meetings/export.csv", HTTP_ORIGIN="https://notebook.example")
    assert export["Access-Control-Allow-Origin"] == "*"


def test_anonymous_throttle_answers_429_with_retry_after(seeded, client, admin_client, settings):
    rest = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "3/minute"}}
    with override_settings(REST_FRAMEWORK=rest):
        for _ in range(3):
            assert client.get("/api/v1/countries/").status_code == 200
        refused = client.get("/api/v1/meetings/")
        assert refused.status_code == 429
        assert int(refused["Retry-After"]) > 0
        assert json.loads(refused.content)["detail"]
        assert client.get("/api/v1/meetings/export.csv").status_code == 429
        assert client.get("/api/v1/dataset.json").status_code == 429
        # Staff sessions and the public pages are not throttled.
        assert admin_client.get("/api/v1/meetings/").status_code == 200
        assert client.get("/meetings/").status_code == 200
