"""The optional read replica (config/db_router.py): anonymous reads there, the rest on the primary.

The router and its middleware are tested everywhere; the requests against a real second
connection need PostgreSQL and a `replica` alias, which DATABASE_REPLICA_URL adds (its test
database mirrors the primary's), e.g.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pacta \\
    DATABASE_REPLICA_URL=postgres://postgres@127.0.0.1:5432/pacta \\
    .venv/bin/python -m pytest tests/config/test_replica.py
"""

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection, connections
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from config import db_router
from config.db_router import PrimaryReplicaRouter, ReplicaReadsMiddleware, reads_from_replica
from summits.models import Meeting
from tests.conftest import verify_otp

COUNCIL = "az-kz-supreme-interstate-council-1"


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(db_router, "replica_configured", lambda: True)


def test_reads_follow_the_request_flag_writes_never(with_replica):
    router = PrimaryReplicaRouter()
    assert router.db_for_read(Meeting) == "default"
    assert router.db_for_write(Meeting) == "default"
    token = reads_from_replica.set(True)
    try:
        assert router.db_for_read(Meeting) == "replica"
        assert router.db_for_write(Meeting) == "default"
    finally:
        reads_from_replica.reset(token)
    assert router.db_for_read(Meeting) == "default"


def test_without_a_replica_everything_reads_the_primary(monkeypatch):
    # Whatever this run's settings: the router is asked as if no replica were configured.
    monkeypatch.setattr(db_router, "replica_configured", lambda: False)
    token = reads_from_replica.set(True)
    try:
        assert PrimaryReplicaRouter().db_for_read(Meeting) == "default"
    finally:
        reads_from_replica.reset(token)


def test_a_replica_is_configured_exactly_when_its_alias_exists():
    assert db_router.replica_configured() is ("replica" in settings.DATABASES)


def test_migrations_run_on_the_primary_only_and_relations_span_both():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate("default", "summits") is True
    assert router.allow_migrate("replica", "summits") is False
    primary, replica = Meeting(), Meeting()
    primary._state.db, replica._state.db = "default", "replica"
    assert router.allow_relation(primary, replica) is True
    replica._state.db = "elsewhere"
    assert router.allow_relation(primary, replica) is None


def flag_seen(request) -> bool:
    seen = {}

    def view(request):
        seen["replica"] = reads_from_replica.get()
        from django.http import HttpResponse

        return HttpResponse()

    ReplicaReadsMiddleware(view)(request)
    assert reads_from_replica.get() is False  # reset after the request
    return seen["replica"]


@pytest.mark.django_db
def test_only_anonymous_reads_are_sent_to_the_replica(with_replica, django_user_model):
    factory = RequestFactory()
    staff = django_user_model(username="editor", is_staff=True, is_active=True)
    analyst = django_user_model(username="reader", is_staff=False, is_active=True)
    for method, user, expected in (
        ("get", AnonymousUser(), True),
        ("head", AnonymousUser(), True),
        ("post", AnonymousUser(), False),
        ("get", staff, False),
        ("get", analyst, False),
    ):
        request = getattr(factory, method)("/api/v1/meetings/")
        request.user = user
        assert flag_seen(request) is expected, (method, user)


# Against a second connection on PostgreSQL ---------------------------------------------------

needs_replica = pytest.mark.skipif(
    "replica" not in settings.DATABASES or connection.vendor != "postgresql",
    reason="needs PostgreSQL and DATABASE_REPLICA_URL (a second connection to the same server)",
)


def queries_by_alias(client, url: str) -> dict[str, int]:
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections["replica"]) as replica,
    ):
        response = client.get(url)
    assert response.status_code == 200, url
    return {"default": len(primary.captured_queries), "replica": len(replica.captured_queries)}


@needs_replica
@pytest.mark.django_db(databases=["default", "replica"])
@pytest.mark.parametrize("url", ["/api/v1/meetings/", f"/meetings/{COUNCIL}/"])
def test_anonymous_requests_read_from_the_replica(client, seeded, url):
    counted = queries_by_alias(client, url)
    assert counted["replica"] > 0 and counted["default"] == 0


@needs_replica
@pytest.mark.django_db(databases=["default", "replica"])
@pytest.mark.parametrize("url", ["/api/v1/meetings/", f"/meetings/{COUNCIL}/"])
def test_staff_requests_read_from_the_primary(client, seeded, admin_user, url):
    verify_otp(client, admin_user)
    counted = queries_by_alias(client, url)
    assert counted["default"] > 0 and counted["replica"] == 0


@needs_replica
@pytest.mark.django_db(databases=["default", "replica"])
def test_writes_go_to_the_primary_even_in_an_anonymous_request(seeded):
    token = reads_from_replica.set(True)
    try:
        with (
            CaptureQueriesContext(connections["default"]) as primary,
            CaptureQueriesContext(connections["replica"]) as replica,
        ):
            meeting = Meeting.objects.get(slug=COUNCIL)
            meeting.title = "Saved on the primary"
            meeting.save()
    finally:
        reads_from_replica.reset(token)
    assert meeting._state.db == "default"
    writes = [q["sql"] for q in primary.captured_queries if q["sql"].startswith("UPDATE")]
    assert writes
    assert not [q for q in replica.captured_queries if q["sql"].startswith("UPDATE")]
    assert [q for q in replica.captured_queries if q["sql"].startswith("SELECT")]
