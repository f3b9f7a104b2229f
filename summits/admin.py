from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Count, Prefetch
from django.forms.models import BaseInlineFormSet
from django.urls import reverse

from records.admin import CitationInline
from records.admin_base import (
    AnalystEditsMixin,
    CollectionInlineMixin,
    RecordAdmin,
    VersionedAdminMixin,
    VersionedForm,
    admin_year_list_filter,
)
from records.admin_basis import BasisAdminMixin, basis_name, reasoning_name
from records.basis import derived_entry
from summits.models import (
    Body,
    Country,
    Meeting,
    MeetingCountry,
    MeetingPerson,
    Office,
    Organization,
    Person,
    Sector,
)

DATE_MORE = ("date_text", "year_inferred", "inference")


def admin_country_list_filter(lookup: str, related_name: str) -> type[admin.SimpleListFilter]:
    """Countries that take part in at least one record of this kind, not all 249."""

    class CountryFilter(admin.SimpleListFilter):
        title = "country"
        parameter_name = "country"

        def lookups(self, request, model_admin):
            countries = Country.objects.filter(**{f"{related_name}__isnull": False}).distinct()
            return list(countries.order_by("name").values_list("code", "name"))

        def queryset(self, request, queryset):
            if self.value():
                return queryset.filter(**{f"{lookup}__code": self.value()}).distinct()
            return queryset

    return CountryFilter


admin.site.site_header = "Pacta: the analysts' workspace"
admin.site.site_title = "Pacta admin"
admin.site.index_title = "Meetings, documents, projects and their sources"


@admin.register(Country)
class CountryAdmin(VersionedAdminMixin, AnalystEditsMixin, admin.ModelAdmin):
    """ISO 3166-1 reference data: analysts correct how texts name a country, nothing else."""

    list_display = ("code", "name", "adjective", "aliases")
    search_fields = ("code", "name", "official_name", "adjective", "aliases")
    fields = ("code", "name", "official_name", "adjective", "aliases")
    readonly_fields = ("code", "name", "official_name")
    list_per_page = 100

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Sector)
class SectorAdmin(VersionedAdminMixin, AnalystEditsMixin, admin.ModelAdmin):
    list_display = ("name", "slug")
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}


class OfficeInline(CollectionInlineMixin, admin.TabularInline):
    model = Office
    seed_collection = "offices"
    fields = ("title", "country", "start_date", "start_precision", "end_date", "end_precision")
    autocomplete_fields = ("country",)
    extra = 0


@admin.register(Person)
class PersonAdmin(RecordAdmin):
    slug_from = "name"
    list_display = ("name", "country", "wikidata_id", "meeting_count", "status", "updated_at")
    list_filter = ("status", ("country", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("country",)
    search_fields = ("name", "slug", "aliases", "wikidata_id")
    autocomplete_fields = ("country",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "country", "status", "summary")}),
        ("More", {"classes": ("collapse",), "fields": ("aliases", "wikidata_id")}),
    )
    inlines = (OfficeInline, CitationInline)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(meeting_total=Count("attendances"))

    @admin.display(description="meetings", ordering="meeting_total")
    def meeting_count(self, obj) -> int:
        return obj.meeting_total


@admin.register(Organization)
class OrganizationAdmin(RecordAdmin):
    slug_from = "name"
    list_display = ("name", "kind", "country", "status", "updated_at")
    list_filter = ("status", "kind", ("country", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("country",)
    search_fields = ("name", "slug", "aliases")
    autocomplete_fields = ("country",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "country", "status", "summary")}),
        ("More", {"classes": ("collapse",), "fields": ("aliases",)}),
    )
    inlines = (CitationInline,)


@admin.register(Body)
class BodyAdmin(RecordAdmin):
    slug_from = "name"
    list_display = ("name", "kind", "member_list", "session_count", "status", "updated_at")
    list_filter = ("status", "kind", admin_country_list_filter("members", "bodies"))
    search_fields = ("name", "slug", "aliases")
    autocomplete_fields = ("members",)
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "members", "status", "summary")}),
        ("More", {"classes": ("collapse",), "fields": ("aliases",)}),
    )
    inlines = (CitationInline,)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(session_total=Count("sessions", distinct=True))
            .prefetch_related("members")
        )

    @admin.display(description="members")
    def member_list(self, obj) -> str:
        return ", ".join(country.name for country in obj.members.all())

    @admin.display(description="sessions", ordering="session_total")
    def session_count(self, obj) -> int:
        return obj.session_total


def parent_offered(request) -> Meeting | None:
    """The meeting a new one is being added inside (`?parent=<id>` on the add page, as the
    visit's "Add a meeting held during this one" link opens it): its countries and persons
    are offered. Read on the first load only: the analyst's POST carries the rows."""
    if request.method != "GET":
        return None
    if not hasattr(request, "_pacta_parent_offered"):
        value = request.GET.get("parent", "")
        parent = None
        if value.isdigit():
            parent = (
                Meeting.objects.filter(pk=int(value))
                .prefetch_related("participations", "attendances")
                .first()
            )
        request._pacta_parent_offered = parent
    return request._pacta_parent_offered


class MeetingCountryFormSet(BaseInlineFormSet):
    """The meeting's countries; the one with role Host is the meeting's host country, set on
    the meeting before its quotes are checked and it is saved (one input, not two)."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        rows = [
            (form.cleaned_data["country"], form.cleaned_data.get("role"))
            for form in self.forms
            if form.cleaned_data.get("country") and not form.cleaned_data.get("DELETE")
        ]
        self.instance.host_country = Meeting.host_among(rows)


class ParentOfferedInline(CollectionInlineMixin, admin.TabularInline):
    """A meeting's rows, offered from its parent's when a meeting is added inside another."""

    # The parent's rows related name and the field each row names.
    parent_rows = ""
    row_field = ""

    def offered(self, request, obj) -> list[dict]:
        # On an add page: the new, unsaved meeting (or None, as the extra rows are counted).
        parent = parent_offered(request) if obj is None or obj.pk is None else None
        if parent is None:
            return []
        return [
            {self.row_field: getattr(row, f"{self.row_field}_id"), "role": row.role}
            for row in getattr(parent, self.parent_rows).all()
        ]

    def get_extra(self, request, obj=None, **kwargs):
        return max(super().get_extra(request, obj, **kwargs), len(self.offered(request, obj)))


class MeetingCountryInline(ParentOfferedInline):
    model = MeetingCountry
    formset = MeetingCountryFormSet
    seed_collection = "countries"
    parent_rows = "participations"
    row_field = "country"
    autocomplete_fields = ("country",)
    fields = ("country", "role")
    extra = 2
    verbose_name_plural = "participating countries (the host country is the one with role Host)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("country")


class MeetingPersonInline(ParentOfferedInline):
    model = MeetingPerson
    seed_collection = "persons"
    parent_rows = "attendances"
    row_field = "person"
    autocomplete_fields = ("person",)
    fields = ("person", "role")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("person")


class MeetingForm(VersionedForm):
    # Ticked boxes rather than a JSON list typed by hand.
    formats = forms.MultipleChoiceField(
        choices=Meeting.Format.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="The formats the text mentions.",
    )


@admin.register(Meeting)
class MeetingAdmin(BasisAdminMixin, RecordAdmin):
    form = MeetingForm
    list_display = (
        "title",
        "date_display",
        "kind",
        "host_country",
        "city",
        "participants",
        "status",
    )
    list_display_links = ("title",)
    list_filter = (
        "status",
        "kind",
        admin_country_list_filter("countries", "participations"),
        admin_year_list_filter("start_date"),
        ("body", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("host_country", "body")
    search_fields = ("title", "slug", "city", "summary", "countries__name")
    date_hierarchy = "start_date"
    autocomplete_fields = ("body", "parent", "sectors")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "slug",
                    ("kind", "occurrence"),
                    "status",
                    ("start_date", "start_precision"),
                    ("end_date", "end_precision"),
                    "city",
                )
            },
        ),
        ("Context", {"fields": ("body", "session_number", "parent", "sectors", "formats")}),
        ("Summary", {"fields": ("summary",)}),
        ("More", {"classes": ("collapse",), "fields": DATE_MORE}),
    )
    inlines = (MeetingCountryInline, MeetingPersonInline, CitationInline)
    change_form_template = "admin/summits/meeting/change_form.html"

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, ParentOfferedInline) and (offered := inline.offered(request, obj)):
            kwargs["initial"] = offered
        return kwargs

    def get_changeform_initial_data(self, request):
        """A meeting added inside another takes its countries (and so its host) and persons
        with the basis they have there, carried as the editorial policy asks of a derived
        fact."""
        initial = super().get_changeform_initial_data(request)
        parent = parent_offered(request)
        if parent is not None:
            origin = f"the meeting it is part of, “{parent}”"
            offered = ("countries", "persons")
            if parent.host_country_id is not None:
                offered += ("host_country",)
            for fact in offered:
                entry = derived_entry(parent.basis_of(fact), origin=origin)
                initial[basis_name(fact)] = entry["basis"]
                initial[reasoning_name(fact)] = entry["reasoning"]
        return initial

    def related_links(self, obj) -> list[tuple[str, str]]:
        """Links on a meeting's page to add the records entered inside it."""
        add = reverse("admin:summits_meeting_add")
        return [(f"{add}?parent={obj.pk}", "Add a meeting held during this one")]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id)) if object_id else None
        links = self.related_links(obj) if obj is not None else []
        extra_context = {**(extra_context or {}), "related_add_links": links}
        return super().change_view(request, object_id, form_url, extra_context)

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related(
                Prefetch(
                    "participations", queryset=MeetingCountry.objects.select_related("country")
                )
            )
        )

    @admin.display(description="date", ordering="start_date")
    def date_display(self, obj) -> str:
        return obj.date_display

    @admin.display(description="countries")
    def participants(self, obj) -> str:
        return ", ".join(p.country.name for p in obj.participations.all())


User = get_user_model()


class PactaUserAdmin(UserAdmin):
    """Editors manage accounts through groups; only a superuser grants superuser status or
    permissions one by one, so an Editor cannot raise their own rights."""

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            readonly += ("is_superuser", "user_permissions")
        return readonly

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, PactaUserAdmin)
