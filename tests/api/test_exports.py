import csv
import io
import json

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from rest_framework.request import Request

from records.api import downloads, viewsets
from summits.models import Meeting
from tests.api.conftest import RESOURCES, get_json, slugs, streamed

FILTERED = {
    "meetings": "countries=AZ,KZ",
    "documents": "country=AM",
    "packages": "country=KG",
    "projects": "countries=AZ,BY&ordering=name",
    "bodies": "country=KZ",
    "countries": "active=true",
    "persons": "country=AZ,KZ",
    "organizations": "country=BY",
    "sources": "language=en",
}


def all_records(client, url: str) -> list[dict]:
    records, page = [], get_json(client, url)
    while True:
        records += page["results"]
        if not page["next"]:
            return records
        page = get_json(client, page["next"])


@pytest.mark.parametrize("resource", RESOURCES)
def test_jsonl_export_matches_the_filtered_list(seeded, client, resource):
    query = FILTERED[resource]
    listed = all_records(client, f"/api/v1/{resource}/?{query}&page_size=2")
    response = client.get(f"/api/v1/{resource}/export.jsonl?{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/jsonl")
    named = downloads.export_filename(resource, QueryDict(query), "jsonl")
    assert response["Content-Disposition"] == f'attachment; filename="{named}"'
    lines = streamed(response).splitlines()
    assert listed, f"the seed should have {resource} for {query}"
    assert [json.loads(line) for line in lines] == listed


@pytest.mark.parametrize("resource", RESOURCES)
def test_csv_export_matches_the_filtered_list(seeded, client, resource):
    query = FILTERED[resource]
    listed = all_records(client, f"/api/v1/{resource}/?{query}")
    response = client.get(f"/api/v1/{resource}/export.csv?{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    named = downloads.export_filename(resource, QueryDict(query), "csv")
    assert named.startswith(f"pacta-{resource}-") and "ordering" not in named
    assert response["Content-Disposition"] == f'attachment; filename="{named}"'
    rows = list(csv.DictReader(io.StringIO(streamed(response))))
    assert [row["slug"] for row in rows] == [record["slug"] for record in listed]
    assert list(rows[0]) == list(listed[0])
    for row, record in zip(rows, listed, strict=True):
        assert row["id"] == str(record["id"])
        assert row["url"] == record["url"]


def test_csv_flattens_lists_with_semicolons(seeded, client):
    response = client.get("/api/v1/meetings/export.csv?body=az-kz-supreme-interstate-council")
    rows = {row["slug"]: row for row in csv.DictReader(io.StringIO(streamed(response)))}
    council = rows["az-kz-supreme-interstate-council-1"]
    assert council["countries"] == "AZ;KZ"
    assert council["body"] == "az-kz-supreme-interstate-council"
    record = get_json(client, "/api/v1/meetings/az-kz-supreme-interstate-council-1/")
    # The evidence itself: each quote with its publisher and place in the source, a line each.
    assert council["citations"].split("\n") == [
        f"“{c['quote']}” — {c['publisher'] + ', ' if c['publisher'] else ''}"
        f"{c['source_slug']}@{c['start']}-{c['end']}"
        + (f" (for {c['field']})" if c["field"] else "")
        for c in record["citations"]
    ]
    assert council["persons"].split(";") == [
        f"{p['slug']} ({p['role']})" for p in record["persons"]
    ]
    assert council["year_inferred"] in {"true", "false"}


def test_empty_exports(seeded, client):
    csv_text = streamed(client.get("/api/v1/meetings/export.csv?year=1900"))
    assert csv_text.splitlines() == [",".join(get_json(client, "/api/v1/meetings/")["results"][0])]
    assert streamed(client.get("/api/v1/meetings/export.jsonl?year=1900")) == ""


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_bad_filter_in_an_export_is_a_json_400(seeded, client, suffix):
    response = client.get(f"/api/v1/meetings/export.{suffix}?country=ZZ", HTTP_ACCEPT="text/csv")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "country" in json.loads(response.content)


def test_export_streams_chunk_by_chunk(seeded, client, monkeypatch, settings):
    """Rows are read from the database as the response is consumed, a chunk at a time, so
    memory stays flat however long the export is."""
    monkeypatch.setattr(viewsets, "EXPORT_CHUNK_SIZE", 2)
    settings.PACTA_DOWNLOAD_FILES_MB = 0  # both exports are built (test_download_files.py)
    total = Meeting.objects.published().count()
    assert total >= 10
    with CaptureQueriesContext(connection) as everything:
        streamed(client.get("/api/v1/meetings/export.jsonl"))
    with CaptureQueriesContext(connection) as first_rows:
        response = client.get("/api/v1/meetings/export.jsonl")
        content = iter(response.streaming_content)
        first = next(content)  # the first chunk's records, sent together
        after_first_line = len(first_rows.captured_queries)
        rest = b"".join(content)
    assert after_first_line < len(everything.captured_queries) / 3
    assert first.count(b"\n") == viewsets.EXPORT_CHUNK_SIZE
    assert first.count(b"\n") + rest.count(b"\n") == total


def test_dataset_holds_everything_visible(seeded, client):
    response = client.get("/api/v1/dataset.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="pacta-dataset.json"'
    dataset = json.loads(streamed(response))
    assert dataset["version"] == viewsets.DATASET_FORMAT_VERSION
    assert dataset["built_at"][:4].isdigit() and "T" in dataset["built_at"]
    assert dataset["generator"] == f"Pacta {viewsets.pacta_version()}"
    assert list(dataset)[3:] == [*RESOURCES, "license", "changes_cursor"]
    assert dataset["license"]["url"].startswith("https://")
    assert response["Link"] == f'<{dataset["license"]["url"]}>; rel="license"'

    for resource in RESOURCES:
        assert [r["slug"] for r in dataset[resource]] == slugs(
            client, f"/api/v1/{resource}/?page_size=100"
        ), resource
    meeting = next(
        m for m in dataset["meetings"] if m["slug"] == "az-kz-supreme-interstate-council-1"
    )
    assert meeting == get_json(client, "/api/v1/meetings/az-kz-supreme-interstate-council-1/")
    # Press texts are "quotes only" by default: their cited passages, not the whole text.
    assert all(source["text"] or source["excerpts"] for source in dataset["sources"])


def test_dataset_leaves_drafts_to_staff(seeded, client, admin_client):
    Meeting.objects.filter(slug="cop29-baku-2024").update(status="draft")
    public = json.loads(streamed(client.get("/api/v1/dataset.json")))
    staff = json.loads(streamed(admin_client.get("/api/v1/dataset.json")))
    assert "cop29-baku-2024" not in {m["slug"] for m in public["meetings"]}
    assert "cop29-baku-2024" in {m["slug"] for m in staff["meetings"]}


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_are_defused(seeded, client):
    meeting = Meeting.objects.get(slug="az-kz-supreme-interstate-council-1")
    meeting.summary = '=HYPERLINK("http://evil.example","click")'
    meeting.save()
    body = streamed(
        client.get("/api/v1/meetings/export.csv?body=az-kz-supreme-interstate-council")
    )
    rows = list(csv.DictReader(io.StringIO(body)))
    [row] = [row for row in rows if row["slug"] == meeting.slug]
    assert row["summary"] == "'" + meeting.summary
    assert downloads.safe_cell("-1") == "'-1"
    assert downloads.safe_cell("Baku") == "Baku"


def test_draft_persons_and_organizations_are_not_embedded_for_anonymous_clients(
    seeded, client, admin_client
):
    from agreements.models import Project
    from summits.models import Organization, Person

    Person.objects.filter(slug="ilham-aliyev").update(status="draft")
    Organization.objects.filter(slug="ganja-auto-plant").update(status="draft")
    meeting = get_json(client, "/api/v1/meetings/az-kz-supreme-interstate-council-1/")
    assert "ilham-aliyev" not in {person["slug"] for person in meeting["persons"]}
    project = Project.objects.get(slug="ganja-tractor-and-vehicle-assembly")
    anonymous = get_json(client, f"/api/v1/projects/{project.slug}/")
    assert "ganja-auto-plant" not in {org["slug"] for org in anonymous["organizations"]}
    staff = get_json(admin_client, f"/api/v1/projects/{project.slug}/")
    assert "ganja-auto-plant" in {org["slug"] for org in staff["organizations"]}


@pytest.fixture
def some_drafts(seeded):
    """Every third record of each kind a draft, so that what anonymous clients and staff get
    differs: in the records exported, and in the links and lists embedded in them."""
    from agreements.models import Document, Package, Project
    from records.models import Source
    from summits.models import Body, Organization, Person

    for model in (Meeting, Document, Package, Project, Body, Person, Organization, Source):
        ids = list(model.objects.order_by("pk").values_list("pk", flat=True))[::3]
        model.objects.filter(pk__in=ids).update(status="draft")


def serialized(resource: str, user, action: str = "export_jsonl") -> tuple[list[str], list[dict]]:
    """The columns and records the serializer makes of everything the export selects, one
    model instance at a time: what the exports must equal."""
    from rest_framework.test import APIRequestFactory, force_authenticate

    from config.api import RESOURCES as ROUTES

    [viewset_class] = [viewset for prefix, viewset, _ in ROUTES if prefix == resource]
    request = APIRequestFactory().get(f"/api/v1/{resource}/export.jsonl")
    if user.is_authenticated:
        # As django-otp's middleware marks a session that passed its second factor.
        user.is_verified = lambda: True
    force_authenticate(request, user=user)
    viewset = viewset_class(request=Request(request), format_kwarg=None, kwargs={})
    viewset.action = action
    serializer = viewset.get_serializer()
    queryset = viewset.filter_queryset(viewset.get_queryset())
    return list(serializer.fields), [serializer.to_representation(item) for item in queryset]


@pytest.mark.parametrize("staff", [False, True], ids=["anonymous", "staff"])
@pytest.mark.parametrize("resource", RESOURCES)
def test_exports_hold_exactly_what_the_serializer_makes(
    some_drafts, client, admin_client, admin_user, resource, staff
):
    """The exports build records from plain rows (records/api/plan.py); a field the API shows
    and the exports would not (or would differently) fails here."""
    from django.contrib.auth.models import AnonymousUser

    columns, records = serialized(resource, admin_user if staff else AnonymousUser())
    if staff and resource != "countries":
        assert len(records) > len(serialized(resource, AnonymousUser())[1]), "no drafts"
    http = admin_client if staff else client
    jsonl = streamed(http.get(f"/api/v1/{resource}/export.jsonl"))
    assert jsonl.splitlines(keepends=True) == [downloads.json_line(r) for r in records]
    csv_text = streamed(http.get(f"/api/v1/{resource}/export.csv"))
    assert csv_text == "".join(downloads.csv_lines(columns, iter(records)))


@pytest.mark.parametrize("staff", [False, True], ids=["anonymous", "staff"])
def test_dataset_holds_exactly_what_the_serializers_make(
    some_drafts, client, admin_client, admin_user, staff
):
    from django.contrib.auth.models import AnonymousUser

    user = admin_user if staff else AnonymousUser()
    dataset = json.loads(streamed((admin_client if staff else client).get("/api/v1/dataset.json")))
    for resource in RESOURCES:
        assert dataset[resource] == serialized(resource, user, action="dataset")[1], resource


def test_dates_are_written_as_precise_as_they_are_known(seeded, client):
    rows = list(csv.DictReader(io.StringIO(streamed(client.get("/api/v1/meetings/export.csv")))))
    records = {r["slug"]: r for r in all_records(client, "/api/v1/meetings/?page_size=100")}
    precisions = set()
    for row in rows:
        record = records[row["slug"]]
        precision = record["start_precision"]
        assert row["start_precision"] == precision
        if record["start_date"]:
            width = {"year": 4, "month": 7, "day": 10}[precision]
            assert row["start_date"] == record["start_date"][:width]
            precisions.add(precision)
    assert {"month", "day"} <= precisions, "the seed has meetings known to the month and day"
    assert downloads.at_precision("2024-11-12", "month") == "2024-11"
    assert downloads.at_precision("2005-01-01", "year") == "2005"
    assert downloads.at_precision("2024-11-12", "day") == "2024-11-12"


def test_a_milestone_date_in_a_list_keeps_its_precision():
    assert downloads.brief({"kind": "opened", "date": "2024-01-01", "date_precision": "year"}) == (
        "opened 2024"
    )


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("country=AZ,KZ&year=2024", "pacta-meetings-country-AZ-KZ-2024.csv"),
        ("", "pacta-meetings.csv"),
        ("q=Минск&ordering=-date&page_size=5", "pacta-meetings-q-Minsk.csv"),
        ('q="a/b\\c"; rm', "pacta-meetings-q-a-b-c-rm.csv"),
        ("q=&year=2019", "pacta-meetings-2019.csv"),
    ],
)
def test_the_file_name_says_what_was_filtered(query, name):
    assert downloads.export_filename("meetings", QueryDict(query), "csv") == name
    assert len(downloads.export_filename("meetings", QueryDict("q=" + "x" * 500), "csv")) < 130


def test_the_export_answers_with_the_filtered_name(seeded, client):
    response = client.get("/api/v1/meetings/export.csv?country=AZ,KZ&year=2024&format=csv")
    assert response["Content-Disposition"] == (
        'attachment; filename="pacta-meetings-country-AZ-KZ-2024.csv"'
    )
