"""Property-based tests of the whole API from its own OpenAPI schema (schemathesis).

Every operation the schema documents is called in-process through Django's WSGI application
with generated parameters, NUL bytes included, from a fixed seed, by an anonymous and a staff
client; every response must be a non-5xx whose status, content type and body the schema
documents. `PACTA_FUZZ_EXAMPLES` sets the examples per operation: a few in `make test`,
hundreds in `make fuzz`.
"""

from __future__ import annotations

import os

import hypothesis
import pytest
import schemathesis
from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client, override_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.conftest import verify_otp

EXAMPLES = int(os.environ.get("PACTA_FUZZ_EXAMPLES", "10"))
# The coverage phase (every parameter's boundaries and wrong types, deterministic) takes most
# of the time; `make fuzz` turns it on.
COVERAGE = os.environ.get("PACTA_FUZZ_COVERAGE", "") == "1"
SEED = int(os.environ.get("PACTA_FUZZ_SEED", "20251125"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


class InTestWSGIHandler(WSGIHandler):
    """Django's WSGI handler as the test client runs it: a request's start and end do not
    close the database connection, whose open transaction holds the test's seeded data."""

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            # The response is consumed inside: request_finished fires before the signals
            # are connected again.
            return list(super().__call__(environ, start_response))
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def unthrottled(seeded):
    # A few hundred requests a minute from one address: the throttle is tested elsewhere.
    rates = {"DEFAULT_THROTTLE_RATES": {"anon": None}}
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, **rates}):
        yield


@pytest.fixture
def staff_headers(seeded, django_user_model) -> dict[str, str]:
    """A staff session's cookie, as a browser logged in to the admin sends it."""
    user = django_user_model.objects.create_user(
        "fuzz-staff", password="a long enough password", is_staff=True
    )
    client = Client()
    verify_otp(client, user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}"}


CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": EXAMPLES, "deterministic": True, "allow-x00": True},
        # A read-only API: no links between operations for a stateful phase to follow.
        "phases": {"stateful": {"enabled": False}, "coverage": {"enabled": COVERAGE}},
    }
)
# The schema as the API serves it; its view reads no table, so it loads at collection.
schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", InTestWSGIHandler(), config=CONFIG)


@schema.parametrize()
def test_every_operation_as_anonymous(case):
    case.call_and_validate(checks=CHECKS)


@schema.parametrize()
# The staff cookie is the same for every example on purpose: the API only reads.
@hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
def test_every_operation_as_staff(case, staff_headers):
    case.call_and_validate(headers=staff_headers, checks=CHECKS)


# Regressions schemathesis found ------------------------------------------------------------


def test_an_unknown_api_address_is_a_json_404(seeded, client):
    for url in ("/api/v1/meetings/%C2%84/", "/api/v1/countries/A1/", "/api/v1/nothing/"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response.json() == {"detail": "Not found."}, url
    page = client.get("/meetings/%C2%84/")
    assert page.status_code == 404 and b"<h1>Page not found</h1>" in page.content


def test_a_source_without_a_url_has_null_not_an_empty_string(seeded, client):
    from records.models import Source

    slug = "azertac-2025-10-21-supreme-interstate-council"
    Source.objects.filter(slug=slug).update(url="")
    assert client.get(f"/api/v1/sources/{slug}/").json()["source_url"] is None
    Source.objects.filter(slug=slug).update(url="https://azertac.az/en/a-story")
    assert client.get(f"/api/v1/sources/{slug}/").json()["source_url"] == (
        "https://azertac.az/en/a-story"
    )


def test_the_schema_documents_every_answer_a_read_may_give():
    operations = schema.raw_schema["paths"]
    for path, methods in operations.items():
        responses = methods["get"]["responses"]
        assert "429" in responses, path
        if "{" in path:
            assert {"200", "304", "404"} <= set(responses), path
        elif path.endswith(("/export.csv", "/export.jsonl")):
            assert {"200", "400"} <= set(responses), path
            assert "content" in responses["400"], path
        elif path.endswith("/changes/"):  # the feed: no conditional GET, a 410 for a re-sync
            assert {"200", "400", "404", "410"} <= set(responses), path
        elif not path.endswith("dataset.json"):
            assert {"200", "304", "400", "404"} <= set(responses), path
