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
from django.contrib.admin.options import IS_POPUP_VAR
from django.contrib.admin.utils import model_ngettext, unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, router, transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from simple_history.admin import SimpleHistoryAdmin

from records.input_checks import CheckedJSONField, NameListField, year_value
from records.models import EditVersioned, Record, SeedTracked, list_of_strings
from records.publishing import records_publish_together, shown_drafts
from records.registry import registry
from records.roles import may_change_slugs
from records.services import (
    BOOKKEEPING_FIELDS,
    EditConflict,
    edit_conflict,
    mark_edited,
    records_publish,
    records_unpublish,
)
from records.slugs import former_slug_keep, unique_slug

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


def name_list_formfield(db_field, **kwargs):
    """A list of names (a JSON field validated by `list_of_strings`: aliases) is typed one name
    a line; None for any other field."""
    if isinstance(db_field, models.JSONField) and list_of_strings in db_field.validators:
        return db_field.formfield(form_class=NameListField, **kwargs)
    return None


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

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return name_list_formfield(db_field, **kwargs) or super().formfield_for_dbfield(
            db_field, request, **kwargs
        )

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

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        # A passage chosen on a source's page arrives in the query string (records/admin.py).
        prefill = getattr(inline, "cited_passage_initial", None)
        if request.method == "GET" and prefill is not None:
            initial = prefill(request)
            if initial is not None:
                kwargs["initial"] = [initial]
        return kwargs

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


class BackToOwnerMixin:
    """The admin of a part with a page of its own (a status event, a milestone): saving it
    returns to the record it belongs to (its document, its project), where it is read, rather
    than to the list of every part. "Save and continue" and "Save and add another" stay."""

    STAY = ("_continue", "_addanother", "_saveasnew", IS_POPUP_VAR)

    def response_add(self, request, obj, post_url_continue=None):
        return self.back_to_owner(request, obj, super().response_add(request, obj))

    def response_change(self, request, obj):
        return self.back_to_owner(request, obj, super().response_change(request, obj))

    def back_to_owner(self, request, obj, response):
        part = registry.part(type(obj))
        if part is None or any(key in request.POST for key in self.STAY):
            return response
        owner = getattr(obj, part.owner, None)
        if owner is None or response.status_code != 302:
            return response
        opts = owner._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[owner.pk])
        return HttpResponseRedirect(url)


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

    actions = ("publish_selected", "publish_with_shown", "unpublish_selected")
    # Actions the change page offers as buttons, for its one record: (action, label).
    publish_buttons: tuple[tuple[str, str], ...] = (
        ("publish_with_shown", "Publish with what it shows"),
    )
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
        # A slug is in every published URL: only an Editor changes one, and its old URLs
        # then redirect to the new (records/slugs.py).
        if obj is not None and not may_change_slugs(request.user):
            return (*readonly, "slug")
        return readonly

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        slug = form.base_fields.get("slug")
        if obj is None and slug is not None:
            # Made on save from the title, transliterated (the admin's own JavaScript drops
            # Cyrillic letters and joins words around an en dash).
            slug.required = False
            slug.help_text = (
                f"Leave empty to make it from the {self.slug_from}, transliterated. "
                "It is in every public URL."
            )
        elif slug is not None:
            slug.help_text = (
                "In every public URL. Changing it keeps the old URLs working: they redirect "
                "to the new one."
            )
        return form

    def save_model(self, request, obj, form, change) -> None:
        if not change and not obj.slug:
            obj.slug = unique_slug(type(obj), str(getattr(obj, self.slug_from, "")))
        if change:
            # From the row, not the form: a revert to an old version may bring its slug back.
            old = type(obj)._default_manager.filter(pk=obj.pk).values_list("slug", flat=True)
            if old and old[0] != obj.slug:
                former_slug_keep(record=obj, old_slug=old[0])
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change) -> None:
        # Records added in an inline (a meeting's documents) get their slug from their title.
        for inline_form in formset.forms:
            row = inline_form.instance
            new = row.pk is None and inline_form.has_changed()
            if new and isinstance(row, Record) and not row.slug:
                title_field = registry.kind(type(row)).title_field
                row.slug = unique_slug(type(row), str(getattr(row, title_field, "")))
        super().save_formset(request, form, formset, change)

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
        self.warn_of_drafts(request, list(queryset))

    def warn_of_drafts(self, request, records: list) -> None:
        """Published records that show drafts show the public less than the admin does."""
        drafts = shown_drafts(records)
        if not drafts:
            return
        named = ", ".join(f"{d._meta.verbose_name} “{d}”" for d in drafts[:10])
        more = f" and {len(drafts) - 10} more" if len(drafts) > 10 else ""
        self.message_user(
            request,
            f"What you published shows {len(drafts)} draft(s), which the public does not see: "
            f"{named}{more}. Use “Publish … with the drafts they show” to publish them too.",
            messages.WARNING,
        )

    @admin.action(
        description="Publish selected %(verbose_name_plural)s with the drafts they show",
        permissions=["change"],
    )
    def publish_with_shown(self, request, queryset):
        records = list(queryset)
        return self.publish_together(
            request,
            records,
            action="publish_with_shown",
            heading="Publish with the drafts they show",
            selected=[record.pk for record in records],
        )

    def publish_together(
        self, request, records: list, *, action: str, heading: str, selected: list
    ):
        """A confirmation page listing the drafts `records` show; on confirmation (a POST of
        the changelist `action` for the `selected` rows again), publish them all in one
        transaction (records/publishing.py)."""
        drafts = shown_drafts(records)
        for model in {type(record) for record in [*records, *drafts]}:
            opts = model._meta
            if not request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}"):
                raise PermissionDenied
        if request.POST.get("confirm") == "yes":
            result = records_publish_together(records=records, user=request.user)
            for record in result.records:
                self.log_change(request, record, "Published.")
            self.message_user(
                request,
                f"{result.changed} record(s) published together ({result.already} already were).",
                messages.SUCCESS if result.changed else messages.INFO,
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": heading,
            "records": [self.listed(record) for record in records],
            "drafts": [self.listed(draft) for draft in drafts],
            # What the button changes: the chosen records not yet published, and the drafts.
            "total": sum(not record.is_published for record in records) + len(drafts),
            "action": action,
            "selected": selected,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/records/publish_together.html", context)

    @staticmethod
    def listed(record) -> tuple:
        """A record as the confirmation page lists it: itself, its kind, its change page."""
        opts = record._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[record.pk])
        return record, opts.verbose_name, url

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = dict(extra_context or {})
        # The change form's "publish with what it shows" button posts the changelist action.
        extra_context["publish_actions"] = [
            (name, label)
            for name, label in self.publish_buttons
            if name in self.get_actions(request)
        ]
        return super().change_view(request, object_id, form_url, extra_context)

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        record = form.instance
        if "status" in form.changed_data and record.is_published:
            self.warn_of_drafts(request, [record])

    @admin.action(
        description="Unpublish selected %(verbose_name_plural)s (back to draft)",
        permissions=["change"],
    )
    def unpublish_selected(self, request, queryset):
        result = records_unpublish(queryset=queryset, user=request.user)
        self._report(request, result, "unpublished")
