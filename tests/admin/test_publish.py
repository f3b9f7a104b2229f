"""Publish and unpublish: counted, one history row each with its author, seen by the public."""

from records.models import EditorialStatus
from summits.models import Meeting
from tests.admin.conftest import changelist_url


def _action(client, model, action, pks):
    return client.post(
        changelist_url(model), {"action": action, "_selected_action": pks}, follow=True
    )


def test_publish_reports_how_many_changed_and_leaves_one_history_row_each(
    seeded, analyst, analyst_client
):
    meetings = list(Meeting.objects.order_by("pk")[:3])
    drafted = meetings[:2]
    for meeting in drafted:
        meeting.status = EditorialStatus.DRAFT
        meeting.save()
    assert not Meeting.objects.published().filter(pk=drafted[0].pk).exists()
    history_before = {m.pk: m.history.count() for m in meetings}

    response = _action(analyst_client, Meeting, "publish_selected", [m.pk for m in meetings])

    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["2 meetings published (1 already were)."]
    for meeting in meetings:
        meeting.refresh_from_db()
        assert meeting.status == EditorialStatus.PUBLISHED
    for meeting in drafted:
        assert meeting.history.count() == history_before[meeting.pk] + 1
        latest = meeting.history.latest()
        assert latest.history_user == analyst
        assert latest.status == EditorialStatus.PUBLISHED
        assert "status" in meeting.analyst_edited
    assert meetings[2].history.count() == history_before[meetings[2].pk]
    # The publish gate every public page and API view starts from.
    assert Meeting.objects.published().filter(pk__in=[m.pk for m in drafted]).count() == 2


def test_unpublish_takes_records_off_the_public_pages(seeded, analyst_client):
    meeting = Meeting.objects.get(slug="az-kz-supreme-interstate-council-2")
    assert Meeting.objects.published().filter(pk=meeting.pk).exists()

    response = _action(analyst_client, Meeting, "unpublish_selected", [meeting.pk])

    assert [str(m) for m in response.context["messages"]] == [
        "1 meeting unpublished (0 already were)."
    ]
    meeting.refresh_from_db()
    assert meeting.status == EditorialStatus.DRAFT
    assert not Meeting.objects.published().filter(pk=meeting.pk).exists()


def test_a_reseed_keeps_an_analysts_unpublish(seeded, analyst_client):
    from seeds.load import seed

    meeting = Meeting.objects.get(slug="az-kz-supreme-interstate-council-2")
    _action(analyst_client, Meeting, "unpublish_selected", [meeting.pk])
    report = seed()
    meeting.refresh_from_db()
    assert meeting.status == EditorialStatus.DRAFT
    assert f"meetings/{meeting.slug}.status" in report.kept


def test_every_record_admin_offers_both_actions(seeded, analyst_client):
    from django.contrib import admin

    from records.admin_base import RecordAdmin

    record_admins = [m for m, a in admin.site._registry.items() if isinstance(a, RecordAdmin)]
    assert len(record_admins) == 8
    for model in record_admins:
        response = analyst_client.get(changelist_url(model))
        choices = dict(response.context["action_form"].fields["action"].choices)
        assert "publish_selected" in choices
        assert "unpublish_selected" in choices
        assert "delete_selected" not in choices
