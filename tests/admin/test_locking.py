"""No lost updates: the second of two concurrent saves is refused, and says why."""

from summits.models import Meeting
from tests.admin.conftest import change_url, client_for, form_data

SLUG = "az-kz-supreme-interstate-council-2"


def test_the_second_of_two_concurrent_saves_is_refused(seeded, analyst, second_analyst):
    alice, bob = client_for(analyst), client_for(second_analyst)
    meeting = Meeting.objects.get(slug=SLUG)
    url = change_url(meeting)

    alice_form = form_data(alice.get(url))
    bob_form = form_data(bob.get(url))

    bob_form["city"] = "Astana (Akorda)"
    bob_saved = bob.post(url, bob_form)
    assert bob_saved.status_code == 302

    alice_form["title"] = "Second session of the Supreme Interstate Council"
    refused = alice.post(url, alice_form)

    assert refused.status_code == 200
    message = refused.content.decode()
    assert "bob changed this record" in message
    assert "Nothing was saved" in message
    assert "Astana (Akorda)" in message  # what bob changed, field by field
    form = refused.context["adminform"].form
    assert form["title"].value() == "Second session of the Supreme Interstate Council"
    meeting.refresh_from_db()
    assert meeting.city == "Astana (Akorda)"
    assert meeting.title != "Second session of the Supreme Interstate Council"

    # Having read what bob changed, alice saves again on purpose: her form now carries the
    # current version, so it goes through, and bob's city is what her form shows and keeps.
    again = form_data(refused)
    assert again["edit_version"] == str(meeting.version)
    assert again["city"] == "Astana"  # her stale value, kept as she typed it
    again["city"] = meeting.city
    saved = alice.post(url, again)
    assert saved.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "Second session of the Supreme Interstate Council"
    assert meeting.city == "Astana (Akorda)"


def test_a_change_to_a_list_beside_the_record_also_counts(seeded, analyst, second_analyst):
    alice, bob = client_for(analyst), client_for(second_analyst)
    meeting = Meeting.objects.get(slug=SLUG)
    url = change_url(meeting)
    alice_form = form_data(alice.get(url))
    bob_form = form_data(bob.get(url))

    bob_form["participations-0-role"] = "mediator"
    assert bob.post(url, bob_form).status_code == 302

    alice_form["summary"] = "Alice's summary."
    refused = alice.post(url, alice_form)
    assert refused.status_code == 200
    assert "bob: Changed Role for participating country" in refused.content.decode()
    meeting.refresh_from_db()
    assert meeting.summary != "Alice's summary."


def test_a_publish_between_render_and_save_is_not_undone(seeded, analyst, second_analyst):
    from records.models import EditorialStatus

    meeting = Meeting.objects.get(slug=SLUG)
    meeting.status = EditorialStatus.DRAFT
    meeting.save()
    alice, bob = client_for(analyst), client_for(second_analyst)
    url = change_url(meeting)
    alice_form = form_data(alice.get(url))
    published = bob.post(
        "/admin/summits/meeting/",
        {"action": "publish_selected", "_selected_action": [meeting.pk]},
    )
    assert published.status_code == 302

    alice_form["summary"] = "Alice's summary."
    refused = alice.post(url, alice_form)
    assert refused.status_code == 200
    assert "<strong>editorial status</strong>: Draft → Published" in refused.content.decode()
    meeting.refresh_from_db()
    assert meeting.status == EditorialStatus.PUBLISHED


def test_a_form_without_its_version_is_refused(seeded, analyst_client):
    meeting = Meeting.objects.get(slug=SLUG)
    url = change_url(meeting)
    data = form_data(analyst_client.get(url))
    del data["edit_version"]
    response = analyst_client.post(url, data)
    assert response.status_code == 200
    assert "does not say which version" in response.content.decode()
