"""The sources' pages: the list of press texts, and a text with every cited passage marked
and linked to the record it supports. A source is cited by records of every kind, so these
pages sit above the domain apps and read the registry of kinds."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from records import registry
from records.excerpts import windows
from records.filters import SourceFilter
from records.listing import Facet, FacetedListView, kind_counts, year_counts
from records.models import Citation, Source, TextUse
from records.passages import Marked, marked
from records.views import RecordDetailView
from records.visibility import published_lookup, sees_drafts, shows


class SourceListView(FacetedListView):
    """The sources, each with how many of its passages are cited. A quote counts when the
    reader may see the record it supports: a draft record's quotes are not counted."""

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
        return super().visible_queryset().order_by("-published_on", "title")

    def get_context_data(self, **kwargs):
        # The page's rows are counted, not every source: an annotation over the whole list
        # grouped 20,000 sources (their texts too) by 380,000 quotes for the page, the count
        # and each facet, 1.8 s per query (docs/scaling.md).
        context = super().get_context_data(**kwargs)
        rows = list(context["object_list"])
        quotes = Citation.objects.filter(source__in=[row.pk for row in rows])
        if not sees_drafts(self.request.user):
            quotes = quotes.filter(of_published_records())
        counts = dict(
            quotes.order_by().values("source").annotate(n=Count("pk")).values_list("source", "n")
        )
        for row in rows:
            row.citation_count = counts.get(row.pk, 0)
        context["object_list"] = rows
        return context


def of_published_records() -> Q:
    """Quotes supporting a published record or a part of one, as a condition checked per
    quote (an EXISTS on the record's row): a condition over every published record's id was
    1.4 s for a page's 500 quotes at 100,000 meetings, this is a few milliseconds."""
    from django.contrib.contenttypes.models import ContentType

    models = [kind.model for kind in registry.kinds()] + [
        part.model for part in registry.registry.parts_by_model.values() if part.seed_collection
    ]
    cited = Q(pk__in=[])
    for model in models:
        part = registry.part(model)
        if part is not None:
            published = model.objects.filter(**published_lookup(part.owner))
        else:
            published = model.objects.visible_to(False)
        supported = published.filter(pk=OuterRef("object_id"))
        cited |= Q(Exists(supported), content_type=ContentType.objects.get_for_model(model))
    return cited


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
    part = registry.part(type(record))
    if part is not None and part.describe is not None:
        owner, kind = getattr(record, part.owner), part.describe(record)
    else:
        owner, kind = record, record._meta.verbose_name.capitalize()
    return CitedRecord(kind, str(owner), owner.get_absolute_url(), shows(owner, preview))


def source_html(parts: list[Marked]) -> SafeString:
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
            # The visible number starts the link's name, as a speech user says it.
            '<a href="{}">{}<span class="visually-hidden"> (also supports {}: {})</span></a>',
            (
                (record.url, index, record.kind, record.title)
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


def cited_querysets() -> list:
    """What the source page reads of each record a quote supports: its name and status, and
    for a part (a status event, a milestone) the record it belongs to."""
    querysets = [
        kind.model.objects.only("id", "slug", kind.title_field, "status")
        for kind in registry.kinds()
    ]
    for part in registry.registry.parts_by_model.values():
        if part.describe is not None:
            querysets.append(part.model.objects.select_related(part.owner))
    return querysets


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
        preview = sees_drafts(self.request.user)
        citations = list(
            source.passages.all()
            .only(
                "id", "source_id", "content_type_id", "object_id", "field", "quote", "start", "end"
            )
            .prefetch_related(GenericPrefetch("record", cited_querysets()))
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
        quotes_only = source.text_use == TextUse.QUOTES
        if quotes_only:
            # The licence forbids reprinting the text: its cited passages with a sentence of
            # context each (records/excerpts.py), marked the same way.
            stretches = windows(source.text, [(c.start, c.end) for c in shown])
            html = [
                source_html(
                    marked(
                        source.text[begin:end],
                        [(c.start - begin, c.end - begin, c) for c in shown],
                    )
                )
                for begin, end in stretches
            ]
            shown_html = mark_safe('\n<span class="omission">[…]</span>\n'.join(html))
        else:
            shown_html = source_html(marked(source.text, [(c.start, c.end, c) for c in shown]))
        context.update(
            quotes_only=quotes_only,
            source_html=shown_html,
            cited_records=list(records.values()),
            citation_count=len(shown),
        )
        return context
