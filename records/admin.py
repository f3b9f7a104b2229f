from __future__ import annotations

from collections import defaultdict
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import Count, ForeignKey, Q, prefetch_related_objects
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
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
from records.forms import CitationForm, SourceAddForm, cited_kinds, cited_parts
from records.models import Citation, SeedTracked, Source, citable_fields
from records.passages import Span, segments, uncited_sentences
from records.publishing import article_records
from records.quotes import check_quote, occurrence, occurrence_number
from records.services import mark_edited

# The citations inline's formset prefix (app, model, content type and id fields): the anchor
# of its group on a record's page.
CITATIONS_GROUP = "records-citation-content_type-object_id-group"


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

    class Media:
        js = ("records/citing.js",)
        css = {"all": ("records/citing.css",)}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        # A document's status events, a project's milestones: their quotes are added here.
        return ("target", *fields) if obj is not None and cited_parts(type(obj)) else fields

    def cited_passage_initial(self, request) -> dict | None:
        """The first new row, filled in from a passage chosen on a source's page."""
        found = cited_passage(request.GET, prefix="cite_")
        if found is None:
            return None
        source, start, end = found
        return {
            "source": source.pk,
            "quote": source.text[start:end],
            "occurrence": occurrence_number(source.text, start, end),
        }


def cited_passage(params, *, prefix: str = "") -> tuple[Source, int, int] | None:
    """The source and offsets a query string names (`source`, `start`, `end`), when they
    make a passage of that source's text; None otherwise."""
    try:
        pk = int(params.get(f"{prefix}source", ""))
        start, end = int(params.get(f"{prefix}start", "")), int(params.get(f"{prefix}end", ""))
    except ValueError:
        return None
    source = Source.objects.filter(pk=pk).only("pk", "slug", "text").first()
    if source is None or not 0 <= start < end <= len(source.text):
        return None
    if not source.text[start:end].strip():
        return None
    return source, start, end


def cite_query(source: Source, start: int, end: int) -> str:
    return urlencode({"cite_source": source.pk, "cite_start": start, "cite_end": end})


def record_picker(model, site: admin.AdminSite, data=None) -> forms.Form:
    """A form choosing one record of `model`: the admin's autocomplete, which is addressed
    through a foreign key pointing at the model (any will do: it only names the model)."""
    pointing = next(
        (rel.field for rel in model._meta.related_objects if isinstance(rel.field, ForeignKey)),
        None,
    )
    queryset = model._default_manager.all()
    searchable = pointing is not None and site.is_registered(model)
    widget = AutocompleteSelect(pointing, site) if searchable else forms.Select
    label = f"an existing {model._meta.verbose_name}"
    field = forms.ModelChoiceField(queryset=queryset, widget=widget, label=label)
    return type("RecordPicker", (forms.Form,), {"record": field})(
        data, prefix=model._meta.model_name
    )


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


def admin_of_url(model, view: str) -> str:
    return f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}"


@admin.register(Source)
class SourceAdmin(RecordAdmin):
    change_form_template = "admin/records/source/change_form.html"
    actions = (*RecordAdmin.actions, "publish_article")
    publish_buttons = (
        *RecordAdmin.publish_buttons,
        ("publish_article", "Publish the article's records"),
    )

    @admin.action(
        description="Publish the articles: the selected sources, every record citing them, "
        "and the drafts those show",
        permissions=["change"],
    )
    def publish_article(self, request, queryset):
        sources = list(queryset)
        records = list(dict.fromkeys(r for source in sources for r in article_records(source)))
        return self.publish_together(
            request,
            records,
            action="publish_article",
            heading="Publish the article's records",
            selected=[source.pk for source in sources],
        )

    class Media:
        js = ("records/citing.js",)
        css = {"all": ("records/citing.css",)}

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

    def cite_view(self, request, source: Source):
        """Cite a passage of this source: the offsets come from the selection (or an uncited
        sentence's link); the analyst picks the record, or goes to create one, and lands on
        its page with the citation's row filled in, to choose the field and save. It is the
        change page's GET with `cite_start` and `cite_end`, so it needs what viewing it does."""
        found = cited_passage(
            {**request.GET.dict(), "cite_source": str(source.pk)}, prefix="cite_"
        )
        change_url = reverse("admin:records_source_change", args=[source.pk])
        if found is None:
            self.message_user(
                request, "Select a passage of the text to cite it.", messages.WARNING
            )
            return HttpResponseRedirect(change_url)
        _, start, end = found
        kinds = {
            model._meta.model_name: model
            for model in cited_kinds()
            if registry.part(model) is None
        }
        chosen = kinds.get(request.GET.get("kind", ""))
        if chosen is not None:
            picker = record_picker(chosen, self.admin_site, request.GET)
            if picker.is_valid():
                record = picker.cleaned_data["record"]
                return HttpResponseRedirect(
                    f"{admin_url(record)}?{cite_query(source, start, end)}#{CITATIONS_GROUP}"
                )
        choices = []
        for model in kinds.values():
            admin_of = self.admin_site._registry.get(model)
            if admin_of is None or not admin_of.has_view_permission(request):
                continue
            add = None
            if admin_of.has_add_permission(request):
                add = f"{reverse(admin_of_url(model, 'add'))}?{cite_query(source, start, end)}"
            choices.append(
                {
                    "name": model._meta.model_name,
                    "label": model._meta.verbose_name,
                    "form": record_picker(model, self.admin_site),
                    "add_url": add,
                }
            )
        media = self.media
        for choice in choices:
            media += choice["form"].media
        check = check_quote(source.text, source.text[start:end])
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": source,
            "title": "Cite a passage",
            "passage": occurrence(source.text, start, end),
            "start": start,
            "end": end,
            "check": check,
            "occurrence": occurrence_number(source.text, start, end),
            "choices": choices,
            "media": media,
            "change_url": change_url,
        }
        return TemplateResponse(request, "admin/records/source/cite.html", context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        source = self.get_object(request, unquote(object_id))
        if request.method == "GET" and "cite_start" in request.GET and source is not None:
            if not self.has_view_permission(request, source):
                raise PermissionDenied
            return self.cite_view(request, source)
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
        cite_url = reverse("admin:records_source_change", args=[source.pk])
        return {
            "cite_url": cite_url,
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


class FieldReviewFilter(admin.SimpleListFilter):
    """Citations whose field names no fact of their record: values stored before the field was
    a choice that the migration could not map (records 0005). Kept, never deleted, to review."""

    title = "field check"
    parameter_name = "field_check"

    def lookups(self, request, model_admin):
        return [("unknown", "not a field of its record")]

    def queryset(self, request, queryset):
        if self.value() != "unknown":
            return queryset
        unknown = Q(pk__in=[])
        for model in cited_kinds():
            content_type = ContentType.objects.get_for_model(model)
            facts = ["", *citable_fields(model)]
            unknown |= Q(content_type=content_type) & ~Q(field__in=facts)
        return queryset.filter(unknown)


class VersionedCitationForm(VersionedForm, CitationForm):
    """The stand-alone citation page refuses a stale save; the inline rows are part of their
    record's form, which carries the record's version."""


@admin.register(Citation)
class CitationAdmin(HistoryAdmin):
    form = VersionedCitationForm
    list_display = ("short_quote", "source", "content_type", "cited_record", "field", "start")
    list_filter = (FieldReviewFilter, "content_type", "source", ("field", BlankNamedValuesFilter))
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
                pk__in=[ContentType.objects.get_for_model(model).pk for model in cited_kinds()]
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
