"""The admin site: Django's, with two-factor authentication required outside development."""

from functools import wraps

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import BadRequest, ValidationError
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from records.input_checks import query_problem, text_problem

# Whatever failed, the password or the code, the answer is the same: telling them apart would
# tell someone holding a stolen password that it is right.
LOGIN_FAILED = (
    "Please enter the correct username, password and code for a staff account. "
    "All three may be case-sensitive."
)


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

    def _update_form(self, user) -> None:
        # django-otp lists the user's devices once the password is right: that list would tell a
        # right password from a wrong one. The device is picked from the code's shape instead.
        return None

    def clean(self):
        try:
            return super().clean()
        except ValidationError as exc:
            raise ValidationError(LOGIN_FAILED, code="invalid_login") from exc


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

    def admin_view(self, view, cacheable=False):
        """Every admin page refuses a malformed query value or URL part with a 400, before
        its view turns it into a database error (a NUL on PostgreSQL, a year no date has)."""

        @wraps(view)
        def checked(request, *args, **kwargs):
            for key, values in request.GET.lists():
                for value in values:
                    problem = query_problem(key, value)
                    if problem is not None:
                        raise BadRequest(problem)
            for value in (*args, *kwargs.values()):
                if isinstance(value, str) and text_problem(value) is not None:
                    raise BadRequest(f"The address {text_problem(value)}.")
            return view(request, *args, **kwargs)

        return super().admin_view(checked, cacheable)

    def has_permission(self, request) -> bool:
        if two_factor_required():
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)
