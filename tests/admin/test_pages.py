"""Every admin an Analyst uses opens: its changelist, its add page and a change page."""

import pytest
from django.contrib import admin

from records.registry import registry
from tests.admin.conftest import change_url, changelist_url

REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)
CONTENT = [model for model in REGISTERED if model._meta.app_label in registry.content_apps()]
SECURITY = [
    model for model in REGISTERED if model._meta.app_label in {"axes", "otp_totp", "otp_static"}
]


@pytest.mark.parametrize("model", CONTENT, ids=lambda model: model._meta.label)
def test_an_analyst_opens_every_changelist_add_and_change_page(seeded, analyst_client, model):
    response = analyst_client.get(changelist_url(model))
    assert response.status_code == 200
    model_admin = admin.site._registry[model]
    add = analyst_client.get(changelist_url(model) + "add/")
    if model._meta.model_name == "country":
        assert add.status_code == 403  # reference data: nobody adds a country
    else:
        assert add.status_code == 200
    obj = model._default_manager.order_by("pk").first()
    assert obj is not None, f"the seed has no {model._meta.verbose_name}"
    change = analyst_client.get(change_url(obj))
    assert change.status_code == 200
    assert change.context["original"].pk == obj.pk
    if getattr(model_admin, "search_fields", None):
        searched = analyst_client.get(changelist_url(model), {"q": str(obj)[:10]})
        assert searched.status_code == 200


@pytest.mark.parametrize("model", CONTENT, ids=lambda model: model._meta.label)
def test_every_content_admin_can_be_searched_for_autocomplete(model):
    assert admin.site._registry[model].search_fields


@pytest.mark.parametrize(
    "model",
    [model for model in CONTENT if hasattr(model, "history")],
    ids=lambda model: model._meta.label,
)
def test_history_page_opens_for_every_tracked_model(seeded, analyst_client, model):
    obj = model._default_manager.order_by("pk").first()
    response = analyst_client.get(change_url(obj).replace("/change/", "/history/"))
    assert response.status_code == 200


def test_change_pages_link_to_the_public_page(seeded, analyst_client):
    from summits.models import Meeting

    meeting = Meeting.objects.get(slug="az-kz-supreme-interstate-council-2")
    response = analyst_client.get(change_url(meeting))
    assert b"View on site" in response.content


def test_the_meeting_changelist_shows_the_facts_an_analyst_scans_for(seeded, analyst_client):
    from summits.models import Meeting

    response = analyst_client.get(changelist_url(Meeting))
    content = response.content.decode()
    assert "Supreme Interstate Council" in content
    assert "Azerbaijan, Kazakhstan" in content or "Kazakhstan, Azerbaijan" in content
    filters = analyst_client.get(changelist_url(Meeting), {"country": "AZ", "status": "published"})
    assert filters.status_code == 200
    assert filters.context["cl"].result_count >= 1


def test_a_country_is_reference_data(seeded, analyst_client):
    from summits.models import Country

    kazakhstan = Country.objects.get(code="KZ")
    response = analyst_client.get(change_url(kazakhstan))
    form = response.context["adminform"].form
    assert set(form.fields) == {"adjective", "aliases", "edit_version"}
    assert response.context["has_delete_permission"] is False


AUTOCOMPLETED = sorted(
    {
        (field.model, field.name)
        for model_admin in admin.site._registry.values()
        for inline in [model_admin, *model_admin.inlines]
        for name in getattr(inline, "autocomplete_fields", ())
        for field in [(getattr(inline, "model", None) or model_admin.model)._meta.get_field(name)]
    },
    key=lambda pair: (pair[0]._meta.label, pair[1]),
)


@pytest.mark.parametrize(
    ("source_model", "field_name"),
    AUTOCOMPLETED,
    ids=[f"{model._meta.label}.{name}" for model, name in AUTOCOMPLETED],
)
def test_every_autocomplete_answers_an_analyst(seeded, analyst_client, source_model, field_name):
    response = analyst_client.get(
        "/admin/autocomplete/",
        {
            "app_label": source_model._meta.app_label,
            "model_name": source_model._meta.model_name,
            "field_name": field_name,
            "term": "a",
        },
    )
    assert response.status_code == 200
    assert "results" in response.json()


def test_meeting_formats_are_ticked_not_typed(seeded, analyst_client):
    from summits.models import Meeting
    from tests.admin.conftest import form_data

    meeting = Meeting.objects.get(slug="az-kz-supreme-interstate-council-2")
    data = form_data(analyst_client.get(change_url(meeting)))
    data["formats"] = ["narrow", "expanded"]
    assert analyst_client.post(change_url(meeting), data).status_code == 302
    meeting.refresh_from_db()
    assert sorted(meeting.formats) == ["expanded", "narrow"]
    data = form_data(analyst_client.get(change_url(meeting)))
    data["formats"] = ["a typo"]
    response = analyst_client.post(change_url(meeting), data)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_every_foreign_key_and_many_to_many_is_an_autocomplete(rf, admin_user):
    request = rf.get("/admin/")
    request.user = admin_user
    missing = []
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in registry.content_apps():
            continue  # third-party admins (auth, axes, otp) are theirs to design
        fields = set()
        for fieldset in model_admin.get_fieldsets(request, None):
            for entry in fieldset[1]["fields"]:
                fields.update(entry if isinstance(entry, tuple) else (entry,))
        for name in fields:
            field = next((f for f in model._meta.get_fields() if f.name == name), None)
            if field is None or not field.is_relation or name == "content_type":
                continue
            if name not in model_admin.autocomplete_fields:
                missing.append(f"{model._meta.label}.{name}")
        for inline in model_admin.get_inline_instances(request, None):
            fk = getattr(inline, "fk_name", None)
            for name in inline.get_fields(request, None):
                field = next((f for f in inline.model._meta.get_fields() if f.name == name), None)
                if field is None or not field.is_relation or name in (fk, "content_type"):
                    continue
                if name not in inline.autocomplete_fields:
                    missing.append(f"{inline.model._meta.label}.{name} in {model.__name__}")
    assert missing == []


@pytest.mark.parametrize("model", SECURITY, ids=lambda model: model._meta.label)
def test_account_security_is_for_editors_only(analyst_client, editor_client, model):
    assert analyst_client.get(changelist_url(model)).status_code == 403
    assert editor_client.get(changelist_url(model)).status_code == 200
