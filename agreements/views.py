from django.db.models import Count, Prefetch, Q

from agreements.filters import DocumentFilter, PackageFilter, ProjectFilter
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
    StatusEvent,
)
from records.citing import citations_prefetch
from records.listing import (
    FACET_LIMIT,
    CalendarYear,
    Facet,
    FacetedListView,
    kind_counts,
    related_counts,
    year_counts,
)
from records.views import RecordDetailView
from records.visibility import published_lookup, sees_drafts
from summits.models import Meeting, MeetingCountry, Organization, Person
from summits.views import COUNTRY_FIELDS, country_facet, participations


def parties(lookup: str = "party_roles") -> Prefetch:
    return Prefetch(
        lookup,
        queryset=DocumentParty.objects.select_related("country").only(
            "id", "document_id", "role", *(f"country__{name}" for name in COUNTRY_FIELDS)
        ),
    )


def project_countries(lookup: str = "country_roles") -> Prefetch:
    return Prefetch(
        lookup,
        queryset=ProjectCountry.objects.select_related("country").only(
            "id", "project_id", "role", *(f"country__{name}" for name in COUNTRY_FIELDS)
        ),
    )


class DocumentListView(FacetedListView):
    model = Document
    filterset_class = DocumentFilter
    api_basename = "document"
    row_template = "agreements/rows/document.html"
    main_filters = ("q", "country", "countries", "year", "kind", "status")
    intro = "Treaties, declarations, joint statements and memoranda signed or adopted."
    facets = (
        country_facet(DocumentParty, "document"),
        Facet("year", "Year", year_counts("date")),
        Facet("kind", "Kind", kind_counts("kind", Document.Kind.choices)),
        Facet(
            "status",
            "Status",
            related_counts(StatusEvent, "document", "status", choices=StatusEvent.Status.choices),
        ),
    )
    queryset = Document.objects.prefetch_related(
        parties(),
        Prefetch(
            "status_events",
            queryset=StatusEvent.objects.only(
                "id", "document_id", "status", "date", "date_precision"
            ),
        ),
    )


class DocumentDetailView(RecordDetailView):
    model = Document
    template_name = "agreements/document_detail.html"
    api_basename = "document"
    shown_facts = (
        "title",
        "kind",
        "level",
        "conclusion",
        "date",
        "city",
        "place_country",
        "parties",
        "signatories",
        "meeting",
        "package",
        "establishes_body",
        "summary",
    )
    queryset = Document.objects.select_related(
        "meeting", "package", "place_country", "establishes_body"
    )

    def with_related(self, queryset, user):
        return (
            super()
            .with_related(queryset, user)
            .prefetch_related(
                parties(),
                Prefetch(
                    "signings",
                    queryset=DocumentSignatory.objects.filter(
                        person__in=Person.objects.visible_to(user)
                    ).select_related("person"),
                ),
                Prefetch("status_events", queryset=StatusEvent.objects.all()),
                citations_prefetch(user, "status_events__citations"),
                Prefetch("projects", queryset=Project.objects.visible_to(user)),
                Prefetch(
                    "relations_from",
                    queryset=DocumentRelation.objects.filter(
                        to_document__in=Document.objects.visible_to(user)
                    ).select_related("to_document"),
                ),
                Prefetch(
                    "relations_to",
                    queryset=DocumentRelation.objects.filter(
                        from_document__in=Document.objects.visible_to(user)
                    ).select_related("from_document"),
                ),
            )
        )


def identified_filter(user) -> Q:
    """A package's identified documents, as `user` may see them."""
    return Q() if sees_drafts(user) else Q(**published_lookup("documents"))


class PackageListView(FacetedListView):
    model = Package
    filterset_class = PackageFilter
    api_basename = "package"
    row_template = "agreements/rows/package.html"
    main_filters = ("q", "country", "year")
    intro = 'Documents announced together: "a package of 10 documents".'
    facets = (
        Facet(
            "country",
            "Country",
            related_counts(
                MeetingCountry,
                "meeting__packages",
                "country__code",
                "country__name",
                via="meeting",
            ),
        ),
        Facet("year", "Year", year_counts("meeting__start_date", via="meeting")),
    )
    queryset = Package.objects.select_related("meeting")

    def visible_queryset(self):
        return (
            super()
            .visible_queryset()
            .annotate(identified=Count("documents", filter=identified_filter(self.request.user)))
            .order_by("title")
        )


class PackageDetailView(RecordDetailView):
    model = Package
    template_name = "agreements/package_detail.html"
    api_basename = "package"
    shown_facts = ("title", "announced_count", "announced_text", "meeting", "documents", "summary")
    queryset = Package.objects.select_related("meeting")

    def with_related(self, queryset, user):
        return (
            super()
            .with_related(queryset, user)
            .prefetch_related(
                Prefetch(
                    "documents",
                    queryset=Document.objects.visible_to(user).prefetch_related(parties()),
                )
            )
        )


def milestone_year_counts(rows, drafts: bool):
    groups = (
        Milestone.objects.filter(project__in=rows.values("pk"), date__isnull=False)
        .annotate(year=CalendarYear("date"))
        .values("year")
        .annotate(n=Count("project", distinct=True))
        .order_by("-year")
    )
    return [(row["year"], str(row["year"]), row["n"]) for row in groups[:FACET_LIMIT]]


class ProjectListView(FacetedListView):
    model = Project
    filterset_class = ProjectFilter
    api_basename = "project"
    row_template = "agreements/rows/project.html"
    main_filters = ("q", "country", "countries", "year", "kind", "milestone")
    intro = "Joint ventures, plants, funds, infrastructure and gifts the meetings started."
    facets = (
        country_facet(ProjectCountry, "project"),
        Facet("year", "Year of a milestone", milestone_year_counts),
        Facet("kind", "Kind", kind_counts("kind", Project.Kind.choices)),
        Facet(
            "milestone",
            "Milestone",
            related_counts(Milestone, "project", "kind", choices=Milestone.Kind.choices),
        ),
    )
    queryset = Project.objects.select_related("location_country").prefetch_related(
        project_countries(),
        Prefetch(
            "milestones",
            queryset=Milestone.objects.only("id", "project_id", "kind", "date", "date_precision"),
        ),
    )


class ProjectDetailView(RecordDetailView):
    model = Project
    template_name = "agreements/project_detail.html"
    api_basename = "project"
    shown_facts = (
        "name",
        "kind",
        "sectors",
        "countries",
        "organizations",
        "city",
        "location_city",
        "location_country",
        "figures",
        "meetings",
        "documents",
        "summary",
    )
    queryset = Project.objects.select_related("location_country")

    def with_related(self, queryset, user):
        return (
            super()
            .with_related(queryset, user)
            .prefetch_related(
                project_countries(),
                Prefetch(
                    "organization_roles",
                    queryset=ProjectOrganization.objects.filter(
                        organization__in=Organization.objects.visible_to(user)
                    ).select_related("organization"),
                ),
                "figures",
                "sectors",
                Prefetch("milestones", queryset=Milestone.objects.all()),
                citations_prefetch(user, "milestones__citations"),
                Prefetch(
                    "meetings",
                    queryset=Meeting.objects.visible_to(user).prefetch_related(participations()),
                ),
                Prefetch("documents", queryset=Document.objects.visible_to(user)),
            )
        )
