"""The visibility rule itself (records/visibility.py), without a database: each branch of
sees_drafts(), the cache audience, status_shown() and published_lookup(). These are the tests
`make mutate MUTATE=visibility` runs first; every mutant of the module must fail one of them."""

import pytest
from django.contrib.auth.models import AnonymousUser

from records.visibility import (
    PUBLISHED,
    audience,
    published_lookup,
    sees_drafts,
    shows,
    status_shown,
)


class Viewer:
    """A user-like object with only the attributes given: a missing one must count as no."""

    def __init__(self, **attributes):
        for name, value in attributes.items():
            setattr(self, name, value)


def verified(answer: bool):
    return lambda: answer


@pytest.fixture(params=[True, False], ids=["2fa-required", "2fa-off"])
def require_2fa(request, settings):
    settings.PACTA_REQUIRE_2FA = request.param
    return request.param


def test_a_bool_viewer_is_the_answer_already_decided(require_2fa):
    assert sees_drafts(True) is True
    assert sees_drafts(False) is False


def test_nobody_and_anonymous_never_see_drafts(require_2fa):
    assert sees_drafts(None) is False
    assert sees_drafts(AnonymousUser()) is False


def test_a_missing_attribute_counts_as_no(require_2fa):
    # Only an object that says it is active and staff may see drafts: a viewer of another
    # shape (no is_active, no is_staff) is refused rather than let through.
    assert sees_drafts(Viewer(is_staff=True, is_verified=verified(True))) is False
    assert sees_drafts(Viewer(is_active=True, is_verified=verified(True))) is False
    assert sees_drafts(Viewer(is_active=True, is_staff=True, is_verified=verified(True))) is True


def test_inactive_or_non_staff_users_see_no_draft_even_verified(require_2fa):
    assert sees_drafts(Viewer(is_active=False, is_staff=True, is_verified=verified(True))) is False
    assert sees_drafts(Viewer(is_active=True, is_staff=False, is_verified=verified(True))) is False


def test_staff_need_a_verified_second_factor_only_where_required(require_2fa):
    unverified = Viewer(is_active=True, is_staff=True, is_verified=verified(False))
    without_device_check = Viewer(is_active=True, is_staff=True)
    assert sees_drafts(unverified) is (not require_2fa)
    assert sees_drafts(without_device_check) is (not require_2fa)


def test_the_answer_is_a_real_bool(settings):
    # is_verified() may answer any truthy value; callers compare and cache the answer.
    settings.PACTA_REQUIRE_2FA = True
    assert sees_drafts(Viewer(is_active=True, is_staff=True, is_verified=lambda: 1)) is True
    assert sees_drafts(Viewer(is_active=True, is_staff=True, is_verified=lambda: 0)) is False


def test_the_cache_audience_splits_staff_from_the_public(settings):
    settings.PACTA_REQUIRE_2FA = True
    assert audience(True) == "staff"
    assert audience(Viewer(is_active=True, is_staff=True, is_verified=verified(True))) == "staff"
    assert audience(False) == "public"
    assert audience(None) == "public"
    assert audience(Viewer(is_active=True, is_staff=True, is_verified=verified(False))) == "public"


def test_status_shown():
    assert PUBLISHED == "published"
    assert status_shown("published", False) is True
    assert status_shown("published", True) is True
    assert status_shown("draft", False) is False
    assert status_shown("draft", True) is True


def test_shows_a_loaded_record():
    assert shows(Viewer(status="published"), False) is True
    assert shows(Viewer(status="draft"), False) is False
    assert shows(Viewer(status="draft"), True) is True
    # Reference data has no status: always shown.
    assert shows(Viewer(), False) is True
    assert shows(None, True) is False
    assert shows(None, False) is False


def test_published_lookup_names_each_paths_status():
    assert published_lookup("meeting") == {"meeting__status": "published"}
    assert published_lookup("meeting", "projects__organizations") == {
        "meeting__status": "published",
        "projects__organizations__status": "published",
    }
    assert published_lookup() == {}
