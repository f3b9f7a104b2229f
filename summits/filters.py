"""One FilterSet per resource, shared by the public pages and the API so both filter alike.

Every parameter is validated by a form field before it reaches the database: a NUL byte, an
unknown country code, an impossible date or a huge number is a clear 400, never a 500 on
PostgreSQL.
"""

from __future__ import annotations

import re

import django_filters as filters
from django import forms
from django.db import connections, models
from django.db.models import F, Q, QuerySet
from django.db.models.lookups import In

from records.filters import (
    BasisFilter,
    OrderingFilter,
    RecordFilterSet,
    RecordSlugFilter,
    SearchFilter,
    SlugFilter,
    StatedFactFilter,
    StrictBooleanFilter,
    YearFilter,
)
from summits.models import (
    Body,
    Country,
    Meeting,
    MeetingCountry,
    MeetingPerson,
    Organization,
    Person,
    Sector,
)

CODE_PATTERN = re.compile(r"^[A-Za-z]{2}$")
MAX_CODES = 10


class CountryCodesField(forms.CharField):
    """'AZ' or 'AZ,KZ' -> {'AZ': 1, 'KZ': 2}, each known ISO 3166-1 alpha-2 code with its row's
    id. Filters use the ids: a planner estimates `country_id = 1` from its statistics (Kazakhstan
    and Azerbaijan are far more frequent than most), but not a join through the code, and a
    wrong estimate cost seconds on PostgreSQL."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 3 * MAX_CODES)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return {}
        codes = [code.strip().upper() for code in value.split(",") if code.strip()]
        if len(codes) > MAX_CODES:
            raise forms.ValidationError(f"Give at most {MAX_CODES} country codes.")
        malformed = [code for code in codes if not CODE_PATTERN.match(code)]
        # The client's text goes in `params`, never in the message itself: django-filter's
        # API errors apply `message % params`, and a "%" typed by the client was a 500.
        if malformed:
            raise forms.ValidationError(
                "Not ISO 3166-1 alpha-2 codes: %(codes)s (use e.g. AZ,KZ).",
                params={"codes": ", ".join(malformed)},
            )
        known = dict(Country.objects.filter(code__in=codes).values_list("code", "id"))
        unknown = [code for code in codes if code not in known]
        if unknown:
            raise forms.ValidationError(
                "Unknown country code: %(codes)s.", params={"codes": ", ".join(unknown)}
            )
        return {code: known[code] for code in codes}


class Unindexed(models.Func):
    """`+column`: the unary plus by which SQLite is told not to start a query from a term
    (sqlite.org/optoverview.html, "Disqualifying WHERE clause terms using unary-+")."""

    template = "+%(expressions)s"


class CountryCodesFilter(filters.Filter):
    """Records linked to the given countries through `relation` (a model with a country FK).

    `require_all` asks for every code (the relations of a pair); otherwise any one suffices.
    Each code becomes `pk IN (subquery)`, which both databases plan well, but for one case:
    SQLite starts from the subquery's rows whatever else narrows the query, so meetings of
    Kazakhstan in one year were found by reading all 32,106 of its links rather than the
    year's 4,310 meetings. For a FilterSet whose dates are on an indexed column (`dated`),
    a range of at most NARROW_RANGE_DAYS makes the SQLite term `+pk IN (subquery)`, so that
    the range leads (docs/scaling.md, seventh session). Without a range, or with a wider
    one, the links lead: a rare country's few links are quicker to read than decades.
    """

    field_class = CountryCodesField
    # A comma-separated string of ISO codes in the OpenAPI schema (records/api/schema.py).
    schema_as_string = True
    # The pages offer the countries by name, several at once (records/listing.py).
    picks, pick_value, pick_many = Country, "code", True
    comma_list = True

    def __init__(
        self,
        *args,
        relation: str,
        owner: str,
        require_all: bool,
        dated: bool = False,
        **kwargs,
    ):
        self.relation, self.owner, self.require_all = relation, owner, require_all
        self.dated = dated
        super().__init__(*args, **kwargs)

    def filter(self, qs: QuerySet, codes: dict[str, int]) -> QuerySet:
        if not codes:
            return qs
        model = self.model_for(qs)
        groups = (
            [[country_id] for country_id in codes.values()]
            if self.require_all or wants_all(self.parent)
            else [list(codes.values())]
        )
        pk = Unindexed(F("pk"), output_field=qs.model._meta.pk) if self.range_leads(qs) else None
        for country_ids in groups:
            linked = self.linked(model, country_ids)
            qs = qs.filter(pk__in=linked) if pk is None else qs.filter(In(pk, linked))
        return qs

    def range_leads(self, qs: QuerySet) -> bool:
        if not self.dated or connections[qs.db].vendor != "sqlite":
            return False
        days = range_days(getattr(self.parent.form, "cleaned_data", {}))
        return days is not None and days <= NARROW_RANGE_DAYS

    def narrows(self, params) -> bool:
        """Whether each further code narrows the rows (all of them must take part)."""
        return self.require_all or params.get("country_mode") == CountryMode.ALL

    def model_for(self, qs: QuerySet):
        return qs.model._meta.get_field(self.relation).related_model

    def linked(self, model, country_ids: list[int]) -> QuerySet:
        return model.objects.filter(country_id__in=country_ids).values(self.owner)


class CountryCodesMethodFilter(filters.Filter):
    """Country codes handed to a FilterSet method, for relations other than a through model."""

    field_class = CountryCodesField
    # A comma-separated string of ISO codes in the OpenAPI schema (records/api/schema.py).
    schema_as_string = True
    picks, pick_value, pick_many = Country, "code", True
    comma_list = True

    def narrows(self, params) -> bool:
        return params.get("country_mode") == CountryMode.ALL


class CountryMode(models.TextChoices):
    ANY = "any", "any of them"
    ALL = "all", "all of them"


class CountryModeFilter(filters.ChoiceFilter):
    """`country_mode=all` turns `country=AZ,KZ` into the records involving every one of its
    countries (the relations of a group, as `countries` does); `any`, the default, into those
    involving at least one. Read by the country filter; filters nothing by itself."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", CountryMode.choices)
        kwargs.setdefault("label", "Countries must be")
        kwargs.setdefault(
            "help_text",
            "How `country` combines its codes: any (the default) or all of them.",
        )
        super().__init__(*args, **kwargs)

    # On the pages: two choices, the default one unset so that it stays out of the address.
    page_choices = [("", CountryMode.ANY.label), (CountryMode.ALL, CountryMode.ALL.label)]

    def filter(self, qs: QuerySet, value) -> QuerySet:
        return qs


def wants_all(filterset) -> bool:
    """Whether the FilterSet was asked for records with every country of `country`."""
    form = getattr(filterset, "form", None)
    cleaned = getattr(form, "cleaned_data", None) or {}
    return cleaned.get("country_mode") == CountryMode.ALL


# Up to about three years of meetings (some 13,000 of 100,000) are read quicker than the
# links of the most frequent country; past that, the links lead.
NARROW_RANGE_DAYS = 3 * 366


def range_days(given: dict) -> int | None:
    """How many days the `year` and `date_from`/`date_to` filters leave (each year its own
    range); None when they leave an open end."""
    spans = []
    if given.get("year"):
        spans.append(366 * len(given["year"]))
    start, end = given.get("date_from"), given.get("date_to")
    if start and end:
        spans.append(max(0, (end - start).days + 1))
    return min(spans) if spans else None


def country_codes_filter(
    relation: str, owner: str, *, require_all: bool, dated: bool = False
) -> CountryCodesFilter:
    if require_all:
        label, help_text = "Countries (all)", "ISO codes, comma-separated: all of them (AZ,KZ)."
    else:
        label, help_text = "Country", "ISO 3166-1 alpha-2 code(s), comma-separated: any of them."
    return CountryCodesFilter(
        relation=relation,
        owner=owner,
        require_all=require_all,
        dated=dated,
        label=label,
        help_text=help_text,
    )


class MeetingFilter(RecordFilterSet):
    basis = BasisFilter()
    stated = StatedFactFilter(Meeting)
    country = country_codes_filter("participations", "meeting", require_all=False, dated=True)
    country_mode = CountryModeFilter()
    countries = country_codes_filter("participations", "meeting", require_all=True, dated=True)
    date_from = filters.DateFilter(
        field_name="start_date",
        lookup_expr="gte",
        label="From",
        help_text="Meetings starting on or after this date.",
    )
    date_to = filters.DateFilter(
        field_name="start_date",
        lookup_expr="lte",
        label="To",
        help_text="Meetings starting on or before this date.",
    )
    year = YearFilter(field_name="start_date", lookup_expr="year", label="Year")
    kind = filters.MultipleChoiceFilter(choices=Meeting.Kind.choices, label="Kind")
    body = RecordSlugFilter(path="body", label="Body", help_text="Slug of a body.")
    session_number = filters.NumberFilter(
        field_name="session_number",
        label="Session number",
        min_value=1,
        max_value=32767,
    )
    sector = SlugFilter(
        field_name="sectors__slug", picks=Sector, label="Sector", help_text="Slug of a sector."
    )
    person = SlugFilter(
        method="filter_person",
        picks=Person,
        label="Person",
        help_text="Slug of a person taking part.",
    )
    organization = SlugFilter(
        method="filter_organization",
        picks=Organization,
        label="Organization",
        help_text="Slug of an organization in a project started at the meeting.",
    )
    ordering = OrderingFilter(
        fields=(("start_date", "date"), ("title", "title"), ("updated_at", "updated")),
        help_text="date, title or updated; prefix with - for descending.",
    )

    class Meta:
        model = Meeting
        fields = []

    def filter_person(self, qs, name, value):
        attended = MeetingPerson.objects.filter(**self.slug_lookup("person", value))
        return qs.filter(pk__in=attended.values("meeting"))

    def filter_organization(self, qs, name, value):
        lookup = self.slug_lookup("projects__organizations", value, through=("projects",))
        return qs.filter(**lookup).distinct()


class PersonFilter(RecordFilterSet):
    country = CountryCodesMethodFilter(
        method="filter_country",
        label="Country",
        help_text="ISO 3166-1 alpha-2 code(s), comma-separated.",
    )
    ordering = OrderingFilter(
        fields=(("name", "name"), ("updated_at", "updated")),
        help_text="name or updated; prefix with - for descending.",
    )

    class Meta:
        model = Person
        fields = []

    def filter_country(self, qs, name, codes):
        return qs.filter(country_id__in=list(codes.values())) if codes else qs


class OrganizationFilter(PersonFilter):
    kind = filters.MultipleChoiceFilter(choices=Organization.Kind.choices, label="Kind")

    class Meta:
        model = Organization
        fields = []


class BodyFilter(RecordFilterSet):
    country = CountryCodesMethodFilter(
        method="filter_country",
        label="Member country",
        help_text="ISO 3166-1 alpha-2 code(s), comma-separated: bodies with any of them.",
    )
    kind = filters.MultipleChoiceFilter(choices=Body.Kind.choices, label="Kind")
    ordering = OrderingFilter(
        fields=(("name", "name"), ("updated_at", "updated")),
        help_text="name or updated; prefix with - for descending.",
    )

    class Meta:
        model = Body
        fields = []

    def filter_country(self, qs, name, codes):
        for country_id in codes.values():
            members = Body.members.through.objects.filter(country_id=country_id)
            qs = qs.filter(pk__in=members.values("body"))
        return qs


class CountryFilter(filters.FilterSet):
    q = SearchFilter(method="filter_q", label="Search", help_text="Name or alias.")
    active = StrictBooleanFilter(
        method="filter_active",
        label="In Pacta's records",
        help_text="true: only countries that take part in at least one published meeting.",
    )
    ordering = OrderingFilter(fields=(("name", "name"), ("code", "code")))

    class Meta:
        model = Country
        fields = []

    def filter_q(self, qs, name, value):
        value = value.strip()
        if not value:
            return qs
        return qs.filter(
            Q(name__icontains=value) | Q(code__iexact=value) | Q(adjective__icontains=value)
        )

    def filter_active(self, qs, name, value):
        if value is None:
            return qs
        # Active means "in the published record": the same for every viewer, so the list of
        # countries and its count are shared by the page cache.
        active = MeetingCountry.objects.visible_to(False).values("country")
        return qs.filter(pk__in=active) if value else qs.exclude(pk__in=active)
