"""The pages about countries: the list, a country's page, and the relations of a pair.

They cut across every kind of record, so they sit above the domain apps. Every queryset
starts from visible_to(): a draft never shows, nor counts, for the public.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Case, Count, F, IntegerField, Min, QuerySet, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views.generic import TemplateView

from agreements.filters import DocumentFilter, ProjectFilter
from agreements.models import (
    Document,
    DocumentParty,
    Milestone,
    Project,
    ProjectCountry,
    StatusEvent,
)
from agreements.views import parties, project_countries
from pages import charts
from records import cache
from records.listing import FacetedListView, api_url
from records.visibility import sees_drafts
from summits.filters import CountryFilter, MeetingFilter
from summits.models import Body, Country, Meeting, MeetingCountry, Person, pair_url
from summits.views import COUNTRY_FIELDS, participations


def records_per_country(viewer) -> dict[int, tuple[int, int, int]]:
    """Each country's visible meetings, documents and projects: one GROUP BY per kind over
    the links to countries, in one query, where a subquery per country and kind took 2–8 s
    at 100,000 meetings (docs/scaling.md)."""
    per_kind = [
        through.objects.visible_to(viewer)
        .order_by()
        .values("country_id")
        # A record names a country once (a unique constraint on each link table), so a
        # plain count: no sort for DISTINCT.
        .annotate(kind=Value(index), n=Count("pk"))
        .values_list("country_id", "kind", "n")
        for index, through in enumerate((MeetingCountry, DocumentParty, ProjectCountry))
    ]
    counts: dict[int, list[int]] = {}
    for country, kind, n in per_kind[0].union(*per_kind[1:], all=True):
        counts.setdefault(country, [0, 0, 0])[kind] = n
    return {country: tuple(numbers) for country, numbers in counts.items()}


def per_country(counts: dict[int, tuple[int, int, int]], index: int):
    """An annotation giving each country its number from `counts` (0 when it has none)."""
    cases = [When(pk=country, then=Value(n[index])) for country, n in counts.items() if n[index]]
    return Case(*cases, default=Value(0), output_field=IntegerField()) if cases else Value(0)


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
        counts = cache.summary(
            self.request, "records-per-country", (), lambda: records_per_country(user)
        )
        return (
            Country.objects.only(*COUNTRY_FIELDS)
            .annotate(
                meeting_count=per_country(counts, 0),
                document_count=per_country(counts, 1),
                project_count=per_country(counts, 2),
            )
            .order_by("-meeting_count", "-document_count", "name")
        )


# A country's or a pair's page shows this many of each kind of record, the latest first, and
# links to the filtered list for the rest: at 100,000 meetings a page listing everything was
# 41 MB and took 35 s (docs/scaling.md).
LATEST = 50
# Partners shown on a country's page, the most active first; the rest are counted.
TOP_PARTNERS = 40
# Events on a pair's timeline: the latest, in date order.
TIMELINE_EVENTS = 100


def latest(
    records: QuerySet, limit: int | None = None, total: Callable[[], int] | None = None
) -> tuple[list, int]:
    """The first `limit` (LATEST) records in the queryset's order, and how many in all
    (`total()`, when the page keeps its counts with its other aggregates)."""
    limit = LATEST if limit is None else limit
    shown = list(records[: limit + 1])
    if len(shown) <= limit:
        return shown, len(shown)
    return shown[:limit], total() if total else records.order_by().count()


def counted(request, kind: str, parts: tuple, rows: dict[str, QuerySet]) -> dict[str, int]:
    """How many of each of `rows` there are, kept per data version like the page's other
    aggregates (records/cache.summary): on a busy country or pair, counting them was a
    quarter of the page's time."""
    return cache.summary(
        request, kind, parts, lambda: {name: qs.order_by().count() for name, qs in rows.items()}
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
        meetings = Meeting.objects.visible_to(user).filter(
            pk__in=MeetingCountry.objects.filter(country=country).values("meeting")
        )
        documents = Document.objects.visible_to(user).filter(
            pk__in=DocumentParty.objects.filter(country=country).values("document")
        )
        projects = Project.objects.visible_to(user).filter(
            pk__in=ProjectCountry.objects.filter(country=country).values("project")
        )
        milestones = Milestone.objects.filter(project__in=projects.values("pk"))
        rows = cache.summary(
            self.request,
            "country-years",
            (country.code,),
            lambda: charts.timeline_rows(meetings, documents, milestones),
        )
        totals = functools.partial(
            counted,
            self.request,
            "country-counts",
            (country.code,),
            {"meetings": meetings, "documents": documents, "projects": projects},
        )
        shown_meetings, meeting_count = latest(
            meetings.select_related("host_country", "body").prefetch_related(participations()),
            total=lambda: totals()["meetings"],
        )
        shown_documents, document_count = latest(
            documents.prefetch_related(parties()), total=lambda: totals()["documents"]
        )
        shown_projects, project_count = latest(
            projects.annotate(first_date=Min("milestones__date"))
            .prefetch_related(project_countries())
            .order_by(F("first_date").desc(nulls_last=True), "name"),
            total=lambda: totals()["projects"],
        )
        partners = cache.summary(
            self.request,
            "country-partners",
            (country.code,),
            lambda: self.partners(country, meetings, documents, projects),
        )
        persons, person_count = latest(Person.objects.visible_to(user).filter(country=country))
        bodies, body_count = latest(Body.objects.visible_to(user).filter(members=country))
        context.update(
            object=country,
            country=country,
            meetings=shown_meetings,
            meeting_count=meeting_count,
            documents=shown_documents,
            document_count=document_count,
            projects=shown_projects,
            project_count=project_count,
            partners=partners[:TOP_PARTNERS],
            partner_count=len(partners),
            timeline_svg=charts.timeline_svg(rows, chart_id="country-timeline"),
            timeline_rows=rows,
            persons=persons,
            person_count=person_count,
            bodies=bodies,
            body_count=body_count,
            json_url=api_url("country-detail", code=country.code),
            preview=sees_drafts(user),
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
                        "url": pair_url(country.code, row["country__code"]),
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
        projects = ProjectFilter(both, queryset=Project.objects.visible_to(user)).qs.order_by(
            "name"
        )
        status_events = StatusEvent.objects.filter(
            document__in=documents.order_by().values("pk")
        ).select_related("document")
        milestones = Milestone.objects.filter(
            project__in=projects.order_by().values("pk")
        ).select_related("project")

        # The latest events of each kind: enough to fill the page's slice whichever kind
        # dominates, never every shared record.
        newest = {
            "meeting": (meetings, "start_date"),
            "document": (documents, "date"),
            "status": (status_events, "date"),
            "milestone": (milestones, "date"),
        }
        totals = functools.partial(
            counted,
            self.request,
            "pair-counts",
            tuple(codes),
            {kind: rows for kind, (rows, _) in newest.items()},
        )
        found = {
            kind: latest(
                rows.order_by(F(field).desc(nulls_last=True), "pk"),
                TIMELINE_EVENTS,
                total=lambda kind=kind: totals()[kind],
            )
            for kind, (rows, field) in newest.items()
        }
        shown_projects, project_count = latest(projects)
        timeline = pair_timeline(
            found["meeting"][0],
            found["document"][0],
            found["status"][0],
            shown_projects,
            found["milestone"][0],
        )
        # Capped when a kind had more than its slice, or the events more than the page shows.
        capped = project_count > len(shown_projects) or any(
            count > len(shown) for shown, count in found.values()
        )
        if len(timeline) > TIMELINE_EVENTS:
            capped = True
            dated = [event for event in timeline if event.date is not None]
            timeline = (
                dated[-TIMELINE_EVENTS:]
                if len(dated) >= TIMELINE_EVENTS
                else timeline[:TIMELINE_EVENTS]
            )
        rows = cache.summary(
            self.request,
            "pair-years",
            tuple(codes),
            lambda: charts.timeline_rows(meetings, documents, milestones),
        )
        context.update(
            first=first,
            second=second,
            timeline=timeline,
            timeline_capped=capped,
            meeting_count=found["meeting"][1],
            document_count=found["document"][1],
            projects=shown_projects,
            project_count=project_count,
            timeline_rows=rows,
            timeline_svg=charts.timeline_svg(rows, chart_id="pair-timeline"),
            # The lists filtered exactly as this page filters them: the same query string.
            filtered_query=urlencode(both),
            preview=sees_drafts(user),
        )
        return context


@dataclass
class PairEvent:
    """One entry of a pair's timeline: a meeting, a document (with the steps of its life that
    share its date: its signing is the document's own entry), a later step of a document, or a
    project, once, with its milestones under it."""

    kind: str
    label: str
    title: str
    url: str
    # What carries the date shown (a meeting, a document, a status event, a milestone), and
    # the names of its date fields.
    dated: object | None
    date_field: str = "date"
    precision_field: str = "date_precision"
    steps: list = field(default_factory=list)
    milestones: list = field(default_factory=list)

    @property
    def date(self) -> dt.date | None:
        return getattr(self.dated, self.date_field, None) if self.dated else None


ORDER = {"meeting": 0, "document": 1, "status": 2, "project": 3}


def pair_timeline(meetings, documents, status_events, projects, milestones) -> list[PairEvent]:
    events = [
        PairEvent(
            "meeting",
            "Meeting",
            m.title,
            m.get_absolute_url(),
            m,
            "start_date",
            "start_precision",
        )
        for m in meetings
    ]
    steps_of: dict[int, list] = {}
    for event in sorted(status_events, key=lambda e: (e.date is None, e.date or dt.date.min)):
        steps_of.setdefault(event.document_id, []).append(event)
    for document in documents:
        steps = steps_of.get(document.pk, [])
        # An undated document takes the date of its first dated step.
        anchor = document if document.date else next((e for e in steps if e.date), document)
        same_day = [e for e in steps if e.date and e.date == anchor.date]
        events.append(
            PairEvent(
                "document",
                "Document",
                document.title,
                document.get_absolute_url(),
                anchor,
                steps=[e.get_status_display().lower() for e in same_day],
            )
        )
        events += [
            PairEvent(
                "status",
                f"Document {e.get_status_display().lower()}",
                document.title,
                document.get_absolute_url(),
                e,
            )
            for e in steps
            if e not in same_day
        ]
    milestones_of: dict[int, list] = {}
    for milestone in sorted(milestones, key=lambda m: (m.date is None, m.date or dt.date.min)):
        milestones_of.setdefault(milestone.project_id, []).append(milestone)
    for project in projects:
        steps = milestones_of.get(project.pk, [])
        events.append(
            PairEvent(
                "project",
                "Project",
                project.name,
                project.get_absolute_url(),
                next((m for m in steps if m.date), None),
                milestones=steps,
            )
        )
    events.sort(key=lambda e: (e.date is None, e.date or dt.date.min, ORDER[e.kind], e.title))
    return events
