"""Who gets into the admin: two-factor authentication, brute-force lockout, and the CSP."""

import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from records.roles import account_create, roles_ensure
from tests.conftest import verify_otp

PASSWORD = "correct horse battery staple 42"

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice(db):
    roles_ensure()
    return account_create(username="alice", password=PASSWORD)


def current_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def log_in(client: Client, code: str = "", address: str = "203.0.113.7", **meta):
    return client.post(
        "/admin/login/?next=/admin/",
        {"username": "alice", "password": PASSWORD, "otp_token": code},
        REMOTE_ADDR=address,
        **meta,
    )


# -- two-factor authentication -------------------------------------------------------------


def test_staff_without_a_verified_device_cannot_reach_the_admin(alice):
    client = Client()
    client.force_login(alice)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert verify_otp(client, alice).get("/admin/").status_code == 200


def test_a_password_alone_is_not_enough(alice):
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    client = Client()
    response = log_in(client)
    assert response.status_code == 200
    # The session of the client that tried, not a fresh client's, which is always empty.
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/")["Location"].startswith("/admin/login/")


def test_password_and_authenticator_code_let_an_analyst_in(alice):
    device = TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    client = Client()
    response = log_in(client, current_code(device))
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_wrong_code_is_refused(alice):
    TOTPDevice.objects.create(user=alice, name="phone", confirmed=True)
    response = log_in(Client(), "000000")
    assert response.status_code == 200
    # The same message as for a wrong password (tests/admin/test_red_team.py).
    assert b"Please enter the correct username, password and code" in response.content


def test_a_backup_code_works_once(alice):
    device = StaticDevice.objects.create(user=alice, name="backup codes")
    device.token_set.create(token="one-time-code")
    assert log_in(Client(), "one-time-code").status_code == 302
    assert log_in(Client(), "one-time-code").status_code == 200


def test_two_factor_is_optional_in_local_development(alice, settings):
    settings.PACTA_REQUIRE_2FA = False
    client = Client()
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "alice", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_enroll_totp_prints_a_link_and_backup_codes(alice):
    out = StringIO()
    call_command("enroll_totp", "alice", stdout=out)
    text = out.getvalue()
    assert re.search(r"otpauth://totp/Pacta", text)
    device = TOTPDevice.objects.get(user=alice)
    assert device.confirmed
    assert StaticDevice.objects.get(user=alice).token_set.count() == 10
    assert log_in(Client(), current_code(device)).status_code == 302


def test_enroll_totp_refuses_unknown_and_non_staff_accounts(alice, django_user_model):
    with pytest.raises(CommandError, match="No account"):
        call_command("enroll_totp", "nobody")
    django_user_model.objects.create_user("visitor", password=PASSWORD)
    with pytest.raises(CommandError, match="not staff"):
        call_command("enroll_totp", "visitor")


# -- brute force -------------------------------------------------------------------------------


def test_repeated_failures_lock_out_that_client_only(alice, settings):
    device = StaticDevice.objects.create(user=alice, name="backup codes")
    device.token_set.create(token="good-code")
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(
            "/admin/login/",
            {"username": "alice", "password": "wrong", "otp_token": "x"},
            REMOTE_ADDR="198.51.100.66",
        )
    locked = log_in(attacker, "good-code", address="198.51.100.66")
    assert locked.status_code == 429
    assert b"Too many failed logins" in locked.content
    # The analyst, from her own address, still gets in.
    assert log_in(Client(), "good-code", address="203.0.113.7").status_code == 302


def test_a_forged_forwarded_for_header_does_not_pick_the_address(alice, settings):
    attacker = Client()
    for n in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(
            "/admin/login/",
            {"username": "alice", "password": "wrong"},
            REMOTE_ADDR="198.51.100.66",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}",
        )
    # Without a trusted proxy the socket address counts, so rotating the header did not help.
    locked = log_in(attacker, address="198.51.100.66", HTTP_X_FORWARDED_FOR="192.0.2.99")
    assert locked.status_code == 429


# -- Content-Security-Policy ---------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/", "/meetings/", "/api/v1/meetings/", "/api/v1/docs/", "/admin/login/"]
)
def test_every_response_carries_a_strict_content_security_policy(seeded, client, url):
    policy = client.get(url)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"
    expected_styles = "'self'"
    if url == "/api/v1/docs/":
        from config.api import SWAGGER_UI_STYLE_HASH

        expected_styles += f" {SWAGGER_UI_STYLE_HASH}"
    assert directives["style-src"] == expected_styles
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "http" not in policy
