"""Publishing what belongs together: the drafts a record shows, found for any kind."""

from agreements.models import Document, Package, Project
from records.models import EditorialStatus, Source
from records.publishing import article_records, records_publish_together, shown_drafts
from summits.models import Body, Meeting, Person
from tests.draft_world import MEETING, MEETING_IN_DRAFT_BODY


def test_a_meeting_shows_its_draft_persons_documents_packages_projects_and_sources(draft_world):
    drafts = draft_world.drafts
    meeting = Meeting.objects.get(slug=MEETING)

    shown = shown_drafts([meeting])

    # In the registry's order of kinds: documents, packages, projects, persons, sources.
    assert shown == [
        drafts["document"],
        drafts["package"],
        drafts["project"],
        drafts["person"],
        drafts["source"],
    ]


def test_a_meeting_shows_the_draft_body_it_is_a_session_of(draft_world):
    meeting = Meeting.objects.get(slug=MEETING_IN_DRAFT_BODY)
    assert draft_world.drafts["body"] in shown_drafts([meeting])


def test_drafts_are_followed_through_drafts_but_not_through_published_records(draft_world):
    drafts = draft_world.drafts
    # The draft document shows its draft package; its meeting is published, so the meeting's
    # other drafts (a person, a project) are not the document's affair.
    assert shown_drafts([drafts["document"]]) == [drafts["package"]]
    # A draft project's links (a meeting, a document, an organization) are all published.
    assert shown_drafts([drafts["project"]]) == []


def test_publish_together_publishes_all_in_one_go_with_one_history_row_each(
    draft_world, django_user_model
):
    user = django_user_model.objects.create_user("publisher")
    meeting = Meeting.objects.get(slug=MEETING)
    shown = shown_drafts([meeting])
    rows = {record: record.history.count() for record in shown}

    result = records_publish_together(records=[meeting], user=user)

    assert result.changed == len(shown) == 5
    assert result.already == 1  # the meeting itself
    for record in shown:
        record.refresh_from_db()
        assert record.status == EditorialStatus.PUBLISHED
        assert record.history.count() == rows[record] + 1
        assert record.history.latest().history_user == user
    assert shown_drafts([meeting]) == []


def test_an_articles_records_are_the_source_and_whatever_cites_it(draft_world):
    source = draft_world.drafts["source"]

    records = article_records(source)

    assert records[0] == source
    assert {type(record) for record in records[1:]} >= {Meeting, Document, Package, Project}
    assert {Body, Person} <= {type(record) for record in records}
    assert Source.objects.filter(pk=source.pk, status=EditorialStatus.DRAFT).exists()
