"""The shape every public list shares: the API's FilterSet, facet counts, sorting, pages, exports.

Filters live in the query string, so a filtered view is a URL to share. Each facet is one
GROUP BY over the rows the *other* filters leave, so its counts say what a click would give;
the number of facets is fixed per list, so the page costs the same queries at any size.
"""

from __future__ import annotations

import functools
import html
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django import forms
from django.contrib.contenttypes.fields import GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet
from django.db.models.functions import ExtractYear
from django.http import HttpResponseRedirect, QueryDict
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils.choices import normalize_choices
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe
from django.views.generic import ListView
from django_filters import MultipleChoiceFilter

from records import cache
from records.api.ordering import stable_order
from records.api.pagination import DEFERRED_JOIN_OFFSET, deep_page
from records.models import Citation
from records.registry import registry
from records.search import query_words
from records.suggest import snippet
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


def encoded(params: QueryDict) -> str:
    """`params` as a query string; the commas of a list of codes stay readable (AZ,KZ)."""
    text = params.urlencode(safe=",")
    return f"?{text}" if text else "?"


def query_string(params: QueryDict, **changes) -> str:
    """The current query string with some parameters set (a value, or a list of values
    for a parameter given several times) or removed (None); each keeps its place, so that
    one filter state has one address."""
    result = QueryDict(mutable=True)
    wanted = {
        name: [str(item) for item in value] if isinstance(value, list) else [str(value)]
        for name, value in changes.items()
        if value is not None
    }
    for name, values in params.lists():
        if name in PAGE_PARAMS or (name in changes and name not in wanted):
            continue
        result.setlist(name, wanted.pop(name, values))
    for name, values in wanted.items():
        result.setlist(name, values)
    return encoded(result)


def clean_params(params: QueryDict, joined: set[str]) -> QueryDict:
    """The parameters that say something: empty ones dropped (a form sends every field), and
    the values of a comma-separated parameter (`joined`, country codes) given several times
    (a multiple select sends them so) joined into one, so each filter state has one address."""
    clean = QueryDict(mutable=True)
    for name, values in params.lists():
        values = [value for value in values if value.strip()]
        if name in joined and len(values) > 1:
            values = [",".join(values)]
        if values:
            clean.setlist(name, values)
    return clean


# A picker lists this many names (most pages hold fewer); its script asks the API for the
# others as the person types.
PICKER_LIMIT = 300


class Picker(forms.Select):
    """A <select> of names whose values are slugs (or codes): usable without a script;
    static/js/filters.js adds a box to search its names as you type."""

    def __init__(
        self, attrs=None, choices=(), *, search_url="", value_key="", label_key=""
    ) -> None:
        super().__init__(attrs, choices)
        self.attrs.update(
            {
                "class": "picker",
                "data-search-url": search_url,
                "data-value-key": value_key,
                "data-label-key": label_key,
            }
        )

    @property
    def choices(self):
        return self._choices

    @choices.setter
    def choices(self, value):
        # Names come as (value, name) pairs already, which normalize_choices() would walk one
        # by one for each widget and each copy of it (the form copies its fields): a tenth of
        # a list page's time with six pickers of 300 names.
        if isinstance(value, list) and all(
            type(choice) is tuple
            and len(choice) == 2
            and type(choice[0]) in (str, int)
            and type(choice[1]) is str
            for choice in value
        ):
            self._choices, self.plain_pairs = value, True
        else:
            self._choices, self.plain_pairs = normalize_choices(value), False

    def render(self, name, value, attrs=None, renderer=None):
        """The same HTML as Django's select.html, written directly: its templates render each
        of up to 300 options through an include of their own, and even format_html() costs
        a lazy-argument check per value; six pickers took 75 ms of a list page at 100,000
        meetings (docs/scaling.md)."""
        # Widget.get_context, not Select's: its option dicts (one create_option() call and
        # attribute copy each) cost more than writing the options.
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        if self.allow_multiple_selected:
            widget["attrs"]["multiple"] = True
        chosen = {str(item) for item in widget["value"]}
        parts = [f'<select name="{escaped(widget["name"])}"{flat_attrs(widget["attrs"])}>']
        # As ChoiceWidget.optgroups(): a single select marks its first match only.
        marked = False

        def option(value, label) -> str:
            nonlocal marked
            value = "" if value is None else value
            selected = (self.allow_multiple_selected or not marked) and str(value) in chosen
            marked = marked or selected
            flag = " selected" if selected else ""
            return f'\n  <option value="{escaped(value)}"{flag}>{escaped(label)}</option>'

        if self.plain_pairs:
            # The same options as below, escaped once per process for each list of names.
            for text, plain, selected_line in option_lines(tuple(self.choices)):
                selected = (self.allow_multiple_selected or not marked) and text in chosen
                marked = marked or selected
                parts.append(selected_line if selected else plain)
        else:
            for value, label in self.choices:
                if isinstance(label, list | tuple):
                    parts.append(f'\n  <optgroup label="{escaped(value)}">')
                    parts.extend(option(*choice) for choice in label)
                    parts.append("\n  </optgroup>")
                else:
                    parts.append(option(value, label))
        parts.append("\n</select>")
        return mark_safe("".join(parts))


@functools.lru_cache(maxsize=64)
def option_lines(choices: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str, str], ...]:
    """Each (value, name) as (the value's text, its <option>, its selected <option>): the
    escaping of six pickers' 300 names was a tenth of a list page's time."""
    lines = []
    for value, label in choices:
        value = "" if value is None else value
        head = f'\n  <option value="{escaped(value)}"'
        tail = f">{escaped(label)}</option>"
        lines.append((str(value), head + tail, head + " selected" + tail))
    return tuple(lines)


def escaped(value) -> str:
    """conditional_escape() without its lazy-string wrapper: safe text as it is, the rest
    escaped as Django escapes it."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def flat_attrs(attrs: dict) -> str:
    """Attributes as django/forms/widgets/attrs.html writes them: True bare, False left out."""
    return "".join(
        f" {name}" if value is True else f' {name}="{escaped(value)}"'
        for name, value in attrs.items()
        if value is not False and value is not None
    )


class MultiplePicker(Picker, forms.SelectMultiple):
    """Several picked at once, read and written as one comma-separated value (AZ,KZ), the
    form the API and the facet links use."""

    allow_multiple_selected = True

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return ",".join(part for value in values if value for part in value.split(","))

    def format_value(self, value):
        if not value:
            return []
        if isinstance(value, str):
            value = value.split(",")
        return [str(part).strip().upper() for part in value if str(part).strip()]


def label_field(model) -> str:
    kind = registry.kinds_by_model.get(model)
    return kind.title_field if kind else "name"


def picker_rows(model, value_field: str, viewer) -> QuerySet:
    """(value, name) of the records of `model` the viewer may see, by name (for sources the
    order of an index of their own, records 0009)."""
    names = label_field(model)
    rows = model.objects.all()
    if hasattr(rows, "visible_to"):
        rows = rows.visible_to(viewer)
    return rows.order_by(names, value_field).values_list(value_field, names)


def picker_choices(model, value_field: str, viewer, selected: list[str]) -> list[tuple]:
    """The first PICKER_LIMIT of `picker_rows` (cached per data version and audience), and
    the selected ones."""
    rows = picker_rows(model, value_field, viewer)
    key = cache.versioned_key("picker", model._meta.label, value_field, audience(viewer))
    options = cache.remembered(key, lambda: list(rows[:PICKER_LIMIT]))
    # A value no record can have (a NUL, which PostgreSQL refuses to compare) is not looked up.
    missing = {value for value in selected if "\x00" not in value} - {v for v, _ in options}
    if missing:
        options = [*options, *rows.filter(**{f"{value_field}__in": missing})]
    return options


def friendlier_widgets(
    form: forms.Form, filterset=None, viewer=None, names: Iterable[str] | None = None
) -> None:
    """Checkboxes, date pickers, pickers of names and named orders on the page; the address
    and the API keep the same parameters (slugs, ISO codes, `-date`). Only the fields
    `names` when given: a picker's names cost a cache read each."""
    wanted = set(form.fields) if names is None else set(names)
    for name, field in form.fields.items():
        if name not in wanted:
            continue
        if isinstance(field, forms.MultipleChoiceField):
            field.widget = forms.CheckboxSelectMultiple(choices=field.choices)
        elif isinstance(field, forms.DateField):
            field.widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    filters = filterset.filters if filterset is not None else {}
    for name, declared in filters.items():
        field = form.fields.get(name)
        if field is None or name not in wanted:
            continue
        page_choices = getattr(declared, "page_choices", None)
        if page_choices:
            field.choices = page_choices
            field.widget = forms.RadioSelect(choices=page_choices)
            field.help_text = ""
        model = getattr(declared, "picks", None)
        if model is not None:
            field.widget = picker_widget(declared, model, viewer, form.data.get(name, ""))
            field.help_text = (
                "Choose one or more; hold Ctrl (⌘ on a Mac) to choose several."
                if declared.pick_many
                else ""
            )
    if "ordering" in form.fields and "ordering" in wanted:
        ordering = form.fields["ordering"]
        ordering.label = "Sort by"
        ordering.help_text = ""
        choices = [("", "Default order"), *list(ordering.choices)[1:]]
        ordering.choices = choices
        ordering.widget.choices = choices
    # Validating the form made its bound fields, which copied each label and help text.
    for name, field in form.fields.items():
        if name in wanted:
            bound = form[name]
            bound.label, bound.help_text = field.label, field.help_text or ""


def picker_widget(declared, model, viewer, raw: str) -> Picker:
    many = declared.pick_many
    value_field = declared.pick_value
    selected = [part.strip() for part in raw.split(",") if part.strip()] if raw else []
    if many:
        selected = [part.upper() for part in selected]
    options = picker_choices(model, value_field, viewer, selected)
    kind = registry.kinds_by_model.get(model)
    search_url = api_url(f"{model._meta.model_name}-list") if kind or many else None
    widget_class = MultiplePicker if many else Picker
    choices = options if many else [("", "Any"), *options]
    # Every name is listed: the script needs not ask the API for more.
    complete = {"data-complete": "true"} if len(options) < PICKER_LIMIT else {}
    return widget_class(
        complete,
        choices=choices,
        search_url=search_url or "",
        value_key=value_field,
        label_key=label_field(model),
    )


def field_params(data: QueryDict, name: str) -> str:
    """The parameters a form field can read, in a stable order: its name, and its name with a
    suffix (a range's `year_min`, a widget's `date_0`)."""
    prefix = f"{name}_"
    return repr(
        sorted(
            (key, values) for key, values in data.lists() if key == name or key.startswith(prefix)
        )
    )


def searched_texts(record, quotes: list[str]) -> list[str]:
    """The texts a record was searched in, loaded ones only (a source's text is deferred),
    its own fields first, then its quotes: where its search snippet comes from. The title is
    the result's link already: a snippet shows where else the words are."""
    deferred = record.get_deferred_fields()
    title = label_field(type(record))
    own = [
        getattr(record, name)
        for name in getattr(record, "search_fields", ())
        if name not in deferred and name != title and isinstance(getattr(record, name), str)
    ]
    return [*own, *quotes]


def has_citations(model) -> bool:
    return any(
        isinstance(field, GenericRelation) and field.name == "citations"
        for field in model._meta.private_fields
    )


def quotes_of(record) -> list[str]:
    """The quotes prefetched as the record's `citations`, if they were."""
    cached = getattr(record, "_prefetched_objects_cache", {})
    return [citation.quote for citation in cached.get("citations", ())]


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
        joined = {
            name
            for name, declared in self.filterset_class.base_filters.items()
            if getattr(declared, "comma_list", False)
        }
        clean = clean_params(request.GET, joined)
        if list(clean.lists()) != list(request.GET.lists()):
            # Empty fields and repeated codes never stay in the address: one clean URL for
            # each filter state, to share and to cache.
            return HttpResponseRedirect(request.path + (encoded(clean) if clean else ""))
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

    def paginate_queryset(self, queryset, page_size):
        """Django's page, read as the API reads a deep one (`deep_page`): its ids over the
        list-order index first, then its rows, rather than an OFFSET over whole rows (page
        1,234 of the meetings: 55 ms for the page's query, 1 ms for the ids)."""
        paginator, page, rows, is_paginated = super().paginate_queryset(queryset, page_size)
        offset = page.start_index() - 1
        if offset >= DEFERRED_JOIN_OFFSET and isinstance(queryset, QuerySet):
            page.object_list = rows = deep_page(queryset, offset, page.end_index() - offset)
        return paginator, page, rows, is_paginated

    def get_queryset(self) -> QuerySet:
        self.base_queryset = self.visible_queryset()
        self.filterset = self.filterset_class(
            self.request.GET, queryset=self.base_queryset, request=self.request
        )
        if not self.filterset.is_valid():
            return self.base_queryset.none()
        # The API's order (records/api/ordering.py): undated records last and ties by id on
        # both databases, so that a page never repeats or skips a record, and on PostgreSQL
        # the list-order index serves it (its DESC is NULLS FIRST unless told otherwise).
        return stable_order(self.filterset.qs)

    def facet_values(self) -> list[tuple[Facet, list[FacetValue]]]:
        if not self.filterset.is_valid():
            return []
        params = self.request.GET
        result = []
        for facet in self.facets:
            declared = self.filterset.filters.get(facet.param)
            joined = getattr(declared, "comma_list", False)
            several = joined or isinstance(declared, MultipleChoiceFilter)
            narrows = getattr(declared, "narrows", None)
            others = params.copy()
            if not (narrows and narrows(params)):
                others.pop(facet.param, None)
            # A facet that narrows (countries that must all take part) counts what each
            # further value would leave; the others count what the other filters leave.
            current = [
                part.strip().upper() if joined else part
                for value in params.getlist(facet.param)
                for part in (value.split(",") if joined else [value])
                if part.strip()
            ]
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
                if selected:
                    chosen = [item for item in current if item != str(value)]
                else:
                    # A click adds to what is chosen (any of them, or all of them where the
                    # filter says so); a single-valued facet replaces it.
                    chosen = [*current, str(value)] if several else [str(value)]
                if not chosen:
                    change = None
                elif joined:
                    change = ",".join(chosen)
                else:
                    change = chosen
                url = query_string(params, **{facet.param: change})
                values.append(FacetValue(str(value), label, count, url, selected))
            result.append((facet, values))
        return result

    def rows_without(self, others: QueryDict) -> QuerySet:
        """The rows the other filters leave, for one facet's counts."""
        rows = self.filterset_class(others, queryset=self.base_queryset).qs
        return rows.order_by().prefetch_related(None).select_related(None)

    def with_snippets(self, rows) -> list:
        """The page's rows, each with `search_snippet`: where the words of `q` matched in
        its texts or quotes (one query for the quotes of the page)."""
        rows = list(rows)
        cleaned = getattr(self.filterset.form, "cleaned_data", {})
        words = query_words(cleaned.get("q") or "")
        if not words or not rows:
            return rows
        quotes: dict[int, list[str]] = defaultdict(list)
        if has_citations(self.model):
            cited = Citation.objects.visible_to(self.request.user).filter(
                content_type=ContentType.objects.get_for_model(self.model),
                object_id__in=[row.pk for row in rows],
            )
            for object_id, quote in cited.order_by("pk").values_list("object_id", "quote"):
                quotes[object_id].append(quote)
        for row in rows:
            row.search_snippet = snippet(searched_texts(row, quotes[row.pk]), words)
        return rows

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
        if self.filterset.is_valid() and self.request.GET.get("q"):
            context["object_list"] = self.with_snippets(context["object_list"])
        form = self.filterset.form
        is_filtered = any(key not in PAGE_PARAMS for key in self.request.GET)
        # Set values stay folded under "More filters" (the facets above show them), counted
        # in its summary.
        more_set = sum(
            1
            for name in form.fields
            if name not in self.main_filters[:1]
            and name != "ordering"
            and any(value.strip() for value in self.request.GET.getlist(name))
        )
        context.update(
            filterset=self.filterset,
            more_set=more_set,
            filter_form=self.filter_form(is_filtered, more_set),
            # Computed only when read (by a test): the page prints the kept HTML.
            facets=SimpleLazyObject(self.facet_values),
            facets_html=self.facets_html(),
            export_links=self.export_links(),
            row_template=self.row_template,
            heading=self.heading or self.model._meta.verbose_name_plural.capitalize(),
            intro=self.intro,
            is_filtered=is_filtered,
            api_list_url=api_url(f"{self.api_basename}-list"),
        )
        return context

    def facets_html(self) -> str:
        """The facets' HTML, kept per data version for each viewer and filter state: every
        page of a state shows the same counts and links (they drop the page number), and
        building their links and rendering them was about a tenth of a cold list page
        (docs/scaling.md, eleventh session). The parameters keep their order in the key, as
        the links keep it."""
        if not self.filterset.is_valid():
            return ""
        request = self.request
        key = cache.versioned_key(
            "facets",
            type(self).__qualname__,
            audience(request.user),
            request.path,
            cache.filter_params(request.GET, PAGE_PARAMS, ordered=True),
        )
        rendered = cache.remembered(
            key,
            lambda: render_to_string(
                "records/includes/facets.html", {"facets": self.facet_values()}
            ),
        )
        return mark_safe(rendered)

    def filter_form(self, is_filtered: bool, more_set: int) -> str:
        """The filter form's HTML, rendered once per data version for each viewer and filter
        state (the page number aside) and then taken from the cache: each field goes through
        Django's form templates, most of a list page's own work once its counts are cached
        (docs/scaling.md, sixth session). Its pickers' names are the data version's."""
        if not self.filterset.is_valid():
            # Kept only for what the page cache keeps too: an error is answered afresh.
            return mark_safe(self.render_filter_form(is_filtered, more_set))
        request = self.request
        key = cache.versioned_key(
            "filter-form",
            type(self).__qualname__,
            audience(request.user),
            request.path,
            cache.filter_params(request.GET, PAGE_PARAMS),
        )
        rendered = cache.remembered(key, lambda: self.render_filter_form(is_filtered, more_set))
        return mark_safe(rendered)

    def render_filter_form(self, is_filtered: bool, more_set: int) -> str:
        form = self.filterset.form
        # `countries` (all of them) is the API's older spelling of `country` with
        # `country_mode=all`; the page offers it only when the address uses it.
        hidden = {name for name in ("countries",) if not self.request.GET.get(name)}
        # The search box up front; the facets above cover the usual filters, so every other
        # field waits under "More filters" and a phone reaches the rows sooner.
        main = [name for name in self.main_filters[:1] if name in form.fields]
        more = [
            name
            for name in dict.fromkeys([*self.main_filters[1:], *form.fields])
            if name in form.fields
            and name not in self.main_filters[:1]
            and name != "ordering"
            and name not in hidden
        ]
        ordering = ["ordering"] if "ordering" in form.fields else []
        fields = self.fields_html([*main, *more, *ordering])
        context = {
            "filterset": self.filterset,
            "form_action": self.request.path,
            "main_fields": [fields[name] for name in main],
            "more_fields": [fields[name] for name in more],
            "ordering_field": fields["ordering"] if ordering else None,
            # A wrong value opens "More filters" so its message is seen.
            "more_errors": any(name in form.errors for name in form.fields),
            "more_set": more_set,
            "is_filtered": is_filtered,
        }
        return render_to_string("records/includes/filter_form.html", context)

    def fields_html(self, names: list[str]) -> dict[str, str]:
        """Each field's HTML, kept per data version for each viewer and for the parameters
        the field reads (its own name, or its name and a suffix): a new filter state renders
        only the fields it sets, the other dozen are the empty ones any state shows. Django's
        form templates take about half a millisecond a field (docs/scaling.md, tenth
        session). A form with errors is rendered afresh, as the page cache answers it."""
        form = self.filterset.form

        def render(missing: list[str]) -> dict[str, str]:
            friendlier_widgets(form, self.filterset, self.request.user, missing)
            return {
                name: render_to_string("records/includes/field.html", {"field": form[name]})
                for name in missing
            }

        if form.errors:
            return render(names)
        parts = (type(self).__qualname__, audience(self.request.user), self.request.path)
        keys = {
            cache.versioned_key("filter-field", *parts, name, field_params(form.data, name)): name
            for name in names
        }
        return {
            name: mark_safe(html) for name, html in cache.remembered_many(keys, render).items()
        }
