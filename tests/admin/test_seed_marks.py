"""What an analyst edits in the admin, `manage.py seed` leaves alone afterwards."""

from agreements.models import Document, Milestone, Project
from seeds.load import seed
from summits.models import Country, Meeting
from tests.admin.conftest import change_url, form_data

SLUG = "az-kz-supreme-interstate-council-2"


def _save(client, obj, data):
    response = client.post(change_url(obj), data)
    assert response.status_code == 302
    obj.refresh_from_db()


def test_an_edited_field_survives_a_reseed(seeded, analyst_client):
    meeting = Meeting.objects.get(slug=SLUG)
    data = form_data(analyst_client.get(change_url(meeting)))
    data["title"] = "The second Supreme Interstate Council, as an analyst names it"
    _save(analyst_client, meeting, data)
    assert meeting.analyst_edited == ["title"]

    report = seed()

    meeting.refresh_from_db()
    assert meeting.title == "The second Supreme Interstate Council, as an analyst names it"
    assert f"meetings/{SLUG}.title" in report.kept


def test_an_edited_inline_list_is_marked_under_the_loaders_name(seeded, analyst_client):
    meeting = Meeting.objects.get(slug=SLUG)
    data = form_data(analyst_client.get(change_url(meeting)))
    data["participations-0-role"] = "mediator"
    _save(analyst_client, meeting, data)
    assert "countries" in meeting.analyst_edited
    edited_role = meeting.participations.order_by("pk").first().role

    report = seed()

    assert meeting.participations.order_by("pk").first().role == edited_role == "mediator"
    assert f"meetings/{SLUG}.countries" in report.kept


def test_an_unchanged_save_marks_nothing(seeded, analyst_client):
    meeting = Meeting.objects.get(slug=SLUG)
    _save(analyst_client, meeting, form_data(analyst_client.get(change_url(meeting))))
    assert meeting.analyst_edited == []


def test_a_milestone_edited_on_its_own_page_marks_the_projects_list(seeded, analyst_client):
    milestone = Milestone.objects.order_by("pk").first()
    data = form_data(analyst_client.get(change_url(milestone)))
    data["note"] = "Checked against the ministry's statement."
    _save(analyst_client, milestone, data)
    project = Project.objects.get(pk=milestone.project_id)
    assert "milestones" in project.analyst_edited

    report = seed()

    milestone.refresh_from_db()
    assert milestone.note == "Checked against the ministry's statement."
    assert f"projects/{project.slug}.milestones" in report.kept


def test_a_document_edited_inside_its_meeting_keeps_its_own_marks(seeded, analyst_client):
    meeting = Meeting.objects.filter(documents__isnull=False).distinct().first()
    data = form_data(analyst_client.get(change_url(meeting)))
    prefix = next(key for key in data if key.endswith("-0-title") and "documents" in key)
    data[prefix] = "Retitled by an analyst"
    _save(analyst_client, meeting, data)
    document = Document.objects.get(title="Retitled by an analyst")
    assert document.analyst_edited == ["title"]
    seed()
    document.refresh_from_db()
    assert document.title == "Retitled by an analyst"


def test_a_country_adjective_edit_survives_a_reseed(seeded, analyst_client):
    kazakhstan = Country.objects.get(code="KZ")
    data = form_data(analyst_client.get(change_url(kazakhstan)))
    data["adjective"] = "Kazakhstani"
    _save(analyst_client, kazakhstan, data)
    seed()
    kazakhstan.refresh_from_db()
    assert kazakhstan.adjective == "Kazakhstani"
    assert kazakhstan.analyst_edited == ["adjective"]
