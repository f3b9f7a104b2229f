from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Count, Q
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from agreements.models import Document, Milestone, Package, Project, StatusEvent
from seeds.cited import cited_by_published
from seeds.filters import SourceFilter
from seeds.highlight import Segment, segments
from seeds.models import Citation, Source
from summits.citing import is_preview
from summits.listing import Facet, FacetedListView, kind_counts, year_counts
from summits.models import Body, EditorialStatus, Meeting, Organization, Person
from summits.views import RecordDetailView


class SourceListView(FacetedListView):
    model = Source
    filterset_class = SourceFilter
    api_basename = "source"
    row_template = "seeds/rows/source.html"
    main_filters = ("q", "year", "publisher", "language")
    intro = "The press texts Pacta's records are drawn from, each stored verbatim."
    facets = (
        Facet("year", "Year", year_counts("published_on")),
        Facet("publisher", "Publisher", kind_counts("publisher", ())),
        Facet("language", "Language", kind_counts("language", ())),
    )
    # The list never needs an article's full text.
    queryset = Source.objects.defer("text")

    def visible_queryset(self):
        return (
            super()
            .visible_queryset()
            # Quotes cited by drafts are not public: they are not counted either.
            .annotate(
                citation_count=Count(
                    "citations",
                    filter=Q(citations__in=Citation.objects.filter(cited_by_published())),
                )
            )
            .order_by("-published_on", "title")
        )


@dataclass
class CitedRecord:
    """What a quote supports, as the source page links it."""

    kind: str
    title: str
    url: str
    visible: bool


def cited_record(citation: Citation, preview: bool) -> CitedRecord | None:
    record = citation.record
    if record is None:
        return None
    if isinstance(record, StatusEvent):
        owner = record.document
        kind = f"Status of document ({record.get_status_display().lower()})"
    elif isinstance(record, Milestone):
        owner = record.project
        kind = f"Milestone of project ({record.get_kind_display().lower()})"
    else:
        owner = record
        kind = record._meta.verbose_name.capitalize()
    visible = preview or getattr(owner, "status", EditorialStatus.PUBLISHED) == (
        EditorialStatus.PUBLISHED
    )
    return CitedRecord(kind, str(owner), owner.get_absolute_url(), visible)


def source_html(parts: list[Segment]) -> SafeString:
    """The verbatim text, escaped, with each cited stretch marked and linked to its record.

    Built here rather than in a template so that no template whitespace slips into a text
    shown with its own line breaks.
    """
    html = []
    for part in parts:
        if not part.is_cited:
            html.append(escape(part.text))
            continue
        first, *others = part.citations
        supports = list({c.supports.url: c.supports for c in part.citations}.values())
        extra_anchors = format_html_join(
            "", '<span id="c{}" class="anchor"></span>', ((c.pk,) for c in others)
        )
        also = format_html_join(
            ", ",
            '<a href="{}" aria-label="Also supports {}: {}">{}</a>',
            (
                (record.url, record.kind, record.title, index)
                for index, record in enumerate(supports[1:], start=2)
            ),
        )
        html.append(
            format_html(
                '<mark id="c{}">{}<a href="{}" title="Supports {}: {}">{}</a></mark>{}',
                first.pk,
                extra_anchors,
                supports[0].url,
                supports[0].kind,
                supports[0].title,
                part.text,
                format_html('<sup class="refs">[{}]</sup>', also) if len(supports) > 1 else "",
            )
        )
    return mark_safe("".join(html))


class SourceDetailView(RecordDetailView):
    model = Source
    template_name = "seeds/source_detail.html"
    api_basename = "source"
    shown_facts = ()

    def with_related(self, queryset, user):
        # A source is cited, never citing: its `citations` are the quotes taken from it.
        return queryset

    def record_citations(self):
        return []

    def get_context_data(self, **kwargs):
        source = self.object
        preview = is_preview(self.request.user)
        citations = list(
            Citation.objects.filter(source=source)
            .only("id", "content_type_id", "object_id", "field", "quote", "start", "end")
            .prefetch_related(
                GenericPrefetch(
                    "record",
                    [
                        Meeting.objects.only("id", "slug", "title", "status"),
                        Document.objects.only("id", "slug", "title", "status"),
                        Package.objects.only("id", "slug", "title", "status"),
                        Project.objects.only("id", "slug", "name", "status"),
                        Body.objects.only("id", "slug", "name", "status"),
                        Person.objects.only("id", "slug", "name", "status"),
                        Organization.objects.only("id", "slug", "name", "status"),
                        StatusEvent.objects.select_related("document").only(
                            "id",
                            "status",
                            "document__id",
                            "document__slug",
                            "document__title",
                            "document__status",
                        ),
                        Milestone.objects.select_related("project").only(
                            "id",
                            "kind",
                            "project__id",
                            "project__slug",
                            "project__name",
                            "project__status",
                        ),
                    ],
                )
            )
        )
        shown = []
        for citation in citations:
            citation.supports = cited_record(citation, preview)
            if citation.supports is not None and citation.supports.visible:
                shown.append(citation)
        records: dict[str, dict] = {}
        for citation in shown:
            entry = records.setdefault(
                citation.supports.url,
                {"record": citation.supports, "citations": []},
            )
            entry["citations"].append(citation)
        context = super().get_context_data(**kwargs)
        context.update(
            source_html=source_html(segments(source.text, [(c.start, c.end, c) for c in shown])),
            cited_records=list(records.values()),
            citation_count=len(shown),
        )
        return context
