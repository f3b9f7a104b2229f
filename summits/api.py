from django.db.models import Prefetch, QuerySet

from records import registry
from records.api.ordering import ties_by_pk
from records.api.viewsets import RecordViewSet, citations_prefetch, own_fields
from summits.filters import (
    BodyFilter,
    CountryFilter,
    MeetingFilter,
    OrganizationFilter,
    PersonFilter,
)
from summits.models import (
    Body,
    Country,
    Meeting,
    MeetingCountry,
    MeetingPerson,
    Office,
    Organization,
    Person,
    Sector,
)
from summits.serializers import (
    BodySerializer,
    CountrySerializer,
    MeetingSerializer,
    OrganizationSerializer,
    PersonSerializer,
)

LINK = ("id", "slug", "status")


class CountryViewSet(RecordViewSet):
    """Countries, by ISO 3166-1 alpha-2 code (`/countries/AZ/`, any case)."""

    model = Country
    serializer_class = CountrySerializer
    filterset_class = CountryFilter
    lookup_field = "code"
    lookup_value_regex = "[A-Za-z]{2}"
    timestamped = False

    def with_relations(self, qs: QuerySet) -> QuerySet:
        return qs.only(*own_fields(Country))

    def lookup_value(self, raw: str) -> str:
        return raw.upper()

    def computed_fields(self) -> dict:
        # CountrySerializer.get_updated_at: reference data has no edit time.
        return {"updated_at": dict.fromkeys}


class PersonViewSet(RecordViewSet):
    model = Person
    serializer_class = PersonSerializer
    filterset_class = PersonFilter

    def with_relations(self, qs: QuerySet) -> QuerySet:
        offices = ties_by_pk(
            Office.objects.select_related("country").only(*own_fields(Office), "country__code")
        )
        return (
            qs.select_related("country")
            .only(*own_fields(Person), "country__code")
            .prefetch_related(
                Prefetch("offices", queryset=offices), citations_prefetch(self.staff)
            )
        )


class OrganizationViewSet(RecordViewSet):
    model = Organization
    serializer_class = OrganizationSerializer
    filterset_class = OrganizationFilter

    def with_relations(self, qs: QuerySet) -> QuerySet:
        return (
            qs.select_related("country")
            .only(*own_fields(Organization), "country__code")
            .prefetch_related(citations_prefetch(self.staff))
        )


class BodyViewSet(RecordViewSet):
    model = Body
    serializer_class = BodySerializer
    filterset_class = BodyFilter

    def with_relations(self, qs: QuerySet) -> QuerySet:
        sessions = (
            Meeting.objects.visible_to(self.staff)
            .only(*LINK, "body", "title", "session_number", "start_date")
            .order_by("-start_date", "session_number", "pk")
        )
        return qs.only(*own_fields(Body)).prefetch_related(
            Prefetch("members", queryset=Country.objects.only("code").order_by("code")),
            Prefetch("sessions", queryset=sessions),
            citations_prefetch(self.staff),
        )


class MeetingViewSet(RecordViewSet):
    model = Meeting
    serializer_class = MeetingSerializer
    filterset_class = MeetingFilter

    def with_relations(self, qs: QuerySet) -> QuerySet:
        staff = self.staff
        participations = (
            MeetingCountry.objects.select_related("country")
            .only("meeting", "role", "country__code")
            .order_by("country__code")
        )
        attendances = (
            MeetingPerson.objects.visible_to(staff)
            .select_related("person")
            .only("meeting", "role", "person__slug", "person__name")
            .order_by("pk")
        )
        return (
            qs.select_related("host_country", "body", "parent")
            .only(
                *own_fields(Meeting),
                "host_country__code",
                "body__slug",
                "body__name",
                "body__status",
                "parent__slug",
                "parent__title",
                "parent__status",
            )
            .prefetch_related(
                Prefetch("participations", queryset=participations),
                Prefetch("attendances", queryset=attendances),
                Prefetch("sectors", queryset=ties_by_pk(Sector.objects.only("slug"))),
                *registry.contributions(Meeting, surface="api", drafts=staff),
                citations_prefetch(staff),
            )
        )
