"""The change feed: what an anonymous client can observe, in order, from a cursor."""

import datetime as dt

import pytest
from django.utils import timezone

from agreements.models import Document
from records.changes import Change
from records.services import records_publish, records_unpublish
from records.tracking import report
from summits.models import Meeting, Person


def changes(client, since: str, **params) -> dict:
    query = "&".join(f"{key}={value}" for key, value in {"since": since, **params}.items())
    response = client.get(f"/api/v1/changes/?{query}")
    assert response.status_code == 200, response.content
    return response.json()


def test_now_gives_the_current_cursor(seeded, client):
    assert client.get("/api/v1/changes/").json() == changes(client, "now")
    body = changes(client, "now")
    assert body["results"] == [] and body["next"] is None
    assert body["cursor"] == str(Change.objects.latest("id").id)


def test_a_renamed_person_reports_it_and_every_record_showing_it(
    seeded, client, django_capture_on_commit_callbacks
):
    cursor = changes(client, "now")["cursor"]
    person = Person.objects.get(slug="ilham-aliyev")
    with django_capture_on_commit_callbacks(execute=True):
        person.name = "Ilham Heydar oglu Aliyev"
        person.save()
    body = changes(client, cursor)
    reported = {(c["kind"], c["slug"], c["change"]) for c in body["results"]}
    assert ("persons", "ilham-aliyev", "updated") in reported
    shown_in = Meeting.objects.published().filter(persons=person)
    assert shown_in.exists()
    for meeting in shown_in:
        assert ("meetings", meeting.slug, "updated") in reported
    assert body["cursor"] == body["results"][-1]["cursor"]
    assert body["results"][0]["url"].endswith(
        f"/api/v1/{body['results'][0]['kind']}/{body['results'][0]['slug']}/"
    )
    # Resuming from the answer's cursor: nothing new.
    assert changes(client, body["cursor"])["results"] == []


def test_unpublished_and_deleted_are_removed_and_published_updated(
    seeded, client, django_capture_on_commit_callbacks
):
    cursor = changes(client, "now")["cursor"]
    document = Document.objects.published().order_by("pk").first()
    meeting = document.meeting
    with django_capture_on_commit_callbacks(execute=True):
        records_unpublish(queryset=Document.objects.filter(pk=document.pk), user=None)
    body = changes(client, cursor)
    reported = [(c["kind"], c["slug"], c["change"]) for c in body["results"]]
    assert ("documents", document.slug, "removed") in reported
    if meeting is not None and meeting.is_published:
        assert ("meetings", meeting.slug, "updated") in reported
    with django_capture_on_commit_callbacks(execute=True):
        records_publish(queryset=Document.objects.filter(pk=document.pk), user=None)
    body = changes(client, body["cursor"])
    assert ("documents", document.slug, "updated") in {
        (c["kind"], c["slug"], c["change"]) for c in body["results"]
    }
    with django_capture_on_commit_callbacks(execute=True):
        Document.objects.get(pk=document.pk).delete()
    body = changes(client, body["cursor"])
    assert ("documents", document.slug, "removed") in {
        (c["kind"], c["slug"], c["change"]) for c in body["results"]
    }


def test_a_draft_edit_is_not_observable(seeded, client, django_capture_on_commit_callbacks):
    cursor = changes(client, "now")["cursor"]
    draft = Meeting.objects.filter(status="draft").first() or Meeting.objects.create(
        slug="a-draft-meeting", title="A draft meeting"
    )
    with django_capture_on_commit_callbacks(execute=True):
        draft.title += " (edited)"
        draft.save()
    assert changes(client, cursor)["results"] == []


def test_pages_follow_next(seeded, client):
    first = Change.objects.order_by("id").first().id - 1
    body = changes(client, str(first), limit=5)
    assert len(body["results"]) == 5 and body["next"]
    seen = [c["cursor"] for c in body["results"]]
    follow = client.get(body["next"]).json()
    assert int(follow["results"][0]["cursor"]) > int(seen[-1])


@pytest.mark.parametrize(
    "query", ["since=", "since=-1", "since=abc", "since=1&limit=0", "since=1&limit=5000"]
)
def test_bad_parameters_are_400(seeded, client, query):
    response = client.get(f"/api/v1/changes/?{query}")
    assert response.status_code == 400
    assert response.json()


def test_a_cursor_older_than_the_retention_is_410(seeded, client, settings):
    settings.PACTA_CHANGES_RETENTION_DAYS = 30
    old = Change.objects.order_by("id").first()
    Change.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=31))
    report({Person: set(Person.objects.values_list("pk", flat=True)[:1])})
    response = client.get(f"/api/v1/changes/?since={old.id - 1}")
    assert response.status_code == 410
    assert "30 days" in response.json()["detail"]
    assert "since=now" in response.json()["detail"]
    assert client.get(f"/api/v1/changes/?since={old.id}").status_code == 200
