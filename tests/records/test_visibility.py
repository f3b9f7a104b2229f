"""The one visibility rule (records/visibility.py): who sees drafts, and the regressions it
closed: quotes from a draft source reached anonymous API clients; a staff password without a
second factor showed drafts; filters by a draft's slug, words in a draft source and facets
through a draft meeting answered with published records."""

import json

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client

from agreements.models import Package
from records.models import Citation, Source
from records.visibility import sees_drafts, shows
from summits.models import Meeting, MeetingPerson, Person
from tests.api.conftest import get_json, streamed
from tests.conftest import verify_otp

COUNCIL_2 = "az-kz-supreme-interstate-council-2"


class Staff:
    is_active = is_staff = True

    def __init__(self, verified: bool | None):
        if verified is not None:
            self.is_verified = lambda: verified


@pytest.mark.parametrize("require_2fa", [True, False])
def test_who_sees_drafts(settings, require_2fa):
    settings.PACTA_REQUIRE_2FA = require_2fa
    assert sees_drafts(None) is False
    assert sees_drafts(AnonymousUser()) is False
    assert sees_drafts(Staff(verified=True)) is True
    # A password alone is enough only where no second factor is required (local runs).
    assert sees_drafts(Staff(verified=False)) is (not require_2fa)
    assert sees_drafts(Staff(verified=None)) is (not require_2fa)
    inactive = Staff(verified=True)
    inactive.is_active = False
    assert sees_drafts(inactive) is False
    visitor = Staff(verified=True)
    visitor.is_staff = False
    assert sees_drafts(visitor) is False
    assert sees_drafts(True) is True and sees_drafts(False) is False


def test_shows_reference_data_and_published_records_only_to_the_public():
    class Country:
        pass

    class Draft:
        status = "draft"

    assert shows(Country(), False) and not shows(Draft(), False) and shows(Draft(), True)
    assert not shows(None, True)


def everything_anonymous(client) -> str:
    """Every API surface that embeds quotes, as one text."""
    parts = [streamed(client.get("/api/v1/dataset.json"))]
    for resource in ("meetings", "documents", "packages", "projects", "bodies", "persons"):
        parts.append(json.dumps(get_json(client, f"/api/v1/{resource}/?page_size=100")))
        parts.append(streamed(client.get(f"/api/v1/{resource}/export.csv")))
        parts.append(streamed(client.get(f"/api/v1/{resource}/export.jsonl")))
    return "\n".join(parts)


def test_quotes_from_a_draft_source_reach_no_anonymous_response(seeded, client, admin_client):
    source = Source.objects.get(slug="azertac-2025-10-21-supreme-interstate-council")
    quotes = list(source.passages.values_list("quote", flat=True))
    assert quotes
    before = get_json(client, f"/api/v1/meetings/{COUNCIL_2}/")
    assert any(c["source_slug"] == source.slug for c in before["citations"])

    Source.objects.filter(pk=source.pk).update(status="draft")
    detail = get_json(client, f"/api/v1/meetings/{COUNCIL_2}/")
    assert all(c["source_slug"] != source.slug for c in detail["citations"])
    text = everything_anonymous(client)
    assert source.slug not in text
    # Quotes long enough to be unique to this source.
    assert not [q for q in quotes if len(q) > 60 and json.dumps(q)[1:-1] in text]
    # Staff with a verified second factor still check the draft's quotes before publishing.
    staff = get_json(admin_client, f"/api/v1/meetings/{COUNCIL_2}/")
    assert any(c["source_slug"] == source.slug for c in staff["citations"])


@pytest.fixture
def draft_meeting(seeded):
    meeting = Meeting.objects.get(slug=COUNCIL_2)
    Meeting.objects.filter(pk=meeting.pk).update(status="draft")
    return meeting


def test_a_password_alone_shows_no_draft(draft_meeting, django_user_model, settings):
    settings.PACTA_REQUIRE_2FA = True
    user = django_user_model.objects.create_user(
        "analyst-without-device", password="a long enough password", is_staff=True
    )
    password_only = Client()
    password_only.force_login(user)
    assert password_only.get(f"/meetings/{COUNCIL_2}/").status_code == 404
    assert password_only.get(f"/api/v1/meetings/{COUNCIL_2}/").status_code == 404
    dataset = json.loads(streamed(password_only.get("/api/v1/dataset.json")))
    assert COUNCIL_2 not in {m["slug"] for m in dataset["meetings"]}

    verified = verify_otp(Client(), user)
    assert verified.get(f"/meetings/{COUNCIL_2}/").status_code == 200
    assert verified.get(f"/api/v1/meetings/{COUNCIL_2}/").status_code == 200


def test_a_filter_by_a_drafts_slug_answers_like_an_unknown_slug(seeded, client):
    attendance = MeetingPerson.objects.select_related("person").first()
    person = attendance.person
    found = get_json(client, f"/api/v1/meetings/?person={person.slug}")
    assert found["count"] >= 1
    Person.objects.filter(pk=person.pk).update(status="draft")
    unknown = get_json(client, "/api/v1/meetings/?person=nobody-of-that-name")
    assert get_json(client, f"/api/v1/meetings/?person={person.slug}") == unknown
    page = client.get(f"/meetings/?person={person.slug}")
    # The form shows back the slug typed; no meeting is listed for it.
    assert page.status_code == 200 and '<li class="record">' not in page.content.decode()


def test_a_word_only_in_a_draft_sources_quote_finds_nothing(seeded, client):
    citation = Citation.objects.filter(content_type__model="meeting").first()
    meeting = Meeting.objects.get(pk=citation.object_id)
    unique = "Zqxjvword"
    Citation.objects.filter(pk=citation.pk).update(quote=citation.quote + " " + unique)
    # The word is in the quote index only (the update bypassed the offsets' check).
    assert meeting in Meeting.objects.search(unique, None)
    Source.objects.filter(pk=citation.source_id).update(status="draft")
    assert meeting not in Meeting.objects.search(unique, None)
    assert get_json(client, f"/api/v1/meetings/?q={unique}")["count"] == 0
    assert meeting.get_absolute_url() not in client.get(f"/search/?q={unique}").content.decode()


def test_package_facets_do_not_count_a_draft_meetings_year_or_countries(seeded, client):
    package = Package.objects.exclude(meeting=None).select_related("meeting").first()
    year = package.meeting.start_date.year
    page = client.get("/packages/").content.decode()
    assert f"?year={year}" in page
    Meeting.objects.filter(pk=package.meeting_id).update(status="draft")
    Package.objects.exclude(pk=package.pk).update(status="draft")
    after = client.get("/packages/").content.decode()
    assert f"?year={year}" not in after
    assert get_json(client, f"/api/v1/packages/?year={year}")["count"] == 0
    for code in package.meeting.participations.values_list("country__code", flat=True):
        assert get_json(client, f"/api/v1/packages/?country={code}")["count"] == 0
