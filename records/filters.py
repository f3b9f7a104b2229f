"""The filters every resource's FilterSet is made of, and the base they all extend.

Every parameter is validated by a form field before it reaches the database: a NUL byte, an
impossible date or a huge number is a clear 400, never a 500 on PostgreSQL. Filters that name
a related record by slug match only records the viewer may see: a draft's slug filters like a
slug that does not exist.
"""

from __future__ import annotations

import datetime as dt

import django_filters as filters
from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.validators import ProhibitNullCharactersValidator
from django.db.models import Q, QuerySet
from django.forms.utils import pretty_name

from records.basis import NEEDS_REASONING, Basis, facts_stated, facts_with
from records.models import Citation, Source
from records.visibility import published_lookup, sees_drafts

MAX_QUERY_LENGTH = 200


class SlugFilter(filters.CharFilter):
    """A related record by slug; a malformed slug (or a NUL byte) is refused, not looked up.

    `picks` names the model whose records the slug names, so that the public pages offer a
    picker of their names (records/listing.py) while the address and the API keep slugs."""

    field_class = forms.SlugField
    # The picked model's field that goes into the address; a comma-separated list when
    # `pick_many` (country codes).
    pick_value = "slug"
    pick_many = False

    def __init__(self, *args, picks=None, **kwargs):
        self.picks = picks
        kwargs.setdefault("max_length", 200)
        super().__init__(*args, **kwargs)


class SearchField(forms.CharField):
    default_validators = [ProhibitNullCharactersValidator()]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", MAX_QUERY_LENGTH)
        super().__init__(*args, **kwargs)


class SearchFilter(filters.CharFilter):
    field_class = SearchField


MAX_YEARS = 10


class YearField(forms.CharField):
    """'2024' or '2023,2024' -> [2023, 2024]: years from 1 to 9999, at most MAX_YEARS."""

    default_validators = [ProhibitNullCharactersValidator()]

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 5 * MAX_YEARS)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return []
        parts = [part.strip() for part in value.split(",") if part.strip()]
        if len(parts) > MAX_YEARS:
            raise forms.ValidationError(f"Give at most {MAX_YEARS} years.")
        if not all(part.isdigit() and 1 <= int(part) <= 9999 for part in parts):
            raise forms.ValidationError("Give years from 1 to 9999, comma-separated (2023,2024).")
        return sorted({int(part) for part in parts})


class YearFilter(filters.Filter):
    """Records of any of the given years: `year=2024` or `year=2023,2024`. Each year is its
    own date range, which an index on the date serves. A FilterSet method receives the list."""

    field_class = YearField
    # Several values are one comma-separated parameter (records/listing.py joins them).
    comma_list = True

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if not value:
            return qs
        if self.method is not None:
            return super().filter(qs, value)
        return qs.filter(years_q(self.field_name, value))


def years_q(path: str, years: list[int]) -> Q:
    """`path` (a date) in any of `years`."""
    query = Q()
    for year in years:
        query |= Q(**{f"{path}__year": year})
    return query


class InstantField(filters.fields.IsoDateTimeField):
    """An ISO 8601 date-time the database can store: 9999-12-31T23:59-12:00 parses, but lies
    past the last representable UTC instant and would crash the query (a 500) if let through.
    It reaches the database in UTC: PostgreSQL refuses offsets past ±15:59, which ISO allows."""

    def clean(self, value):
        value = super().clean(value)
        if value is not None:
            try:
                value = value.astimezone(dt.UTC)
            except OverflowError:
                raise forms.ValidationError(
                    "Enter a date-time between years 1 and 9999."
                ) from None
        return value


class InstantFilter(filters.IsoDateTimeFilter):
    field_class = InstantField


class StrictBooleanField(forms.NullBooleanField):
    """true or false (also 1/0, yes/no); empty means no filter. NullBooleanField would read any
    other value, a typo or a NUL byte, as "no filter" and answer every row without a word."""

    widget = forms.Select(choices=[("", "Either"), ("true", "Yes"), ("false", "No")])
    TRUE = frozenset({"true", "1", "yes", "on"})
    FALSE = frozenset({"false", "0", "no", "off"})

    def to_python(self, value):
        if value is None or value == "" or isinstance(value, bool):
            return value if isinstance(value, bool) else None
        text = str(value).strip().lower()
        if text in self.TRUE:
            return True
        if text in self.FALSE:
            return False
        raise forms.ValidationError("Give true or false.", code="invalid")


class StrictBooleanFilter(filters.BooleanFilter):
    field_class = StrictBooleanField


# What each order is called on the pages: a choice people read, not a parameter to spell.
ORDER_NAMES = {
    "date": ("Oldest first", "Newest first"),
    "title": ("Title, A to Z", "Title, Z to A"),
    "name": ("Name, A to Z", "Name, Z to A"),
    "updated": ("Least recently changed first", "Most recently changed first"),
    "code": ("Code, A to Z", "Code, Z to A"),
}


class OrderingFilter(filters.OrderingFilter):
    """django-filter's, except that a value naming no field (`,,`) keeps the default order
    instead of clearing it, which left the rows unordered and the pages unstable; its choices
    are named ("Newest first") and the newest come before the oldest."""

    def build_choices(self, fields, labels):
        choices = []
        for param in fields.values():
            ascending, descending = ORDER_NAMES.get(
                param, (pretty_name(param), f"{pretty_name(param)} (descending)")
            )
            pair = [(param, ascending), (f"-{param}", descending)]
            # Dates and changes are read newest first; names and titles from A.
            choices.extend(reversed(pair) if param in ("date", "updated") else pair)
        return choices

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if not [param for param in value or () if param]:
            return qs
        return super().filter(qs, value)


class RecordFilterSet(filters.FilterSet):
    """What every resource accepts: full-text `q`, `updated_since` and `source`."""

    q = SearchFilter(
        method="filter_q",
        label="Search",
        help_text=(
            "Words that must all occur in the record, its quotes or the names of the people, "
            "countries and bodies it involves; a year finds that year's records."
        ),
    )
    updated_since = InstantFilter(
        field_name="updated_at",
        lookup_expr="gte",
        label="Updated since",
        help_text="ISO 8601 date-time; records changed at or after it (to sync changes).",
    )
    source = SlugFilter(
        method="filter_source",
        picks=Source,
        label="Source",
        help_text="Slug of a source; records with at least one quote from it.",
    )

    @property
    def viewer(self):
        return getattr(self.request, "user", None)

    def filter_q(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        return qs.search(value, self.viewer) if value.strip() else qs

    def filter_source(self, qs: QuerySet, name: str, value: str) -> QuerySet:
        cited = (
            Citation.objects.visible_to(self.viewer)
            .filter(content_type=ContentType.objects.get_for_model(qs.model), source__slug=value)
            .values("object_id")
        )
        return qs.filter(pk__in=cited)

    def slug_lookup(self, path: str, value: str, *, through: tuple[str, ...] = ()) -> dict:
        """Lookups for the record at `path` ("body", "projects__organizations") with slug
        `value`, reached through the records at `through` ("projects"): for a viewer who may
        not see drafts, a draft at either end matches nothing, like a slug that does not
        exist."""
        lookups = {f"{path}__slug": value}
        if not sees_drafts(self.viewer):
            lookups.update(published_lookup(path, *through))
        return lookups


class RecordSlugFilter(SlugFilter):
    """A related record by slug (`path`), through other records (`through`), under the
    visibility rule (RecordFilterSet.slug_lookup)."""

    def __init__(self, *args, path: str, through: tuple[str, ...] = (), **kwargs):
        self.path, self.through = path, through
        super().__init__(*args, **kwargs)

    @property
    def picks(self):
        """The record kind at the end of `path`, whose names the pages' picker offers."""
        if self._picks is None and getattr(self, "model", None) is not None:
            model = self.model
            for name in self.path.split("__"):
                model = model._meta.get_field(name).related_model
            return model
        return self._picks

    @picks.setter
    def picks(self, value):
        self._picks = value

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if value in (None, ""):
            return qs
        qs = qs.filter(**self.parent.slug_lookup(self.path, value, through=self.through))
        return qs.distinct() if self.distinct else qs


class SourceFilter(RecordFilterSet):
    publisher = filters.CharFilter(lookup_expr="iexact", max_length=200, label="Publisher")
    language = filters.CharFilter(lookup_expr="iexact", max_length=10, label="Language")
    year = YearFilter(field_name="published_on", lookup_expr="year", label="Year")
    date_from = filters.DateFilter(field_name="published_on", lookup_expr="gte", label="From")
    date_to = filters.DateFilter(field_name="published_on", lookup_expr="lte", label="To")
    ordering = OrderingFilter(
        fields=(("published_on", "date"), ("title", "title"), ("updated_at", "updated")),
        help_text="date, title or updated; prefix with - for descending.",
    )

    class Meta:
        model = Source
        fields = []

    def filter_source(self, qs, name, value):
        return qs.filter(slug=value)


class BasisFilter(filters.ChoiceFilter):
    """`basis=stated`: records all of whose facts (and those of their dated steps, named in
    `steps`) the texts state; `basis=inferred` or `basis=outside`: records with at least one
    such fact. One filter for every kind, read from the models' declared `basis_facts`."""

    def __init__(self, *args, steps: tuple[str, ...] = (), **kwargs):
        self.steps = steps
        kwargs.setdefault("choices", Basis.choices)
        kwargs.setdefault("label", "Basis")
        kwargs.setdefault(
            "help_text",
            "stated: only records whose every fact a cited quote states; inferred or outside: "
            "records with at least one fact inferred, or from outside knowledge.",
        )
        super().__init__(*args, **kwargs)

    def matching(self, qs: QuerySet, values: list[str]) -> Q:
        """Records with at least one fact (own or of a step) whose basis is in `values`."""
        query = facts_with(qs.model.basis_facts, values)
        for step in self.steps:
            relation = qs.model._meta.get_field(step)
            step_model = relation.related_model
            owners = step_model.objects.filter(facts_with(step_model.basis_facts, values)).values(
                relation.field.name
            )
            query |= Q(pk__in=owners)
        return query

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if value in (None, ""):
            return qs
        if value == Basis.STATED:
            qs = qs.filter(facts_stated(qs.model.basis_facts))
            for step in self.steps:
                relation = qs.model._meta.get_field(step)
                step_model = relation.related_model
                owners = step_model.objects.filter(
                    facts_with(step_model.basis_facts, NEEDS_REASONING)
                ).values(relation.field.name)
                qs = qs.exclude(pk__in=owners)
            return qs
        return qs.filter(self.matching(qs, [value]))


class StatedFactFilter(filters.MultipleChoiceFilter):
    """`stated=start_date&stated=city`: records whose named facts are all stated by a cited
    quote (neither inferred nor outside knowledge). The choices are the model's facts."""

    def __init__(self, model, *args, **kwargs):
        kwargs.setdefault("choices", [(fact, fact) for fact in model.basis_facts])
        kwargs.setdefault("label", "Stated facts")
        kwargs.setdefault(
            "help_text",
            "A fact name (repeat for several): only records whose named facts the texts "
            f"state. Facts: {', '.join(model.basis_facts)}.",
        )
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, value) -> QuerySet:
        if not value:
            return qs
        # A fact with no value claims nothing: asking for a stated date asks for a date.
        qs, lists = qs.filter(facts_stated(value)), False
        for fact in value:
            field = qs.model._meta.get_field(fact)
            qs = qs.filter(**{f"{fact}__isnull": False})
            if field.many_to_many or field.one_to_many:
                lists = True
            elif not field.is_relation and field.empty_strings_allowed:
                qs = qs.exclude(**{fact: ""})
        return qs.distinct() if lists else qs
