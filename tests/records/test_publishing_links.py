"""Publishing what belongs together (records/publishing.py), on a database without the seed: a
few records of each kind, linked every way shown_drafts() follows, and exact about what each
step finds (_links), which drafts are shown and in what order, an article's records, and what
records_publish_together() changes. These are the tests `make mutate MUTATE=publishing` runs
first: no seed, a few rows, a mutant fails in seconds."""

import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from agreements.models import (
    Document,
    DocumentRelation,
    DocumentSignatory,
    Milestone,
    Package,
    Project,
    ProjectOrganization,
    StatusEvent,
)
from records.models import Citation, EditorialStatus, Source
from records.publishing import (
    _cited,
    _links,
    article_records,
    records_publish_together,
    shown_drafts,
)
from summits.models import Body, Country, Meeting, MeetingPerson, Organization, Person

DRAFT = EditorialStatus.DRAFT
PUBLISHED = EditorialStatus.PUBLISHED
QUERIES_TO_SHOW_THE_MEETINGS_DRAFTS = 57
TEXT = "Astana, May 1. The leaders met in the hall. They signed the treaty. The plant opened."


def found(links) -> dict:
    """_links()' answer without the kinds it found nothing of."""
    return {model: ids for model, ids in links.items() if ids}


class World:
    """Records of every kind around one published meeting, drafts and published mixed."""

    def __init__(self):
        az = Country.objects.get(code="AZ")
        self.source = Source.objects.create(
            slug="s-published", status=PUBLISHED, title="Report", text=TEXT
        )
        self.draft_source = Source.objects.create(
            slug="s-draft", status=DRAFT, title="Draft report", text=TEXT + " Draft."
        )
        self.step_source = Source.objects.create(
            slug="s-step", status=DRAFT, title="Step report", text=TEXT + " Step."
        )
        self.body = Body.objects.create(slug="b-draft", status=DRAFT, name="Council")
        self.parent = Meeting.objects.create(
            slug="m-parent", status=DRAFT, title="Parent summit", kind=Meeting.Kind.SUMMIT
        )
        self.meeting = Meeting.objects.create(
            slug="m-published",
            status=PUBLISHED,
            title="Summit",
            kind=Meeting.Kind.SUMMIT,
            body=self.body,
            session_number=1,
            parent=self.parent,
            host_country=az,
            start_date=dt.date(2024, 5, 1),
        )
        self.meeting.countries.add(az)
        # Two draft persons whose names sort differently with and without case.
        self.beta = Person.objects.create(slug="p-beta", status=DRAFT, name="Beta Person")
        self.alpha = Person.objects.create(slug="p-alpha", status=DRAFT, name="alpha Person")
        self.public_person = Person.objects.create(
            slug="p-public", status=PUBLISHED, name="Public Person"
        )
        for person in (self.beta, self.alpha, self.public_person):
            MeetingPerson.objects.create(meeting=self.meeting, person=person)
        self.package = Package.objects.create(
            slug="k-draft", status=DRAFT, title="Package", meeting=self.meeting
        )
        self.document = Document.objects.create(
            slug="d-draft",
            status=DRAFT,
            title="Treaty",
            kind=Document.Kind.AGREEMENT,
            meeting=self.meeting,
            package=self.package,
            establishes_body=self.body,
        )
        self.signer = Person.objects.create(slug="p-signer", status=DRAFT, name="Signer")
        DocumentSignatory.objects.create(document=self.document, person=self.signer)
        self.related = Document.objects.create(
            slug="d-related", status=DRAFT, title="Protocol", kind=Document.Kind.AGREEMENT
        )
        DocumentRelation.objects.create(
            from_document=self.document,
            kind=DocumentRelation.Kind.AMENDS,
            to_document=self.related,
        )
        self.step = StatusEvent.objects.create(
            document=self.document, status=StatusEvent.Status.SIGNED
        )
        self.project = Project.objects.create(
            slug="j-draft", status=DRAFT, name="Plant", kind=Project.Kind.JOINT_VENTURE
        )
        self.project.meetings.add(self.meeting)
        self.organization = Organization.objects.create(
            slug="o-draft", status=DRAFT, name="Builder"
        )
        ProjectOrganization.objects.create(project=self.project, organization=self.organization)
        self.milestone = Milestone.objects.create(
            project=self.project, kind=Milestone.Kind.AGREED, date=dt.date(2024, 6, 1)
        )
        # Quotes: the meeting's from the draft source, the document's step's from another
        # draft source, the milestone's and the published person's from the published one.
        cite(self.meeting, self.draft_source, "The leaders met in the hall.")
        cite(self.step, self.step_source, "They signed the treaty.")
        cite(self.milestone, self.source, "The plant opened.")
        cite(self.public_person, self.source, "The leaders met")


def cite(record, source, quote):
    return Citation.objects.create(source=source, record=record, quote=quote)


@pytest.fixture
def world(db):
    return World()


def pks(*records) -> set[int]:
    return {record.pk for record in records}


# _cited


def test_the_kinds_and_steps_with_quotes_are_cited_and_the_others_not():
    for model in (Meeting, Document, Package, Project, Body, Person, Organization):
        assert _cited(model) is True
    assert _cited(StatusEvent) is True
    assert _cited(Milestone) is True
    for model in (Source, MeetingPerson, DocumentSignatory, DocumentRelation, Country):
        assert _cited(model) is False


# _links: one step, any status


def test_a_meetings_links_are_its_keys_persons_sources_and_contributed_records(world):
    links = _links(Meeting, {world.meeting.pk})
    assert found(links) == {
        Body: pks(world.body),
        Meeting: pks(world.parent),
        Person: pks(world.beta, world.alpha, world.public_person),
        Source: pks(world.draft_source),
        Document: pks(world.document),
        Package: pks(world.package),
        Project: pks(world.project),
    }


def test_a_documents_links_are_its_keys_signers_related_documents_and_steps_sources(world):
    links = _links(Document, {world.document.pk})
    assert found(links) == {
        Meeting: pks(world.meeting),
        Package: pks(world.package),
        Body: pks(world.body),
        Person: pks(world.signer),
        Document: pks(world.related),
        Source: pks(world.step_source),
    }


def test_a_relation_is_followed_from_the_document_that_holds_it_only(world):
    assert found(_links(Document, {world.related.pk})) == {}


def test_a_projects_links_are_its_meetings_organizations_and_milestones_sources(world):
    links = _links(Project, {world.project.pk})
    assert found(links) == {
        Meeting: pks(world.meeting),
        Organization: pks(world.organization),
        Source: pks(world.source),
    }


def test_a_body_and_a_person_link_only_their_quotes_sources(world):
    # The page's contributions (a body's establishing documents) are not the API record's.
    assert found(_links(Body, {world.body.pk})) == {}
    assert found(_links(Person, {world.public_person.pk})) == {Source: pks(world.source)}
    assert found(_links(Person, {world.alpha.pk})) == {}


def test_links_of_several_rows_are_found_together(world):
    links = _links(Meeting, {world.meeting.pk, world.parent.pk})
    assert found(links)[Meeting] == pks(world.parent)
    assert found(links)[Person] == pks(world.beta, world.alpha, world.public_person)


def test_a_meeting_without_links_has_none(world):
    assert found(_links(Meeting, {world.parent.pk})) == {}
    assert found(_links(Meeting, set())) == {}


# shown_drafts


def test_a_meeting_shows_its_drafts_and_theirs_in_the_registrys_order(world):
    assert shown_drafts([world.meeting]) == [
        world.parent,
        # Documents by title: Protocol before Treaty.
        world.related,
        world.document,
        world.package,
        world.project,
        world.body,
        # Persons by name whatever its case: alpha before Beta.
        world.alpha,
        world.beta,
        world.signer,
        world.organization,
        world.draft_source,
        world.step_source,
    ]


def test_a_record_reached_again_is_not_looked_up_again(world, django_assert_num_queries):
    # The published meeting is reached again from its draft document, package and project, the
    # parent from nothing: each model's status is read once per step for what is new only.
    shown_drafts([world.meeting])  # every content type in Django's cache
    with django_assert_num_queries(QUERIES_TO_SHOW_THE_MEETINGS_DRAFTS):
        shown_drafts([world.meeting])


def test_published_records_are_not_shown_nor_followed(world):
    shown = shown_drafts([world.meeting])
    assert world.public_person not in shown
    # The published person's source is reached only through the published person.
    assert world.source not in shown
    assert world.meeting not in shown


def test_the_records_asked_for_are_left_out_even_when_drafts(world):
    shown = shown_drafts([world.document, world.package])
    assert world.document not in shown
    assert world.package not in shown


def test_a_draft_documents_shown_drafts_stop_at_the_published_meeting(world):
    assert shown_drafts([world.document]) == [
        world.related,
        world.package,
        world.body,
        world.signer,
        world.step_source,
    ]


def test_a_record_without_draft_links_shows_nothing(world):
    assert shown_drafts([world.public_person]) == []
    assert shown_drafts([]) == []


# article_records


def test_an_articles_records_are_the_source_then_its_citers_by_kind(world):
    # The milestone's quote counts for its project, the person's for the person.
    assert article_records(world.source) == [world.source, world.project, world.public_person]
    assert article_records(world.step_source) == [world.step_source, world.document]
    assert article_records(world.draft_source) == [world.draft_source, world.meeting]


def test_an_article_cited_twice_by_one_record_lists_it_once(world):
    cite(world.public_person, world.source, "The plant opened.")
    cite(world.meeting, world.source, "They signed")
    assert article_records(world.source) == [
        world.source,
        world.meeting,
        world.project,
        world.public_person,
    ]


def test_an_article_cited_by_a_record_and_by_another_ones_part_lists_both(world):
    # The step's quote comes first in the text, the related document's own after it.
    cite(world.related, world.step_source, "The plant opened.")
    records = article_records(world.step_source)
    assert records[0] == world.step_source
    assert sorted(records[1:], key=lambda record: record.pk) == [world.document, world.related]


def test_an_uncited_article_is_itself_alone(world):
    lone = Source.objects.create(slug="s-lone", status=DRAFT, title="Lone", text=TEXT + " Lone.")
    assert article_records(lone) == [lone]


# records_publish_together


def test_publishing_together_publishes_the_records_and_every_draft_they_show(world):
    user = get_user_model().objects.create_user("publisher", password="x" * 20)
    shown = shown_drafts([world.document])

    result = records_publish_together(records=[world.document], user=user)

    assert result.changed == 6
    assert result.already == 0
    assert set(result.records) == {world.document, *shown}
    for record in [world.document, *shown]:
        record.refresh_from_db()
        assert record.status == PUBLISHED
        assert record.history.latest().history_user == user
    world.parent.refresh_from_db()
    assert world.parent.status == DRAFT


def test_publishing_together_counts_what_was_published_already(world):
    result = records_publish_together(records=[world.meeting, world.public_person], user=None)
    assert result.changed == 12
    assert result.already == 2
    assert len(result.records) == 12
    assert world.meeting not in result.records
    assert world.public_person not in result.records


def test_publishing_together_with_nothing_to_publish_changes_nothing(world):
    result = records_publish_together(records=[world.public_person], user=None)
    assert (result.changed, result.already, result.records) == (0, 1, ())
