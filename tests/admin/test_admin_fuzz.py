"""Every admin URL answers malformed ids and query values with a 4xx (or the admin's own
redirect), never a 500: the pages are read from the admin site's URLconf and the filters from
each changelist, so a new admin or filter is covered without editing this file."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver
from django.urls.resolvers import RoutePattern

from tests.config.test_bad_input import BAD_DATES, BAD_NUMBERS, HOSTILE_PATH_VALUES, NUL, SCRIPT
from tests.conftest import verify_otp

LONE_SURROGATE = "%ED%A0%80"  # the UTF-8 encoding of U+D800, which is not a character
HUGE = "99999999999999999999999"
BAD_PATH_VALUES = [*HOSTILE_PATH_VALUES, "abc", LONE_SURROGATE, HUGE, "-1", "1.5"]
BAD_QUERY_VALUES = [NUL, SCRIPT, *BAD_DATES, *BAD_NUMBERS, LONE_SURROGATE, HUGE]
# Parameters every changelist reads besides its filters.
CHANGELIST_PARAMS = ["q", "o", "p", "year", "_to_field"]
# Parameters the other pages read (add forms, autocomplete, enrolment).
PAGE_PARAMS = ["_to_field", "_popup", "_changelist_filters", "next"]
AUTOCOMPLETE_PARAMS = ["term", "app_label", "model_name", "field_name", "page"]
# Pages whose GET changes state.
SKIP = {"logout"}


@dataclass(frozen=True)
class AdminPage:
    name: str
    template: str  # "/admin/...", one "{}" per URL part
    model: type | None

    def __str__(self) -> str:
        return self.name


def template_of(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<[^>]+>", "{}", str(pattern))
    regex = str(pattern).lstrip("^").rstrip("$")
    return re.sub(r"\([^)]*\)", "{}", regex)


def admin_pages() -> list[AdminPage]:
    pages = []
    by_prefix = {
        f"/admin/{model._meta.app_label}/{model._meta.model_name}/": model
        for model in admin.site._registry
    }

    def walk(patterns, prefix: str, model) -> None:
        for pattern in patterns:
            here = prefix + template_of(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, here, by_prefix.get(here, model))
            elif isinstance(pattern, URLPattern) and pattern.name not in SKIP:
                # The last pattern is the admin's catch-all, which only redirects.
                if here.endswith("{}") and "/" not in here.removeprefix("/admin/"):
                    continue
                pages.append(AdminPage(pattern.name or here, here, model))

    walk(admin.site.get_urls(), "/admin/", None)
    return pages


PAGES = admin_pages()
WITH_PARTS = [page for page in PAGES if "{}" in page.template]
WITHOUT_PARTS = [page for page in PAGES if "{}" not in page.template]


def test_the_pages_cover_every_registered_admin():
    kinds = {page.model for page in PAGES if page.name.endswith("_history")}
    assert set(admin.site._registry) <= {page.model for page in PAGES}
    assert len(kinds) >= 10
    assert any(page.name == "autocomplete" for page in PAGES)
    assert any(page.name.endswith("_enrol") for page in PAGES)


@pytest.fixture
def staff(seeded, admin_user) -> Client:
    client = verify_otp(Client(raise_request_exception=False), admin_user)
    return client


def _valid_pk(model) -> str:
    obj = model._default_manager.order_by("pk").first() if model is not None else None
    return str(obj.pk) if obj is not None else "1"


def _fail(response, url: str) -> str:
    return f"{response.status_code} for {url}"


@pytest.mark.parametrize("page", WITH_PARTS, ids=str)
def test_malformed_url_parts_are_not_server_errors(staff, page):
    parts = page.template.count("{}")
    valid = _valid_pk(page.model)
    for bad in BAD_PATH_VALUES:
        fillings = [[bad] * parts]
        if parts > 1:  # a real object with a bad version, as in /history/<bad>/
            fillings.append([valid] + [bad] * (parts - 1))
        for filling in fillings:
            url = page.template.format(*filling)
            response = staff.get(url)
            assert response.status_code < 500, _fail(response, url)


CHANGELISTS = [page for page in WITHOUT_PARTS if page.name.endswith("_changelist")]
OTHER_PAGES = [page for page in WITHOUT_PARTS if page not in CHANGELISTS]


@pytest.mark.parametrize("page", CHANGELISTS, ids=str)
def test_malformed_changelist_parameters_are_not_server_errors(staff, page):
    """One bad parameter at a time: a changelist stops at the first one it refuses."""
    first = staff.get(page.template)
    assert first.status_code == 200
    params = list(CHANGELIST_PARAMS)
    for spec in first.context["cl"].filter_specs:
        params += spec.expected_parameters()
    hierarchy = admin.site._registry[page.model].date_hierarchy
    if hierarchy:
        params += [f"{hierarchy}__{part}" for part in ("year", "month", "day")]
    for key in dict.fromkeys(params):
        for bad in BAD_QUERY_VALUES:
            url = f"{page.template}?{key}={bad}"
            response = staff.get(url)
            assert response.status_code < 500, _fail(response, url)


@pytest.mark.parametrize("page", OTHER_PAGES, ids=str)
def test_malformed_query_values_are_not_server_errors(staff, page):
    params = PAGE_PARAMS + (AUTOCOMPLETE_PARAMS if page.name == "autocomplete" else [])
    for bad in BAD_QUERY_VALUES:
        url = f"{page.template}?" + "&".join(f"{key}={bad}" for key in params)
        response = staff.get(url)
        assert response.status_code < 500, _fail(response, url)
    if page.name == "autocomplete":  # each alone, beside valid values for the others
        valid = {"app_label": "summits", "model_name": "meeting", "field_name": "parent"}
        for key in AUTOCOMPLETE_PARAMS:
            for bad in BAD_QUERY_VALUES:
                query = "&".join(f"{k}={v}" for k, v in {**valid, key: bad}.items())
                response = staff.get(f"{page.template}?{query}")
                assert response.status_code < 500, _fail(response, query)


@pytest.mark.parametrize(
    "url",
    [
        f"/admin/summits/meeting/?year={HUGE}",
        f"/admin/summits/meeting/?start_date__year={HUGE}",
        f"/admin/agreements/document/?year={HUGE}",
        f"/admin/agreements/document/?date__year={HUGE}",
        f"/admin/seeds/source/?year={HUGE}",
        f"/admin/seeds/source/?published_on__year={HUGE}",
    ],
)
def test_a_year_no_date_has_is_a_400(staff, url):
    assert staff.get(url).status_code == 400


@pytest.mark.parametrize(
    "path", ["abc/history/", "1/history/abc/", "%00/history/", f"{LONE_SURROGATE}/history/"]
)
def test_a_malformed_history_url_is_a_404(staff, path):
    assert staff.get(f"/admin/summits/meeting/{path}").status_code in {400, 404}
