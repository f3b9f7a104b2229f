"""Accounts in each role, and a helper that turns a rendered admin form back into a POST."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.forms import BooleanField

from records.roles import account_create, roles_ensure

PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def roles(db):
    return roles_ensure()


def make_account(username: str, *, editor: bool = False):
    return account_create(username=username, password=PASSWORD, editor=editor)


@pytest.fixture
def analyst(roles):
    return make_account("alice")


@pytest.fixture
def second_analyst(roles):
    return make_account("bob")


@pytest.fixture
def editor(roles):
    return make_account("erin", editor=True)


def client_for(user):
    """A logged-in client that has passed two-factor authentication."""
    from django.test import Client

    from tests.conftest import verify_otp

    return verify_otp(Client(), user)


@pytest.fixture
def analyst_client(analyst):
    return client_for(analyst)


@pytest.fixture
def editor_client(editor):
    return client_for(editor)


def _post_value(bound_field):
    value = bound_field.value()
    if isinstance(bound_field.field, BooleanField):
        return "on" if value else None
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _add_form(data: dict, form) -> None:
    for bound_field in form:
        value = _post_value(bound_field)
        if value is not None:
            data[bound_field.html_name] = value
            if bound_field.field.show_hidden_initial:
                # Fields with a callable default render a hidden copy of their initial value.
                data[bound_field.html_initial_name] = value


def form_data(response) -> dict:
    """The POST a browser would send for an admin change page, unchanged."""
    context = response.context
    data: dict = {}
    _add_form(data, context["adminform"].form)
    for inline in context.get("inline_admin_formsets", []):
        formset = inline.formset
        management = formset.management_form
        data[management["TOTAL_FORMS"].html_name] = str(formset.initial_form_count())
        data[management["INITIAL_FORMS"].html_name] = str(formset.initial_form_count())
        data[management["MIN_NUM_FORMS"].html_name] = "0"
        data[management["MAX_NUM_FORMS"].html_name] = "1000"
        for form in formset.initial_forms:
            _add_form(data, form)
    return data


def change_url(obj) -> str:
    return f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/change/"


def changelist_url(model) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


@pytest.fixture
def users():
    return get_user_model().objects
