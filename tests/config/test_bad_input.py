"""Bad input is answered with a 4xx, never a 500, on every route the URLconf serves.

The routes and their parameters are read from the URLconf and the FilterSets, so a new list,
detail page or filter is covered without editing this file. A hostile record (a `<script>`
in every text field) renders as text on the public pages, the browsable API and the admin.
"""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass

import django_filters as filters
import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from agreements.models import Document, Package, Project
from records.filters import InstantFilter, YearFilter
from records.models import Citation, Source
from summits.models import Body, Meeting, Organization, Person
from tests.conftest import verify_otp

NUL = "%00"
SCRIPT = "<script>alert(1)</script>"
# Values no date, year, number, page or page size filter may accept.
BAD_DATES = ["yesterday", "2021-02-30", "99999-01-01"]
BAD_NUMBERS = ["-1", str(10**30)]
BAD_ORDERINGS = ["no_such_field", "summary", "-", ",,"]
# Placeholders in a reversed URL, replaced by the hostile value afterwards: reverse() itself
# refuses values its converters do not match.
PLACEHOLDERS = {"slug": "zzplaceholderzz", "code": "QZ", "first": "qx", "second": "qy"}
HOSTILE_PATH_VALUES = [NUL, "a" * 1000, "9" * 40, "a%00b", "%2e%2e"]
TEN_MB = 10 * 1024 * 1024
# Pages whose own view decides a 4xx: the anonymous limit must not make them 429 instead.
NO_THROTTLE = {"DEFAULT_THROTTLE_RATES": {"anon": None}}


@dataclass(frozen=True)
class Route:
    name: str
    keys: tuple[str, ...]
    view: type | None

    @property
    def is_api(self) -> bool:
        return self.name.startswith("api:")

    @property
    def filterset(self) -> type[filters.FilterSet] | None:
        return getattr(self.view, "filterset_class", None)

    def params(self) -> list[str]:
        declared = list(self.filterset.base_filters) if self.filterset else []
        return list(dict.fromkeys([*declared, "page", "page_size", "ordering", "format"]))

    def __str__(self) -> str:
        return self.name


def walk(patterns, namespace: str = ""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":  # admin.site or its two-factor subclass
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            callback = pattern.callback
            view = getattr(callback, "view_class", None) or getattr(callback, "cls", None)
            keys = tuple(key for key in pattern.pattern.regex.groupindex if key != "format")
            yield Route(f"{namespace}{pattern.name}", keys, view)


def all_routes() -> list[Route]:
    unique = {(route.name, route.keys): route for route in walk(get_resolver().url_patterns)}
    return list(unique.values())


ROUTES = all_routes()
LIST_ROUTES = [route for route in ROUTES if route.filterset is not None and not route.keys]
DETAIL_ROUTES = [route for route in ROUTES if route.keys]


def test_the_walk_finds_every_list_and_detail():
    names = {route.name for route in ROUTES}
    assert {"meeting-list", "api:meeting-list", "api:meeting-export-csv", "search"} <= names
    assert len(LIST_ROUTES) == 9 * 4  # page, API list, CSV and JSON Lines of nine resources
    assert {"source-detail", "api:country-detail", "pair-detail"} <= {
        route.name for route in DETAIL_ROUTES
    }


def url_of(route: Route) -> str:
    return reverse(route.name, kwargs={key: PLACEHOLDERS[key] for key in route.keys} or None)


def typed(route: Route, param: str) -> bool:
    """Whether every value in BAD_DATES and BAD_NUMBERS is wrong for this parameter."""
    if param in ("page", "page_size"):
        return True
    declared = route.filterset.base_filters.get(param)
    return isinstance(
        declared, filters.DateFilter | filters.NumberFilter | YearFilter | InstantFilter
    )


def applies(route: Route, param: str) -> bool:
    """Whether the view reads the parameter at all: pages and exports are not paginated by
    page_size, exports not by page, and the format suffix is the API's only."""
    exported = "export" in route.name
    if param == "format":
        return False
    if param == "page_size":
        return route.is_api and not exported
    if param == "page":
        return not exported
    return True


def expected(route: Route, param: str) -> int:
    # A page number that is not one is a 404 on a page (Django's paginator), a 400 in the API.
    if param == "page" and not route.is_api:
        return 404
    return 400


@pytest.fixture
def anyone(client):
    with override_settings(REST_FRAMEWORK={**_rest(), **NO_THROTTLE}):
        yield client


def _rest() -> dict:
    from django.conf import settings

    return dict(settings.REST_FRAMEWORK)


def check(client, url: str, status: int | None, field: str | None) -> str | None:
    """None when the answer is right, else what went wrong."""
    response = client.get(url)
    code = response.status_code
    if code >= 500 or (status is not None and code != status):
        return f"{url} -> {code}"
    if field and response.get("Content-Type", "").startswith("application/json"):
        body = json.loads(response.content)
        if field not in body:
            return f"{url} -> {code} without naming {field}: {body}"
    return None


@pytest.mark.parametrize("route", LIST_ROUTES, ids=str)
def test_nul_byte_in_every_parameter(seeded, anyone, route):
    base = url_of(route)
    failures = []
    for param in route.params():
        want = expected(route, param) if applies(route, param) else None
        field = param if route.is_api and applies(route, param) else None
        failures.append(check(anyone, f"{base}?{param}=a{NUL}b", want, field))
        # The NUL in the parameter's name too: unknown names are ignored, never looked up.
        failures.append(check(anyone, f"{base}?{param}{NUL}=1", None, None))
    assert not [failure for failure in failures if failure]


@pytest.mark.parametrize("route", LIST_ROUTES, ids=str)
def test_impossible_dates_and_numbers(seeded, anyone, route):
    base = url_of(route)
    failures = []
    for param in route.params():
        for value in BAD_DATES + BAD_NUMBERS:
            if typed(route, param) and applies(route, param):
                want, field = expected(route, param), param if route.is_api else None
            else:
                want, field = None, None  # e.g. q=-1 is a fine search; it must not crash
            failures.append(check(anyone, f"{base}?{param}={value}", want, field))
    assert not [failure for failure in failures if failure]


@pytest.mark.parametrize("route", LIST_ROUTES, ids=str)
def test_unknown_and_unindexed_ordering(seeded, anyone, route):
    base = url_of(route)
    failures = []
    for value in BAD_ORDERINGS:
        # "-" and ",," name no field; the two first name one that is not offered.
        refused = value not in ("-", ",,") or None
        want = 400 if refused else None
        field = "ordering" if refused and route.is_api else None
        failures.append(check(anyone, f"{base}?ordering={value}", want, field))
    assert not [failure for failure in failures if failure]


@pytest.mark.parametrize("route", DETAIL_ROUTES, ids=str)
@pytest.mark.parametrize(
    "value", HOSTILE_PATH_VALUES, ids=["nul", "long", "huge", "mid-nul", "dots"]
)
def test_hostile_values_in_every_path(seeded, anyone, route, value):
    base = url_of(route)
    for key in route.keys:
        url = base.replace(PLACEHOLDERS[key], value, 1)
        response = anyone.get(url)
        assert response.status_code == 404, (url, response.status_code)
    # The format suffix of a detail in the API, e.g. /api/v1/meetings/<slug>.%00
    if route.is_api:
        response = anyone.get(base.rstrip("/") + "." + value)
        assert response.status_code == 404, (base, response.status_code)


def test_the_search_page_refuses_a_nul_byte_and_an_overlong_query(seeded, client):
    assert client.get(f"/search/?q=peace{NUL}").status_code == 400
    assert client.get("/search/?q=" + "x" * 201).status_code == 400
    assert client.get(f"/search/?q{NUL}=x").status_code == 200


# Request bodies ---------------------------------------------------------------------------

BODY_TARGETS = [
    "/api/v1/meetings/",
    "/api/v1/meetings/az-kz-supreme-interstate-council-1/",
    "/api/v1/meetings/export.csv",
    "/meetings/",
    "/search/",
    "/admin/login/",
]
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=xyz",
    "application/json",
    "application/octet-stream",
]


@pytest.fixture
def browser_like(anyone):
    """A client that, unlike the test client's default, gets the CSRF check a browser gets."""
    return Client(enforce_csrf_checks=True)


def big_body(content_type: str, size: int) -> bytes:
    if content_type.startswith("application/x-www-form"):
        return b"a=" + b"x" * size
    if content_type.startswith("multipart"):
        return (
            b'--xyz\r\nContent-Disposition: form-data; name="a"\r\n\r\n'
            + b"x" * size
            + b"\r\n--xyz--\r\n"
        )
    return b"x" * size


# What each target answers a POST without a CSRF token, whatever its body: the read-only API
# (exempt from CSRF) refuses the method, the pages refuse the missing token. Neither reads the
# body, so its size makes no difference; the test below reaches the code that does read it.
REFUSED_UNREAD = {
    "/api/v1/meetings/": 405,
    "/api/v1/meetings/az-kz-supreme-interstate-council-1/": 405,
    "/api/v1/meetings/export.csv": 405,
    "/meetings/": 403,
    "/search/": 403,
    "/admin/login/": 403,
}


@pytest.mark.parametrize("content_type", CONTENT_TYPES)
@pytest.mark.parametrize("url", BODY_TARGETS)
def test_a_post_without_a_csrf_token_is_refused_before_its_body_is_read(
    seeded, browser_like, url, content_type
):
    for size in (3, TEN_MB):
        response = browser_like.generic(
            "POST", url, big_body(content_type, size), content_type=content_type
        )
        assert response.status_code == REFUSED_UNREAD[url], (url, size, response.status_code)


@pytest.mark.parametrize("content_type", CONTENT_TYPES[:2])
def test_a_ten_megabyte_form_past_the_csrf_check_is_a_400_where_a_small_one_is_read(
    seeded, browser_like, content_type
):
    """With the CSRF cookie and its token in the header, the middleware reads the form body
    for a token: a small one is read (the login form answers), a ten-megabyte one raises
    RequestDataTooBig, which Django answers with a 400."""
    browser_like.get("/admin/login/")
    token = browser_like.cookies["csrftoken"].value
    statuses = [
        browser_like.generic(
            "POST",
            "/admin/login/",
            big_body(content_type, size),
            content_type=content_type,
            HTTP_X_CSRFTOKEN=token,
        ).status_code
        for size in (3, TEN_MB)
    ]
    assert statuses == [200, 400]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
@pytest.mark.parametrize("body", [b'{"title": "x",,', b'{"title": "x"}'])
@pytest.mark.parametrize(
    "url", ["/api/v1/meetings/", "/api/v1/meetings/az-kz-supreme-interstate-council-1/"]
)
def test_the_read_only_api_refuses_every_write_whatever_its_json(
    seeded, anyone, staff_client, url, method, body
):
    """No endpoint parses a JSON body: the API is read-only. Malformed and well-formed JSON
    get the same 405, naming the methods it allows, for anonymous and staff clients alike."""
    for client in (anyone, staff_client):
        response = client.generic(method, url, body, content_type="application/json")
        assert response.status_code == 405, (url, method, response.status_code)
        assert response["Allow"] == "GET, HEAD, OPTIONS"


@pytest.mark.parametrize("body", [b'{"title": "x",,', b'{"title": "x"}'])
def test_a_get_ignores_a_json_body(seeded, anyone, body):
    url = "/api/v1/meetings/az-kz-supreme-interstate-council-1/"
    with_body = anyone.generic("GET", url, body, content_type="application/json")
    assert with_body.status_code == 200
    assert with_body.json() == anyone.get(url).json()


def test_a_form_body_over_the_upload_limit_is_a_clean_400(seeded, browser_like):
    """Past the CSRF check (a cookie and its token), reading a form body larger than
    DATA_UPLOAD_MAX_MEMORY_SIZE raises RequestDataTooBig, which Django answers with a 400."""
    browser_like.get("/admin/login/")
    token = browser_like.cookies["csrftoken"].value
    response = browser_like.post(
        "/admin/login/",
        {"csrfmiddlewaretoken": token, "username": "x" * TEN_MB, "password": "y"},
    )
    assert response.status_code == 400


@pytest.fixture
def staff_client(db, django_user_model):
    user = django_user_model.objects.create_user(
        "fuzz-editor", password="a long enough password", is_staff=True
    )
    client = Client()
    verify_otp(client, user)
    return client


# Regressions found by the walks above --------------------------------------------------


@pytest.mark.parametrize("value", ["maybe", "a%00b", "tru"])
def test_a_boolean_filter_refuses_what_is_not_true_or_false(seeded, anyone, value):
    """`active=maybe` used to be read as no filter at all: every country, with a 200."""
    response = anyone.get(f"/api/v1/countries/?active={value}")
    assert response.status_code == 400 and "active" in json.loads(response.content)
    assert anyone.get(f"/countries/?active={value}").status_code == 400


@pytest.mark.parametrize("value", ["true", "True", "1", "yes", "false", "0", ""])
def test_a_boolean_filter_still_reads_true_false_and_empty(seeded, anyone, value):
    assert anyone.get(f"/api/v1/countries/?active={value}").status_code == 200
    page = anyone.get(f"/countries/?active={value}", follow=True)
    assert page.status_code == 200
    # An empty parameter is dropped from the address: the page redirects to the clean one.
    assert page.redirect_chain == ([("/countries/", 302)] if value == "" else [])


@pytest.mark.parametrize("value", [",,", "-", ","])
def test_an_ordering_naming_no_field_keeps_the_default_order(seeded, anyone, value):
    """`ordering=,,` used to clear the order: unstable pages (a 500 under -W error)."""
    default = anyone.get("/meetings/").content
    response = anyone.get(f"/meetings/?ordering={value}")
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        rows = [
            line for line in response.content.split(b"\n") if b'<h3><a href="/meetings/' in line
        ]
        assert rows == [
            line for line in default.split(b"\n") if b'<h3><a href="/meetings/' in line
        ]
    api = json.loads(anyone.get(f"/api/v1/meetings/?ordering={value}").content)
    plain = json.loads(anyone.get("/api/v1/meetings/").content)
    assert api.get("results") in (None, plain["results"])


# A hostile record -------------------------------------------------------------------------

HOSTILE = {
    Meeting: "az-kz-supreme-interstate-council-2",
    Document: "az-kz-treaty-strategic-partnership-allied-relations",
    Package: "az-kg-package-2022-04-20",
    Project: "kurmangazy-childrens-creativity-center-fuzuli",
    Body: "az-kz-supreme-interstate-council",
    Person: "kassym-jomart-tokayev",
    Organization: "mtz",
    Source: "azertac-2025-10-21-supreme-interstate-council",
}
# Bookkeeping and fields whose values are codes, not text shown as written.
NOT_TEXT = {"slug", "status", "sha256", "language", "filename", "wikidata_id", "url"}


def text_fields(model) -> list:
    return [
        field
        for field in model._meta.concrete_fields
        if field.get_internal_type() in ("CharField", "TextField")
        and not field.choices
        and field.name not in NOT_TEXT
        and (field.max_length is None or field.max_length >= len(SCRIPT))
    ]


@pytest.fixture
def hostile_records(seeded) -> list:
    records = []
    for model, slug in HOSTILE.items():
        record = model.objects.get(slug=slug)
        for field in text_fields(model):
            if model is Source and field.name == "text":
                record.text = f"{record.text}\n{SCRIPT}\n"
            else:
                setattr(record, field.name, SCRIPT)
        if hasattr(record, "aliases"):
            record.aliases = [SCRIPT]
        record.save()
        records.append(record)
    source = records[-1]
    meeting = records[0]
    Citation.objects.create(
        source=source,
        content_type=ContentType.objects.get_for_model(Meeting),
        object_id=meeting.pk,
        field="title",
        quote=SCRIPT,
    )
    return records


def assert_escaped(client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    assert SCRIPT not in html, url


def test_every_text_field_is_covered():
    assert {field.name for field in text_fields(Source)} >= {"title", "publisher", "text"}
    assert {field.name for field in text_fields(Meeting)} >= {"title", "summary", "city"}


def test_a_hostile_record_renders_as_text_on_every_public_page(client, hostile_records):
    urls = [record.get_absolute_url() for record in hostile_records]
    urls += [reverse(name) for name in ROUTE_NAMES_WITHOUT_KEYS]
    urls += [f"{reverse(name)}?q=alert" for name in ROUTE_NAMES_WITHOUT_KEYS]
    urls += ["/search/?q=alert", "/search/?q=" + SCRIPT, "/countries/az/", "/relations/az-kz/"]
    urls += ["/countries/kz/", "/relations/az-kg/"]
    for url in urls:
        assert_escaped(client, url)
    # The quote itself is marked on its source's page, as text.
    page = client.get(hostile_records[-1].get_absolute_url()).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


ROUTE_NAMES_WITHOUT_KEYS = [
    route.name
    for route in ROUTES
    if not route.keys and not route.is_api and route.name not in ("healthz",)
]


def test_a_hostile_record_is_escaped_by_the_browsable_api(anyone, hostile_records):
    for record in hostile_records:
        resource = {Body: "bodies"}.get(type(record), f"{record._meta.model_name}s")
        for url in (
            f"/api/v1/{resource}/{record.slug}/?format=api",
            f"/api/v1/{resource}/?format=api&q=alert",
        ):
            assert_escaped(anyone, url)
        data = anyone.get(f"/api/v1/{resource}/{record.slug}/?format=json")
        assert SCRIPT in data.content.decode("unicode_escape"), resource  # JSON as JSON


def test_a_hostile_record_is_escaped_in_the_admin(admin_verified_client, hostile_records):
    admin_client = admin_verified_client
    for record in hostile_records:
        meta = record._meta
        assert_escaped(
            admin_client,
            reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[record.pk]),
        )
        assert_escaped(
            admin_client,
            reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist") + "?q=alert",
        )
        assert_escaped(
            admin_client,
            reverse(f"admin:{meta.app_label}_{meta.model_name}_history", args=[record.pk]),
        )


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_an_unread_export_reads_no_rows_until_streamed(seeded, anyone, suffix):
    """An export read eagerly its first row: on PostgreSQL that left a server-side cursor
    open, and when an unread export was garbage-collected in the middle of a later query
    on the same connection, the cursor's close waited on that query: the worker hung."""
    reads = 'FROM "summits_meeting"'
    with CaptureQueriesContext(connection) as before:
        response = anyone.get(f"/api/v1/meetings/export.{suffix}?country=AZ")
    assert response.status_code == 200
    assert not [query for query in before.captured_queries if reads in query["sql"]]
    with CaptureQueriesContext(connection) as during:
        body = b"".join(response.streaming_content).decode()
    assert [query for query in during.captured_queries if reads in query["sql"]]
    assert "az-kz-supreme-interstate-council-1" in body
    for _ in range(20):  # unread exports, then ordinary queries: nothing hangs
        anyone.get(f"/api/v1/meetings/export.{suffix}")
        gc.collect()
        assert anyone.get("/api/v1/meetings/?country=AZ").status_code == 200
    # A bad filter is still refused before any byte is sent.
    assert anyone.get(f"/api/v1/meetings/export.{suffix}?year=0").status_code == 400


@pytest.mark.parametrize("value", ["e%25", "%25s", "%25(codes)s", "Z%25"])
@pytest.mark.parametrize("param", ["country", "countries"])
def test_a_percent_sign_in_a_country_code_is_a_400(seeded, anyone, param, value):
    """Found by schemathesis: the refused code was put in the error message itself, which
    django-filter then formats with `%`, so `country=e%` was a 500 in the API."""
    response = anyone.get(f"/api/v1/meetings/?{param}={value}")
    assert response.status_code == 400 and param in json.loads(response.content)
    assert anyone.get(f"/api/v1/meetings/export.csv?{param}={value}").status_code == 400
    assert anyone.get(f"/meetings/?{param}={value}").status_code == 400
