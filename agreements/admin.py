from django.contrib import admin
from django.db.models import Count, Prefetch

from agreements.models import (
    Document,
    DocumentParty,
    DocumentRelation,
    DocumentSignatory,
    Milestone,
    Package,
    Project,
    ProjectCountry,
    ProjectFigure,
    ProjectOrganization,
    StatusEvent,
)
from seeds.admin import CitationInline
from summits.admin import DATE_MORE, DocumentInline
from summits.admin_base import (
    CollectionInlineMixin,
    HistoryAdmin,
    RecordAdmin,
    country_filter,
    year_filter,
)


class PackageDocumentInline(DocumentInline):
    fk_name = "package"
    verbose_name_plural = "documents of this package"


@admin.register(Package)
class PackageAdmin(RecordAdmin):
    list_display = ("title", "meeting", "announced_count", "identified", "status", "updated_at")
    list_filter = ("status", year_filter("meeting__start_date"))
    list_select_related = ("meeting",)
    search_fields = ("title", "slug", "announced_text", "meeting__title")
    autocomplete_fields = ("meeting",)
    fieldsets = (
        (None, {"fields": ("title", "slug", "meeting", "status")}),
        ("As announced", {"fields": ("announced_count", "announced_text", "summary")}),
    )
    inlines = (PackageDocumentInline, CitationInline)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(document_total=Count("documents"))

    @admin.display(description="documents identified", ordering="document_total")
    def identified(self, obj) -> str:
        return obj.identified_display(obj.document_total)


class DocumentPartyInline(CollectionInlineMixin, admin.TabularInline):
    model = DocumentParty
    seed_collection = "parties"
    fields = ("country", "role")
    autocomplete_fields = ("country",)
    extra = 0


class DocumentSignatoryInline(CollectionInlineMixin, admin.TabularInline):
    model = DocumentSignatory
    seed_collection = "signatories"
    fields = ("person", "role")
    autocomplete_fields = ("person",)
    extra = 0


class StatusEventInline(CollectionInlineMixin, admin.TabularInline):
    """Open an event (its change link) to cite the sentence that proves it."""

    model = StatusEvent
    seed_collection = "status_history"
    fields = ("status", "date", "date_precision", "date_text", "note")
    show_change_link = True
    extra = 0


class DocumentRelationInline(CollectionInlineMixin, admin.TabularInline):
    model = DocumentRelation
    fk_name = "from_document"
    seed_collection = "relations"
    fields = ("kind", "to_document")
    autocomplete_fields = ("to_document",)
    extra = 0
    verbose_name_plural = "relations to other documents"


@admin.register(Document)
class DocumentAdmin(RecordAdmin):
    list_display = (
        "title",
        "kind",
        "date_display",
        "meeting",
        "party_list",
        "current_status",
        "status",
    )
    list_filter = (
        "status",
        "kind",
        "level",
        "conclusion",
        country_filter("parties", "party_roles"),
        year_filter("date"),
        ("meeting__body", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("meeting", "package")
    search_fields = ("title", "slug", "summary", "meeting__title", "parties__name")
    date_hierarchy = "date"
    autocomplete_fields = ("meeting", "package", "place_country", "establishes_body")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "slug",
                    "kind",
                    "status",
                    ("date", "date_precision"),
                    "meeting",
                    "package",
                )
            },
        ),
        (
            "How and where",
            {"fields": ("level", "conclusion", ("place_city", "place_country"))},
        ),
        ("Summary", {"fields": ("summary", "establishes_body")}),
        ("More", {"classes": ("collapse",), "fields": DATE_MORE}),
    )
    inlines = (
        DocumentPartyInline,
        DocumentSignatoryInline,
        StatusEventInline,
        DocumentRelationInline,
        CitationInline,
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch("party_roles", queryset=DocumentParty.objects.select_related("country")),
                "status_events",
            )
        )

    @admin.display(description="date", ordering="date")
    def date_display(self, obj) -> str:
        return obj.date_display

    @admin.display(description="parties")
    def party_list(self, obj) -> str:
        return ", ".join(role.country.name for role in obj.party_roles.all())

    @admin.display(description="latest step")
    def current_status(self, obj) -> str:
        events = list(obj.status_events.all())
        return str(events[-1]) if events else "—"


@admin.register(StatusEvent)
class StatusEventAdmin(HistoryAdmin):
    parent_seed_collection = ("document", "status_history")
    list_display = ("document", "status", "date_display", "note")
    list_filter = ("status", year_filter("date"))
    list_select_related = ("document",)
    search_fields = ("document__title", "note", "date_text")
    date_hierarchy = "date"
    autocomplete_fields = ("document",)
    fieldsets = (
        (None, {"fields": ("document", "status", ("date", "date_precision"), "note")}),
        ("More", {"classes": ("collapse",), "fields": DATE_MORE}),
    )
    inlines = (CitationInline,)

    @admin.display(description="date", ordering="date")
    def date_display(self, obj) -> str:
        return obj.date_display


class ProjectCountryInline(CollectionInlineMixin, admin.TabularInline):
    model = ProjectCountry
    seed_collection = "countries"
    fields = ("country", "role")
    autocomplete_fields = ("country",)
    extra = 0


class ProjectOrganizationInline(CollectionInlineMixin, admin.TabularInline):
    model = ProjectOrganization
    seed_collection = "organizations"
    fields = ("organization", "role")
    autocomplete_fields = ("organization",)
    extra = 0


class ProjectFigureInline(CollectionInlineMixin, admin.TabularInline):
    model = ProjectFigure
    seed_collection = "figures"
    fields = ("text", "qualifier", "value", "unit")
    extra = 0


class MilestoneInline(CollectionInlineMixin, admin.TabularInline):
    """Open a milestone (its change link) to cite the sentence that proves it."""

    model = Milestone
    seed_collection = "milestones"
    fields = ("kind", "date", "date_precision", "date_text", "note")
    show_change_link = True
    extra = 0


@admin.register(Project)
class ProjectAdmin(RecordAdmin):
    slug_from = "name"
    list_display = ("name", "kind", "country_list", "location_city", "next_step", "status")
    list_filter = (
        "status",
        "kind",
        country_filter("countries", "project_roles"),
        ("sectors", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("location_country",)
    search_fields = ("name", "slug", "summary", "location_city", "countries__name")
    autocomplete_fields = ("location_country", "sectors", "meetings", "documents")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "name",
                    "slug",
                    "kind",
                    "status",
                    ("location_city", "location_country"),
                    "summary",
                )
            },
        ),
        ("Where it comes from", {"fields": ("meetings", "documents", "sectors")}),
    )
    inlines = (
        ProjectCountryInline,
        ProjectOrganizationInline,
        MilestoneInline,
        ProjectFigureInline,
        CitationInline,
    )

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "country_roles", queryset=ProjectCountry.objects.select_related("country")
                ),
                "milestones",
            )
        )

    @admin.display(description="countries")
    def country_list(self, obj) -> str:
        return ", ".join(role.country.name for role in obj.country_roles.all())

    @admin.display(description="latest milestone")
    def next_step(self, obj) -> str:
        milestones = list(obj.milestones.all())
        return str(milestones[-1]) if milestones else "—"


@admin.register(Milestone)
class MilestoneAdmin(HistoryAdmin):
    parent_seed_collection = ("project", "milestones")
    list_display = ("project", "kind", "date_display", "note")
    list_filter = ("kind", year_filter("date"))
    list_select_related = ("project",)
    search_fields = ("project__name", "note", "date_text")
    date_hierarchy = "date"
    autocomplete_fields = ("project",)
    fieldsets = (
        (None, {"fields": ("project", "kind", ("date", "date_precision"), "note")}),
        ("More", {"classes": ("collapse",), "fields": DATE_MORE}),
    )
    inlines = (CitationInline,)

    @admin.display(description="date", ordering="date")
    def date_display(self, obj) -> str:
        return obj.date_display
