import hashlib
import json
import random
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Max, Min

from agreements.models import Document, Milestone, Package, Project, StatusEvent
from datagen import generate as generate_module
from datagen.generate import SLUG_PREFIX, GenerateError, Plan, Table, generate, occurrence_at
from records import search
from records.models import Citation, Source, find_quote
from summits.models import Body, Meeting, MeetingCountry, MeetingPerson, Office, Person

pytestmark = pytest.mark.django_db

MEETINGS = 300
GENERATED = (Person, Body, Meeting, Package, Document, Project, Source)
CHILDREN = (Office, MeetingCountry, MeetingPerson, StatusEvent, Milestone, Citation)


def generated(model):
    return model.objects.filter(slug__startswith=SLUG_PREFIX)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in GENERATED + CHILDREN}


def generated_hash() -> str:
    rows = {model.__name__: list(generated(model).order_by("pk").values()) for model in GENERATED}
    rows["Citation"] = list(
        Citation.objects.filter(source__slug__startswith=SLUG_PREFIX).order_by("pk").values()
    )
    rows["MeetingCountry"] = list(
        MeetingCountry.objects.filter(meeting__slug__startswith=SLUG_PREFIX)
        .order_by("pk")
        .values()
    )
    encoded = json.dumps(rows, cls=DjangoJSONEncoder, sort_keys=True)
    return hashlib.sha256(encoded.encode()).hexdigest()


def test_counts_follow_the_number_of_meetings(seeded):
    report = generate(meetings=MEETINGS, seed=1)
    plan = Plan(MEETINGS)
    assert generated(Meeting).count() == MEETINGS
    assert generated(Person).count() == plan.persons == 15
    assert generated(Project).count() == plan.projects == 150
    assert generated(Source).count() == MEETINGS // plan.meetings_per_source
    # About three documents per meeting, as 300,000 for 100,000 meetings.
    assert 2.5 * MEETINGS <= generated(Document).count() <= 3.5 * MEETINGS
    per_meeting = generated(Meeting).annotate(
        n_countries=Count("participations", distinct=True),
        n_persons=Count("attendances", distinct=True),
    )
    spans = per_meeting.aggregate(
        Min("n_countries"), Max("n_countries"), Min("n_persons"), Max("n_persons")
    )
    assert (spans["n_countries__min"], spans["n_countries__max"]) == (2, 4)
    assert spans["n_persons__min"] >= 2 and spans["n_persons__max"] <= 4
    assert generated(Meeting).filter(parent__isnull=False).exists()
    assert generated(Meeting).exclude(session_number=None).exists()
    assert set(generated(Meeting).values_list("status", flat=True)) == {"published"}
    assert report.rows[Meeting._meta.db_table] == MEETINGS
    assert sum(report.rows.values()) > 20 * MEETINGS


def test_every_citation_quotes_its_source_verbatim(seeded):
    generate(meetings=MEETINGS, seed=2)
    citations = Citation.objects.filter(source__slug__startswith=SLUG_PREFIX).select_related(
        "source", "content_type"
    )
    assert citations.count() > 2 * MEETINGS
    cited = {}
    for citation in citations:
        text = citation.source.text
        assert text[citation.start : citation.end] == citation.quote
        assert find_quote(text, citation.quote, citation.occurrence) == citation.start
        cited.setdefault(citation.content_type.model_class(), set()).add(citation.object_id)
    assert set(cited) == {Meeting, Document, StatusEvent, Project}
    for model, ids in cited.items():
        assert model.objects.filter(pk__in=ids).count() == len(ids)
    assert citations.filter(field="date").exists()


def test_occurrence_counts_as_citation_locate_does():
    text = "signed on 1 May. The treaty was signed on 1 May."
    second = text.rindex("signed on 1 May")
    assert occurrence_at(text, "signed on 1 May", second) == 2
    assert find_quote(text, "signed on 1 May", 2) == second


def test_the_same_seed_gives_the_same_rows(seeded):
    generate(meetings=MEETINGS, seed=7)
    first = generated_hash()
    generate(meetings=MEETINGS, seed=7, replace=True)
    assert generated_hash() == first
    generate(meetings=MEETINGS, seed=8, replace=True)
    assert generated_hash() != first


def test_replace_leaves_the_curated_records_alone(seeded):
    curated = {model.__name__: model.objects.count() for model in GENERATED}
    generate(meetings=MEETINGS, seed=3)
    report = generate(meetings=MEETINGS, seed=3, replace=True)
    assert report.deleted > 0
    assert generated(Meeting).count() == MEETINGS
    for model in GENERATED:
        assert (
            model.objects.exclude(slug__startswith=SLUG_PREFIX).count() == curated[model.__name__]
        )


def test_refuses_to_generate_twice_without_replace(seeded):
    generate(meetings=MEETINGS, seed=4)
    before = counts()
    with pytest.raises(GenerateError, match="--replace"):
        generate(meetings=MEETINGS, seed=4)
    assert counts() == before


def test_refuses_a_database_with_an_analysts_history(seeded):
    analyst = get_user_model().objects.create_user("analyst", password="x" * 16)
    meeting = Meeting.objects.exclude(slug__startswith=SLUG_PREFIX).first()
    meeting._history_user = analyst
    meeting.city = "Astana"
    meeting.save()
    before = counts()
    with pytest.raises(GenerateError, match="analysts' records"):
        generate(meetings=MEETINGS, seed=5)
    assert counts() == before
    generate(meetings=MEETINGS, seed=5, allow_analyst_data=True)
    assert generated(Meeting).count() == MEETINGS


def test_refuses_a_database_with_analyst_edit_marks(seeded):
    Person.objects.filter(pk=Person.objects.first().pk).update(analyst_edited=["name"])
    with pytest.raises(GenerateError, match="persons edited by analysts"):
        generate(meetings=MEETINGS, seed=5)


def test_an_interrupted_run_writes_nothing(seeded, monkeypatch):
    before = counts()

    def fail(self):
        raise RuntimeError("interrupted")

    monkeypatch.setattr(generate_module.Generator, "make_projects", fail)
    with pytest.raises(RuntimeError, match="interrupted"):
        generate(meetings=MEETINGS, seed=6)
    assert counts() == before


def test_generated_records_pass_model_validation(seeded):
    generate(meetings=MEETINGS, seed=9)
    pick = random.Random(0)
    for model in (Meeting, Document, Project, Source, Person, Package):
        pks = list(generated(model).values_list("pk", flat=True))
        for record in model.objects.filter(pk__in=pick.sample(pks, min(len(pks), 25))):
            record.full_clean()
    for office in Office.objects.filter(person__slug__startswith=SLUG_PREFIX)[:25]:
        office.full_clean()
    sessions = generated(Meeting).exclude(session_number=None)
    numbers = list(sessions.values_list("body", "session_number"))
    assert len(numbers) == len(set(numbers))


def test_a_table_must_list_every_field_of_its_model():
    with pytest.raises(GenerateError, match="summits_meeting"):
        Table(Meeting, "id slug title", first_id=1)


def test_command_reports_and_refuses(seeded):
    out = StringIO()
    call_command("generate_data", "--meetings", "40", stdout=out)
    assert "Generated" in out.getvalue()
    assert "summits_meeting" in out.getvalue()
    with pytest.raises(CommandError, match="--replace"):
        call_command("generate_data", "--meetings", "40", stdout=StringIO())


def test_generated_rows_are_searchable_and_the_index_stays_live(seeded):
    generate(meetings=MEETINGS, seed=11)
    meeting = generated(Meeting).order_by("pk").last()
    city_word = max(search.WORD.findall(meeting.city), key=len)
    assert meeting in Meeting.objects.search(city_word, None)
    quoted = Citation.objects.filter(source__slug__startswith=SLUG_PREFIX).first()
    word = max(search.WORD.findall(quoted.quote), key=len)
    assert quoted.object_id in set(
        quoted.content_type.model_class().objects.search(word, None).values_list("pk", flat=True)
    )
    # After the bulk load the triggers are back: an ordinary save is indexed at once.
    meeting.title = "Zyxwvut talks"
    meeting.save()
    assert list(Meeting.objects.search("zyxwvut", None)) == [meeting]


def test_an_interrupted_run_keeps_the_search_index(seeded, monkeypatch):
    monkeypatch.setattr(
        generate_module.Generator, "make_projects", lambda self: 1 / 0, raising=True
    )
    with pytest.raises(ZeroDivisionError):
        generate(meetings=MEETINGS, seed=12)
    Meeting.objects.create(slug="after-a-failed-run", title="Qqqvisit", kind="talks")
    assert Meeting.objects.search("qqqvisit", None).count() == 1
