"""The pages about everything at once: home, search and about."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.views import View
from django.views.generic import TemplateView

from agreements.models import Document, Milestone, Project
from pages import charts
from pages.spelling import did_you_mean
from records import cache, registry
from records.filters import SearchField
from records.listing import api_url, has_citations, quotes_of, searched_texts
from records.models import Citation, Source
from records.search import query_words
from records.suggest import snippet
from records.tracking import retention_days
from summits.filters import CountryFilter
from summits.models import Country, Meeting
from summits.views import COUNTRY_FIELDS, participations


def holdings(user) -> list[tuple[str, int, str]]:
    """What Pacta holds: (label, count, list URL name), one row per registered kind; the
    label in the singular for one ("1 body")."""
    rows = []
    for kind in registry.kinds():
        count = kind.model.objects.visible_to(user).count()
        label = kind.label if count != 1 else str(kind.model._meta.verbose_name)
        rows.append((label, count, kind.list_url_name))
    return rows


# The network picture keeps the strongest ties among the most active countries: drawn whole
# at 100,000 meetings it was 6.6 MB of SVG (docs/scaling.md). The countries list has the rest.
NETWORK_COUNTRIES = 30
NETWORK_TIES = 80


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
        request = self.request
        rows = cache.summary(
            request, "years", (), lambda: charts.timeline_rows(meetings, documents, milestones)
        )
        net = cache.summary(
            request,
            "network",
            (NETWORK_COUNTRIES, NETWORK_TIES),
            lambda: charts.network(meetings, documents).top(NETWORK_COUNTRIES, NETWORK_TIES),
        )
        context.update(
            holdings=cache.summary(request, "holdings", (), lambda: holdings(user)),
            citation_count=cache.summary(
                request, "citations", (), Citation.objects.visible_to(user).count
            ),
            latest_meetings=meetings.filter(start_date__isnull=False)
            .select_related("host_country", "body")
            .prefetch_related(participations())[:8],
            timeline_rows=rows,
            timeline_svg=charts.timeline_svg(rows),
            network=net,
            network_svg=charts.network_svg(net),
            network_key=charts.network_key(net),
        )
        return context


SEARCH_LIMIT = 10
# What each kind's search results need besides the record itself.
SEARCHED = {
    Meeting: lambda results: results.select_related("host_country"),
    Source: lambda results: results.defer("text"),
}


class SearchView(TemplateView):
    template_name = "search.html"
    # What the page reads, and so what the page cache keys it on (records/cache.py).
    query_params = ("q",)

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
        words = query_words(query)
        groups = []
        for kind in registry.kinds():
            results = kind.model.objects.visible_to(user).search(query, user)
            if kind.model in SEARCHED:
                results = SEARCHED[kind.model](results)
            if has_citations(kind.model):
                # One query per kind that found something: the quotes its snippets come from.
                quotes = Citation.objects.visible_to(user).only(
                    "quote", "object_id", "content_type_id"
                )
                results = results.prefetch_related(Prefetch("citations", queryset=quotes))
            found = list(results[: SEARCH_LIMIT + 1])
            groups.append(
                {
                    "label": kind.label,
                    "results": [
                        (record, snippet(searched_texts(record, quotes_of(record)), words))
                        for record in found[:SEARCH_LIMIT]
                    ],
                    "more": len(found) > SEARCH_LIMIT,
                    "list_url": kind.list_url_name,
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
                "results": [(country, None) for country in countries[:SEARCH_LIMIT]],
                "more": len(countries) > SEARCH_LIMIT,
                "list_url": "country-list",
            }
        )
        context["groups"] = groups
        context["total"] = sum(len(group["results"]) for group in groups)
        # Offered whatever was found: "Aliev" finds a quote's misspelling, not Aliyev.
        context["suggestion"] = did_you_mean(query, self.request)
        return context


class EditorialPolicyView(View):
    """docs/editorial-policy.md as it is in the repository, so the page and the file never
    differ: plain text, which every browser shows as it is written."""

    def get(self, request):
        path = Path(settings.BASE_DIR) / "docs" / "editorial-policy.md"
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise Http404(
                "The editorial policy is not installed with this copy of Pacta."
            ) from exc
        return HttpResponse(text, content_type="text/plain; charset=utf-8")


class AboutView(TemplateView):
    template_name = "about.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            holdings=cache.summary(
                self.request, "holdings", (), lambda: holdings(self.request.user)
            ),
            changes_retention_days=retention_days(),
            api_links=[
                (label, url)
                for label, url in (
                    ("The whole dataset", api_url("dataset")),
                    ("Changes, for syncing", (api_url("changes") or "") + "?since=now"),
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
