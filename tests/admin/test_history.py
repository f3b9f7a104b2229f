"""Every change leaves a history row with its author and a field diff; a revert works."""

from summits.models import Meeting
from tests.admin.conftest import change_url, form_data

SLUG = "az-kz-supreme-interstate-council-2"


def _edit(client, obj, **changes):
    data = form_data(client.get(change_url(obj)))
    data.update(changes)
    response = client.post(change_url(obj), data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    obj.refresh_from_db()
    return obj


def test_each_change_leaves_one_history_row_with_its_author(seeded, analyst, analyst_client):
    meeting = Meeting.objects.get(slug=SLUG)
    before = meeting.history.count()
    _edit(analyst_client, meeting, city="Astana, Akorda")
    _edit(analyst_client, meeting, summary="A second edit.")
    rows = list(meeting.history.order_by("-history_date", "-history_id")[:2])
    assert meeting.history.count() == before + 2
    assert [row.history_user for row in rows] == [analyst, analyst]
    assert rows[0].summary == "A second edit."
    assert rows[1].city == "Astana, Akorda"


def test_the_history_page_shows_a_field_diff_without_bookkeeping(seeded, analyst_client):
    meeting = Meeting.objects.get(slug=SLUG)
    _edit(analyst_client, meeting, city="Astana, Akorda")
    response = analyst_client.get(change_url(meeting).replace("/change/", "/history/"))
    page = response.content.decode()
    assert "alice" in page
    assert "Astana, Akorda" in page
    fields = {
        str(change["field"]).lower()
        for record in response.context["page_obj"]
        for change in getattr(record, "history_delta_changes", [])
    }
    assert "city" in fields
    assert not {"version", "updated at", "seeded values", "fields edited by analysts"} & fields


def test_revert_restores_an_earlier_version(seeded, analyst, analyst_client):
    meeting = Meeting.objects.get(slug=SLUG)
    original_city = meeting.city
    original = meeting.history.latest()
    _edit(analyst_client, meeting, city="Somewhere else")
    version_after_edit = meeting.version

    revert_url = change_url(meeting).replace("/change/", f"/history/{original.history_id}/")
    page = analyst_client.get(revert_url)
    assert page.status_code == 200
    data = form_data(page)
    assert data["city"] == original_city
    assert data["edit_version"] == str(version_after_edit)
    response = analyst_client.post(revert_url, data)
    assert response.status_code == 302

    meeting.refresh_from_db()
    assert meeting.city == original_city
    assert meeting.version == version_after_edit + 1  # versions only ever rise
    latest = meeting.history.latest()
    assert latest.history_user == analyst
    assert latest.city == original_city


def test_a_stale_revert_is_refused_too(seeded, analyst_client, second_analyst):
    from tests.admin.conftest import client_for

    meeting = Meeting.objects.get(slug=SLUG)
    original = meeting.history.latest()
    _edit(analyst_client, meeting, city="Somewhere else")
    revert_url = change_url(meeting).replace("/change/", f"/history/{original.history_id}/")
    data = form_data(analyst_client.get(revert_url))
    _edit(client_for(second_analyst), meeting, summary="Bob was here.")
    response = analyst_client.post(revert_url, data)
    assert response.status_code == 200
    assert "bob changed this record" in response.content.decode()
    meeting.refresh_from_db()
    assert meeting.summary == "Bob was here."
