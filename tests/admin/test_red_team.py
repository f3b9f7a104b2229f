"""Regression tests for the red team's findings (issue 19): second-factor secrets, the login
message, reverts by view-only users, stale saves outside records, hostile JSON and uploads,
and the seed keeping a renamed sector."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from agreements.models import Milestone, StatusEvent
from config.accounts_admin import PENDING_DEVICE_KEY
from config.admin_site import LOGIN_FAILED
from records.input_checks import CheckedJSONField, NameListField
from records.models import Citation, Source
from summits.models import Country, Meeting, Person, Sector
from tests.admin.conftest import PASSWORD, change_url, changelist_url, client_for, form_data

SLUG = "az-kz-supreme-interstate-council-2"


# -- 2: second-factor secrets -------------------------------------------------------------
@pytest.fixture
def superuser_device(admin_user):
    return TOTPDevice.objects.create(user=admin_user, name="boss phone", confirmed=True)


def test_no_device_page_shows_a_key_or_its_link(db, admin_user, admin_verified_client):
    device = TOTPDevice.objects.create(user=admin_user, name="phone", confirmed=True)
    page = admin_verified_client.get(change_url(device))
    assert page.status_code == 200
    content = page.content.decode()
    assert device.key not in content
    assert "otpauth://" not in content
    for url in (
        f"{changelist_url(TOTPDevice)}{device.pk}/config/",
        f"/admin/otp_totp/totpdevice/{device.pk}/qrcode/",
    ):
        assert admin_verified_client.get(url).status_code in {302, 404}
    backup = StaticDevice.objects.get(user=admin_user, name="test device")
    backup.token_set.create(token="sekrit12")
    assert b"sekrit12" not in admin_verified_client.get(change_url(backup)).content


def test_an_editor_cannot_see_or_add_a_superusers_device(editor_client, superuser_device):
    assert editor_client.get(change_url(superuser_device)).status_code in {302, 403}
    listing = editor_client.get(changelist_url(TOTPDevice)).content.decode()
    assert "boss phone" not in listing
    delete = editor_client.post(
        change_url(superuser_device).replace("/change/", "/delete/"), {"post": "yes"}
    )
    assert delete.status_code in {302, 403}
    assert TOTPDevice.objects.filter(pk=superuser_device.pk).exists()
    added = editor_client.post(
        changelist_url(TOTPDevice) + "add/",
        {"user": superuser_device.user_id, "name": "mine", "key": "00" * 20, "confirmed": "on"},
    )
    assert added.status_code == 403
    assert not TOTPDevice.objects.filter(name="mine").exists()


def test_an_editor_removes_an_analysts_device_without_reading_its_key(editor_client, analyst):
    device = TOTPDevice.objects.create(user=analyst, name="lost phone", confirmed=True)
    page = editor_client.get(change_url(device))
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    response = editor_client.post(
        change_url(device).replace("/change/", "/delete/"), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()


def test_an_editor_cannot_change_a_superusers_account(editor_client, admin_user):
    url = f"/admin/auth/user/{admin_user.pk}/"
    assert editor_client.post(url + "change/", {"username": "owned"}).status_code == 403
    assert (
        editor_client.post(url + "password/", {"password1": "x", "password2": "x"}).status_code
        == 403
    )
    assert editor_client.post(url + "delete/", {"post": "yes"}).status_code == 403
    admin_user.refresh_from_db()
    assert admin_user.username == "admin"


def test_enrolment_shows_the_qr_once_and_needs_a_code(analyst, analyst_client):
    url = "/admin/otp_totp/totpdevice/enrol/"
    page = analyst_client.get(url)
    assert page.status_code == 200
    content = page.content.decode()
    assert "<svg" in content and "otpauth://" in content
    assert "style=" not in content.split("<svg", 1)[1].split("</svg>", 1)[0]
    pending = TOTPDevice.objects.get(pk=analyst_client.session[PENDING_DEVICE_KEY])
    assert pending.user == analyst and not pending.confirmed

    wrong = analyst_client.post(
        url, {"name": "phone", "code": "000000" if totp(pending.bin_key) else "111111"}
    )
    assert wrong.status_code == 200
    assert "otpauth://" not in wrong.content.decode()  # the key is not shown twice
    pending.refresh_from_db()
    assert not pending.confirmed

    code = f"{totp(pending.bin_key, pending.step, pending.t0, pending.digits):06d}"
    pending.throttle_reset()
    done = analyst_client.post(url, {"name": "phone", "code": code})
    assert done.status_code == 302
    pending.refresh_from_db()
    assert pending.confirmed and pending.name == "phone"


# -- 3: one login message ------------------------------------------------------------------
def test_a_wrong_password_and_a_wrong_code_get_the_same_message(analyst, client, settings):
    settings.PACTA_REQUIRE_2FA = True
    TOTPDevice.objects.create(user=analyst, name="phone", confirmed=True)
    messages = []
    for password in ("not the password", PASSWORD):
        response = client.post(
            "/admin/login/", {"username": "alice", "password": password, "otp_token": "123456"}
        )
        assert response.status_code == 200
        form = response.context["form"]
        messages.append(
            (list(form.non_field_errors()), str(form["otp_device"].field.widget.choices))
        )
    assert messages[0] == messages[1]
    assert messages[0][0] == [LOGIN_FAILED]


# -- 4: reverts and actions need the change permission --------------------------------------
@pytest.fixture
def viewer_client(roles, django_user_model):
    viewer = django_user_model.objects.create_user("vera", password=PASSWORD, is_staff=True)
    viewer.user_permissions.set(
        Permission.objects.filter(codename__in=["view_meeting", "view_historicalmeeting"])
    )
    return client_for(viewer)


def test_a_view_only_user_cannot_revert(seeded, analyst_client, viewer_client):
    meeting = Meeting.objects.get(slug=SLUG)
    original = meeting.history.latest()
    data = form_data(analyst_client.get(change_url(meeting)))
    data["city"] = "Somewhere else"
    assert analyst_client.post(change_url(meeting), data).status_code == 302
    meeting.refresh_from_db()
    version = meeting.version
    revert_url = change_url(meeting).replace("/change/", f"/history/{original.history_id}/")
    assert viewer_client.get(revert_url).status_code == 200
    data = form_data(analyst_client.get(revert_url))
    data.update(title="Reverted by a viewer", status="draft")
    assert viewer_client.post(revert_url, data).status_code == 403
    meeting.refresh_from_db()
    assert meeting.version == version
    assert meeting.city == "Somewhere else"


def test_a_view_only_user_cannot_publish(seeded, viewer_client):
    draft = Meeting.objects.filter(status="draft").first() or Meeting.objects.first()
    Meeting.objects.filter(pk=draft.pk).update(status="draft")
    viewer_client.post(
        changelist_url(Meeting),
        {"action": "publish_selected", "_selected_action": [draft.pk], "index": 0},
    )
    draft.refresh_from_db()
    assert draft.status == "draft"


# -- 8: stale saves refused outside records too ------------------------------------------
def _first(model):
    return model._default_manager.order_by("pk").first()


STALE_EDITS = {
    Country: ("adjective", "First adjective", "Stale adjective"),
    Sector: ("name", "First name", "Stale name"),
    Citation: ("field", "summary", "title"),
    StatusEvent: ("note", "First note", "Stale note"),
    Milestone: ("note", "First note", "Stale note"),
}


@pytest.mark.parametrize("model", list(STALE_EDITS), ids=lambda model: model._meta.label)
def test_a_stale_save_is_refused(seeded, analyst_client, second_analyst, model):
    obj = _first(model)
    assert obj is not None, f"the seed has no {model._meta.verbose_name}"
    name, first, stale = STALE_EDITS[model]
    stale_data = form_data(analyst_client.get(change_url(obj)))
    assert "edit_version" in stale_data

    other = client_for(second_analyst)
    data = form_data(other.get(change_url(obj)))
    data[name] = first
    saved = other.post(change_url(obj), data)
    assert saved.status_code == 302, saved.context["errors"] if saved.context else ""

    stale_data[name] = stale
    response = analyst_client.post(change_url(obj), stale_data)
    assert response.status_code == 200
    assert "while you were editing it" in response.content.decode()
    obj.refresh_from_db()
    assert getattr(obj, name) == first


# -- 9: hostile JSON and text ---------------------------------------------------------------
# Aliases are typed one name a line, not as JSON (records.input_checks.NameListField): a NUL
# typed in is refused, an overlong line is refused, and JSON escapes are not decoded, so no
# escape can smuggle in a NUL or a lone surrogate.
HOSTILE_NAMES = ["a\x00b", "[" * 5000 + "]" * 5000, "[" + "9" * 5000 + "]"]
JSON_ESCAPES = ['["\\ud800"]', '["a\\u0000b"]']


@pytest.mark.parametrize("value", HOSTILE_NAMES, ids=["nul", "deep", "long number"])
@pytest.mark.parametrize("model", [Person, Country], ids=lambda model: model._meta.label)
def test_hostile_json_is_a_form_error(seeded, analyst_client, model, value):
    obj = _first(model)
    before = obj.aliases
    data = form_data(analyst_client.get(change_url(obj)))
    data["aliases"] = value
    response = analyst_client.post(change_url(obj), data)
    assert response.status_code == 200
    assert "aliases" in response.context["adminform"].form.errors
    obj.refresh_from_db()
    assert obj.aliases == before


@pytest.mark.parametrize("value", JSON_ESCAPES, ids=["surrogate", "nul"])
@pytest.mark.parametrize("model", [Person, Country], ids=lambda model: model._meta.label)
def test_json_escapes_in_a_name_are_kept_as_typed(seeded, analyst_client, model, value):
    obj = _first(model)
    data = form_data(analyst_client.get(change_url(obj)))
    data["aliases"] = value
    assert analyst_client.post(change_url(obj), data).status_code == 302
    obj.refresh_from_db()
    assert obj.aliases == [value]


def test_every_json_field_in_the_admin_is_parsed_with_bounds(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    checked = []
    for model_admin in admin.site._registry.values():
        for admin_part in (model_admin, *model_admin.get_inline_instances(request)):
            for db_field in admin_part.model._meta.concrete_fields:
                if isinstance(db_field, models.JSONField) and db_field.editable:
                    form_field = admin_part.formfield_for_dbfield(db_field, request)
                    assert isinstance(form_field, CheckedJSONField | NameListField), db_field
                    checked.append(db_field)
    assert len(checked) >= 3  # the aliases of countries, persons and organizations


def test_a_nul_byte_in_an_uploaded_source_is_refused(seeded, analyst_client):
    before = Source.objects.count()
    upload = SimpleUploadedFile("article.txt", b"An article\x00 with a NUL byte.", "text/plain")
    response = analyst_client.post(
        changelist_url(Source) + "add/",
        {
            "title": "Hostile upload",
            "slug": "hostile-upload",
            "published_precision": "day",
            "language": "en",
            "status": "draft",
            "upload": upload,
        },
    )
    assert response.status_code == 200
    assert "upload" in response.context["adminform"].form.errors
    assert Source.objects.count() == before


@pytest.mark.parametrize(
    "url", ["/admin/summits/meeting/?status=%00", "/admin/summits/meeting/?q=a%00"]
)
def test_a_nul_in_a_list_filter_is_a_400(seeded, analyst_client, url):
    assert analyst_client.get(url).status_code == 400


def test_a_nul_in_an_autocomplete_term_is_a_400(seeded, analyst_client):
    response = analyst_client.get(
        "/admin/autocomplete/",
        {"term": "a\x00", "app_label": "summits", "model_name": "meeting", "field_name": "parent"},
    )
    assert response.status_code == 400


def test_the_seed_file_refuses_a_nul_character(tmp_path):
    from seeds.records import RecordFileError, read_record_file

    # libyaml already refuses a "\ud800" escape; a "\0" escape it turns into a NUL.
    path = tmp_path / "records.yaml"
    path.write_text('countries:\n  - code: KZ\n    aliases: ["x\\0y"]\n', encoding="utf-8")
    with pytest.raises(RecordFileError, match="NUL"):
        read_record_file(path)


def test_a_seed_text_with_a_nul_is_refused(tmp_path):
    from seeds.records import RecordFileError, read_texts

    (tmp_path / "a.txt").write_text("An article\x00.", encoding="utf-8")
    with pytest.raises(RecordFileError, match="NUL"):
        read_texts({"sources": [{"slug": "a", "file": "a.txt"}]}, tmp_path)


def test_the_model_refuses_a_lone_surrogate_alias(seeded):
    from django.core.exceptions import ValidationError

    person = _first(Person)
    person.aliases = ["\ud800"]
    with pytest.raises(ValidationError):
        person.full_clean()


# -- 10: the seed keeps a renamed sector -------------------------------------------------
def test_the_seed_keeps_an_analysts_rename_of_a_sector(seeded, analyst_client, run_seed):
    sector = _first(Sector)
    data = form_data(analyst_client.get(change_url(sector)))
    data["name"] = "Renamed by an analyst"
    assert analyst_client.post(change_url(sector), data).status_code == 302
    run_seed()
    sector.refresh_from_db()
    assert sector.name == "Renamed by an analyst"
    assert "name" in sector.analyst_edited
