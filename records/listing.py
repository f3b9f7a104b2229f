"""The shape every public list shares: the API's FilterSet, facet counts, sorting, pages, exports.

Filters live in the query string, so a filtered view is a URL to share. Each facet is one
GROUP BY over the rows the *other* filters leave, so its counts say what a click would give;
the number of facets is fixed per list, so the page costs the same queries at any size.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear
from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.views.generic import ListView

from records import cache
from records.visibility import audience, published_lookup, sees_drafts

FACET_LIMIT = 25
# Parameters that belong to the page, not to the rows: never forwarded to an export.
PAGE_PARAMS = ("page",)


def api_url(name: str, **kwargs) -> str | None:
    """A URL of the REST API, or None while a deployment runs without that route."""
    try:
        return reverse(f"api:{name}", kwargs=kwargs or None)
    except NoReverseMatch:
        return None


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    url: str
    selected: bool


@dataclass(frozen=True)
class Facet:
    """`counts(rows, drafts)` returns (value, label, count) rows for the records of `rows`,
    the list as the other filters leave it; `drafts` says whether the viewer may see drafts,
    for a count that goes through other records (a package's meeting)."""

    param: str
    label: str
    counts: Callable[[QuerySet, bool], list[tuple[object, str, int]]]


def one_row_per_record(rows: QuerySet) -> QuerySet:
    """`rows` to group by a column of the record: as it is when each record is one row, else
    the records whose pk is among them. A filter that joins a to-many relation (and then
    asks for distinct rows) or an annotation would make GROUP BY count wrongly; grouping
    the filtered rows directly saves a lookup by primary key of every row (measured in
    docs/scaling.md)."""
    if rows.query.distinct or rows.query.annotations:
        return rows.model.objects.filter(pk__in=rows.values("pk"))
    return rows


def kind_counts(field_name: str, choices) -> Callable[[QuerySet], list]:
    labels = dict(choices)

    def counts(rows: QuerySet, drafts: bool) -> list:
        groups = (
            one_row_per_record(rows)
            .values(field_name)
            .annotate(n=Count("pk"))
            .order_by("-n", field_name)
        )
        return [
            (row[field_name], labels.get(row[field_name], row[field_name]), row["n"])
            for row in groups[:FACET_LIMIT]
        ]

    return counts


class CalendarYear(ExtractYear):
    """The year of a date; on SQLite read off the stored ISO text, because Django's SQLite
    extract calls back into Python for every row (docs/scaling.md)."""

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.lhs)
        return f"CAST(substr({sql}, 1, 4) AS integer)", params


def year_counts(date_field: str, *, via: str = "") -> Callable[[QuerySet, bool], list]:
    """Records per year of `date_field`; a date read through another record (`via`, a
    package's "meeting") counts only where the viewer may see that record."""

    def counts(rows: QuerySet, drafts: bool) -> list:
        dated = one_row_per_record(rows).filter(**{f"{date_field}__isnull": False})
        if via and not drafts:
            dated = dated.filter(**published_lookup(via))
        groups = (
            dated.annotate(year=CalendarYear(date_field))
            .values("year")
            # The date is on the record or one step along a foreign key: one row per record.
            .annotate(n=Count("pk"))
            .order_by("-year")
        )
        return [(row["year"], str(row["year"]), row["n"]) for row in groups[:FACET_LIMIT]]

    return counts


def related_counts(
    model,
    owner: str,
    value_field: str,
    label_field: str | None = None,
    choices=None,
    *,
    via: str = "",
) -> Callable[[QuerySet, bool], list]:
    """Counts through a related table: `model` rows whose `owner` is one of the records.

    A value read through a foreign key ("country__code") is grouped by the key alone and
    its labels looked up afterwards for the groups found: grouping by the joined code and
    name cost most of a cold meetings page (docs/scaling.md). Each record
    counts once, with COUNT(DISTINCT) only where a constraint does not already say so. Rows
    reached through another record (`via`: a package's countries are its meeting's) count
    only where the viewer may see that record."""
    labels = dict(choices or ())
    key, _, far = value_field.partition("__")
    through_key = bool(far) and model._meta.get_field(key).many_to_one
    group = key if through_key else value_field
    distinct = not owner_unique_per_value(model, owner, group)

    def counts(rows: QuerySet, drafts: bool) -> list:
        linked = model.objects.filter(**{f"{owner}__in": rows.values("pk")})
        if via and not drafts:
            linked = linked.filter(**published_lookup(via))
        found = {
            row[group]: row["n"]
            for row in linked.values(group).annotate(n=Count(owner, distinct=distinct)).order_by()
        }
        if through_key:
            targets = model._meta.get_field(key).related_model.objects.filter(pk__in=found)
            names = [far, *([label_field.partition("__")[2]] if label_field else [])]
            rows_by_id = {row[0]: row[1:] for row in targets.values_list("pk", *names)}
            blank = (None,) * len(names)  # records without the foreign key
            values = [
                (*rows_by_id.get(pk, blank), n)
                if label_field
                else (rows_by_id.get(pk, blank)[0], None, n)
                for pk, n in found.items()
            ]
        else:
            values = [(value, None, n) for value, n in found.items()]
        result = [
            (value, label if label_field else labels.get(value, value), n)
            for value, label, n in values
        ]

        # Most first, then by label (records without one first, as SQLite sorted them).
        # Ties compare by code point, not the database's collation: only ties at the 25th
        # place could differ.
        def order(item):
            tie = item[1] if label_field else item[0]
            return (-item[2], tie is not None, str(tie))

        result.sort(key=order)
        return result[:FACET_LIMIT]

    return counts


def owner_unique_per_value(model, owner: str, group: str) -> bool:
    """Whether a constraint makes (owner, group) unique in `model`, so that counting owners
    per group needs no DISTINCT (a country takes part in a meeting once)."""
    if owner == "pk":
        return True
    names = {owner, group}
    for constraint in model._meta.constraints:
        fields = set(getattr(constraint, "fields", ()))
        if fields and fields <= names and getattr(constraint, "condition", None) is None:
            return True
    return any(set(together) <= names for together in model._meta.unique_together)


def query_string(params: QueryDict, **changes) -> str:
    """The current query string with some parameters set (a value) or removed (None)."""
    params = params.copy()
    for name in PAGE_PARAMS:
        params.pop(name, None)
    for name, value in changes.items():
        params.pop(name, None)
        if value is not None:
            params[name] = str(value)
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def friendlier_widgets(form: forms.Form) -> None:
    """Checkboxes and date pickers on the page; the API reads the same parameters."""
    for field in form.fields.values():
        if isinstance(field, forms.MultipleChoiceField):
            field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
        elif isinstance(field, forms.DateField):
            field.widget = forms.DateInput(attrs={"type": "date"})
    if "ordering" in form.fields:
        ordering = form.fields["ordering"]
        ordering.label = "Sort by"
        ordering.choices = [("", "Default order"), *list(ordering.choices)[1:]]


class PublishedMixin:
    """Public pages start from visible_to(): drafts are 404 to the public, staff may preview."""

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["preview"] = sees_drafts(self.request.user)
        return context


class FacetedListView(PublishedMixin, ListView):
    """A list filtered by `filterset_class`, as the API filters, with facets and exports."""

    template_name = "records/list.html"
    paginate_by = 25
    filterset_class = None
    facets: tuple[Facet, ...] = ()
    # Shown up front; the FilterSet's other fields sit under "More filters".
    main_filters: tuple[str, ...] = ("q", "country", "year", "kind")
    api_basename: str = ""
    row_template: str = ""
    heading: str = ""
    intro: str = ""

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if not self.filterset.is_valid():
            response.status_code = 400
        return response

    @classmethod
    def query_params(cls) -> set[str]:
        """The parameters the page reads (records/cache.known_params): its filters and page."""
        return {*cls.filterset_class.base_filters, *PAGE_PARAMS, cls.page_kwarg}

    def visible_queryset(self) -> QuerySet:
        return super().get_queryset()

    def counted_key(self, kind: str, params: QueryDict) -> str:
        """Counts depend on the model, the viewer and the filters, never on the page or
        the order; they are cached per data version (records/cache.py)."""
        return cache.versioned_key(
            kind,
            type(self).__qualname__,
            audience(self.request.user),
            cache.filter_params(params, (*PAGE_PARAMS, "ordering")),
        )

    def get_paginator(self, queryset, per_page, **kwargs) -> Paginator:
        paginator = super().get_paginator(queryset, per_page, **kwargs)
        if self.filterset.is_valid():
            key = self.counted_key("count", self.request.GET)
            paginator.__dict__["count"] = cache.remembered(key, lambda: paginator.count)
        return paginator

    def get_queryset(self) -> QuerySet:
        self.base_queryset = self.visible_queryset()
        self.filterset = self.filterset_class(
            self.request.GET, queryset=self.base_queryset, request=self.request
        )
        if not self.filterset.is_valid():
            return self.base_queryset.none()
        return self.filterset.qs

    def facet_values(self) -> list[tuple[Facet, list[FacetValue]]]:
        if not self.filterset.is_valid():
            return []
        params = self.request.GET
        result = []
        for facet in self.facets:
            others = params.copy()
            others.pop(facet.param, None)
            current = {
                value.upper() if facet.param == "country" else value
                for value in params.getlist(facet.param)
            }
            # A GROUP BY over every row the other filters leave (docs/scaling.md), so
            # recounted at most once per PACTA_FACET_STALE_SECONDS while writes keep
            # changing the data version.
            counts = cache.summary(
                self.request,
                f"facet-{facet.param}",
                (type(self).__qualname__, cache.filter_params(others, (*PAGE_PARAMS, "ordering"))),
                lambda facet=facet, others=others: facet.counts(
                    self.rows_without(others), sees_drafts(self.request.user)
                ),
            )
            values = []
            for value, label, count in counts:
                selected = str(value) in current
                url = query_string(params, **{facet.param: None if selected else value})
                values.append(FacetValue(str(value), label, count, url, selected))
            result.append((facet, values))
        return result

    def rows_without(self, others: QueryDict) -> QuerySet:
        """The rows the other filters leave, for one facet's counts."""
        rows = self.filterset_class(others, queryset=self.base_queryset).qs
        return rows.order_by().prefetch_related(None).select_related(None)

    def export_links(self) -> list[tuple[str, str]]:
        suffix = query_string(self.request.GET).lstrip("?")
        links = []
        for fmt, label in (("csv", "CSV"), ("jsonl", "JSON Lines")):
            url = api_url(f"{self.api_basename}-export-{fmt}")
            if url:
                links.append((label, f"{url}?{suffix}" if suffix else url))
        return links

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.filterset.form
        friendlier_widgets(form)
        context.update(
            filterset=self.filterset,
            # The search box up front; the facets above cover the usual filters, so every
            # other field waits under "More filters" and a phone reaches the rows sooner.
            main_fields=[form[name] for name in self.main_filters[:1] if name in form.fields],
            more_fields=[
                form[name]
                for name in dict.fromkeys([*self.main_filters[1:], *form.fields])
                if name in form.fields and name not in self.main_filters[:1] and name != "ordering"
            ],
            ordering_field=form["ordering"] if "ordering" in form.fields else None,
            # A wrong value opens "More filters" so its message is seen; set values stay
            # folded (the facets above show them) and are counted in the summary.
            more_errors=any(form[name].errors for name in form.fields),
            more_set=sum(
                1
                for name in form.fields
                if name not in self.main_filters[:1]
                and name != "ordering"
                and self.request.GET.getlist(name)
            ),
            facets=self.facet_values(),
            export_links=self.export_links(),
            row_template=self.row_template,
            heading=self.heading or self.model._meta.verbose_name_plural.capitalize(),
            intro=self.intro,
            is_filtered=any(key not in PAGE_PARAMS for key in self.request.GET),
            api_list_url=api_url(f"{self.api_basename}-list"),
        )
        return context
