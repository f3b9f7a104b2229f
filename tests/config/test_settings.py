import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_ALLOWED_HOSTS": "pacta.example.org",
    "DJANGO_BEHIND_HTTPS_PROXY": "true",
}


def test_deploy_check_reports_nothing_with_production_settings():
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        **PRODUCTION,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    result = manage("check", **PRODUCTION)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_a_typo_in_a_boolean_is_refused():
    result = manage("check", DJANGO_DEBUG="ture")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be true or false" in result.stderr


@pytest.mark.django_db
def test_security_headers_on_every_response(client):
    response = client.get("/meetings/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response


@pytest.mark.django_db
def test_hsts_is_sent_over_https(client):
    response = client.get("/meetings/", secure=True)
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


# Run as its own process: the test database is in memory, and Django never closes an
# in-memory SQLite connection, so only a file database shows whether one is kept.
CONNECTIONS_ACROSS_REQUESTS = """
import wsgiref.util
import django
django.setup()
from django.core.handlers.wsgi import WSGIHandler
from django.db.backends.signals import connection_created

opened = []
connection_created.connect(lambda **kwargs: opened.append(1), weak=False)
handler = WSGIHandler()
for _ in range(3):
    environ = {"PATH_INFO": "/healthz", "REQUEST_METHOD": "GET", "HTTP_HOST": "127.0.0.1"}
    wsgiref.util.setup_testing_defaults(environ)
    response = handler(environ, lambda status, headers: None)
    assert response.status_code == 200, response.status_code
    response.close()  # what the server does at the end: it sends request_finished
print(len(opened))
"""


@pytest.mark.parametrize(("max_age", "opened"), [("60", "1"), ("0", "3")])
def test_a_sqlite_connection_is_kept_between_requests_for_conn_max_age(tmp_path, max_age, opened):
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env = {
        **clean,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DJANGO_DEBUG": "true",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'kept.sqlite3'}",
        "DATABASE_CONN_MAX_AGE": max_age,
        "CACHE_URL": "",
    }
    env.pop("DATABASE_REPLICA_URL", None)
    result = subprocess.run(
        [sys.executable, "-c", CONNECTIONS_ACROSS_REQUESTS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    # Three requests: one connection kept for all of them, or one opened for each.
    assert result.stdout.split() == [opened]
