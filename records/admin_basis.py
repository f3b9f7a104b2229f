"""The basis of each fact, edited in the admin beside the record's values.

Every model with `basis_facts` gets, per fact, a choice (stated, inferred, outside) and a
reasoning box, built from the declared facts: a new fact kind needs no admin code. The guard
rails of docs/editorial-policy.md hold here as in `seed --check`: an inference or outside
knowledge needs its reasoning (the form), and a stated fact holding a value needs a quote
cited for its field (the citation formset, which sees the quotes submitted with the record,
or, for a step edited without its quotes, the quotes already saved).
"""

from __future__ import annotations

from django import forms
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q

from records import registry
from records.basis import NEEDS_REASONING, Basis, normalized, unsupported_stated
from records.forms import cited_parts, target_value
from records.services import mark_edited


def basis_name(fact: str) -> str:
    return f"basis__{fact}"


def reasoning_name(fact: str) -> str:
    return f"basis_reasoning__{fact}"


class BasisFormMixin:
    """Reads and writes the model's `basis` through one pair of fields per fact."""

    basis_facts: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        current = normalized(getattr(self.instance, "basis", None), self.basis_facts)
        for fact, entry in current.items():
            if basis_name(fact) in self.fields:
                self.fields[basis_name(fact)].initial = entry["basis"]
                self.fields[reasoning_name(fact)].initial = entry["reasoning"]

    def clean(self):
        cleaned = super().clean()
        bases = {}
        for fact in self.basis_facts:
            if basis_name(fact) not in self.fields:
                continue
            basis = cleaned.get(basis_name(fact)) or Basis.STATED
            reasoning = (cleaned.get(reasoning_name(fact)) or "").strip()
            if basis in NEEDS_REASONING and not reasoning:
                what = "the reasoning" if basis == Basis.INFERRED else "a note on what is known"
                self.add_error(
                    reasoning_name(fact),
                    f"{Basis(basis).label} needs {what} for {fact.replace('_', ' ')}.",
                )
            if basis != Basis.STATED or reasoning:
                bases[fact] = {"basis": basis, "reasoning": reasoning}
        self.instance.basis = bases
        return cleaned

    def stated_without_quote(self, cited_fields) -> list[str]:
        """The facts this form leaves stated, holding a value, with no quote for their field."""
        instance = self.instance
        has_value = {fact: instance.fact_has_value(fact) for fact in type(instance).basis_facts}
        return unsupported_stated(type(instance), instance.basis, has_value, cited_fields)


def with_basis(form_class: type[forms.ModelForm], model) -> type[forms.ModelForm]:
    """`form_class` with a basis choice and a reasoning box for each of `model`'s facts."""
    attrs = {"basis_facts": tuple(model.basis_facts)}
    bases = (
        (form_class,) if issubclass(form_class, BasisFormMixin) else (BasisFormMixin, form_class)
    )
    for fact in model.basis_facts:
        label = fact.replace("_", " ")
        attrs[basis_name(fact)] = forms.ChoiceField(
            label=f"{label}: basis",
            choices=Basis.choices,
            initial=Basis.STATED,
            help_text=(
                "Stated: a quote cited for this field says it. Inferred: the texts imply it. "
                "Outside: outside knowledge. See the editorial policy."
            ),
        )
        attrs[reasoning_name(fact)] = forms.CharField(
            label=f"{label}: reasoning",
            required=False,
            widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
            help_text="Required unless stated: how it is inferred, or what is known and how.",
        )
    return type(f"{model.__name__}BasisForm", bases, attrs)


def basis_fieldset(model) -> tuple:
    """The admin fieldset of the facts' bases, one row per fact."""
    return (
        "How each fact is known (see the editorial policy, linked at the top of the page)",
        {"fields": [(basis_name(fact), reasoning_name(fact)) for fact in model.basis_facts]},
    )


def uncited_message(facts: list[str]) -> str:
    names = ", ".join(fact.replace("_", " ") for fact in facts)
    return (
        f"Stated without a quote: {names}. Cite a quote with that field, or set the fact's "
        "basis to inferred or outside and give the reasoning."
    )


class CitationFormSet(BaseGenericInlineFormSet):
    """The record's quotes, checked against the bases submitted with them; each quote's field
    is a choice of this record's facts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        record = self.instance
        self.targets = []
        parts = cited_parts(type(record)) if record is not None and record.pk else []
        if parts:
            # The quotes of the record's parts are edited here too, each saying whose it is.
            whose = Q(content_type=ContentType.objects.get_for_model(record), object_id=record.pk)
            for part in parts:
                rows = list(part.model._default_manager.filter(**{part.owner: record}))
                label = part.model._meta.verbose_name
                self.targets += [
                    (target_value(part.model, row.pk), f"{label}: {row}", part.model, row.pk)
                    for row in rows
                ]
                whose |= Q(
                    content_type=ContentType.objects.get_for_model(part.model),
                    object_id__in=[row.pk for row in rows],
                )
            self.queryset = self.model._default_manager.filter(whose).select_related("source")

    def get_form_kwargs(self, index):
        return {
            **super().get_form_kwargs(index),
            "record_model": type(self.instance),
            "targets": self.targets,
        }

    def save_new(self, form, commit=True):
        chosen = form.targets.get(form.cleaned_data.get("target") or "")
        if chosen is None:
            return super().save_new(form, commit=commit)
        form.instance.content_type = ContentType.objects.get_for_model(chosen[0])
        form.instance.object_id = chosen[1]
        return form.save(commit=commit)

    def save(self, commit=True):
        saved = super().save(commit=commit)
        # A part's quotes belong to its list in the seed (a document's `status_history`).
        owner_lists = {
            registry.part(form.targets[form.cleaned_data["target"]][0]).seed_collection
            for form in self.forms
            if form.has_changed() and (form.cleaned_data or {}).get("target") in form.targets
        }
        if owner_lists and self.instance.pk is not None:
            mark_edited(record=self.instance, names=sorted(owner_lists))
        return saved

    def clean(self):
        super().clean()
        record = self.instance
        form = getattr(record, "_basis_form", None)
        if form is None or any(self.errors):
            return
        cited = {
            (citation_form.cleaned_data.get("field") or "")
            for citation_form in self.forms
            if citation_form.cleaned_data
            and citation_form.cleaned_data.get("quote")
            and not citation_form.cleaned_data.get("DELETE")
            and not citation_form.cleaned_data.get("target")
        }
        missing = form.stated_without_quote(cited)
        if missing:
            raise ValidationError(uncited_message(missing))


class StepBasisForm(BasisFormMixin, forms.ModelForm):
    """A dated step's form in its owner's page, where its quotes are not edited: the quotes
    already saved for it must cover what it states."""

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk is not None and not self.errors:
            cited = set(self.instance.citations.values_list("field", flat=True))
            missing = self.stated_without_quote(cited)
            if missing:
                raise ValidationError(uncited_message(missing))
        return cleaned


def step_fields(model, fields: tuple[str, ...]) -> tuple[str, ...]:
    """A tabular step inline's columns with each fact's basis and reasoning after them."""
    extra = []
    for fact in model.basis_facts:
        extra += [basis_name(fact), reasoning_name(fact)]
    return (*fields, *extra)


class BasisAdminMixin:
    """A ModelAdmin whose model has `basis_facts`: the facts' bases in the form, in a
    fieldset right after the values, and the quotes checked against them on save."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = with_basis(kwargs.get("form", self.form), self.model)
        return super().get_form(request, obj, change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = list(super().get_fieldsets(request, obj))
        return (*fieldsets[:1], basis_fieldset(self.model), *fieldsets[1:])

    def save_form(self, request, form, change):
        obj = super().save_form(request, form, change)
        # The citation formset, validated next, checks the quotes against this form's bases.
        obj._basis_form = form
        return obj
