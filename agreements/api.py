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
from records.api.ordering import ties_by_pk
from records.api.viewsets import RecordViewSet, citations_prefetch, own_fields
from summits.models import Meeting, MeetingCountry, Sector

LINK = ("id", "slug", "status")


def dated_steps(model, staff: bool) -> QuerySet:
    """Status events or milestones, each with its own quotes."""
    return model.objects.only(*own_fields(model)).prefetch_related(citations_prefetch(staff))


class DocumentViewSet(RecordViewSet):
    model = Document
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
            DocumentSignatory.objects.visible_to(staff)
            .select_related("person")
            .only("document", "role", "person__slug", "person__name")
            .order_by("pk")
        )
        projects = Project.objects.visible_to(staff).only(*LINK, "name")
        relations = (
            DocumentRelation.objects.visible_to(staff)
            .select_related("to_document")
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
                Prefetch("status_events", queryset=dated_steps(StatusEvent, staff)),
                Prefetch("relations_from", queryset=relations),
                Prefetch("projects", queryset=ties_by_pk(projects)),
                citations_prefetch(staff),
            )
        )


class PackageViewSet(RecordViewSet):
    model = Package
    serializer_class = PackageSerializer
    filterset_class = PackageFilter

    def meeting_countries(self) -> QuerySet:
        # A draft meeting's countries are not shown through its package.
        return (
            MeetingCountry.objects.visible_to(self.staff)
            .select_related("country")
            .only("meeting", "country__code")
            .order_by("country__code")
        )

    def with_relations(self, qs: QuerySet) -> QuerySet:
        documents = Document.objects.visible_to(self.staff).only(*LINK, "package", "title")
        return (
            qs.select_related("meeting")
            .only(*own_fields(Package), *(f"meeting__{field}" for field in LINK), "meeting__title")
            .prefetch_related(
                Prefetch("meeting__participations", queryset=self.meeting_countries()),
                Prefetch("documents", queryset=ties_by_pk(documents)),
                citations_prefetch(self.staff),
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
            ProjectOrganization.objects.visible_to(staff)
            .select_related("organization")
            .only("project", "role", "organization__slug", "organization__name")
            .order_by("pk")
        )
        meetings = Meeting.objects.visible_to(staff).only(*LINK, "title")
        documents = Document.objects.visible_to(staff).only(*LINK, "title")
        return (
            qs.select_related("location_country")
            .only(*own_fields(Project), "location_country__code")
            .prefetch_related(
                Prefetch("country_roles", queryset=countries),
                Prefetch("organization_roles", queryset=organizations),
                Prefetch("sectors", queryset=ties_by_pk(Sector.objects.only("slug"))),
                Prefetch("meetings", queryset=ties_by_pk(meetings)),
                Prefetch("documents", queryset=ties_by_pk(documents)),
                Prefetch("milestones", queryset=dated_steps(Milestone, staff)),
                Prefetch(
                    "figures", queryset=ProjectFigure.objects.only(*own_fields(ProjectFigure))
                ),
                citations_prefetch(staff),
            )
        )
