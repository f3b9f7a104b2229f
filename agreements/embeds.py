"""What agreements adds to the records of summits: a meeting's documents, packages and
projects, a person's signatures, an organization's projects, the documents that establish a
body. Summits cannot import this layer, so its pages and API resources take these relations
from the registry (records/registry.py), each already under the visibility rule."""

from __future__ import annotations

from django.db.models import Prefetch

from agreements.models import Document, DocumentSignatory, Package, Project, ProjectOrganization
from agreements.views import parties
from records.api.ordering import ties_by_pk
from records.registry import contribute
from summits.models import Body, Meeting, Organization, Person

LINK = ("id", "slug", "status")


def install() -> None:
    # The meeting page lists its documents with their parties, its packages and projects.
    contribute(
        Meeting,
        surface="page",
        prefetch=lambda drafts: Prefetch(
            "documents",
            queryset=Document.objects.visible_to(drafts).prefetch_related(parties()),
        ),
    )
    contribute(
        Meeting,
        surface="page",
        prefetch=lambda drafts: Prefetch("packages", queryset=Package.objects.visible_to(drafts)),
    )
    contribute(
        Meeting,
        surface="page",
        prefetch=lambda drafts: Prefetch("projects", queryset=Project.objects.visible_to(drafts)),
    )
    contribute(
        Person,
        surface="page",
        prefetch=lambda drafts: Prefetch(
            "signings",
            queryset=DocumentSignatory.objects.visible_to(drafts).select_related("document"),
        ),
    )
    contribute(
        Organization,
        surface="page",
        prefetch=lambda drafts: Prefetch(
            "project_roles",
            queryset=ProjectOrganization.objects.visible_to(drafts).select_related("project"),
        ),
    )
    contribute(
        Body,
        surface="page",
        prefetch=lambda drafts: Prefetch(
            "establishing_documents", queryset=Document.objects.visible_to(drafts)
        ),
    )

    # The meeting's API record links its documents, packages and projects.
    contribute(
        Meeting,
        surface="api",
        prefetch=lambda drafts: Prefetch(
            "documents",
            queryset=ties_by_pk(
                Document.objects.visible_to(drafts).only(*LINK, "meeting", "title")
            ),
        ),
    )
    contribute(
        Meeting,
        surface="api",
        prefetch=lambda drafts: Prefetch(
            "packages",
            queryset=ties_by_pk(
                Package.objects.visible_to(drafts).only(*LINK, "meeting", "title")
            ),
        ),
    )
    contribute(
        Meeting,
        surface="api",
        prefetch=lambda drafts: Prefetch(
            "projects",
            queryset=ties_by_pk(Project.objects.visible_to(drafts).only(*LINK, "name")),
        ),
    )
