"""The admin site: Django's, with two-factor authentication required outside development."""

from functools import wraps

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from records.input_checks import query_problem, text_problem
from records.models import Source
from records.registry import registry
from seeds.models import ImportReview

# How many of the analyst's drafts and of the latest imports the index lists.
INDEX_LIST_LENGTH = 8

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

    def work_sections(self) -> list[tuple[str, str, list]]:
        """The index's sections in the order of the work: (anchor, title, models).

        An article is entered source first (the quotes point into it), then its meetings,
        documents, packages and projects, in the registry's order; the named things they point
        at (bodies, persons, organizations) and the reference lists come after, then the
        rows edited inside records, then the imports."""
        kinds = [kind for kind in registry.kinds() if not kind.reference]
        work = sorted(kinds, key=lambda kind: (kind.model is not Source, kind.position))
        references = [
            *(kind.model for kind in registry.kinds() if kind.reference),
            *(kind.model for kind in registry.published_references.values()),
            *(
                model
                for model in registry.references
                if model not in registry.published_references
            ),
        ]
        return [
            ("work", "The work, in its order", [kind.model for kind in work]),
            ("reference", "Reference lists", references),
            ("parts", "Rows inside records", list(registry.parts_by_model)),
            ("imports", "Imports", [ImportReview]),
        ]

    def get_app_list(self, request, app_label=None):
        """The index and the side bar list the content in the order of the work
        (`work_sections`), then every other app (accounts, devices) as Django orders them.
        An app's own page keeps Django's list."""
        app_list = super().get_app_list(request, app_label)
        if app_label is not None:
            return app_list
        by_model = {entry["model"]: entry for app in app_list for entry in app["models"]}
        index_url = reverse("admin:index", current_app=self.name)
        sections, placed = [], set()
        for anchor, title, models in self.work_sections():
            entries = [by_model[model] for model in models if model in by_model]
            placed.update(models)
            if entries:
                sections.append(
                    {
                        "name": title,
                        "app_label": anchor,
                        "app_url": f"{index_url}#section-{anchor}",
                        "has_module_perms": True,
                        "models": entries,
                    }
                )
        for app in app_list:
            rest = [entry for entry in app["models"] if entry["model"] not in placed]
            if rest:
                sections.append({**app, "models": rest})
        return sections

    def index(self, request, extra_context=None):
        user = request.user
        drafts = []
        for kind in registry.kinds():
            if user.has_perm(f"{kind.model._meta.app_label}.change_{kind.model._meta.model_name}"):
                rows = kind.model.objects.drafts_by(user).order_by("-updated_at")
                drafts += [(row, kind) for row in rows[:INDEX_LIST_LENGTH]]
        drafts.sort(key=lambda pair: pair[0].updated_at, reverse=True)
        imports = []
        if user.has_perm("records.view_source"):
            imports = list(
                ImportReview.objects.select_related("source", "created_by")[:INDEX_LIST_LENGTH]
            )
        context = {
            "my_drafts": [
                {
                    "record": row,
                    "label": kind.model._meta.verbose_name,
                    "url": reverse(
                        f"admin:{kind.model._meta.app_label}_{kind.model._meta.model_name}_change",
                        args=[row.pk],
                        current_app=self.name,
                    ),
                }
                for row, kind in drafts[:INDEX_LIST_LENGTH]
            ],
            "recent_imports": imports,
            **(extra_context or {}),
        }
        return super().index(request, context)

    def how_to_enter_an_article(self, request):
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            return HttpResponseNotAllowed(["GET", "HEAD", "OPTIONS"])
        context = {**self.each_context(request), "title": "How to enter an article"}
        return TemplateResponse(request, "admin/how_to_enter_an_article.html", context)

    def get_urls(self):
        return [
            path(
                "how-to-enter-an-article/",
                self.admin_view(self.how_to_enter_an_article),
                name="how_to_enter_an_article",
            ),
            *super().get_urls(),
        ]

    def has_permission(self, request) -> bool:
        if two_factor_required():
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)
