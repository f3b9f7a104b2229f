"""Record addresses from records/links.detail_url: what reverse() gives, for every record
page's route and for plain and unusual values alike."""

import pytest
from django.test import override_settings
from django.urls import NoReverseMatch, reverse, set_script_prefix

from records.links import detail_url

ROUTES = [
    ("meeting-detail", "slug"),
    ("document-detail", "slug"),
    ("package-detail", "slug"),
    ("project-detail", "slug"),
    ("person-detail", "slug"),
    ("organization-detail", "slug"),
    ("body-detail", "slug"),
    ("source-detail", "slug"),
    ("country-detail", "code"),
]
VALUES = ["kz", "az-kz-supreme-interstate-council-2", "gen_meeting_7", "A-1", "x"]


@pytest.mark.parametrize(("name", "field"), ROUTES)
def test_the_same_address_as_reverse(name, field):
    for value in VALUES:
        assert detail_url(name, field, value) == reverse(name, kwargs={field: value})


def test_values_reverse_would_quote_or_refuse_go_through_reverse():
    # The country route takes any text without a slash; reverse() quotes what it must.
    assert detail_url("country-detail", "code", "k z") == "/countries/k%20z/"
    with pytest.raises(NoReverseMatch):
        detail_url("meeting-detail", "slug", "not a slug")
    with pytest.raises(NoReverseMatch):
        detail_url("meeting-detail", "slug", "")


def test_the_script_prefix_is_kept():
    set_script_prefix("/pacta/")
    try:
        assert detail_url("meeting-detail", "slug", "a-meeting") == "/pacta/meetings/a-meeting/"
    finally:
        set_script_prefix("/")
    assert detail_url("meeting-detail", "slug", "a-meeting") == "/meetings/a-meeting/"


def test_a_route_that_refuses_the_placeholder_is_reversed_each_time():
    with override_settings(ROOT_URLCONF="tests.records.int_urls"):
        assert detail_url("numbered", "pk", "12") == "/numbered/12/"
        with pytest.raises(NoReverseMatch):
            detail_url("numbered", "pk", "twelve")
    assert detail_url("meeting-detail", "slug", "b") == "/meetings/b/"
