"""What every editable admin in Pacta shares: edit locking, seed marks, publishing, history.

- No lost updates: a change form carries the version it was rendered with; the save locks the
  row, and a newer version refuses the save with who changed what, keeping the analyst's input.
- Analyst edits survive `manage.py seed`: changed fields, and the lists edited in inlines under
  the seed loader's collection names, go into `analyst_edited`.
- Publish and unpublish are actions for anyone with the change permission on the model.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import model_ngettext, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.http import Http404
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin

from records.input_checks import CheckedJSONField, year_value
from records.models import EditVersioned, SeedTracked
from records.services import (
    BOOKKEEPING_FIELDS,
    EditConflict,
    edit_conflict,
    mark_edited,
    records_publish,
    records_unpublish,
)

VERSION_FIELD = "edit_version"


def conflict_message(conflict: EditConflict) -> str:
    changes = format_html_join(
        "",
        "<li><strong>{}</strong>: {} → {}</li>",
        ((change.field, change.old, change.new) for change in conflict.changes),
    )
    logged = format_html_join("", "<li>{}</li>", ((line,) for line in conflict.log_messages))
    return format_html(
        "<p>{} Nothing was saved. Your values are still in the form below: compare them "
        "with what changed, then save again to keep yours.</p>"
        '<ul class="edit-conflict">{}{}</ul>',
        conflict.summary(),
        changes,
        logged,
    )


class VersionedForm(forms.ModelForm):
    """A change form that knows which version of the record it was rendered with."""

    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk is not None and VERSION_FIELD in self.fields:
            # Read from the row, not the instance: a revert form's instance is an old version.
            current = (
                type(instance)
                ._default_manager.filter(pk=instance.pk)
                .values_list("version", flat=True)
                .first()
            )
            self.fields[VERSION_FIELD].initial = current or instance.version

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is None or VERSION_FIELD not in self.fields:
            return cleaned
        seen = cleaned.get(VERSION_FIELD)
        if seen is None:
            raise ValidationError(
                "This form does not say which version of the record it shows. Reload the page "
                "(copy your changes first) and save again."
            )
        conflict = edit_conflict(model=type(self.instance), pk=self.instance.pk, seen_version=seen)
        if conflict is not None:
            # The re-rendered form carries the current version, so the analyst's second save,
            # made after reading what changed, is a deliberate choice and goes through.
            self.data = self.data.copy()
            self.data[self.add_prefix(VERSION_FIELD)] = str(conflict.current_version)
            raise ValidationError(conflict_message(conflict), code="edit_conflict")
        return cleaned


# Lists typed as JSON are parsed with bounds (depth, number size, no NUL or lone surrogate): a
# hostile value is a form error, not a server error or a poisoned row. Every admin page and
# inline that edits a JSON field uses it.
CHECKED_JSON = {models.JSONField: {"form_class": CheckedJSONField}}


class LabelledFormSetMixin:
    """A tabular inline's row has no <label> per field: each field takes its column's name
    as its aria-label ("Delete" for the delete box), and points with aria-describedby at
    the column's help, which templates/admin/edit_inline/tabular.html shows under the name.
    (Django would point at a per-field help element a tabular row never renders.)"""

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        for name, field in form.fields.items():
            if field.widget.is_hidden:
                continue
            label = "Delete" if name == "DELETE" else capfirst(str(field.label or name))
            # The admin wraps a related field's widget (its add and change links): the
            # attributes go on the widget that renders the input.
            widget = getattr(field.widget, "widget", field.widget)
            widget.attrs["aria-label"] = label
            if field.help_text:
                widget.attrs["aria-describedby"] = f"{self.prefix}-{name}-help"


class LabelledInlineMixin:
    """An inline whose fields are named for assistive technology (LabelledFormSetMixin)."""

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if not issubclass(formset, LabelledFormSetMixin):
            formset = type(formset.__name__, (LabelledFormSetMixin, formset), {})
        return formset


class CollectionInlineMixin(LabelledInlineMixin):
    """An inline whose rows the seed loader treats as one list of the parent record."""

    formfield_overrides = CHECKED_JSON
    seed_collection: str | None = None

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.seed_collection = self.seed_collection
        return formset


class AnalystEditsMixin:
    """Mark what an analyst changed so that `manage.py seed` leaves it alone.

    `parent_seed_collection` = (foreign key, collection) for rows that the loader writes as a
    list of their parent (a document's status events): editing one marks the parent's list.
    """

    parent_seed_collection: tuple[str, str] | None = None
    # Lists typed as JSON are parsed with bounds (depth, number size, no NUL or lone
    # surrogate): a hostile value is a form error, not a server error or a poisoned row.
    formfield_overrides = CHECKED_JSON

    def save_model(self, request, obj, form, change) -> None:
        if change:
            current = type(obj)._default_manager.filter(pk=obj.pk).first()
            if current is not None and isinstance(obj, EditVersioned):
                # The row's version, not the form's instance's (a revert starts from an old row).
                obj.version = current.version
            if current is not None and isinstance(obj, SeedTracked):
                changed = {
                    f.name
                    for f in obj._meta.concrete_fields
                    if f.editable
                    and not f.primary_key
                    and f.value_from_object(obj) != f.value_from_object(current)
                }
                # Many-to-many fields carry the same names as the loader's collections.
                concrete = {f.name for f in obj._meta.concrete_fields}
                changed |= {
                    name
                    for name in form.changed_data
                    if name not in concrete and name != VERSION_FIELD
                }
                # Keep the row's bookkeeping, not the form's (a revert starts from an old row).
                obj.seeded = current.seeded
                obj.analyst_edited = sorted(set(current.analyst_edited) | changed)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change) -> None:
        for inline_form in formset.forms:
            instance = inline_form.instance
            if (
                isinstance(instance, SeedTracked)
                and instance.pk is not None
                and inline_form.has_changed()
            ):
                instance.mark_analyst_edited(inline_form.changed_data)
        super().save_formset(request, form, formset, change)
        collection = getattr(formset, "seed_collection", None)
        if collection and formset.has_changed():
            form.edited_collections = getattr(form, "edited_collections", set()) | {collection}

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        collections = getattr(form, "edited_collections", set())
        if change and collections and isinstance(form.instance, SeedTracked):
            mark_edited(record=form.instance, names=collections)
        changed = form.has_changed() or any(formset.has_changed() for formset in formsets)
        if self.parent_seed_collection and changed:
            self.mark_parent(form.instance)

    def mark_parent(self, obj) -> None:
        if self.parent_seed_collection is None:
            return
        fk_name, collection = self.parent_seed_collection
        parent = getattr(obj, fk_name, None)
        if isinstance(parent, SeedTracked):
            mark_edited(record=parent, names=[collection])

    def delete_model(self, request, obj) -> None:
        self.mark_parent(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        if self.parent_seed_collection:
            for obj in queryset.select_related(self.parent_seed_collection[0]):
                self.mark_parent(obj)
        super().delete_queryset(request, queryset)


class VersionedAdminMixin:
    """A change page whose save is refused when the row changed since the form was rendered:
    the one mechanism for records and every other row analysts edit (EditVersioned)."""

    form = VersionedForm

    def get_fieldsets(self, request, obj=None):
        fieldsets = [
            (name, dict(options)) for name, options in super().get_fieldsets(request, obj)
        ]
        if obj is not None and issubclass(self.form, VersionedForm):
            options = fieldsets[0][1]
            options["fields"] = (*options["fields"], VERSION_FIELD)
        return fieldsets


class HistoryAdmin(VersionedAdminMixin, AnalystEditsMixin, SimpleHistoryAdmin):
    """History with diffs that leave out bookkeeping; reverts run under the edit lock and
    need the change permission."""

    def checked_ids(self, object_id, version_id=None) -> None:
        """A malformed id in a history URL is a page that does not exist, not a server error."""
        try:
            self.model._meta.pk.to_python(unquote(object_id))
            if version_id is not None:
                self.model.history.model._meta.pk.to_python(version_id)
        except ValidationError as exc:
            raise Http404("No such record or version.") from exc

    def history_view(self, request, object_id, extra_context=None):
        self.checked_ids(object_id)
        return super().history_view(request, object_id, extra_context)

    def set_history_delta_changes(self, request, historical_records, foreign_keys_are_objs=True):
        previous = None
        for current in historical_records:
            if previous is not None:
                excluded = [
                    name
                    for name in BOOKKEEPING_FIELDS
                    if any(f.name == name for f in current._meta.fields)
                ]
                delta = previous.diff_against(
                    current, excluded_fields=excluded, foreign_keys_are_objs=foreign_keys_are_objs
                )
                helper = self.get_historical_record_context_helper(request, previous)
                previous.history_delta_changes = helper.context_for_delta_changes(delta)
            previous = current

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self.checked_ids(object_id, version_id)
        # simple-history lets anyone who may view the history post its revert form.
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            if obj is None or not self.has_change_permission(request, obj):
                raise PermissionDenied
        # The version check locks the row; the lock must last until the revert is saved.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().history_form_view(request, object_id, version_id, extra_context)


class BlankNamedValuesFilter(admin.AllValuesFieldListFilter):
    """Django's filter by a column's values, with the empty text named ("(empty)"): a link
    with no text names nothing, to a screen reader or anyone else."""

    def choices(self, changelist):
        for choice in super().choices(changelist):
            if choice["display"] == "" or str(choice["display"]).startswith(" ("):
                choice = {**choice, "display": f"(empty){choice['display']}"}
            yield choice


def admin_year_list_filter(field_name: str, title: str = "year") -> type[admin.SimpleListFilter]:
    class YearFilter(admin.SimpleListFilter):
        parameter_name = "year"

        def lookups(self, request, model_admin):
            years = model_admin.model._default_manager.dates(field_name, "year", order="DESC")
            return [(str(day.year), str(day.year)) for day in years]

        def queryset(self, request, queryset):
            year = year_value(self.value())
            if year is not None:
                return queryset.filter(**{f"{field_name}__year": year})
            return queryset

    YearFilter.title = title
    return YearFilter


class RecordAdmin(HistoryAdmin):
    """Admin for a Record: slug, editorial status, version."""

    actions = ("publish_selected", "unpublish_selected")
    save_on_top = True
    list_per_page = 50
    slug_from = "title"

    def get_queryset(self, request):
        # Aggregate columns group the query, which drops Meta.ordering; the autocomplete views
        # paginate this queryset and need a stable order.
        ordering = self.get_ordering(request) or self.model._meta.ordering
        return super().get_queryset(request).order_by(*ordering, "pk")

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        # A slug is in every published URL; changing it would break citations of the page.
        return (*readonly, "slug") if obj is not None else readonly

    def get_prepopulated_fields(self, request, obj=None):
        return {"slug": (self.slug_from,)} if obj is None else {}

    def _report(self, request, result, verb: str) -> None:
        for record in result.records:
            self.log_change(request, record, f"{verb.capitalize()}.")
        noun = model_ngettext(self.opts, result.changed)
        self.message_user(
            request,
            f"{result.changed} {noun} {verb} ({result.already} already were).",
            messages.SUCCESS if result.changed else messages.INFO,
        )

    @admin.action(
        description="Publish selected %(verbose_name_plural)s (needs the change permission)",
        permissions=["change"],
    )
    def publish_selected(self, request, queryset):
        result = records_publish(queryset=queryset, user=request.user)
        self._report(request, result, "published")

    @admin.action(
        description="Unpublish selected %(verbose_name_plural)s (back to draft)",
        permissions=["change"],
    )
    def unpublish_selected(self, request, queryset):
        result = records_unpublish(queryset=queryset, user=request.user)
        self._report(request, result, "unpublished")
