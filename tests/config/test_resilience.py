from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper

pytestmark = pytest.mark.usefixtures("seeded")


def database_down():
    return mock.patch.object(
        BaseDatabaseWrapper,
        "ensure_connection",
        side_effect=OperationalError("connection to server at 127.0.0.1 failed: refused"),
    )


def test_a_page_answers_503_while_the_database_is_down_and_recovers(client):
    with database_down():
        response = client.get("/meetings/")
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert b"temporarily unavailable" in response.content
    assert b"Traceback" not in response.content
    assert client.get("/meetings/").status_code == 200


def test_the_api_answers_json_503(client):
    with database_down():
        response = client.get("/api/v1/meetings/")
    assert response.status_code == 503
    assert response.json() == {
        "detail": "The database is unavailable. Please try again in a moment."
    }


def test_healthz_reports_the_database(client):
    assert client.get("/healthz").json() == {"status": "ok", "database": True}
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] is False


def test_a_real_bug_is_not_disguised_as_unavailability(client):
    with (
        mock.patch.object(
            BaseDatabaseWrapper,
            "ensure_connection",
            side_effect=OperationalError("no such table: summits_meeting"),
        ),
        pytest.raises(OperationalError),
    ):
        client.raise_request_exception = True
        client.get("/meetings/")
