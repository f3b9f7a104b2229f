"""The two editorial roles and the accounts that hold them.

Analyst: view, add and change every content model; publish and unpublish (the admin actions
need the change permission); never delete a record. Removing a row *inside* a record (a
participating country, a citation, a milestone) is part of editing that record, so Analysts
may delete those rows; every such removal is in the record's admin log.

Editor: everything an Analyst may do, plus deleting records, changing a record's slug and
managing user accounts. A slug is in every public URL and in citations of Pacta elsewhere:
changing one (its old URLs then redirect) is an editorial decision, like deleting a record.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction

from records.registry import registry

ANALYST = "Analyst"
EDITOR = "Editor"
SECURITY_PERMISSIONS = {
    "axes.accessattempt": ("view", "delete"),
    "axes.accessfailurelog": ("view",),
    "axes.accesslog": ("view",),
    "otp_totp.totpdevice": ("view", "add", "change", "delete"),
    "otp_static.staticdevice": ("view", "add", "change", "delete"),
}


def _label(model) -> str:
    return f"{model._meta.app_label}.{model._meta.model_name}"


def _is_history(model) -> bool:
    return model._meta.model_name.startswith("historical")


def _codenames_for(model, actions: tuple[str, ...]) -> set[tuple[str, str]]:
    return {(f"{action}_{model._meta.model_name}", _label(model)) for action in actions}


def role_permissions() -> dict[str, set[tuple[str, str]]]:
    """(codename, app_label.model) pairs per group."""
    analyst: set[tuple[str, str]] = set()
    editor: set[tuple[str, str]] = set()
    # Rows that only exist inside a record are edited in its inlines: removing one is editing.
    parts = set(registry.parts_by_model)
    # Fixed reference data (ISO countries): corrected, never added or removed.
    fixed = {model for model, is_fixed in registry.references.items() if is_fixed}
    for app_label in registry.content_apps():
        for model in apps.get_app_config(app_label).get_models():
            if _is_history(model):
                # Reading the history is open to both; reverting uses the record's change.
                both = _codenames_for(model, ("view",))
            elif model in fixed:
                both = _codenames_for(model, ("view", "change"))
            else:
                both = _codenames_for(model, ("view", "add", "change"))
                if model in parts:
                    both |= _codenames_for(model, ("delete",))
                else:
                    editor |= _codenames_for(model, ("delete",))
            analyst |= both
            editor |= both
    user_model = get_user_model()
    editor |= _codenames_for(user_model, ("view", "add", "change", "delete"))
    editor |= _codenames_for(Group, ("view",))
    # Account security is user management: Editors unlock accounts locked by django-axes
    # (by deleting the attempt) and manage staff members' two-factor devices.
    for label, actions in SECURITY_PERMISSIONS.items():
        editor |= _codenames_for(apps.get_model(label), actions)
    return {ANALYST: analyst, EDITOR: editor}


def may_change_slugs(user) -> bool:
    """Whether `user` may give a record a new slug: an Editor (or a superuser)."""
    if not getattr(user, "is_active", False):
        return False
    if user.is_superuser:
        return True
    # Asked several times per admin page: remembered on the user, as Django's permissions are.
    if not hasattr(user, "_pacta_editor"):
        user._pacta_editor = user.groups.filter(name=EDITOR).exists()
    return user._pacta_editor


@dataclass(frozen=True)
class RoleReport:
    name: str
    created: bool
    permissions: int


@transaction.atomic
def roles_ensure() -> list[RoleReport]:
    """Create or correct both groups; running it again changes nothing."""
    reports = []
    for name, wanted in role_permissions().items():
        group, created = Group.objects.get_or_create(name=name)
        permissions = []
        for codename, label in sorted(wanted):
            app_label, model_name = label.split(".")
            content_type = ContentType.objects.get_by_natural_key(app_label, model_name)
            permission = Permission.objects.filter(
                content_type=content_type, codename=codename
            ).first()
            if permission is None:
                raise LookupError(
                    f"Permission {label}.{codename} does not exist; run `manage.py migrate`."
                )
            permissions.append(permission)
        group.permissions.set(permissions)
        reports.append(RoleReport(name=name, created=created, permissions=len(permissions)))
    return reports


class AccountError(ValueError):
    """The account cannot be created; the message says why."""


@transaction.atomic
def account_create(*, username: str, password: str, editor: bool = False, email: str = ""):
    """A staff account in the Analyst (or Editor) group, with a password that passed the
    project's validators."""
    user_model = get_user_model()
    username = user_model.normalize_username(username.strip())
    if not username:
        raise AccountError("Give a username.")
    if user_model._default_manager.filter(username__iexact=username).exists():
        raise AccountError(f"The username {username!r} is taken; choose another.")
    user = user_model(username=username, email=email, is_staff=True)
    try:
        user.full_clean(exclude=["password"])
        validate_password(password, user)
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages)) from exc
    roles_ensure()
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=EDITOR if editor else ANALYST))
    return user
