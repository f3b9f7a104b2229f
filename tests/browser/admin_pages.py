"""What the admin browser tests share: a logged-in staff member and every admin page."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.contrib import admin
from django.urls import reverse

PASSWORD = "correct horse battery staple 42"
BACKUP_CODE = "pacta-e2e-code"


def staff_login(page, username: str, *, superuser: bool = False) -> None:
    """Make the account (an Analyst, or a superuser who may open every page) and log in with
    its password and a one-time backup code, as production requires."""
    from django.contrib.auth import get_user_model
    from django_otp.plugins.otp_static.models import StaticDevice

    from records.roles import account_create

    if superuser:
        user = get_user_model().objects.create_superuser(username, password=PASSWORD)
    else:
        user = account_create(username=username, password=PASSWORD)
    device = StaticDevice.objects.create(user=user, name="backup codes")
    device.token_set.create(token=BACKUP_CODE)
    page.goto(page.live_url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", BACKUP_CODE)
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    return user


@dataclass(frozen=True)
class AdminPage:
    name: str
    path: str


def admin_form_pages(user) -> list[AdminPage]:
    """The add page and a change page of every registered model `user` may open; a model
    with no row yet gets none made here (the caller seeds one where it can)."""
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    pages = []
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda i: i[0]._meta.label):
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        if model_admin.has_add_permission(request):
            pages.append(AdminPage(f"{model._meta.label} add", reverse(f"{prefix}_add")))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None and model_admin.has_view_or_change_permission(request, obj):
            path = reverse(f"{prefix}_change", args=[obj.pk])
            pages.append(AdminPage(f"{model._meta.label} change", path))
    return pages


def admin_changelists(user) -> list[AdminPage]:
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return [
        AdminPage(
            f"{model._meta.label} list",
            reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"),
        )
        for model, model_admin in sorted(
            admin.site._registry.items(), key=lambda i: i[0]._meta.label
        )
        if model_admin.has_view_or_change_permission(request)
    ]


def ensure_a_row_of_every_kind(user) -> None:
    """Rows the seed does not make, so that every change page can be opened: an import under
    review and an authenticator app."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from records.models import Source
    from seeds.models import ImportReview

    source = Source.objects.order_by("pk").first()
    if not ImportReview.objects.exists():
        ImportReview.objects.create(source=source, created_by=user)
    if not TOTPDevice.objects.exists():
        TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
