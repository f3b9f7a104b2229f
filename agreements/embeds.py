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
    page = {
        # The meeting page lists its documents with their parties, its packages and projects.
        (Meeting, "documents"): lambda d: Document.objects.visible_to(d).prefetch_related(
            parties()
        ),
        (Meeting, "packages"): lambda d: Package.objects.visible_to(d),
        (Meeting, "projects"): lambda d: Project.objects.visible_to(d),
        (Person, "signings"): lambda d: DocumentSignatory.objects.visible_to(d).select_related(
            "document"
        ),
        (Organization, "project_roles"): lambda d: ProjectOrganization.objects.visible_to(
            d
        ).select_related("project"),
        (Body, "establishing_documents"): lambda d: Document.objects.visible_to(d),
    }
    # The meeting's API record links its documents, packages and projects.
    api = {
        (Meeting, "documents"): lambda d: Document.objects.visible_to(d).only(
            *LINK, "meeting", "title"
        ),
        (Meeting, "packages"): lambda d: Package.objects.visible_to(d).only(
            *LINK, "meeting", "title"
        ),
        (Meeting, "projects"): lambda d: Project.objects.visible_to(d).only(*LINK, "name"),
    }
    for (model, lookup), rows in page.items():
        contribute(model, surface="page", prefetch=prefetch_of(lookup, rows))
    for (model, lookup), rows in api.items():
        # Ties broken by primary key, as every embedded list of the API (ordering.ties_by_pk).
        contribute(model, surface="api", prefetch=prefetch_of(lookup, rows, ties=True))


def prefetch_of(lookup: str, rows, *, ties: bool = False):
    def prefetch(drafts: bool) -> Prefetch:
        queryset = rows(drafts)
        return Prefetch(lookup, queryset=ties_by_pk(queryset) if ties else queryset)

    return prefetch
