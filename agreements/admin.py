from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.urls import reverse

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
from records.admin import CitationInline
from records.admin_base import (
    CHECKED_JSON,
    BackToOwnerMixin,
    CollectionInlineMixin,
    HistoryAdmin,
    LabelledInlineMixin,
    RecordAdmin,
    admin_year_list_filter,
)
from records.admin_basis import (
    BasisAdminMixin,
    StepBasisForm,
    basis_name,
    reasoning_name,
    step_fields,
    with_basis,
)
from records.registry import part
from records.services import mark_edited
from summits import admin as summits_admin
from summits.admin import DATE_MORE, admin_country_list_filter
from summits.models import Meeting


class DocumentInline(LabelledInlineMixin, admin.TabularInline):
    """The documents of a meeting or package; open one for its parties and status."""

    formfield_overrides = CHECKED_JSON
    model = Document
    # The slug is made from the title on save (RecordAdmin.save_formset) and changed, by an
    # Editor, on the document's own page, where the old URLs are kept.
    fields = ("title", "kind", "date", "date_precision", "status")
    readonly_fields = ("status",)
    show_change_link = True
    extra = 0


class MeetingDocumentInline(DocumentInline):
    fk_name = "meeting"
    verbose_name_plural = "documents signed or adopted at this meeting"


# A meeting's documents are edited on its page; summits cannot name them, so the meeting's
# admin is completed here, one layer up.
admin.site.unregister(Meeting)


@admin.register(Meeting)
class MeetingAdmin(summits_admin.MeetingAdmin):
    list_display = (*summits_admin.MeetingAdmin.list_display[:-1], "document_count", "status")
    inlines = (
        summits_admin.MeetingCountryInline,
        summits_admin.MeetingPersonInline,
        MeetingDocumentInline,
        CitationInline,
    )

    def related_links(self, obj) -> list[tuple[str, str]]:
        add = reverse("admin:agreements_document_add")
        return [
            *super().related_links(obj),
            (f"{add}?meeting={obj.pk}", "Add a document signed at this meeting"),
        ]

    def save_formset(self, request, form, formset, change) -> None:
        """A document added in the meeting's rows takes its place and date from the meeting
        (the fields it leaves empty), each with the meeting's basis carried."""
        if formset.model is Document:
            for document_form in formset.forms:
                instance = document_form.instance
                if instance.pk is None and document_form.has_changed():
                    instance.meeting = formset.instance
                    instance.default_from_meeting()
        super().save_formset(request, form, formset, change)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(document_total=Count("documents"))

    @admin.display(description="documents", ordering="document_total")
    def document_count(self, obj) -> int:
        return obj.document_total


class PackageDocumentInline(DocumentInline):
    fk_name = "package"
    verbose_name_plural = "documents of this package"


@admin.register(Package)
class PackageAdmin(BasisAdminMixin, RecordAdmin):
    list_display = ("title", "meeting", "announced_count", "identified", "status", "updated_at")
    list_filter = ("status", admin_year_list_filter("meeting__start_date"))
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
    """A document's steps; their quotes are added in the citations below ("quote for")."""

    model = StatusEvent
    seed_collection = "status_history"
    form = with_basis(StepBasisForm, StatusEvent)
    fields = step_fields(StatusEvent, ("status", "date", "date_precision", "date_text", "note"))
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
class DocumentAdmin(BasisAdminMixin, RecordAdmin):
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
        admin_country_list_filter("parties", "party_roles"),
        admin_year_list_filter("date"),
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

    def get_changeform_initial_data(self, request):
        """Added from a meeting (`?meeting=<id>`, the meeting's "Add a document signed at this
        meeting"): its place and date are filled in, each with the meeting's basis carried."""
        initial = super().get_changeform_initial_data(request)
        meeting_id = str(initial.get("meeting", ""))
        meeting = Meeting.objects.filter(pk=meeting_id).first() if meeting_id.isdigit() else None
        if meeting is not None:
            defaults = Document.meeting_defaults(meeting)
            for fact, entry in defaults.pop("basis").items():
                initial[basis_name(fact)] = entry["basis"]
                initial[reasoning_name(fact)] = entry["reasoning"]
            if "place_country_id" in defaults:
                defaults["place_country"] = defaults.pop("place_country_id")
            initial.update(defaults)
        return initial

    def save_related(self, request, form, formsets, change) -> None:
        """How the document was concluded is where "signed" is entered; its status step is
        derived when the document has none of that status (on add, or when the conclusion
        changed)."""
        super().save_related(request, form, formsets, change)
        if change and "conclusion" not in form.changed_data:
            return
        step = form.instance.step_from_conclusion()
        if step is None:
            return
        try:
            step.full_clean()
        except ValidationError as exc:
            self.message_user(
                request,
                f"The “{step.get_status_display()}” step was not added: {' '.join(exc.messages)}",
                messages.WARNING,
            )
            return
        step.save()
        if change:
            mark_edited(record=form.instance, names=[part(StatusEvent).seed_collection])

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
    """A project's milestones; their quotes are added in the citations below ("quote for")."""

    model = Milestone
    seed_collection = "milestones"
    form = with_basis(StepBasisForm, Milestone)
    fields = step_fields(Milestone, ("kind", "date", "date_precision", "date_text", "note"))
    show_change_link = True
    extra = 0


@admin.register(Project)
class ProjectAdmin(BasisAdminMixin, RecordAdmin):
    slug_from = "name"
    list_display = ("name", "kind", "country_list", "location_city", "next_step", "status")
    list_filter = (
        "status",
        "kind",
        admin_country_list_filter("countries", "project_roles"),
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


def dated_step_admin(model, *, step: str, owner_name: str) -> type[HistoryAdmin]:
    """The admin of a status event or milestone on a page of its own (both are usually edited
    inline, on their document or project): one shape for both kinds of dated step."""
    owner = model.owner_field

    class DatedStepAdmin(BackToOwnerMixin, BasisAdminMixin, HistoryAdmin):
        parent_seed_collection = (owner, part(model).seed_collection)
        list_display = (owner, step, "date_display", "note")
        list_filter = (step, admin_year_list_filter("date"))
        list_select_related = (owner,)
        search_fields = (f"{owner}__{owner_name}", "note", "date_text")
        date_hierarchy = "date"
        autocomplete_fields = (owner,)
        fieldsets = (
            (None, {"fields": (owner, step, ("date", "date_precision"), "note")}),
            ("More", {"classes": ("collapse",), "fields": DATE_MORE}),
        )
        inlines = (CitationInline,)

        @admin.display(description="date", ordering="date")
        def date_display(self, obj) -> str:
            return obj.date_display

    DatedStepAdmin.__name__ = DatedStepAdmin.__qualname__ = f"{model.__name__}Admin"
    return DatedStepAdmin


admin.site.register(StatusEvent, dated_step_admin(StatusEvent, step="status", owner_name="title"))
admin.site.register(Milestone, dated_step_admin(Milestone, step="kind", owner_name="name"))
