from collections import defaultdict

from django.db.models import Prefetch, QuerySet

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
    ProjectFigure,
    ProjectOrganization,
    StatusEvent,
)
from agreements.serializers import DocumentSerializer, PackageSerializer, ProjectSerializer
from config.api_support import (
    RecordViewSet,
    citations_prefetch,
    own_fields,
    published_link,
    ties_by_pk,
    visible,
)
from summits.models import Meeting, MeetingCountry, Sector

LINK = ("id", "slug", "status")


def dated_steps(model) -> QuerySet:
    """Status events or milestones, each with its own quotes."""
    return model.objects.only(*own_fields(model)).prefetch_related(citations_prefetch())


class DocumentViewSet(RecordViewSet):
    model = Document
    resource = "documents"
    serializer_class = DocumentSerializer
    filterset_class = DocumentFilter

    def with_relations(self, qs: QuerySet) -> QuerySet:
        staff = self.staff
        parties = (
            DocumentParty.objects.select_related("country")
            .only("document", "role", "country__code")
            .order_by("country__code")
        )
        signings = (
            DocumentSignatory.objects.select_related("person")
            .filter(**published_link("person", staff))
            .only("document", "role", "person__slug", "person__name")
            .order_by("pk")
        )
        projects = visible(Project.objects, staff).only(*LINK, "name")
        relations = (
            DocumentRelation.objects.select_related("to_document")
            .only("from_document", "kind", "to_document__slug")
            .order_by("pk")
        )
        return (
            qs.select_related("meeting", "package", "place_country", "establishes_body")
            .only(
                *own_fields(Document),
                *(f"{related}__{field}" for related in ("meeting", "package") for field in LINK),
                "meeting__title",
                "package__title",
                "place_country__code",
                *(f"establishes_body__{field}" for field in LINK),
                "establishes_body__name",
            )
            .prefetch_related(
                Prefetch("party_roles", queryset=parties),
                Prefetch("signings", queryset=signings),
                Prefetch("status_events", queryset=dated_steps(StatusEvent)),
                Prefetch("relations_from", queryset=relations),
                Prefetch("projects", queryset=ties_by_pk(projects)),
                citations_prefetch(),
            )
        )


class PackageViewSet(RecordViewSet):
    model = Package
    resource = "packages"
    serializer_class = PackageSerializer
    filterset_class = PackageFilter

    @staticmethod
    def meeting_countries() -> QuerySet:
        return (
            MeetingCountry.objects.select_related("country")
            .only("meeting", "country__code")
            .order_by("country__code")
        )

    def with_relations(self, qs: QuerySet) -> QuerySet:
        documents = visible(Document.objects, self.staff).only(*LINK, "package", "title")
        return (
            qs.select_related("meeting")
            .only(*own_fields(Package), *(f"meeting__{field}" for field in LINK), "meeting__title")
            .prefetch_related(
                Prefetch("meeting__participations", queryset=self.meeting_countries()),
                Prefetch("documents", queryset=ties_by_pk(documents)),
                citations_prefetch(),
            )
        )

    def computed_fields(self) -> dict:
        return {"countries": self.countries_at_meetings}

    def countries_at_meetings(self, ids: list[int]) -> dict[int, list[str]]:
        """PackageSerializer.get_countries for a chunk of packages: the codes at each one's
        meeting, in the prefetch's order; none without a meeting."""
        codes = defaultdict(list)
        rows = (
            self.meeting_countries()
            .filter(meeting__packages__in=ids)
            .values_list("meeting__packages", "country__code")
        )
        for package, code in rows:
            codes[package].append(code)
        return codes


class ProjectViewSet(RecordViewSet):
    model = Project
    resource = "projects"
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter

    def with_relations(self, qs: QuerySet) -> QuerySet:
        staff = self.staff
        countries = (
            ProjectCountry.objects.select_related("country")
            .only("project", "role", "country__code")
            .order_by("country__code")
        )
        organizations = (
            ProjectOrganization.objects.select_related("organization")
            .filter(**published_link("organization", staff))
            .only("project", "role", "organization__slug", "organization__name")
            .order_by("pk")
        )
        meetings = visible(Meeting.objects, staff).only(*LINK, "title")
        documents = visible(Document.objects, staff).only(*LINK, "title")
        return (
            qs.select_related("location_country")
            .only(*own_fields(Project), "location_country__code")
            .prefetch_related(
                Prefetch("country_roles", queryset=countries),
                Prefetch("organization_roles", queryset=organizations),
                Prefetch("sectors", queryset=ties_by_pk(Sector.objects.only("slug"))),
                Prefetch("meetings", queryset=ties_by_pk(meetings)),
                Prefetch("documents", queryset=ties_by_pk(documents)),
                Prefetch("milestones", queryset=dated_steps(Milestone)),
                Prefetch(
                    "figures", queryset=ProjectFigure.objects.only(*own_fields(ProjectFigure))
                ),
                citations_prefetch(),
            )
        )
