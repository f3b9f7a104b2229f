"""Publish with what it shows, in the admin: confirmation, one transaction, roles, warnings."""

from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from records.models import EditorialStatus, Source
from records.publishing import shown_drafts
from summits.models import Meeting
from tests.admin.conftest import change_url, changelist_url, client_for
from tests.draft_world import MEETING, MEETING_IN_DRAFT_BODY, MEETING_PART_OF_DRAFT


def _post(client, model, action, pks, **extra):
    return client.post(changelist_url(model), {"action": action, "_selected_action": pks, **extra})


def test_the_confirmation_lists_the_drafts_and_publishing_them_takes_one_step(
    draft_world, analyst, analyst_client
):
    meeting = Meeting.objects.get(slug=MEETING)
    drafts = shown_drafts([meeting])
    rows = {draft: draft.history.count() for draft in drafts}

    page = _post(analyst_client, Meeting, "publish_with_shown", [meeting.pk])

    assert page.status_code == 200
    assert page.template_name == "admin/records/publish_together.html"
    listed = [draft for draft, _, _ in page.context["drafts"]]
    assert listed == drafts
    for draft in drafts:
        assert str(draft) in page.content.decode()
    assert all(d.status == EditorialStatus.DRAFT for d in drafts)  # nothing published yet

    done = _post(analyst_client, Meeting, "publish_with_shown", [meeting.pk], confirm="yes")

    assert done.status_code == 302
    for draft in drafts:
        draft.refresh_from_db()
        assert draft.status == EditorialStatus.PUBLISHED
        assert draft.history.count() == rows[draft] + 1
        assert draft.history.latest().history_user == analyst
        assert LogEntry.objects.filter(object_id=str(draft.pk), user=analyst).exists()


def test_the_change_form_offers_the_button_and_it_leads_to_the_confirmation(
    draft_world, analyst_client
):
    meeting = Meeting.objects.get(slug=MEETING_IN_DRAFT_BODY)
    page = analyst_client.get(change_url(meeting))
    assert ("publish_with_shown", "Publish with what it shows") in page.context["publish_actions"]
    assert b'value="publish_with_shown"' in page.content

    confirm = _post(analyst_client, Meeting, "publish_with_shown", [meeting.pk])

    assert draft_world.drafts["body"] in [draft for draft, _, _ in confirm.context["drafts"]]


def test_publishing_alone_warns_and_names_the_drafts(draft_world, analyst_client):
    meeting = Meeting.objects.get(slug=MEETING_IN_DRAFT_BODY)
    Meeting.objects.filter(pk=meeting.pk).update(status=EditorialStatus.DRAFT)

    response = analyst_client.post(
        changelist_url(Meeting),
        {"action": "publish_selected", "_selected_action": [meeting.pk]},
        follow=True,
    )

    shown = [str(m) for m in response.context["messages"]]
    assert shown[0] == "1 meeting published (0 already were)."
    assert "shows 1 draft(s)" in shown[1]
    assert str(draft_world.drafts["body"]) in shown[1]
    draft_world.drafts["body"].refresh_from_db()
    assert draft_world.drafts["body"].status == EditorialStatus.DRAFT


def test_an_articles_records_are_published_from_its_source(draft_world, analyst_client):
    source = draft_world.drafts["source"]
    page = _post(analyst_client, Source, "publish_article", [source.pk])
    chosen = [record for record, _, _ in page.context["records"]]
    assert chosen[0] == source
    assert Meeting.objects.get(slug=MEETING) in chosen
    assert b'value="publish_article"' in analyst_client.get(change_url(source)).content

    _post(analyst_client, Source, "publish_article", [source.pk], confirm="yes")

    source.refresh_from_db()
    assert source.status == EditorialStatus.PUBLISHED
    assert all(
        draft.__class__.objects.get(pk=draft.pk).is_published
        for draft in shown_drafts(chosen) + chosen
    )


def test_publishing_together_needs_the_change_permission_on_every_kind(draft_world, users):
    user = users.create_user("meetings-only", password="x" * 20, is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(codename__in=["view_meeting", "change_meeting"])
    )
    client = client_for(user)
    meeting = Meeting.objects.get(slug=MEETING)

    response = _post(client, Meeting, "publish_with_shown", [meeting.pk], confirm="yes")

    assert response.status_code == 403
    assert all(draft.status == EditorialStatus.DRAFT for draft in shown_drafts([meeting]))


def test_the_confirmation_costs_the_same_queries_for_one_meeting_or_six(
    draft_world, analyst_client
):
    def queries(pks) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = _post(analyst_client, Meeting, "publish_with_shown", pks)
        assert response.status_code == 200
        return len(captured.captured_queries)

    meeting = Meeting.objects.get(slug=MEETING)
    others = (
        Meeting.objects.published()
        .exclude(slug__in=[MEETING, MEETING_IN_DRAFT_BODY, MEETING_PART_OF_DRAFT])
        .values_list("pk", flat=True)[:5]
    )
    one = queries([meeting.pk])
    six = queries([meeting.pk, *others])
    # One round of queries per step of links and kind, whatever the number of records.
    assert six == one, (one, six)
    assert one <= 60, one


def test_publishing_on_the_change_form_warns_of_the_drafts_shown(draft_world, analyst_client):
    from tests.admin.conftest import form_data

    meeting = Meeting.objects.get(slug=MEETING)
    Meeting.objects.filter(pk=meeting.pk).update(status=EditorialStatus.DRAFT)
    data = form_data(analyst_client.get(change_url(meeting))) | {"status": "published"}

    response = analyst_client.post(change_url(meeting), data, follow=True)

    shown = " ".join(str(m) for m in response.context["messages"])
    assert "shows 5 draft(s)" in shown
    assert str(draft_world.drafts["person"]) in shown
    meeting.refresh_from_db()
    assert meeting.is_published
