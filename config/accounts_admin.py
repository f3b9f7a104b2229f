"""Two-factor devices in the admin: a secret is shown once, to the person enrolling, and never
again.

django-otp's own admins show every device's key, its otpauth:// link and QR code, and let
anyone with the add permission give a device of their choosing to any account. These replace
them: a device page shows its owner, name and use, never its key or backup codes; nobody adds a
device to someone else's account; Editors may remove the devices of accounts that are not
superusers (to reset a lost phone), and only a superuser sees or touches a superuser's devices.
Staff add an authenticator for themselves on the enrolment page: its QR code is drawn once, as
inline SVG (no request leaves the page), and the device counts only once a code from it is
confirmed. `manage.py enroll_totp` does the same in a terminal for a first device.
"""

from __future__ import annotations

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.safestring import mark_safe
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

# The device waiting for its first code, by primary key, in the enrolling session.
PENDING_DEVICE_KEY = "pacta_enrolment_device"


def may_touch_account(request, account) -> bool:
    """Only a superuser may act on a superuser's account or its devices."""
    return request.user.is_superuser or not account.is_superuser


class DeviceAdmin(admin.ModelAdmin):
    """A device's owner, name and use; its secret stays out of every page."""

    list_display = ("user", "name", "confirmed", "created_at", "last_used_at")
    list_filter = ("confirmed",)
    list_select_related = ("user",)
    search_fields = ("user__username", "name")
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = fields

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_superuser:
            queryset = queryset.filter(user__is_superuser=False)
        return queryset

    def has_add_permission(self, request) -> bool:
        # A device someone else chose the key of is no second factor: staff enrol their own.
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_view_permission(self, request, obj=None) -> bool:
        if obj is not None and not may_touch_account(request, obj.user):
            return False
        return super().has_view_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and not may_touch_account(request, obj.user):
            return False
        return super().has_delete_permission(request, obj)


class EnrolmentForm(forms.Form):
    name = forms.CharField(
        max_length=64,
        initial="authenticator",
        help_text="How the device is listed, e.g. “phone”.",
    )
    code = forms.RegexField(
        regex=r"^\d{6}$",
        max_length=6,
        label="Code from the app",
        error_messages={"invalid": "Enter the six digits the app shows."},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


def qr_svg(data: str) -> str:
    """The QR code of `data` as an SVG element: drawn by the page itself, no image request,
    no style attribute (the CSP allows none)."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, border=2)
    return image.to_string(encoding="unicode")


class TOTPDeviceAdmin(DeviceAdmin):
    change_list_template = "admin/otp_totp/totpdevice/change_list.html"

    def get_urls(self):
        enrol = path(
            "enrol/",
            self.admin_site.admin_view(self.enrol_view),
            name="otp_totp_totpdevice_enrol",
        )
        return [enrol, *super().get_urls()]

    def enrol_view(self, request):
        """GET: a new key, its QR code shown this once. POST: the app's code confirms it."""
        context = {**self.admin_site.each_context(request), "opts": self.model._meta}
        context["title"] = "Add an authenticator app to your account"
        pending = TOTPDevice.objects.filter(
            user=request.user, confirmed=False, pk=request.session.get(PENDING_DEVICE_KEY)
        ).first()
        if request.method == "POST" and pending is not None:
            form = EnrolmentForm(request.POST)
            if form.is_valid() and pending.verify_token(form.cleaned_data["code"]):
                pending.name = form.cleaned_data["name"]
                pending.confirmed = True
                pending.save(update_fields=["name", "confirmed"])
                del request.session[PENDING_DEVICE_KEY]
                self.log_addition(request, pending, "Enrolled by its owner.")
                self.message_user(
                    request, f"The device “{pending.name}” is enrolled.", messages.SUCCESS
                )
                return HttpResponseRedirect(reverse("admin:otp_totp_totpdevice_changelist"))
            if form.is_valid():
                form.add_error("code", "That code is not the app's current one. Try again.")
            # The key is not shown again: scanning it twice is not needed to retry a code.
            return TemplateResponse(
                request, "admin/otp_totp/enrol.html", {**context, "form": form, "qr": None}
            )
        # A fresh key for every visit; an earlier unconfirmed one is of no use to anyone.
        TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
        device = TOTPDevice.objects.create(
            user=request.user, name="authenticator", confirmed=False
        )
        request.session[PENDING_DEVICE_KEY] = device.pk
        context.update(
            form=EnrolmentForm(),
            # Built by qrcode from our own otpauth:// link: no text from elsewhere in it.
            qr=mark_safe(qr_svg(device.config_url)),
            config_url=device.config_url,
            expired=request.method == "POST",
        )
        response = TemplateResponse(request, "admin/otp_totp/enrol.html", context)
        # The page carries a secret: never kept by a browser or proxy cache.
        response["Cache-Control"] = "no-store"
        return response


class StaticDeviceAdmin(DeviceAdmin):
    """Backup codes: who has them and when one was last used; the codes themselves are shown
    only by `manage.py enroll_totp`."""


for model, model_admin in ((TOTPDevice, TOTPDeviceAdmin), (StaticDevice, StaticDeviceAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, model_admin)
