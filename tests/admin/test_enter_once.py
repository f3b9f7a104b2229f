"""Each fact entered once: the host country is the participant with role Host; a meeting held
during another is offered its countries and persons; a document signed at a meeting takes
its place and date from it; "signed" is entered as how the document was concluded."""

from importlib import import_module

from django.apps import apps

from agreements.models import Document, StatusEvent
from records.basis import Basis
from summits.models import Country, Meeting, MeetingCountry
from tests.admin.conftest import change_url, form_data

VISIT = "aliyev-state-visit-kazakhstan-2025"
COUNTRIES = "participations"


def with_countries(data: dict, rows: list[tuple[Country, str]]) -> dict:
    """The form's country rows replaced by `rows` (the saved ones deleted)."""
    initial = int(data[f"{COUNTRIES}-INITIAL_FORMS"])
    for index in range(initial):
        data[f"{COUNTRIES}-{index}-DELETE"] = "on"
    for offset, (country, role) in enumerate(rows):
        index = initial + offset
        data[f"{COUNTRIES}-{index}-country"] = str(country.pk)
        data[f"{COUNTRIES}-{index}-role"] = role
        data[f"{COUNTRIES}-{index}-id"] = ""
        data[f"{COUNTRIES}-{index}-meeting"] = ""
    data[f"{COUNTRIES}-TOTAL_FORMS"] = str(initial + len(rows))
    return data


def test_the_meeting_form_has_no_host_country_field(seeded, analyst_client):
    meeting = Meeting.objects.get(slug=VISIT)
    form = analyst_client.get(change_url(meeting)).context["adminform"].form
    assert "host_country" not in form.fields
    assert "city" in form.fields


def test_the_host_country_is_the_country_with_role_host(seeded, analyst_client):
    meeting = Meeting.objects.get(slug=VISIT)
    kazakhstan, azerbaijan = Country.objects.get(code="KZ"), Country.objects.get(code="AZ")
    data = form_data(analyst_client.get(change_url(meeting)))
    # The roles swapped: Azerbaijan hosts now, and the meeting's host follows.
    with_countries(data, [(azerbaijan, "host"), (kazakhstan, "guest")])
    response = analyst_client.post(change_url(meeting), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    meeting.refresh_from_db()
    assert meeting.host_country == azerbaijan
    assert "host_country" in meeting.analyst_edited
    # No Host row: no host country.
    data = form_data(analyst_client.get(change_url(meeting)))
    with_countries(data, [(azerbaijan, "guest"), (kazakhstan, "guest")])
    assert analyst_client.post(change_url(meeting), data).status_code == 302
    meeting.refresh_from_db()
    assert meeting.host_country is None


def test_two_hosts_are_refused_and_nothing_is_lost(seeded, analyst_client):
    meeting = Meeting.objects.get(slug=VISIT)
    before = sorted(meeting.participations.values_list("country__code", "role"))
    kazakhstan, azerbaijan = Country.objects.get(code="KZ"), Country.objects.get(code="AZ")
    data = with_countries(
        form_data(analyst_client.get(change_url(meeting))),
        [(azerbaijan, "host"), (kazakhstan, "host")],
    )
    response = analyst_client.post(change_url(meeting), data)
    assert response.status_code == 200
    assert "A meeting has one host country" in response.content.decode()
    assert sorted(meeting.participations.values_list("country__code", "role")) == before


def test_a_meeting_added_inside_a_visit_is_offered_its_countries_and_persons(
    seeded, analyst_client
):
    visit = Meeting.objects.get(slug=VISIT)
    response = analyst_client.get(f"/admin/summits/meeting/add/?parent={visit.pk}")
    assert response.status_code == 200
    formsets = {
        inline.formset.prefix: inline.formset
        for inline in response.context["inline_admin_formsets"]
    }
    offered = [
        (form.initial.get("country"), form.initial.get("role"))
        for form in formsets[COUNTRIES].forms
        if form.initial
    ]
    assert sorted(offered) == sorted(visit.participations.values_list("country_id", "role"))
    people = [form.initial.get("person") for form in formsets["attendances"].forms if form.initial]
    assert sorted(people) == sorted(visit.attendances.values_list("person_id", flat=True))
    form = response.context["adminform"].form
    assert form.initial["parent"] == str(visit.pk)
    # The visit's countries are inferred there; the session carries that basis and reasoning.
    assert form.initial["basis__countries"] == Basis.INFERRED
    assert form.initial["basis_reasoning__countries"].startswith(
        f"As for the meeting it is part of, “{visit}”: "
    )
    # The visit's page links to the add page that offers them.
    change = analyst_client.get(change_url(visit)).content.decode()
    assert f'href="/admin/summits/meeting/add/?parent={visit.pk}"' in change
    assert f'href="/admin/agreements/document/add/?meeting={visit.pk}"' in change


def test_a_document_added_from_its_meeting_takes_its_place_and_date(seeded, analyst_client):
    session = Meeting.objects.get(slug="az-kz-supreme-interstate-council-2")
    response = analyst_client.get(f"/admin/agreements/document/add/?meeting={session.pk}")
    initial = response.context["adminform"].form.initial
    assert initial["place_city"] == "Astana"
    assert initial["place_country"] == session.host_country_id
    assert initial["date"] == session.start_date
    # The session's city is stated by a quote on the session: on the document it is inferred
    # from it; its host country is inferred there, and that reasoning is carried.
    assert initial["basis__place_city"] == Basis.INFERRED
    assert "where a cited quote states it" in initial["basis_reasoning__place_city"]
    assert initial["basis__place_country"] == Basis.INFERRED
    assert "Kazakhstan's capital" in initial["basis_reasoning__place_country"]
    assert initial["year_inferred"] is True and initial["inference"]


def test_a_document_added_in_the_meetings_rows_takes_its_place_and_date(seeded, analyst_client):
    session = Meeting.objects.get(slug="az-kz-supreme-interstate-council-2")
    data = form_data(analyst_client.get(change_url(session)))
    prefix = "documents"
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    data[f"{prefix}-{index}-title"] = "Memorandum on a test"
    data[f"{prefix}-{index}-slug"] = "memorandum-on-a-test"
    data[f"{prefix}-{index}-kind"] = "memorandum"
    data[f"{prefix}-{index}-date_precision"] = "day"
    response = analyst_client.post(change_url(session), data)
    assert response.status_code == 302
    document = Document.objects.get(slug="memorandum-on-a-test")
    assert (document.place_city, document.place_country_id) == ("Astana", session.host_country_id)
    assert document.date == session.start_date
    assert document.basis_of("place_city")["basis"] == Basis.INFERRED
    document.full_clean()


def test_how_a_document_was_concluded_gives_its_status_step(seeded, analyst_client):
    document = Document.objects.get(slug="by-az-joint-statement-2018")
    assert not document.status_events.exists()
    data = form_data(analyst_client.get(change_url(document)))
    data["conclusion"] = "signed_by_leaders"
    response = analyst_client.post(change_url(document), data)
    assert response.status_code == 302
    step = document.status_events.get()
    assert step.status == StatusEvent.Status.SIGNED
    assert (step.date, step.date_precision) == (document.date, document.date_precision)
    # The conclusion is stated (a quote cites it): the step is inferred from it.
    assert step.basis_of("status")["basis"] == Basis.INFERRED
    assert step.basis_of("date")["basis"] == Basis.INFERRED
    document.refresh_from_db()
    assert "status_history" in document.analyst_edited
    # Saved again unchanged: no second step.
    data = form_data(analyst_client.get(change_url(document)))
    assert analyst_client.post(change_url(document), data).status_code == 302
    assert document.status_events.count() == 1


def test_the_migration_makes_every_host_a_participant(seeded):
    migration = import_module("summits.migrations.0009_host_country_as_participant")
    missing = Meeting.objects.get(slug=VISIT)
    belarus = Country.objects.get(code="BY")
    kazakhstan = Country.objects.get(code="KZ")
    # A host missing from the countries, a host listed as a guest, a Host row with no host.
    Meeting.objects.filter(pk=missing.pk).update(host_country=belarus)
    other = Meeting.objects.get(slug="az-kz-supreme-interstate-council-1")
    other.participations.filter(role="host").update(role="guest")
    orphan = Meeting.objects.get(slug="cop29-baku-2024")
    Meeting.objects.filter(pk=orphan.pk).update(host_country=None)
    rows_before = MeetingCountry.objects.count()

    migration.host_as_participant(apps, None)
    assert missing.participations.get(country=belarus).role == "host"
    assert missing.participations.get(country=kazakhstan).role == "host"  # kept, not removed
    assert other.participations.get(country=other.host_country).role == "host"
    orphan.refresh_from_db()
    assert orphan.host_country == orphan.participations.get(role="host").country
    assert MeetingCountry.objects.count() == rows_before + 1
    # Every meeting's host is now one of its Host rows.
    for meeting in Meeting.objects.exclude(host_country=None):
        assert meeting.participations.filter(country=meeting.host_country, role="host").exists()
    # Run again: nothing more to do.
    migration.host_as_participant(apps, None)
    assert MeetingCountry.objects.count() == rows_before + 1


def test_a_host_set_by_a_writer_becomes_a_participant(seeded):
    meeting = Meeting.objects.get(slug=VISIT)
    belarus = Country.objects.get(code="BY")
    meeting.host_country = belarus
    meeting.host_as_participant()
    assert meeting.participations.get(country=belarus).role == "host"
    # A country already listed under another role is the host now.
    kazakhstan = meeting.participations.get(country__code="KZ")
    meeting.host_country = kazakhstan.country
    meeting.host_as_participant()
    kazakhstan.refresh_from_db()
    assert kazakhstan.role == "host"
