"""Issue 13: every fact says whether the text states it, implies it, or neither — on every
surface: model, loader and guard rails, API and schema, exports, filters, pages, admin."""

from __future__ import annotations

import csv
import io
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from agreements.models import Document, Milestone, Package, Project, StatusEvent
from records.basis import Basis, normalized
from seeds.load import seed
from summits.models import Meeting
from tests.admin.conftest import change_url, form_data

from ..conftest import MINI_RECORDS

pytestmark = pytest.mark.django_db

DECLARATION = "declaration-peaceful-settlement-az-am"
WASHINGTON_OUTSIDE = "Outside knowledge"
THREE = {"stated", "inferred", "outside"}


def api(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, (url, response.content[:300])
    return json.loads(response.content)


def slugs(client, url: str) -> list[str]:
    return [record["slug"] for record in api(client, url)["results"]]


# The model --------------------------------------------------------------------------------


def test_an_inference_without_reasoning_is_refused(seeded):
    meeting = Meeting.objects.get(slug="tokayev-official-visit-armenia-2024")
    meeting.basis = {"city": {"basis": "inferred", "reasoning": "  "}}
    with pytest.raises(ValidationError) as raised:
        meeting.full_clean()
    assert "reasoning" in str(raised.value)


def test_outside_knowledge_needs_a_note_and_the_values_are_exactly_three(seeded):
    meeting = Meeting.objects.get(slug="tokayev-official-visit-armenia-2024")
    meeting.basis = {"city": {"basis": "outside", "reasoning": ""}}
    with pytest.raises(ValidationError):
        meeting.full_clean()
    meeting.basis = {"city": {"basis": "probable", "reasoning": "A guess."}}
    with pytest.raises(ValidationError) as raised:
        meeting.full_clean()
    assert "stated, inferred, outside" in str(raised.value)


def test_a_fact_the_model_does_not_declare_is_refused(seeded):
    document = Document.objects.get(slug=DECLARATION)
    document.basis = {"colour": {"basis": "inferred", "reasoning": "Blue."}}
    with pytest.raises(ValidationError) as raised:
        document.full_clean()
    assert "Unknown fact 'colour'" in str(raised.value)


def test_year_inferred_is_the_special_case_of_an_inferred_date(seeded):
    step = StatusEvent.objects.filter(year_inferred=True).first()
    step.basis = {}
    with pytest.raises(ValidationError) as raised:
        step.full_clean()
    assert "year of date is inferred" in str(raised.value)


def test_every_declared_fact_has_a_basis_and_a_missing_entry_is_stated():
    bases = normalized({"city": {"basis": "inferred", "reasoning": "Why."}}, Meeting.basis_facts)
    assert list(bases) == list(Meeting.basis_facts)
    assert bases["city"] == {"basis": "inferred", "reasoning": "Why."}
    assert bases["start_date"] == {"basis": "stated", "reasoning": ""}


# The seed under the policy -----------------------------------------------------------------


def test_the_three_overclaims_of_the_issue_are_corrected_or_marked(seeded):
    declaration = Document.objects.get(slug=DECLARATION)
    for fact in ("date", "place_city", "place_country", "meeting"):
        assert declaration.basis_of(fact)["basis"] == Basis.OUTSIDE
        assert declaration.basis_of(fact)["reasoning"].startswith(WASHINGTON_OUTSIDE)
    assert declaration.year_inferred is False
    visits = Meeting.objects.filter(kind__in=["state_visit", "official_visit", "visit"])
    assert visits.count() == 5
    assert not visits.filter(end_date__isnull=False).exists()
    fund = Project.objects.get(slug="az-kz-joint-investment-fund")
    assert [m.kind for m in fund.milestones.all()] == [Milestone.Kind.ESTABLISHED]


def test_the_vocabulary_says_what_the_texts_say(seeded):
    assert Meeting.objects.get(slug="cop29-baku-2024").occurrence == Meeting.Occurrence.PLANNED
    assert Meeting.objects.get(slug="tokayev-visit-azerbaijan-2024").kind == Meeting.Kind.VISIT
    state_visit = Meeting.objects.get(slug="aliyev-state-visit-kazakhstan-2025")
    assert "press_conference" not in state_visit.formats


def test_every_stated_fact_of_the_seed_has_a_quote_for_its_field(seeded):
    from records.basis import unsupported_stated

    for model in (Meeting, Document, Project, StatusEvent, Milestone):
        for record in model.objects.all():
            cited = set(record.citations.values_list("field", flat=True))
            has_value = {fact: record.fact_has_value(fact) for fact in model.basis_facts}
            assert unsupported_stated(model, record.basis, has_value, cited) == [], record


def test_a_reseed_writes_nothing_and_keeps_an_analysts_basis(seeded):
    meeting = Meeting.objects.get(slug="tokayev-official-visit-armenia-2024")
    meeting.basis = {"city": {"basis": "inferred", "reasoning": "An analyst's doubt."}}
    meeting.mark_analyst_edited(["basis"])
    meeting.save()
    report = seed()
    assert sum(report.created.values()) == 0
    assert f"meetings/{meeting.slug}.basis" in report.kept
    meeting.refresh_from_db()
    assert meeting.basis_of("city")["reasoning"] == "An analyst's doubt."


# Guard rails of seed --check ----------------------------------------------------------------


def mini_with(tmp_path: Path, old: str, new: str) -> Path:
    text = MINI_RECORDS.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "records.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def check(path: Path) -> str:
    with pytest.raises(CommandError) as raised:
        call_command("seed", "--check", "--records", str(path), stdout=StringIO())
    return str(raised.value)


def test_seed_check_refuses_an_inference_without_reasoning(empty_db, tmp_path):
    path = mini_with(
        tmp_path,
        'host_country: {basis: inferred, reasoning: "Held in Baku, Azerbaijan\'s capital."}',
        'host_country: {basis: inferred, reasoning: ""}',
    )
    message = check(path)
    assert "meetings/az-kz-supreme-interstate-council-1: basis: Inferred needs the reasoning" in (
        message
    )


def test_seed_check_refuses_a_stated_fact_without_a_quote_for_it(empty_db, tmp_path):
    path = mini_with(
        tmp_path,
        "      meetings: {basis: inferred, reasoning: "
        '"Reported in the account of the first Council meeting."}\n',
        "",
    )
    message = check(path)
    assert "projects/kurmangazy-childrens-creativity-center: meetings is stated but no quote" in (
        message
    )


def test_seed_check_refuses_a_stated_date_whose_year_is_inferred(empty_db, tmp_path):
    path = mini_with(
        tmp_path,
        "      start_date: {basis: inferred, reasoning: "
        '"The visit falls in the 20th anniversary year of the 2005 treaty."}\n',
        "",
    )
    assert "start_date: the year is inferred, so its basis cannot be stated" in check(path)


def test_seed_check_passes_the_seed_under_the_policy(seeded, run_seed):
    assert "nothing written" in run_seed("--check")


# API, schema and filters ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resource", "model"),
    [("meetings", Meeting), ("documents", Document), ("packages", Package), ("projects", Project)],
)
def test_every_record_has_a_basis_for_every_declared_fact(seeded, client, resource, model):
    records = api(client, f"/api/v1/{resource}/?page_size=100")["results"]
    assert records
    for record in records:
        assert list(record["basis"]) == list(model.basis_facts)
        for entry in record["basis"].values():
            assert entry["basis"] in THREE
            assert entry["basis"] == "stated" or entry["reasoning"].strip()


def test_the_declarations_outside_facts_in_the_api(seeded, client):
    record = api(client, f"/api/v1/documents/{DECLARATION}/")
    assert record["basis"]["date"]["basis"] == "outside"
    assert record["basis"]["parties"] == {"basis": "stated", "reasoning": ""}
    [signed] = record["status_history"]
    assert signed["basis"]["date"]["basis"] == "outside"
    assert signed["basis"]["status"]["basis"] == "stated"
    # Fields are only added: the old ones keep their place and values.
    assert list(record)[-1] == "basis"
    assert record["date"] == "2025-08-08"


def test_filters_keep_to_stated_facts_or_find_the_others(seeded, client):
    outside = slugs(client, "/api/v1/documents/?basis=outside")
    assert set(outside) == {DECLARATION, "armenia-azerbaijan-peace-agreement"}
    stated = slugs(client, "/api/v1/documents/?basis=stated")
    assert stated and not set(stated) & set(outside)
    for slug in stated:
        record = api(client, f"/api/v1/documents/{slug}/")
        assert {e["basis"] for e in record["basis"].values()} == {"stated"}
        assert all(
            {e["basis"] for e in step["basis"].values()} == {"stated"}
            for step in record["status_history"]
        )
    dated = slugs(client, "/api/v1/meetings/?stated=start_date")
    assert dated == ["az-kz-supreme-interstate-council-1"]
    cities = slugs(client, "/api/v1/meetings/?stated=city&page_size=100")
    assert "aliyev-state-visit-kazakhstan-2025" not in cities
    assert "az-kz-supreme-interstate-council-2" in cities


def test_a_bad_basis_filter_is_a_400(seeded, client):
    assert "basis" in api(client, "/api/v1/meetings/?basis=probable", status=400)
    assert "stated" in api(client, "/api/v1/projects/?stated=colour", status=400)


def test_the_public_list_filters_alike(seeded, client):
    response = client.get("/documents/?basis=outside")
    assert response.status_code == 200
    page = response.content.decode()
    assert DECLARATION in page
    assert "russian-brokered-peace-agreement-2020" not in page


def test_the_schema_names_each_fact_and_the_three_values(seeded):
    out = StringIO()
    call_command("spectacular", "--format", "openapi-json", stdout=out)
    schemas = json.loads(out.getvalue())["components"]["schemas"]
    basis = schemas["Meeting"]["properties"]["basis"]
    assert set(basis["properties"]) == set(Meeting.basis_facts)
    assert basis["properties"]["city"]["properties"]["basis"]["enum"] == [
        "stated",
        "inferred",
        "outside",
    ]


# Exports ----------------------------------------------------------------------------------


def test_exports_carry_the_basis(seeded, client):
    lines = b"".join(client.get("/api/v1/documents/export.jsonl").streaming_content)
    records = {r["slug"]: r for r in map(json.loads, lines.decode().splitlines())}
    assert records[DECLARATION]["basis"]["place_city"]["basis"] == "outside"
    body = b"".join(client.get("/api/v1/documents/export.csv").streaming_content).decode()
    rows = {row["slug"]: row for row in csv.DictReader(io.StringIO(body))}
    assert "date=outside" in rows[DECLARATION]["basis"]
    assert "parties=stated" in rows[DECLARATION]["basis"]


# Pages and the policy ----------------------------------------------------------------------


def test_pages_say_inferred_or_outside_knowledge_with_the_reasoning_on_demand(seeded, client):
    page = client.get(f"/documents/{DECLARATION}/").content.decode()
    assert "outside knowledge" in page
    assert '<details class="basis-why">' in page
    assert "White House" in page
    meeting = client.get("/meetings/tokayev-official-visit-armenia-2024/").content.decode()
    assert ">inferred<" in meeting
    cop = client.get("/meetings/cop29-baku-2024/").content.decode()
    assert "announced or planned" in cop


def test_the_policy_is_served_and_linked_from_the_about_page_and_the_admin(
    seeded, client, admin_client
):
    policy = client.get("/about/editorial-policy/")
    assert policy.status_code == 200
    assert policy.content.decode().startswith("# Editorial policy")
    assert b'href="/about/editorial-policy/"' in client.get("/about/").content
    assert b'href="/about/editorial-policy/"' in admin_client.get("/admin/").content


# Admin -----------------------------------------------------------------------------------


def test_the_admin_shows_and_saves_a_basis_beside_the_values(seeded, admin_client):
    meeting = Meeting.objects.get(slug="tokayev-official-visit-armenia-2024")
    response = admin_client.get(change_url(meeting))
    data = form_data(response)
    assert data["basis__start_date"] == "inferred"
    data["basis__city"] = "inferred"
    data["basis_reasoning__city"] = "Yerevan, the capital, is named only as Armenia's capital."
    assert admin_client.post(change_url(meeting), data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.basis_of("city")["basis"] == "inferred"
    assert meeting.basis_of("start_date")["basis"] == "inferred"


def test_the_admin_refuses_an_inference_without_reasoning(seeded, admin_client):
    meeting = Meeting.objects.get(slug="tokayev-official-visit-armenia-2024")
    data = form_data(admin_client.get(change_url(meeting)))
    data["basis__city"] = "outside"
    data["basis_reasoning__city"] = ""
    response = admin_client.post(change_url(meeting), data)
    assert response.status_code == 200
    assert "Outside knowledge needs a note on what is known for city." in response.content.decode()


def test_the_admin_refuses_a_stated_fact_without_a_quote_for_its_field(seeded, admin_client):
    meeting = Meeting.objects.get(slug="by-az-documents-signing-ceremony-2018")
    data = form_data(admin_client.get(change_url(meeting)))
    data["basis__city"] = "stated"
    data["basis_reasoning__city"] = ""
    response = admin_client.post(change_url(meeting), data)
    assert response.status_code == 200
    assert "Stated without a quote: city." in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.basis_of("city")["basis"] == "inferred"


def test_the_admin_refuses_a_step_stated_without_its_quote(seeded, admin_client):
    project = Project.objects.get(slug="kz-am-direct-flights")
    data = form_data(admin_client.get(change_url(project)))
    key = next(k for k in data if k.endswith("-basis__date"))
    data[key] = "stated"
    data[key.replace("basis__date", "basis_reasoning__date")] = ""
    response = admin_client.post(change_url(project), data)
    assert response.status_code == 200
    assert "Stated without a quote: date." in response.content.decode()


# The migration's defaults ----------------------------------------------------------------


def test_the_migration_defaults_each_fact_by_its_citations(seeded):
    """Run on the current models with the migration's frozen facts: a fact holding a value is
    stated where a quote is cited for its field, inferred "to review" otherwise, and a date
    whose year was inferred is inferred with that inference; facts without a value get none."""
    import importlib

    from django.apps import apps

    from records.basis import REVIEW_NOTE, default_bases

    migration = importlib.import_module("summits.migrations.0007_fact_basis_and_vocabulary")
    Meeting.objects.update(basis={})
    before = Meeting.objects.count()
    default_bases(apps, "summits", migration.FACTS, migration.YEAR_FACTS)
    assert Meeting.objects.count() == before
    council = Meeting.objects.get(slug="az-kz-supreme-interstate-council-1")
    assert council.basis["city"] == {"basis": "stated", "reasoning": ""}
    assert council.basis["parent"] == {"basis": "inferred", "reasoning": REVIEW_NOTE}
    assert "end_date" in council.basis
    visit = Meeting.objects.get(slug="aliyev-official-visit-belarus-2018")
    assert visit.basis["start_date"] == {"basis": "inferred", "reasoning": visit.inference}
    assert "end_date" not in visit.basis
    council.full_clean()


def test_a_seed_after_the_migration_still_writes_the_steps_it_wrote_before(seeded):
    """A database seeded before bases existed remembers its status histories without them:
    the migration's defaults on those events are not analysts' edits, so the next seed
    writes the corrected steps (here the fund's milestone) instead of keeping them."""
    fund = Project.objects.get(slug="az-kz-joint-investment-fund")
    milestone = fund.milestones.get()
    Milestone.objects.filter(pk=milestone.pk).update(
        kind=Milestone.Kind.OPERATIONAL,
        basis={"kind": {"basis": "inferred", "reasoning": "To review."}},
    )
    old_keys = [key[1:] for key in fund.seeded["milestones"]]
    old_keys[0][4] = Milestone.Kind.OPERATIONAL.value
    Project.objects.filter(pk=fund.pk).update(seeded={**fund.seeded, "milestones": old_keys})
    report = seed()
    assert f"projects/{fund.slug}.milestones" not in report.kept
    assert [m.kind for m in fund.milestones.all()] == [Milestone.Kind.ESTABLISHED]
    assert fund.milestones.get().basis == {}
