"""The numbers and lists the README promises, pinned: a change to any of them fails here and
must be a change to the README too."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django_otp.plugins.otp_static.models import StaticDevice

from records.api.downloads import FORMULA_PREFIXES, safe_cell
from records.roles import account_create, roles_ensure

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery staple 42"
ATTACKER = "198.51.100.66"


@pytest.fixture
def alice(db):
    roles_ensure()
    user = account_create(username="alice", password=PASSWORD)
    StaticDevice.objects.create(user=user, name="backup codes").token_set.create(token="good")
    return user


def fail_logins(client: Client, times: int) -> None:
    for _ in range(times):
        response = client.post(
            "/admin/login/",
            {"username": "alice", "password": "wrong", "otp_token": "x"},
            REMOTE_ADDR=ATTACKER,
        )
        assert response.status_code == 200


def good_login(client: Client) -> int:
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "alice", "password": PASSWORD, "otp_token": "good"},
        REMOTE_ADDR=ATTACKER,
    ).status_code


def test_four_wrong_attempts_do_not_lock_an_account(alice):
    client = Client()
    fail_logins(client, 4)
    assert good_login(client) == 302


def test_the_fifth_wrong_attempt_locks_the_account_for_that_address(alice):
    """README: "After five wrong attempts from one address an account is locked"."""
    client = Client()
    fail_logins(client, 4)
    fifth = client.post(
        "/admin/login/",
        {"username": "alice", "password": "wrong", "otp_token": "x"},
        REMOTE_ADDR=ATTACKER,
    )
    assert fifth.status_code == 429
    assert good_login(client) == 429
    assert good_login(Client()) == 429  # the address is locked, not the browser's session


def production_response(path: str) -> str:
    """The status and Location of `path` under production settings (DJANGO_DEBUG=false), in a
    process of its own since the settings module reads the environment once."""
    script = (
        "import django, sys; django.setup(); from django.test import Client; "
        f"r = Client().get({path!r}); print(r.status_code, r.get('Location', ''))"
    )
    clean = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={
            **clean,
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECRET_KEY": "x" * 50,
            "DJANGO_ALLOWED_HOSTS": "testserver",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_redirects_http_to_https_except_healthz():
    """README: DJANGO_SECURE_SSL_REDIRECT redirects HTTP to HTTPS, "/healthz is exempt" (a
    load balancer probes it over plain HTTP)."""
    assert production_response("/meetings/") == "301 https://testserver/meetings/"
    status = production_response("/healthz").split()[0]
    assert status in ("200", "503")  # answered, whether or not that process has a database


# A cell starting with = + - @ tab or CR is prefixed with an apostrophe (OWASP CSV injection).
@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_every_formula_prefix_is_defused(prefix):
    assert safe_cell(f"{prefix}SUM(A1)") == f"'{prefix}SUM(A1)"


@pytest.mark.parametrize("value", ["SUM(A1)", " =1", "a=1", "'quoted", "", "1+1", "\n=1"])
def test_other_cells_are_left_as_they_are(value):
    assert safe_cell(value) == value


def test_the_prefixes_are_exactly_the_readme_list():
    assert set(FORMULA_PREFIXES) == {"=", "+", "-", "@", "\t", "\r"}


def test_numbers_and_lists_are_flattened_before_the_check():
    assert safe_cell(-3) == "'-3"
    assert safe_cell(["=a", "b"]) == "'=a;b"
    assert safe_cell(None) == ""
