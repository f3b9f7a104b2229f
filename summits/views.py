"""Public pages of meetings, persons, organizations and bodies: lists with facets and detail
pages with their quotes. Relations that agreements adds to these records (a meeting's
documents, a person's signatures) come as its contributions (records/registry.py).

Every queryset starts from visible_to(): drafts are 404 to the public; staff may preview.
Related records pass the same gate, so a draft never leaks through a published page.
"""

from __future__ import annotations

from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce

from records import registry
from records.listing import Facet, FacetedListView, kind_counts, related_counts, year_counts
from records.views import RecordDetailView
from records.visibility import sees_drafts
from summits.filters import BodyFilter, MeetingFilter, OrganizationFilter, PersonFilter
from summits.models import (
    Body,
    Country,
    Meeting,
    MeetingCountry,
    MeetingPerson,
    Office,
    Organization,
    Person,
)

COUNTRY_FIELDS = ("id", "code", "name")


def participations(lookup: str = "participations") -> Prefetch:
    # In the order they were entered (the host first, as sources name it): without an order,
    # PostgreSQL returns them as its plan reads them, which a change of the page's query
    # (or of its plan) reorders.
    return Prefetch(
        lookup,
        queryset=MeetingCountry.objects.select_related("country")
        .only("id", "meeting_id", "role", *(f"country__{name}" for name in COUNTRY_FIELDS))
        .order_by("pk"),
    )


def country_facet(through, owner: str) -> Facet:
    return Facet(
        "country", "Country", related_counts(through, owner, "country__code", "country__name")
    )


def contributed(model, user) -> list[Prefetch]:
    """The relations higher layers add to `model`'s page, as `user` may see them."""
    return registry.contributions(model, surface="page", drafts=sees_drafts(user))


# --- Meetings ------------------------------------------------------------------------------


class MeetingListView(FacetedListView):
    model = Meeting
    filterset_class = MeetingFilter
    api_basename = "meeting"
    row_template = "summits/rows/meeting.html"
    intro = "Visits, summits, sessions of standing bodies and ceremonies between heads of state."
    facets = (
        country_facet(MeetingCountry, "meeting"),
        Facet("year", "Year", year_counts("start_date")),
        Facet("kind", "Kind", kind_counts("kind", Meeting.Kind.choices)),
    )
    queryset = Meeting.objects.select_related("host_country", "body").prefetch_related(
        participations()
    )


class MeetingDetailView(RecordDetailView):
    model = Meeting
    template_name = "summits/meeting_detail.html"
    api_basename = "meeting"
    shown_facts = (
        "title",
        "kind",
        "date",
        "end",
        "city",
        "host_country",
        "countries",
        "persons",
        "formats",
        "sectors",
        "body",
        "session_number",
        "parent",
        "summary",
    )
    queryset = Meeting.objects.select_related("host_country", "body", "parent")

    def with_related(self, queryset, user):
        return (
            super()
            .with_related(queryset, user)
            .prefetch_related(
                participations(),
                Prefetch(
                    "attendances",
                    queryset=MeetingPerson.objects.visible_to(user)
                    .select_related("person")
                    .order_by("pk"),
                ),
                *contributed(Meeting, user),
                Prefetch("parts", queryset=Meeting.objects.visible_to(user)),
                "sectors",
            )
        )


# --- Persons, organizations, bodies --------------------------------------------------------


class PersonListView(FacetedListView):
    model = Person
    filterset_class = PersonFilter
    api_basename = "person"
    row_template = "summits/rows/person.html"
    main_filters = ("q", "country")
    intro = "Heads of state and others who take part in meetings or sign documents."
    facets = (
        Facet(
            "country", "Country", related_counts(Person, "pk", "country__code", "country__name")
        ),
    )
    queryset = Person.objects.select_related("country")


class PersonDetailView(RecordDetailView):
    model = Person
    template_name = "summits/person_detail.html"
    api_basename = "person"
    shown_facts = ("name", "aliases", "offices", "country", "summary")
    queryset = Person.objects.select_related("country")

    def with_related(self, queryset, user):
        return (
            super()
            .with_related(queryset, user)
            .prefetch_related(
                Prefetch("offices", queryset=Office.objects.select_related("country")),
                Prefetch(
                    "attendances",
                    queryset=MeetingPerson.objects.visible_to(user)
                    .select_related("meeting")
                    .order_by("-meeting__start_date", "pk"),
                ),
                *contributed(Person, user),
            )
        )


class OrganizationListView(FacetedListView):
    model = Organization
    filterset_class = OrganizationFilter
    api_basename = "organization"
    row_template = "summits/rows/organization.html"
    main_filters = ("q", "country", "kind")
    intro = "Companies, plants, ministries and agencies named in the sources."
    facets = (
        Facet(
            "country",
            "Country",
            related_counts(Organization, "pk", "country__code", "country__name"),
        ),
        Facet("kind", "Kind", kind_counts("kind", Organization.Kind.choices)),
    )
    queryset = Organization.objects.select_related("country")


class OrganizationDetailView(RecordDetailView):
    model = Organization
    template_name = "summits/organization_detail.html"
    api_basename = "organization"
    shown_facts = ("name", "aliases", "kind", "country", "summary")
    queryset = Organization.objects.select_related("country")

    def with_related(self, queryset, user):
        return (
            super().with_related(queryset, user).prefetch_related(*contributed(Organization, user))
        )


class BodyListView(FacetedListView):
    model = Body
    filterset_class = BodyFilter
    api_basename = "body"
    row_template = "summits/rows/body.html"
    main_filters = ("q", "country", "kind")
    intro = "Standing councils and commissions between states, meeting in numbered sessions."
    facets = (
        Facet(
            "country",
            "Member country",
            related_counts(Body.members.through, "body", "country__code", "country__name"),
        ),
        Facet("kind", "Kind", kind_counts("kind", Body.Kind.choices)),
    )
    queryset = Body.objects.prefetch_related(
        Prefetch("members", queryset=Country.objects.only(*COUNTRY_FIELDS))
    )

    def visible_queryset(self):
        sessions = Meeting.objects.visible_to(self.request.user).filter(body=OuterRef("pk"))
        return (
            super()
            .visible_queryset()
            .annotate(
                session_count=Coalesce(
                    Subquery(
                        sessions.order_by().values("body").annotate(n=Count("pk")).values("n")
                    ),
                    0,
                )
            )
        )


class BodyDetailView(RecordDetailView):
    model = Body
    template_name = "summits/body_detail.html"
    api_basename = "body"
    shown_facts = ("name", "aliases", "kind", "members", "summary")

    def with_related(self, queryset, user):
        return (
            super()
            .with_related(queryset, user)
            .prefetch_related(
                Prefetch("members", queryset=Country.objects.only(*COUNTRY_FIELDS)),
                Prefetch(
                    "sessions",
                    queryset=Meeting.objects.visible_to(user)
                    .select_related("host_country")
                    .order_by("session_number", "start_date"),
                ),
                *contributed(Body, user),
            )
        )
