from __future__ import annotations

from collections import defaultdict

from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, prefetch_related_objects
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from records import registry
from records.admin_base import (
    BlankNamedValuesFilter,
    CollectionInlineMixin,
    HistoryAdmin,
    RecordAdmin,
    VersionedForm,
    admin_year_list_filter,
)
from records.admin_basis import CitationFormSet
from records.forms import CitationForm, SourceAddForm
from records.models import Citation, SeedTracked, Source
from records.passages import Span, segments, uncited_sentences
from records.services import mark_edited


class CitationInline(CollectionInlineMixin, GenericTabularInline):
    """Quotes that prove a record; checked against the source text when saved."""

    model = Citation
    form = CitationForm
    formset = CitationFormSet
    seed_collection = "citations"
    fields = ("source", "field", "quote", "occurrence", "start", "end")
    readonly_fields = ("start", "end")
    autocomplete_fields = ("source",)
    extra = 1
    verbose_name_plural = "citations (quotes from sources, checked verbatim on save)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")


def cited_models() -> list[type]:
    """Every registered model that carries citations (has a `citations` generic relation):
    the record kinds and the parts cited on their own (status events, milestones)."""
    models = [kind.model for kind in registry.kinds()]
    models += [part.model for part in registry.registry.parts_by_model.values()]
    return [
        model
        for model in models
        if any(
            isinstance(f, GenericRelation) and f.name == "citations"
            for f in model._meta.get_fields()
        )
    ]


def citation_owner(citation: Citation) -> tuple[SeedTracked | None, str]:
    """The record whose seed list a citation belongs to, and that list's name."""
    record = citation.record
    part = registry.part(type(record))
    if part is not None and part.seed_collection:
        return getattr(record, part.owner), part.seed_collection
    return (record if isinstance(record, SeedTracked) else None), "citations"


def admin_url(obj) -> str | None:
    try:
        return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])
    except NoReverseMatch:
        return None


def record_label(record) -> str:
    if record is None:
        return "(deleted record)"
    name = f"{record._meta.verbose_name}: {record}"
    part = registry.part(type(record))
    if part is not None and part.seed_collection:
        return f"{name} of “{getattr(record, part.owner)}”"
    return name


@admin.register(Source)
class SourceAdmin(RecordAdmin):
    change_form_template = "admin/records/source/change_form.html"
    list_display = (
        "title",
        "publisher",
        "published_on",
        "language",
        "citation_count",
        "status",
        "updated_at",
    )
    list_filter = (
        "status",
        "language",
        "text_use",
        admin_year_list_filter("published_on"),
        ("publisher", BlankNamedValuesFilter),
    )
    search_fields = ("title", "slug", "publisher", "author", "url", "dateline")
    date_hierarchy = "published_on"
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "slug",
                    "publisher",
                    "published_on",
                    "url",
                    "status",
                    "text_use",
                )
            },
        ),
        (
            "More",
            {
                "classes": ("collapse",),
                "fields": (
                    "author",
                    "dateline",
                    "published_precision",
                    "date_text",
                    "year_inferred",
                    "inference",
                    "language",
                    "filename",
                    "sha256",
                ),
            },
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "slug",
                    "publisher",
                    "published_on",
                    "url",
                    "text",
                    "upload",
                )
            },
        ),
        (
            "More",
            {
                "classes": ("collapse",),
                "fields": (
                    "author",
                    "dateline",
                    "published_precision",
                    "date_text",
                    "year_inferred",
                    "inference",
                    "language",
                    "status",
                ),
            },
        ),
    )
    readonly_fields = ("filename", "sha256")

    def get_fieldsets(self, request, obj=None):
        if obj is None:
            return self.add_fieldsets
        return super().get_fieldsets(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = SourceAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(citation_total=Count("passages"))

    @admin.display(description="citations", ordering="citation_total")
    def citation_count(self, obj) -> int:
        return obj.citation_total

    def change_view(self, request, object_id, form_url="", extra_context=None):
        source = self.get_object(request, object_id)
        extra_context = dict(extra_context or {})
        if source is not None:
            extra_context.update(self.annotated_text(source))
        return super().change_view(request, object_id, form_url, extra_context)

    def annotated_text(self, source: Source) -> dict:
        """The text with every cited passage marked and linked to the record citing it.

        Texts come from the outside world: every piece of them is escaped here.
        """
        citations = list(
            source.passages.select_related("content_type")
            .prefetch_related("record")
            .order_by("start", "pk")
        )
        # The record each cited part (a status event, a milestone) belongs to, one query a kind.
        parts: dict[type, list] = defaultdict(list)
        for citation in citations:
            if registry.part(type(citation.record)) is not None:
                parts[type(citation.record)].append(citation.record)
        for model, records in parts.items():
            prefetch_related_objects(records, registry.part(model).owner)
        legend = []
        spans = []
        for number, citation in enumerate(citations, start=1):
            spans.append(Span(citation.start, citation.end, number))
            legend.append(
                {
                    "number": number,
                    "quote": citation.quote,
                    "field": citation.field,
                    "record": record_label(citation.record),
                    "url": admin_url(citation.record) if citation.record else None,
                    "citation_url": admin_url(citation),
                }
            )
        by_number = {item["number"]: item for item in legend}
        parts = []
        for segment in segments(source.text, spans):
            if segment.keys:
                titles = "; ".join(by_number[key]["record"] for key in segment.keys)
                parts.append(
                    format_html('<mark class="cited" title="{}">{}</mark>', titles, segment.text)
                )
            else:
                parts.append(conditional_escape(segment.text))
            for key in segment.ending:
                item = by_number[key]
                parts.append(
                    format_html(
                        '<sup class="cite-ref"><a href="{}" title="{}">[{}]</a></sup>',
                        item["url"] or f"#citation-{key}",
                        item["record"],
                        key,
                    )
                )
        uncited = uncited_sentences(source.text, spans)
        return {
            # Every part above is escaped or built by format_html.
            "annotated_text": mark_safe("".join(str(part) for part in parts)),
            "citation_legend": legend,
            "uncited_sentences": uncited,
            "cited_share": _cited_share(source.text, spans),
        }


def _cited_share(text: str, spans: list[Span]) -> int:
    covered = [False] * len(text)
    for span in spans:
        for index in range(max(span.start, 0), min(span.end, len(text))):
            covered[index] = True
    letters = [c for c, char in zip(covered, text, strict=True) if not char.isspace()]
    return round(100 * sum(letters) / len(letters)) if letters else 0


class VersionedCitationForm(VersionedForm, CitationForm):
    """The stand-alone citation page refuses a stale save; the inline rows are part of their
    record's form, which carries the record's version."""


@admin.register(Citation)
class CitationAdmin(HistoryAdmin):
    form = VersionedCitationForm
    list_display = ("short_quote", "source", "content_type", "cited_record", "field", "start")
    list_filter = ("content_type", "source", ("field", BlankNamedValuesFilter))
    search_fields = ("quote", "field", "source__title", "source__slug")
    list_select_related = ("source", "content_type")
    autocomplete_fields = ("source",)
    fieldsets = (
        (None, {"fields": ("source", "quote", "occurrence", "field")}),
        ("Cited record", {"fields": ("content_type", "object_id", "start", "end")}),
    )
    readonly_fields = ("start", "end")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "content_type":
            kwargs["queryset"] = ContentType.objects.filter(
                pk__in=[ContentType.objects.get_for_model(model).pk for model in cited_models()]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        # One query per kind of record cited, however many rows the page shows.
        return super().get_queryset(request).prefetch_related("record")

    @admin.display(description="quote", ordering="quote")
    def short_quote(self, obj) -> str:
        return obj.quote if len(obj.quote) <= 80 else obj.quote[:79] + "…"

    @admin.display(description="record")
    def cited_record(self, obj):
        url = admin_url(obj.record) if obj.record is not None else None
        if url is None:
            return str(obj.record) if obj.record is not None else "(deleted record)"
        return format_html('<a href="{}">{}</a>', url, str(obj.record))

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        self.mark_owner(form.instance)

    def mark_owner(self, citation: Citation) -> None:
        owner, collection = citation_owner(citation)
        if owner is not None and owner.pk is not None:
            mark_edited(record=owner, names=[collection])

    def delete_model(self, request, obj) -> None:
        self.mark_owner(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        owners = defaultdict(set)
        for citation in queryset.prefetch_related("record"):
            owner, collection = citation_owner(citation)
            if owner is not None:
                owners[(type(owner), owner.pk)].add(collection)
        for (model, pk), names in owners.items():
            mark_edited(record=model(pk=pk), names=names)
        super().delete_queryset(request, queryset)
