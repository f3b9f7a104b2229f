"""A draft of every record kind, each linked to published records of every kind.

The seed holds no drafts, so on the seeded database "published only" and "everything" are the
same rows and a missing draft filter goes unnoticed. On top of the seed, this adds one draft
per kind (source, person, organization, body, meeting, document, package, project), each tied
to published records the public surfaces show: a draft person attending and signing at a
published meeting, a published meeting held as a session of a draft body, a draft source quoted
for published records, and so on. Every draft carries a marker word of its own in its slug,
title and (for the source) its text and quotes, and the dated ones a year no published record
has, so a test can search any response for a trace of it.

`draft_world` builds it inside the test's transaction; `draft_world_module` builds it once for
a module whose tests only read (rolled back after the module).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest
from django.db import transaction

KINDS = ("source", "person", "organization", "body", "meeting", "document", "package", "project")

# Published seed records the drafts are linked to; their pages and API details must show
# nothing of the drafts.
MEETING = "az-kz-supreme-interstate-council-2"
MEETING_IN_DRAFT_BODY = "aliyev-state-visit-kazakhstan-2025"
MEETING_PART_OF_DRAFT = "tokayev-visit-azerbaijan-2024"
DOCUMENT = "az-kz-roadmap-cultural-cooperation"
DOCUMENT_AT_DRAFT_MEETING = "az-kz-treaty-strategic-partnership-allied-relations"
PACKAGE = "az-kg-package-2022-04-20"
PACKAGE_AT_DRAFT_MEETING = "kz-am-agreements-2024-04-15"
PROJECT = "kurmangazy-childrens-creativity-center-fuzuli"
BODY = "az-kz-supreme-interstate-council"
PERSON = "ilham-aliyev"
ORGANIZATION = "azertac"
SOURCE = "azertac-2025-10-21-supreme-interstate-council"
COUNTRIES = ("AZ", "KZ")

# resource (URL prefix) -> the published slugs linked to a draft.
LINKED = {
    "meetings": (MEETING, MEETING_IN_DRAFT_BODY, MEETING_PART_OF_DRAFT),
    "documents": (DOCUMENT, DOCUMENT_AT_DRAFT_MEETING),
    "packages": (PACKAGE, PACKAGE_AT_DRAFT_MEETING),
    "projects": (PROJECT,),
    "bodies": (BODY,),
    "persons": (PERSON,),
    "organizations": (ORGANIZATION,),
    "sources": (SOURCE,),
}

# kind -> the draft's marker word (its slug, and a word of its title and quotes); and the year
# only that draft has, for the dated kinds.
MARKERS = {kind: f"zqvdraft{kind}" for kind in KINDS}
YEARS = {"source": 1873, "meeting": 1871, "document": 1872, "project": 1874}
RESOURCES = {
    "source": "sources",
    "person": "persons",
    "organization": "organizations",
    "body": "bodies",
    "meeting": "meetings",
    "document": "documents",
    "package": "packages",
    "project": "projects",
}


@dataclass
class DraftWorld:
    """The drafts by kind, with what a response must not contain for each."""

    drafts: dict[str, object] = field(default_factory=dict)

    @staticmethod
    def traces(kind: str, text: str) -> list[str]:
        """Every trace of the draft of `kind` in `text`: its marker word (in any case) and,
        for a dated kind, its year as a whole number."""
        found = [MARKERS[kind]] if MARKERS[kind] in text.lower() else []
        year = YEARS.get(kind)
        if year is not None and re.search(rf"(?<![\w.+-]){year}(?![\w])", text):
            found.append(str(year))
        return found


def build_draft_world() -> DraftWorld:
    """Add the drafts to the seeded database; see the module docstring."""
    from agreements.models import (
        Document,
        DocumentParty,
        DocumentRelation,
        DocumentSignatory,
        Milestone,
        Package,
        Project,
        ProjectCountry,
        ProjectOrganization,
    )
    from records.models import Citation, Source
    from summits.models import (
        Body,
        Country,
        Meeting,
        MeetingCountry,
        MeetingPerson,
        Organization,
        Person,
        Sector,
    )

    draft = "draft"
    az, kz = (Country.objects.get(code=code) for code in COUNTRIES)
    meeting = Meeting.objects.get(slug=MEETING)
    document = Document.objects.get(slug=DOCUMENT)
    package = Package.objects.get(slug=PACKAGE)
    project = Project.objects.get(slug=PROJECT)
    body = Body.objects.get(slug=BODY)
    person = Person.objects.get(slug=PERSON)
    organization = Organization.objects.get(slug=ORGANIZATION)
    source = Source.objects.get(slug=SOURCE)
    world = DraftWorld()

    def cite(record, quoted: Source, quote: str) -> None:
        Citation.objects.create(source=quoted, record=record, quote=quote)

    # A published source's own words, quoted for each draft: the source page lists what it is
    # cited for, which must not include a draft.
    public_quote = "Ilham Aliyev"
    assert public_quote in source.text

    marker = MARKERS["source"]
    text = (
        f"Baku, May 1. {marker.capitalize()} reports: the leaders met in {marker} hall and "
        f"signed what the {marker} archive keeps."
    )
    draft_source = Source.objects.create(
        slug=marker,
        status=draft,
        title=f"{marker.capitalize()} report",
        publisher=f"{marker.capitalize()} Press",
        published_on=dt.date(YEARS["source"], 5, 1),
        text=text,
    )
    quote = f"the leaders met in {marker} hall"
    for record in (meeting, document, package, project, body, person, organization):
        cite(record, draft_source, quote)
    world.drafts["source"] = draft_source

    marker = MARKERS["person"]
    draft_person = Person.objects.create(
        slug=marker, status=draft, name=f"{marker.capitalize()} Person", country=kz
    )
    MeetingPerson.objects.create(meeting=meeting, person=draft_person)
    DocumentSignatory.objects.create(document=document, person=draft_person)
    cite(draft_person, source, public_quote)
    world.drafts["person"] = draft_person

    marker = MARKERS["organization"]
    draft_organization = Organization.objects.create(
        slug=marker, status=draft, name=f"{marker.capitalize()} Company", country=az
    )
    ProjectOrganization.objects.create(project=project, organization=draft_organization)
    cite(draft_organization, source, public_quote)
    world.drafts["organization"] = draft_organization

    marker = MARKERS["body"]
    draft_body = Body.objects.create(
        slug=marker, status=draft, name=f"{marker.capitalize()} Council"
    )
    draft_body.members.set([az, kz])
    Meeting.objects.filter(slug=MEETING_IN_DRAFT_BODY).update(body=draft_body, session_number=1)
    Document.objects.filter(slug=DOCUMENT_AT_DRAFT_MEETING).update(establishes_body=draft_body)
    cite(draft_body, source, public_quote)
    world.drafts["body"] = draft_body

    marker = MARKERS["meeting"]
    draft_meeting = Meeting.objects.create(
        slug=marker,
        status=draft,
        title=f"{marker.capitalize()} summit",
        kind=Meeting.Kind.SUMMIT,
        body=body,
        session_number=99,
        parent=meeting,
        start_date=dt.date(YEARS["meeting"], 6, 1),
        host_country=az,
        city=f"{marker.capitalize()}grad",
    )
    for country in (az, kz):
        MeetingCountry.objects.create(meeting=draft_meeting, country=country)
    MeetingPerson.objects.create(meeting=draft_meeting, person=person)
    draft_meeting.sectors.set(Sector.objects.filter(slug="culture"))
    Meeting.objects.filter(slug=MEETING_PART_OF_DRAFT).update(parent=draft_meeting)
    Document.objects.filter(slug=DOCUMENT_AT_DRAFT_MEETING).update(meeting=draft_meeting)
    Package.objects.filter(slug=PACKAGE_AT_DRAFT_MEETING).update(meeting=draft_meeting)
    project.meetings.add(draft_meeting)
    cite(draft_meeting, source, public_quote)
    world.drafts["meeting"] = draft_meeting

    marker = MARKERS["package"]
    draft_package = Package.objects.create(
        slug=marker, status=draft, title=f"{marker.capitalize()} package", meeting=meeting
    )
    Document.objects.filter(slug=DOCUMENT).update(package=draft_package)
    cite(draft_package, source, public_quote)
    world.drafts["package"] = draft_package

    marker = MARKERS["document"]
    draft_document = Document.objects.create(
        slug=marker,
        status=draft,
        title=f"{marker.capitalize()} agreement",
        kind=Document.Kind.AGREEMENT,
        meeting=meeting,
        package=draft_package,
        date=dt.date(YEARS["document"], 7, 1),
        place_country=az,
    )
    for country in (az, kz):
        DocumentParty.objects.create(document=draft_document, country=country)
    DocumentSignatory.objects.create(document=draft_document, person=person)
    DocumentRelation.objects.create(
        from_document=document, kind=DocumentRelation.Kind.AMENDS, to_document=draft_document
    )
    project.documents.add(draft_document)
    cite(draft_document, source, public_quote)
    world.drafts["document"] = draft_document

    marker = MARKERS["project"]
    draft_project = Project.objects.create(
        slug=marker,
        status=draft,
        name=f"{marker.capitalize()} plant",
        kind=Project.Kind.JOINT_VENTURE,
        location_country=az,
    )
    for country in (az, kz):
        ProjectCountry.objects.create(project=draft_project, country=country)
    ProjectOrganization.objects.create(project=draft_project, organization=organization)
    draft_project.meetings.add(meeting)
    draft_project.documents.add(document)
    draft_project.sectors.set(Sector.objects.filter(slug="culture"))
    Milestone.objects.create(
        project=draft_project,
        kind=Milestone.Kind.AGREED,
        date=dt.date(YEARS["project"], 8, 1),
    )
    cite(draft_project, source, public_quote)
    world.drafts["project"] = draft_project
    return world


@pytest.fixture
def draft_world(seeded) -> DraftWorld:
    """The seeded database plus a linked draft of every kind, undone with the test."""
    return build_draft_world()


@pytest.fixture(scope="module")
def draft_world_module(seed_report, django_db_blocker):
    """The same world built once for a module whose tests only read it; rolled back after."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_draft_world()
        transaction.set_rollback(True)
