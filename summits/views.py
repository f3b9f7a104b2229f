"""Public, read-only pages: lists with facets, detail pages with their quotes, and the pages
that cut across record types (home, a country, the relations of a pair, search, about).

Every queryset starts from visible_to(): drafts are 404 to the public; staff may preview.
Related records pass the same gate, so a draft never leaks through a published page.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Min, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import DetailView, TemplateView

from agreements.filters import DocumentFilter, ProjectFilter
from agreements.models import (
    Document,
    DocumentParty,
    DocumentSignatory,
    Milestone,
    Package,
    Project,
    ProjectCountry,
    ProjectOrganization,
    StatusEvent,
)
from seeds.models import Citation, Source
from summits import charts
from summits.citing import QuoteIndex, citations_prefetch, is_preview
from summits.filters import (
    BodyFilter,
    CountryFilter,
    MeetingFilter,
    OrganizationFilter,
    PersonFilter,
    SearchField,
)
from summits.listing import (
    Facet,
    FacetedListView,
    PublishedMixin,
    api_url,
    kind_counts,
    related_counts,
    year_counts,
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
)

__all__ = ["PublishedMixin"]

COUNTRY_FIELDS = ("id", "code", "name")


def participations(lookup: str = "participations") -> Prefetch:
    return Prefetch(
        lookup,
        queryset=MeetingCountry.objects.select_related("country").only(
            "id", "meeting_id", "role", *(f"country__{name}" for name in COUNTRY_FIELDS)
        ),
    )


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


def country_facet(through, owner: str) -> Facet:
    return Facet(
        "country", "Country", related_counts(through, owner, "country__code", "country__name")
    )


class RecordDetailView(PublishedMixin, DetailView):
    """A record with its facts, each fact with its quotes, a citation to paste, and its JSON."""

    api_basename = ""
    # Facts the page shows in its table: their quotes sit beside them, the rest below.
    shown_facts: tuple[str, ...] = ()

    def get_queryset(self):
        return self.with_related(super().get_queryset(), self.request.user)

    def with_related(self, queryset, user):
        return queryset.prefetch_related(citations_prefetch(user))

    def record_citations(self):
        return self.object.citations.all()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        record = self.object
        url = self.request.build_absolute_uri(record.get_absolute_url())
        accessed = dt.date.today().isoformat()
        title = str(record)
        kind = record._meta.verbose_name
        context.update(
            quotes=QuoteIndex(self.record_citations(), self.shown_facts),
            json_url=api_url(f"{self.api_basename}-detail", slug=record.slug),
            cite_text=f'Pacta. "{title}." {kind.capitalize()}. {url} (accessed {accessed}).',
            cite_bibtex=(
                f"@misc{{pacta-{record.slug},\n"
                f"  title = {{{title}}},\n"
                f"  howpublished = {{Pacta, {kind}}},\n"
                f"  url = {{{url}}},\n"
                f"  note = {{Accessed {accessed}}}\n}}"
            ),
            record_url=url,
            record_kind=kind,
        )
        return context


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
                    queryset=MeetingPerson.objects.filter(
                        person__in=Person.objects.visible_to(user)
                    ).select_related("person"),
                ),
                Prefetch(
                    "documents",
                    queryset=Document.objects.visible_to(user).prefetch_related(parties()),
                ),
                Prefetch("packages", queryset=Package.objects.visible_to(user)),
                Prefetch("projects", queryset=Project.objects.visible_to(user)),
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
                    queryset=MeetingPerson.objects.filter(
                        meeting__in=Meeting.objects.visible_to(user)
                    )
                    .select_related("meeting")
                    .order_by("-meeting__start_date"),
                ),
                Prefetch(
                    "signings",
                    queryset=DocumentSignatory.objects.filter(
                        document__in=Document.objects.visible_to(user)
                    ).select_related("document"),
                ),
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
            super()
            .with_related(queryset, user)
            .prefetch_related(
                Prefetch(
                    "project_roles",
                    queryset=ProjectOrganization.objects.filter(
                        project__in=Project.objects.visible_to(user)
                    ).select_related("project"),
                )
            )
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
    shown_facts = ("name", "kind", "members", "summary")

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
                Prefetch("establishing_documents", queryset=Document.objects.visible_to(user)),
            )
        )


# --- Countries -----------------------------------------------------------------------------


def _count_per_country(rows, owner: str):
    return Coalesce(
        Subquery(
            rows.filter(country=OuterRef("pk"))
            .order_by()
            .values("country")
            .annotate(n=Count(owner, distinct=True))
            .values("n")
        ),
        0,
    )


class CountryListView(FacetedListView):
    model = Country
    filterset_class = CountryFilter
    api_basename = "country"
    row_template = "summits/rows/country.html"
    main_filters = ("q", "active")
    paginate_by = 50
    intro = "Every ISO 3166-1 country; those in Pacta's records come first."

    def visible_queryset(self):
        user = self.request.user
        meetings = MeetingCountry.objects.filter(meeting__in=Meeting.objects.visible_to(user))
        documents = DocumentParty.objects.filter(document__in=Document.objects.visible_to(user))
        projects = ProjectCountry.objects.filter(project__in=Project.objects.visible_to(user))
        return (
            Country.objects.only(*COUNTRY_FIELDS)
            .annotate(
                meeting_count=_count_per_country(meetings, "meeting"),
                document_count=_count_per_country(documents, "document"),
                project_count=_count_per_country(projects, "project"),
            )
            .order_by("-meeting_count", "-document_count", "name")
        )


class CountryDetailView(TemplateView):
    template_name = "summits/country_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        code = self.kwargs["code"]
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            raise Http404("No country has that code.")
        country = get_object_or_404(Country, code=code.upper())
        user = self.request.user
        meetings = (
            Meeting.objects.visible_to(user)
            .filter(pk__in=MeetingCountry.objects.filter(country=country).values("meeting"))
            .select_related("host_country", "body")
            .prefetch_related(participations())
        )
        documents = (
            Document.objects.visible_to(user)
            .filter(pk__in=DocumentParty.objects.filter(country=country).values("document"))
            .prefetch_related(parties())
        )
        projects = (
            Project.objects.visible_to(user)
            .filter(pk__in=ProjectCountry.objects.filter(country=country).values("project"))
            .annotate(first_date=Min("milestones__date"))
            .prefetch_related(project_countries())
            .order_by("-first_date", "name")
        )
        milestones = Milestone.objects.filter(project__in=projects.values("pk"))
        rows = charts.timeline_rows(meetings, documents, milestones)
        context.update(
            object=country,
            country=country,
            meetings=meetings,
            documents=documents,
            projects=projects,
            partners=self.partners(country, meetings, documents, projects),
            timeline_svg=charts.timeline_svg(rows, chart_id="country-timeline"),
            timeline_rows=rows,
            persons=Person.objects.visible_to(user).filter(country=country),
            bodies=Body.objects.visible_to(user).filter(members=country),
            json_url=api_url("country-detail", code=country.code),
            preview=is_preview(user),
        )
        return context

    def partners(self, country, meetings, documents, projects) -> list[dict]:
        tallies: dict[str, dict] = {}
        for through, owner, records, key in (
            (MeetingCountry, "meeting", meetings, "meetings"),
            (DocumentParty, "document", documents, "documents"),
            (ProjectCountry, "project", projects, "projects"),
        ):
            rows = (
                through.objects.filter(**{f"{owner}__in": records.order_by().values("pk")})
                .exclude(country=country)
                .values("country__code", "country__name")
                .annotate(n=Count(owner, distinct=True))
                .order_by()
            )
            for row in rows:
                tally = tallies.setdefault(
                    row["country__code"],
                    {
                        "code": row["country__code"],
                        "name": row["country__name"],
                        "url": charts.pair_url(country.code, row["country__code"]),
                        "meetings": 0,
                        "documents": 0,
                        "projects": 0,
                    },
                )
                tally[key] = row["n"]
        return sorted(
            tallies.values(),
            key=lambda t: (-(t["meetings"] + t["documents"] + t["projects"]), t["name"]),
        )


# --- The relations of a pair ---------------------------------------------------------------


class PairView(TemplateView):
    """Everything two countries share, as one dated timeline: /relations/az-kz/."""

    template_name = "summits/pair_detail.html"

    def get(self, request, *args, **kwargs):
        first, second = kwargs["first"], kwargs["second"]
        codes = sorted({first.upper(), second.upper()})
        self.countries = list(Country.objects.filter(code__in=codes).order_by("code"))
        if len(codes) != 2 or len(self.countries) != 2:
            raise Http404("No such pair of countries.")
        canonical = [code.lower() for code in codes]
        if [first, second] != canonical:
            return redirect("pair-detail", first=canonical[0], second=canonical[1], permanent=True)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        first, second = self.countries
        codes = [first.code, second.code]
        user = self.request.user
        both = {"countries": ",".join(codes)}
        meetings = (
            MeetingFilter(both, queryset=Meeting.objects.visible_to(user))
            .qs.select_related("host_country", "body")
            .prefetch_related(participations())
        )
        documents = (
            DocumentFilter(both, queryset=Document.objects.visible_to(user))
            .qs.select_related("meeting")
            .prefetch_related(parties())
        )
        projects = ProjectFilter(both, queryset=Project.objects.visible_to(user)).qs
        status_events = StatusEvent.objects.filter(
            document__in=documents.order_by().values("pk")
        ).select_related("document")
        milestones = Milestone.objects.filter(
            project__in=projects.order_by().values("pk")
        ).select_related("project")

        events = (
            [
                ("meeting", m.start_date, "Meeting", m.title, m.get_absolute_url(), m)
                for m in meetings
            ]
            + [
                ("document", d.date, "Document", d.title, d.get_absolute_url(), d)
                for d in documents
            ]
            + [
                (
                    "status",
                    e.date,
                    f"Document {e.get_status_display().lower()}",
                    e.document.title,
                    e.document.get_absolute_url(),
                    e,
                )
                for e in status_events
            ]
            + [
                (
                    "milestone",
                    m.date,
                    f"Project {m.get_kind_display().lower()}",
                    m.project.name,
                    m.project.get_absolute_url(),
                    m,
                )
                for m in milestones
            ]
        )
        order = {"meeting": 0, "document": 1, "status": 2, "milestone": 3}
        events.sort(key=lambda e: (e[1] is None, e[1] or dt.date.min, order[e[0]], e[3]))
        timeline = [
            {
                "type": kind,
                "date": date,
                "label": label,
                "title": title,
                "url": url,
                "record": record,
                "date_field": "start_date" if kind == "meeting" else "date",
                "precision_field": "start_precision" if kind == "meeting" else "date_precision",
            }
            for kind, date, label, title, url, record in events
        ]
        rows = charts.timeline_rows(meetings, documents, milestones)
        context.update(
            first=first,
            second=second,
            timeline=timeline,
            meetings=meetings,
            documents=documents,
            projects=projects,
            timeline_rows=rows,
            timeline_svg=charts.timeline_svg(rows, chart_id="pair-timeline"),
            preview=is_preview(user),
        )
        return context


# --- Home, search, about -------------------------------------------------------------------


def holdings(user) -> list[tuple[str, int, str]]:
    """What Pacta holds: (label, count, list URL name)."""
    rows = [
        ("Meetings", Meeting, "meeting-list"),
        ("Documents", Document, "document-list"),
        ("Packages", Package, "package-list"),
        ("Projects", Project, "project-list"),
        ("Bodies", Body, "body-list"),
        ("Persons", Person, "person-list"),
        ("Organizations", Organization, "organization-list"),
        ("Sources", Source, "source-list"),
    ]
    return [(label, model.objects.visible_to(user).count(), url) for label, model, url in rows]


class HomeView(TemplateView):
    template_name = "home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        meetings = Meeting.objects.visible_to(user)
        documents = Document.objects.visible_to(user)
        milestones = Milestone.objects.filter(
            project__in=Project.objects.visible_to(user).values("pk")
        )
        rows = charts.timeline_rows(meetings, documents, milestones)
        net = charts.network(meetings, documents)
        context.update(
            holdings=holdings(user),
            citation_count=Citation.objects.filter(
                source__in=Source.objects.visible_to(user).values("pk")
            ).count(),
            latest_meetings=meetings.filter(start_date__isnull=False)
            .select_related("host_country", "body")
            .prefetch_related(participations())[:8],
            timeline_rows=rows,
            timeline_svg=charts.timeline_svg(rows),
            network=net,
            network_svg=charts.network_svg(net),
        )
        return context


SEARCH_LIMIT = 10


class SearchView(TemplateView):
    template_name = "search.html"

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if response.context_data.get("error"):
            response.status_code = 400
        return response

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        field = SearchField(required=False, label="Search Pacta")
        raw = self.request.GET.get("q", "")
        context.update(query=raw, groups=[], error="")
        try:
            query = field.clean(raw).strip()
        except Exception as error:
            context["error"] = " ".join(getattr(error, "messages", [str(error)]))
            return context
        context["query"] = query
        if not query:
            return context
        user = self.request.user
        kinds = [
            (
                "Meetings",
                Meeting.objects.visible_to(user).select_related("host_country"),
                "meeting-list",
            ),
            ("Documents", Document.objects.visible_to(user), "document-list"),
            ("Packages", Package.objects.visible_to(user), "package-list"),
            ("Projects", Project.objects.visible_to(user), "project-list"),
            ("Bodies", Body.objects.visible_to(user), "body-list"),
            ("Persons", Person.objects.visible_to(user), "person-list"),
            ("Organizations", Organization.objects.visible_to(user), "organization-list"),
            ("Sources", Source.objects.visible_to(user).defer("text"), "source-list"),
        ]
        groups = []
        for label, queryset, list_url in kinds:
            found = list(queryset.search(query)[: SEARCH_LIMIT + 1])
            groups.append(
                {
                    "label": label,
                    "results": found[:SEARCH_LIMIT],
                    "more": len(found) > SEARCH_LIMIT,
                    "list_url": list_url,
                }
            )
        countries = list(
            CountryFilter({"q": query}, queryset=Country.objects.only(*COUNTRY_FIELDS)).qs[
                : SEARCH_LIMIT + 1
            ]
        )
        groups.append(
            {
                "label": "Countries",
                "results": countries[:SEARCH_LIMIT],
                "more": len(countries) > SEARCH_LIMIT,
                "list_url": "country-list",
            }
        )
        context["groups"] = groups
        context["total"] = sum(len(group["results"]) for group in groups)
        return context


class AboutView(TemplateView):
    template_name = "about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            holdings=holdings(self.request.user),
            api_links=[
                (label, url)
                for label, url in (
                    ("The whole dataset", api_url("dataset")),
                    ("API documentation", api_url("docs")),
                    ("OpenAPI schema", api_url("schema")),
                    ("Meetings as CSV", api_url("meeting-export-csv")),
                    ("Documents as CSV", api_url("document-export-csv")),
                    ("Projects as CSV", api_url("project-export-csv")),
                )
                if url
            ],
        )
        return context
