"""The pages about countries: the list, a country's page, and the relations of a pair.

They cut across every kind of record, so they sit above the domain apps. Every queryset
starts from visible_to(): a draft never shows, nor counts, for the public.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.db.models import Count, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce
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
from records.listing import FacetedListView, api_url
from records.visibility import sees_drafts
from summits.filters import CountryFilter, MeetingFilter
from summits.models import Body, Country, Meeting, MeetingCountry, Person, pair_url
from summits.views import COUNTRY_FIELDS, participations


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
        meetings = MeetingCountry.objects.visible_to(user)
        documents = DocumentParty.objects.visible_to(user)
        projects = ProjectCountry.objects.visible_to(user)
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

        timeline = pair_timeline(meetings, documents, status_events, projects, milestones)
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
