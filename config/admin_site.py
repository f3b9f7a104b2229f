"""The admin site: Django's, with two-factor authentication required outside development."""

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice


def two_factor_required() -> bool:
    return settings.PACTA_REQUIRE_2FA


class PactaOTPAuthenticationForm(OTPAdminAuthenticationForm):
    """django-otp asks staff to pick a device before typing a code; pick it for them from the
    code's shape (six digits: the authenticator app; anything else: a backup code), and only
    among their own confirmed devices. An explicit choice still wins."""

    def _chosen_device(self, user):
        device = super()._chosen_device(user)
        if device is not None:
            return device
        token = (self.cleaned_data.get("otp_token") or "").strip()
        if not token:
            return None
        model = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
        candidates = list(model.objects.filter(user=user, confirmed=True)[:2])
        # With two devices of one kind, guessing would spend a failed attempt on the wrong one.
        return candidates[0] if len(candidates) == 1 else None


class PactaAdminSite(OTPAdminSite):
    """Staff need a verified OTP device whenever PACTA_REQUIRE_2FA is on (production).

    The setting is read per request, so tests can switch it without reloading URLs.
    """

    @property
    def login_form(self):
        return PactaOTPAuthenticationForm if two_factor_required() else AdminAuthenticationForm

    @property
    def login_template(self):
        return "admin/login_otp.html" if two_factor_required() else None

    def has_permission(self, request) -> bool:
        if two_factor_required():
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)
