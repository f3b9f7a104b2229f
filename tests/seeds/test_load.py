import hashlib
import json
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command
from django.core.serializers.json import DjangoJSONEncoder

from agreements.models import Document, Milestone, Project, StatusEvent
from records.models import Citation, EditorialStatus, Source
from seeds import load
from seeds.load import SeedError, seed
from summits.models import Body, Country, Meeting, Person

from ..conftest import MINI_RECORDS

pytestmark = pytest.mark.django_db

MODELS = (Source, Citation, Meeting, Body, Person, Document, StatusEvent, Project, Milestone)


def content_hash() -> str:
    """Everything the seed writes, minus timestamps, as one digest."""
    rows = {}
    for model in MODELS:
        values = model.objects.order_by("pk").values()
        rows[model.__name__] = [
            {k: v for k, v in row.items() if k not in {"created_at", "updated_at"}}
            for row in values
        ]
    rows["countries"] = list(
        Country.objects.order_by("code").values("code", "adjective", "aliases")
    )
    encoded = json.dumps(rows, cls=DjangoJSONEncoder, sort_keys=True)
    return hashlib.sha256(encoded.encode()).hexdigest()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def write_records(tmp_path: Path, mutate) -> Path:
    data = yaml.safe_load(MINI_RECORDS.read_text(encoding="utf-8"))
    mutate(data)
    path = tmp_path / "records.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_seed_twice_changes_nothing(mini_seeded):
    before_counts, before_hash = counts(), content_hash()
    history_before = Meeting.history.count()
    report = seed(records_path=MINI_RECORDS)
    assert counts() == before_counts
    assert content_hash() == before_hash
    assert Meeting.history.count() == history_before
    assert sum(report.created.values()) == sum(report.updated.values()) == 0
    assert report.citations == 0


def test_seeded_records_are_published(mini_seeded):
    assert not Meeting.objects.exclude(status=EditorialStatus.PUBLISHED).exists()
    assert Meeting.objects.published().count() == 3


def test_a_bad_quote_fails_clearly_and_writes_nothing(tmp_path, mini_seeded):
    before_counts, before_hash = counts(), content_hash()

    def break_a_quote(data):
        data["meetings"][0]["title"] = "A new title that must not be written"
        data["projects"][0]["cite"][0]["quote"] = "Kurmangazy Center in Baku"

    with pytest.raises(SeedError) as excinfo:
        seed(records_path=write_records(tmp_path, break_a_quote))
    message = str(excinfo.value)
    assert "projects/kurmangazy-childrens-creativity-center" in message
    assert "'Kurmangazy Center in Baku'" in message
    assert "azertac-council-2" in message
    assert counts() == before_counts
    assert content_hash() == before_hash


def test_a_failure_half_way_rolls_everything_back(monkeypatch, empty_db):
    def explode(self, record):
        raise SeedError("projects/boom: failed on purpose")

    monkeypatch.setattr(load.Loader, "load_project", explode)
    with pytest.raises(SeedError, match="failed on purpose"):
        seed(records_path=MINI_RECORDS)
    assert counts() == dict.fromkeys(counts(), 0)


def test_a_constraint_violation_names_the_record(tmp_path, empty_db):
    def end_before_start(data):
        data["meetings"][1]["end"] = {"date": "2025-10-19", "precision": "day"}
        data["meetings"][1]["end"]["date"] = __import__("datetime").date(2025, 10, 19)

    with pytest.raises(SeedError, match="meetings/aliyev-state-visit-kazakhstan-2025"):
        seed(records_path=write_records(tmp_path, end_before_start))
    assert Meeting.objects.count() == 0


def test_an_analysts_edit_survives_a_reseed_and_is_reported(mini_seeded):
    meeting = Meeting.objects.get(slug="az-kz-supreme-interstate-council-2")
    meeting.city = "Nur-Sultan"
    meeting.save()
    meeting.participations.filter(country__code="AZ").update(role="participant")
    person = Person.objects.get(slug="ilham-aliyev")
    person.mark_analyst_edited(["summary"])
    person.summary = "Written by an analyst."
    person.save()

    report = seed(records_path=MINI_RECORDS)

    meeting.refresh_from_db()
    assert meeting.city == "Nur-Sultan"
    assert meeting.participations.get(country__code="AZ").role == "participant"
    assert Person.objects.get(slug="ilham-aliyev").summary == "Written by an analyst."
    assert set(report.kept) == {
        "meetings/az-kz-supreme-interstate-council-2.city",
        "meetings/az-kz-supreme-interstate-council-2.countries",
        "persons/ilham-aliyev.summary",
    }


def test_a_changed_record_file_updates_fields_the_analyst_left_alone(tmp_path, mini_seeded):
    def retitle(data):
        data["meetings"][0]["summary"] = "A better summary."

    report = seed(records_path=write_records(tmp_path, retitle))
    meeting = Meeting.objects.get(slug="az-kz-supreme-interstate-council-2")
    assert meeting.summary == "A better summary."
    assert report.updated["meetings"] == 1


def test_check_writes_nothing(run_seed, empty_db):
    output = run_seed("--check", "--records", str(MINI_RECORDS))
    assert "nothing written" in output
    assert Meeting.objects.count() == 0
    assert Source.objects.count() == 0


def test_command_reports_a_summary_line(run_seed, empty_db):
    output = run_seed("--records", str(MINI_RECORDS))
    assert output.strip().splitlines()[-1].startswith("Seeded 15 records: 13 created")


def test_command_turns_errors_into_a_clear_failure(tmp_path, db):
    path = tmp_path / "broken.yaml"
    path.write_text("meetings: [unclosed", encoding="utf-8")
    with pytest.raises(CommandError, match=r"(?s)Nothing was written\. .*not valid YAML"):
        call_command("seed", "--records", str(path))


def test_nested_events_carry_their_own_citations(mini_seeded):
    event = StatusEvent.objects.get(
        document__slug="az-kz-treaty-strategic-partnership-allied-relations"
    )
    [citation] = event.citations.all()
    assert "20th anniversary" in citation.quote
    milestone = Milestone.objects.get(project__slug="kurmangazy-childrens-creativity-center")
    assert milestone.citations.get().quote.startswith("The Kurmangazy")


# -- the real seed: the five texts and seeds/records.yaml ------------------------------------


def test_seeded_counts_per_kind(seeded):
    from agreements.models import Package
    from summits.models import Organization

    assert Source.objects.count() == 5
    assert Person.objects.count() == 6
    assert Organization.objects.count() == 17
    assert Body.objects.count() == 3
    assert Meeting.objects.count() == 13
    assert Package.objects.count() == 3
    assert Document.objects.count() == 9
    assert Project.objects.count() == 27
    # 189 quotes, plus 76 cited again for the one fact they state (the editorial policy's
    # rule that a stated fact has a quote for its field; docs/seed-audit.md).
    assert Citation.objects.count() == 265
    assert seeded.records == 122


def test_every_citation_quote_is_found_at_its_offsets(seeded):
    citations = Citation.objects.select_related("source")
    assert citations.exists()
    for citation in citations:
        assert citation.source.text[citation.start : citation.end] == citation.quote


def test_stored_texts_are_the_files_verbatim(seeded):
    texts = Path(load.DEFAULT_TEXTS)
    for source in Source.objects.all():
        raw = (texts / source.filename).read_bytes()
        assert source.text.encode("utf-8") == raw
        assert source.sha256 == hashlib.sha256(raw).hexdigest()


def test_the_real_seed_is_idempotent(seeded):
    before_counts, before_hash = counts(), content_hash()
    report = seed()
    assert (counts(), content_hash()) == (before_counts, before_hash)
    assert report.unchanged.total() == seeded.records


def test_the_facts_the_texts_give(seeded):
    second = Meeting.objects.get(body__slug="az-kz-supreme-interstate-council", session_number=2)
    assert (second.city, second.host_country.code) == ("Astana", "KZ")
    assert second.start_date.isoformat() == "2025-10-21"
    assert second.year_inferred and second.inference
    assert second.parent.kind == Meeting.Kind.STATE_VISIT
    first = Meeting.objects.get(body__slug="az-kz-supreme-interstate-council", session_number=1)
    assert (first.city, first.start_date.isoformat()) == ("Baku", "2024-03-11")

    peace = Document.objects.get(slug="armenia-azerbaijan-peace-agreement")
    events = list(peace.status_events.all())
    assert [event.status for event in events] == ["proposed", "initialed"]
    sources = [{c.source.filename[:3] for c in event.citations.all()} for event in events]
    assert sources == [{"002"}, {"000"}]

    package = Document.objects.get(slug="az-kg-declaration-strategic-partnership-2022").package
    assert package.identified_display(package.documents.count()) == "1 of 10 identified"
    kurmangazy = Project.objects.get(kind=Project.Kind.GIFT)
    assert "Kurmangazy" in kurmangazy.name
    assert kurmangazy.location_country.code == "AZ"
