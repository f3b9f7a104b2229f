import datetime as dt

import pytest
from django.utils import timezone

from summits.models import Meeting
from tests.api.conftest import get_json, slugs

COUNCIL = ["az-kz-supreme-interstate-council-2", "az-kz-supreme-interstate-council-1"]


def test_detail_shape(seeded, client):
    meeting = get_json(client, "/api/v1/meetings/az-kz-supreme-interstate-council-1/")
    record = Meeting.objects.get(slug="az-kz-supreme-interstate-council-1")
    assert meeting["id"] == record.pk
    assert (
        meeting["url"] == "http://testserver/api/v1/meetings/az-kz-supreme-interstate-council-1/"
    )
    assert meeting["public_url"] == "http://testserver" + record.get_absolute_url()
    assert meeting["updated_at"] == record.updated_at.isoformat().replace("+00:00", "Z")
    assert meeting["kind"] == "body_session"
    assert meeting["kind_label"] == "Session of a body"
    assert meeting["start_date"] == "2024-03-11"
    assert meeting["start_precision"] == "day"
    assert meeting["countries"] == ["AZ", "KZ"]
    assert {p["country"] for p in meeting["participants"]} == {"AZ", "KZ"}
    assert meeting["host_country"] == record.host_country.code
    assert meeting["city"] == record.city
    assert meeting["body"]["slug"] == "az-kz-supreme-interstate-council"
    assert meeting["session_number"] == record.session_number
    names = {person["name"] for person in meeting["persons"]}
    assert {"Ilham Aliyev", "Kassym-Jomart Tokayev"} <= names
    assert all(set(person) == {"id", "slug", "name", "role"} for person in meeting["persons"])
    assert meeting["citations"], "every seeded meeting rests on quotes"
    citation = meeting["citations"][0]
    assert set(citation) == {
        "source",
        "source_slug",
        "publisher",
        "quote",
        "start",
        "end",
        "field",
    }
    assert citation["end"] - citation["start"] == len(citation["quote"])


def test_citation_offsets_point_into_the_source(seeded, client):
    meeting = get_json(client, "/api/v1/meetings/az-kz-supreme-interstate-council-2/")
    for citation in meeting["citations"]:
        source = get_json(client, f"/api/v1/sources/{citation['source_slug']}/")
        assert source["id"] == citation["source"]
        # A quotes-only source (press texts, by default) shows excerpts with the offsets of
        # the original text; a full-text one its whole text.
        pieces = [{"start": 0, "text": source["text"]}] if source["text"] else source["excerpts"]
        holding = [
            piece
            for piece in pieces
            if piece["start"] <= citation["start"]
            and citation["end"] <= piece["start"] + len(piece["text"])
        ]
        assert holding, citation
        start = citation["start"] - holding[0]["start"]
        assert holding[0]["text"][start : start + len(citation["quote"])] == citation["quote"]


def test_list_is_paginated_and_ordered_newest_first(seeded, client):
    page = get_json(client, "/api/v1/meetings/")
    assert page["count"] == Meeting.objects.published().count()
    assert page["previous"] is None
    dates = [m["start_date"] for m in page["results"] if m["start_date"]]
    assert dates == sorted(dates, reverse=True)
    # Undated meetings come last on SQLite and PostgreSQL alike.
    undated = [m["start_date"] is None for m in page["results"]]
    assert undated == sorted(undated)


def test_countries_pair_includes_both_council_sessions(seeded, client):
    page = get_json(client, "/api/v1/meetings/?countries=AZ,KZ")
    assert set(COUNCIL) <= {m["slug"] for m in page["results"]}
    assert all({"AZ", "KZ"} <= set(m["countries"]) for m in page["results"])
    council = get_json(
        client, "/api/v1/meetings/?countries=az,kz&body=az-kz-supreme-interstate-council"
    )
    assert [m["slug"] for m in council["results"]] == COUNCIL
    assert [m["start_date"][:4] for m in council["results"]] == ["2025", "2024"]


def test_country_means_any_participant(seeded, client):
    kazakh = set(slugs(client, "/api/v1/meetings/?country=KZ"))
    belarusian = set(slugs(client, "/api/v1/meetings/?country=BY"))
    either = set(slugs(client, "/api/v1/meetings/?country=KZ,BY"))
    assert kazakh and belarusian
    assert either == kazakh | belarusian
    pair = set(slugs(client, "/api/v1/meetings/?countries=KZ,BY"))
    assert pair == kazakh & belarusian


@pytest.mark.parametrize(
    "query, expected",
    [
        ("date_from=2025-01-01", lambda m: m.start_date and m.start_date >= dt.date(2025, 1, 1)),
        ("date_to=2018-12-31", lambda m: m.start_date and m.start_date <= dt.date(2018, 12, 31)),
        ("year=2024", lambda m: m.start_date and m.start_date.year == 2024),
        ("kind=state_visit", lambda m: m.kind == "state_visit"),
        ("kind=state_visit&kind=ceremony", lambda m: m.kind in {"state_visit", "ceremony"}),
        (
            "body=az-kz-supreme-interstate-council",
            lambda m: m.body_id and m.body.slug == "az-kz-supreme-interstate-council",
        ),
        ("session_number=2", lambda m: m.session_number == 2),
        ("sector=energy", lambda m: m.sectors.filter(slug="energy").exists()),
        ("person=nikol-pashinyan", lambda m: m.persons.filter(slug="nikol-pashinyan").exists()),
        (
            "source=minsk-2018-11-19-lukashenko-aliyev-negotiations",
            lambda m: m.citations.filter(
                source__slug="minsk-2018-11-19-lukashenko-aliyev-negotiations"
            ).exists(),
        ),
    ],
)
def test_filters_select_exactly_the_matching_meetings(seeded, client, query, expected):
    found = set(slugs(client, f"/api/v1/meetings/?{query}"))
    wanted = {m.slug for m in Meeting.objects.published() if expected(m)}
    assert wanted, f"the seed should have meetings for {query}"
    assert found == wanted


def test_organization_filter(seeded, client):
    found = set(slugs(client, "/api/v1/meetings/?organization=mtz"))
    wanted = set(
        Meeting.objects.published()
        .filter(projects__organizations__slug="mtz")
        .values_list("slug", flat=True)
    )
    assert wanted and found == wanted


def test_q_searches_titles_and_quotes(seeded, client):
    assert "az-kz-supreme-interstate-council-1" in slugs(client, "/api/v1/meetings/?q=Supreme")
    meeting = Meeting.objects.get(slug="aliyev-official-visit-belarus-2018")
    word = meeting.citations.first().quote.split()[-1].strip(".,;:“”\"'")
    assert meeting.slug in slugs(client, f"/api/v1/meetings/?q={word}")
    assert slugs(client, "/api/v1/meetings/?q=zzzznothingmatches") == []


def test_updated_since_returns_only_what_changed(seeded, client):
    later = timezone.now() + dt.timedelta(days=1)
    Meeting.objects.filter(slug="cop29-baku-2024").update(updated_at=later + dt.timedelta(hours=1))
    since = later.isoformat().replace("+00:00", "Z")
    assert slugs(client, f"/api/v1/meetings/?updated_since={since}") == ["cop29-baku-2024"]


def test_ordering_whitelist(seeded, client):
    titles = [m["title"] for m in get_json(client, "/api/v1/meetings/?ordering=title")["results"]]
    assert titles == sorted(titles)
    dates = [
        m["start_date"]
        for m in get_json(client, "/api/v1/meetings/?ordering=date")["results"]
        if m["start_date"]
    ]
    assert dates == sorted(dates)
    get_json(client, "/api/v1/meetings/?ordering=-updated")


def test_drafts_embedded_in_a_meeting_are_hidden_from_anonymous(seeded, client, admin_client):
    meeting = Meeting.objects.get(slug="aliyev-official-visit-belarus-2018")
    document = meeting.documents.first()
    document.__class__.objects.filter(pk=document.pk).update(status="draft")
    public = get_json(client, f"/api/v1/meetings/{meeting.slug}/")
    assert document.slug not in {d["slug"] for d in public["documents"]}
    staff = get_json(admin_client, f"/api/v1/meetings/{meeting.slug}/")
    assert document.slug in {d["slug"] for d in staff["documents"]}
