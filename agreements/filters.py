import django_filters as filters
from django.db.models import Q

from agreements.models import (
    Document,
    DocumentSignatory,
    Milestone,
    Package,
    Project,
    ProjectOrganization,
    StatusEvent,
)
from records.filters import (
    BasisFilter,
    OrderingFilter,
    RecordFilterSet,
    RecordSlugFilter,
    SlugFilter,
    StatedFactFilter,
    YearFilter,
    years_q,
)
from records.visibility import published_lookup, sees_drafts
from summits.filters import (
    CountryCodesMethodFilter,
    CountryModeFilter,
    country_codes_filter,
    wants_all,
)
from summits.models import Body, Meeting, Organization, Person, Sector


class DocumentFilter(RecordFilterSet):
    basis = BasisFilter(steps=("status_events",))
    stated = StatedFactFilter(Document)
    country = country_codes_filter("party_roles", "document", require_all=False, dated=True)
    country_mode = CountryModeFilter()
    countries = country_codes_filter("party_roles", "document", require_all=True, dated=True)
    date_from = filters.DateFilter(
        field_name="date",
        lookup_expr="gte",
        label="From",
        help_text="Documents dated on or after this date.",
    )
    date_to = filters.DateFilter(
        field_name="date",
        lookup_expr="lte",
        label="To",
        help_text="Documents dated on or before this date.",
    )
    year = YearFilter(field_name="date", lookup_expr="year", label="Year")
    kind = filters.MultipleChoiceFilter(choices=Document.Kind.choices, label="Kind")
    level = filters.MultipleChoiceFilter(choices=Document.Level.choices, label="Level")
    status = filters.MultipleChoiceFilter(
        choices=StatusEvent.Status.choices,
        method="filter_status",
        label="Status",
        help_text="Documents with a status event of any of these kinds.",
    )
    meeting = RecordSlugFilter(path="meeting", label="Meeting")
    package = RecordSlugFilter(path="package", label="Package")
    body = SlugFilter(
        method="filter_body",
        label="Body",
        picks=Body,
        help_text="Slug of a body: documents establishing it or adopted at its sessions.",
    )
    person = SlugFilter(
        method="filter_person", picks=Person, label="Signatory", help_text="Slug of a person."
    )
    sector = SlugFilter(
        field_name="meeting__sectors__slug",
        picks=Sector,
        distinct=True,
        label="Sector",
        help_text="Slug of a sector discussed at the document's meeting.",
    )
    organization = RecordSlugFilter(
        path="projects__organizations",
        through=("projects",),
        distinct=True,
        label="Organization",
        help_text="Slug of an organization in a project the document concerns.",
    )
    ordering = OrderingFilter(
        fields=(("date", "date"), ("title", "title"), ("updated_at", "updated")),
        help_text="date, title or updated; prefix with - for descending.",
    )

    class Meta:
        model = Document
        fields = []

    def filter_status(self, qs, name, values):
        if not values:
            return qs
        return qs.filter(pk__in=StatusEvent.objects.filter(status__in=values).values("document"))

    def filter_body(self, qs, name, value):
        establishes = Q(**self.slug_lookup("establishes_body", value))
        session = Q(**self.slug_lookup("meeting__body", value, through=("meeting",)))
        return qs.filter(establishes | session)

    def filter_person(self, qs, name, value):
        signed = DocumentSignatory.objects.filter(**self.slug_lookup("person", value))
        return qs.filter(pk__in=signed.values("document"))


class PackageFilter(RecordFilterSet):
    basis = BasisFilter()
    stated = StatedFactFilter(Package)
    country = CountryCodesMethodFilter(
        method="filter_country",
        label="Country",
        help_text="ISO codes, comma-separated: packages of meetings with any of them.",
    )
    country_mode = CountryModeFilter()
    meeting = RecordSlugFilter(path="meeting", label="Meeting")
    year = YearFilter(method="filter_year", label="Year")
    ordering = OrderingFilter(
        fields=(("title", "title"), ("meeting__start_date", "date"), ("updated_at", "updated")),
        help_text="title, date or updated; prefix with - for descending.",
    )

    class Meta:
        model = Package
        fields = []

    def filter_country(self, qs, name, codes):
        if not codes:
            return qs
        # A package is matched through its meeting: never through a draft one.
        meetings = Meeting.objects.visible_to(self.viewer)
        groups = [list(codes.values())]
        if wants_all(self):
            groups = [[country_id] for country_id in codes.values()]
        for countries in groups:
            with_them = meetings.filter(participations__country_id__in=countries)
            qs = qs.filter(meeting__in=with_them.values("pk"))
        return qs

    def filter_year(self, qs, name, years):
        lookup = published_lookup("meeting") if not sees_drafts(self.viewer) else {}
        return qs.filter(years_q("meeting__start_date", years), **lookup)


class ProjectFilter(RecordFilterSet):
    basis = BasisFilter(steps=("milestones",))
    stated = StatedFactFilter(Project)
    country = country_codes_filter("country_roles", "project", require_all=False)
    country_mode = CountryModeFilter()
    countries = country_codes_filter("country_roles", "project", require_all=True)
    date_from = filters.DateFilter(
        method="filter_date_from",
        label="From",
        help_text="Projects with a milestone on or after this date.",
    )
    date_to = filters.DateFilter(
        method="filter_date_to",
        label="To",
        help_text="Projects with a milestone on or before this date.",
    )
    year = YearFilter(method="filter_year", label="Year", help_text="A milestone in that year.")
    kind = filters.MultipleChoiceFilter(choices=Project.Kind.choices, label="Kind")
    milestone = filters.MultipleChoiceFilter(
        choices=Milestone.Kind.choices,
        method="filter_milestone",
        label="Milestone",
        help_text="Projects with a milestone of any of these kinds.",
    )
    sector = SlugFilter(field_name="sectors__slug", picks=Sector, label="Sector")
    organization = SlugFilter(
        method="filter_organization", picks=Organization, label="Organization"
    )
    meeting = RecordSlugFilter(path="meetings", distinct=True, label="Meeting")
    document = RecordSlugFilter(path="documents", distinct=True, label="Document")
    person = RecordSlugFilter(
        path="meetings__persons",
        through=("meetings",),
        distinct=True,
        label="Person",
        help_text="Slug of a person at a meeting the project is linked to.",
    )
    body = RecordSlugFilter(
        path="meetings__body",
        through=("meetings",),
        distinct=True,
        label="Body",
        help_text="Slug of a body at whose sessions the project was discussed.",
    )
    ordering = OrderingFilter(
        fields=(("name", "name"), ("updated_at", "updated")),
        help_text="name or updated; prefix with - for descending.",
    )

    class Meta:
        model = Project
        fields = []

    def with_milestones(self, qs, **lookup):
        return qs.filter(pk__in=Milestone.objects.filter(**lookup).values("project"))

    def filter_date_from(self, qs, name, value):
        return self.with_milestones(qs, date__gte=value)

    def filter_date_to(self, qs, name, value):
        return self.with_milestones(qs, date__lte=value)

    def filter_year(self, qs, name, years):
        milestones = Milestone.objects.filter(years_q("date", years))
        return qs.filter(pk__in=milestones.values("project"))

    def filter_milestone(self, qs, name, values):
        return self.with_milestones(qs, kind__in=values) if values else qs

    def filter_organization(self, qs, name, value):
        linked = ProjectOrganization.objects.filter(**self.slug_lookup("organization", value))
        return qs.filter(pk__in=linked.values("project"))
