"""The two pictures, drawn as SVG on the server: no script, no request outside Pacta.

Each picture comes from a few aggregate queries and carries its own text alternative
(`<title>`, `<desc>`, and the same numbers for a table under it). Every piece of text that goes
into the markup passes through format_html, so a hostile country or record name stays text.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from agreements.models import DocumentParty
from summits.models import Country, MeetingCountry, pair_url

SERIES = (
    ("meetings", "Meetings", "#1f5f8b"),
    ("documents", "Documents", "#a8520a"),
    ("milestones", "Project milestones", "#2f7a3b"),
)


def svg(template: str, *args) -> SafeString:
    """format_html with coordinates rounded to a tenth: smaller markup, same picture."""
    return format_html(
        template, *(round(arg, 1) if isinstance(arg, float) else arg for arg in args)
    )


# --- Timeline ------------------------------------------------------------------------------


@dataclass
class YearRow:
    year: int
    meetings: int = 0
    documents: int = 0
    milestones: int = 0

    @property
    def total(self) -> int:
        return self.meetings + self.documents + self.milestones


class Year(ExtractYear):
    """The year of a date. On SQLite, read from the stored ISO text: Django's ExtractYear
    calls a Python function per row there, which made the per-year counts of a busy country
    several times slower (docs/scaling.md)."""

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.lhs)
        return f"CAST(substr({sql}, 1, 4) AS integer)", params


def _per_year(rows: QuerySet, date_field: str) -> dict[int, int]:
    # Each row is one record (no join), so a plain count is a count of records.
    counted = (
        rows.order_by()
        .filter(**{f"{date_field}__isnull": False})
        .annotate(year=Year(date_field))
        .values("year")
        .annotate(n=Count("pk"))
    )
    return {row["year"]: row["n"] for row in counted}


def timeline_rows(meetings: QuerySet, documents: QuerySet, milestones: QuerySet) -> list[YearRow]:
    """Every year from the first dated record to the last, empty years included."""
    counts = {
        "meetings": _per_year(meetings, "start_date"),
        "documents": _per_year(documents, "date"),
        "milestones": _per_year(milestones, "date"),
    }
    years = set().union(*counts.values())
    if not years:
        return []
    return [
        YearRow(year, **{name: per_year.get(year, 0) for name, per_year in counts.items()})
        for year in range(min(years), max(years) + 1)
    ]


def timeline_svg(rows: list[YearRow], *, chart_id: str = "timeline") -> SafeString:
    if not rows:
        return mark_safe("")
    width, height = 720, 260
    left, right, top, bottom = 36, 12, 34, 30
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max(max(row.meetings, row.documents, row.milestones) for row in rows) or 1
    step = plot_w / len(rows)
    bar_w = max(min(step / 4, 18), 1.5)
    label_every = 1 if len(rows) <= 16 else math.ceil(len(rows) / 12)

    parts = []
    for tick in _ticks(peak):
        y = top + plot_h - plot_h * tick / peak
        parts.append(
            svg(
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#d0d4d9"/>'
                '<text x="{}" y="{}" text-anchor="end" class="tick">{}</text>',
                left,
                width - right,
                y,
                y,
                left - 6,
                y + 4,
                tick,
            )
        )
    for index, row in enumerate(rows):
        x0 = left + index * step + (step - 3 * bar_w) / 2
        for offset, (name, label, colour) in enumerate(SERIES):
            value = getattr(row, name)
            if not value:
                continue
            bar_h = plot_h * value / peak
            parts.append(
                svg(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="{}">'
                    "<title>{}: {} {}</title></rect>",
                    x0 + offset * bar_w,
                    top + plot_h - bar_h,
                    bar_w,
                    bar_h,
                    colour,
                    row.year,
                    value,
                    label.lower(),
                )
            )
        if index % label_every == 0:
            parts.append(
                svg(
                    '<text x="{}" y="{}" text-anchor="middle" class="tick">{}</text>',
                    left + index * step + step / 2,
                    height - 10,
                    row.year,
                )
            )
    parts.append(
        svg(
            '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#4a4f55"/>',
            left,
            width - right,
            top + plot_h,
            top + plot_h,
        )
    )
    for offset, (_name, label, colour) in enumerate(SERIES):
        x = left + offset * 170
        parts.append(
            svg(
                '<rect x="{}" y="8" width="12" height="12" fill="{}"/>'
                '<text x="{}" y="18" class="legend">{}</text>',
                x,
                colour,
                x + 17,
                label,
            )
        )
    description = "; ".join(
        f"{row.year}: {row.meetings} meetings, {row.documents} documents, "
        f"{row.milestones} milestones"
        for row in rows
        if row.total
    )
    return svg(
        '<svg class="chart timeline" viewBox="0 0 {} {}" role="img" '
        'aria-labelledby="{}-title {}-desc" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">Meetings, documents and project milestones per year, {}–{}</title>'
        '<desc id="{}-desc">{}</desc>{}</svg>',
        width,
        height,
        chart_id,
        chart_id,
        chart_id,
        rows[0].year,
        rows[-1].year,
        chart_id,
        description,
        mark_safe("".join(parts)),
    )


def _ticks(peak: int) -> list[int]:
    step = max(1, math.ceil(peak / 4))
    return list(range(0, peak + 1, step))


# --- Network -------------------------------------------------------------------------------


@dataclass
class Tie:
    first: Country
    second: Country
    meetings: int = 0
    documents: int = 0

    @property
    def weight(self) -> int:
        return self.meetings + self.documents

    @property
    def url(self) -> str:
        return pair_url(self.first.code, self.second.code)


@dataclass
class Network:
    countries: list[Country] = field(default_factory=list)
    ties: list[Tie] = field(default_factory=list)

    # How many ties and countries there were before `top()` kept the strongest.
    tie_count: int = 0
    country_count: int = 0

    def degree(self, country: Country) -> int:
        return sum(tie.weight for tie in self.ties if country in (tie.first, tie.second))

    def top(self, countries: int, ties: int) -> Network:
        """The `ties` strongest ties among the `countries` with the most weight: a picture
        that stays legible (and small) however many pairs the data holds."""
        weight: Counter = Counter()
        for tie in self.ties:
            weight[tie.first.pk] += tie.weight
            weight[tie.second.pk] += tie.weight
        ranked = sorted(self.countries, key=lambda c: (-weight[c.pk], c.name))[:countries]
        kept = {country.pk for country in ranked}
        strongest = [tie for tie in self.ties if tie.first.pk in kept and tie.second.pk in kept][
            :ties
        ]
        linked = {pk for tie in strongest for pk in (tie.first.pk, tie.second.pk)}
        return Network(
            sorted((c for c in ranked if c.pk in linked), key=lambda c: c.name),
            strongest,
            tie_count=len(self.ties),
            country_count=len(self.countries),
        )


def _pair_counts(through, owner: str, owners: QuerySet) -> Counter:
    """Shared records per pair of countries: one self-join of the through table, grouped."""
    rows = (
        through.objects.filter(**{f"{owner}__in": owners.order_by().values("pk")})
        .filter(**{f"{owner}__{through_name(through)}__country_id__gt": F("country_id")})
        .values("country_id", other=F(f"{owner}__{through_name(through)}__country_id"))
        .annotate(n=Count(owner, distinct=True))
        .order_by()
    )
    return Counter({(row["country_id"], row["other"]): row["n"] for row in rows})


def through_name(through) -> str:
    return "participations" if through is MeetingCountry else "party_roles"


def network(meetings: QuerySet, documents: QuerySet) -> Network:
    met = _pair_counts(MeetingCountry, "meeting", meetings)
    signed = _pair_counts(DocumentParty, "document", documents)
    meeting_ids = meetings.order_by().values("pk")
    document_ids = documents.order_by().values("pk")
    countries = {
        country.pk: country
        for country in Country.objects.filter(
            Q(pk__in=MeetingCountry.objects.filter(meeting__in=meeting_ids).values("country"))
            | Q(pk__in=DocumentParty.objects.filter(document__in=document_ids).values("country"))
        ).only("pk", "code", "name")
    }
    ties = [
        Tie(countries[a], countries[b], met.get((a, b), 0), signed.get((a, b), 0))
        for a, b in sorted(set(met) | set(signed))
    ]
    ties.sort(key=lambda tie: (-tie.weight, tie.first.name, tie.second.name))
    ordered = sorted(countries.values(), key=lambda country: country.name)
    return Network(ordered, ties, tie_count=len(ties), country_count=len(ordered))


def network_svg(net: Network, *, chart_id: str = "network") -> SafeString:
    if not net.countries:
        return mark_safe("")
    # Wide enough that a long name beside a node at either side ("Russian Federation") fits.
    width, height = 760, 500
    cx, cy = width / 2, height / 2
    radius = min(cx - 170, cy - 40)
    count = len(net.countries)
    position = {}
    for index, country in enumerate(net.countries):
        angle = -math.pi / 2 + 2 * math.pi * index / count
        position[country.pk] = (
            cx + radius * math.cos(angle),
            cy + radius * math.sin(angle),
            angle,
        )
    heaviest = max((tie.weight for tie in net.ties), default=1)

    edges = []
    for tie in net.ties:
        x1, y1, _ = position[tie.first.pk]
        x2, y2, _ = position[tie.second.pk]
        label = (
            f"{tie.first.name} and {tie.second.name}: {tie.meetings} shared meetings, "
            f"{tie.documents} shared documents"
        )
        edges.append(
            svg(
                '<a href="{}" class="edge" aria-label="{}"><title>{}</title>'
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="transparent" '
                'stroke-width="14"/>'
                '<line class="tie" x1="{}" y1="{}" x2="{}" y2="{}" '
                'stroke="#5b7083" stroke-opacity="0.75" stroke-width="{}"/></a>',
                tie.url,
                label,
                label,
                x1,
                y1,
                x2,
                y2,
                x1,
                y1,
                x2,
                y2,
                1.5 + 8.5 * tie.weight / heaviest,
            )
        )
    nodes = []
    for country in net.countries:
        x, y, angle = position[country.pk]
        degree = net.degree(country)
        label_x = x + 14 * math.cos(angle)
        label_y = y + 14 * math.sin(angle) + 4
        anchor = (
            "middle" if abs(math.cos(angle)) < 0.3 else ("start" if math.cos(angle) > 0 else "end")
        )
        if abs(math.cos(angle)) < 0.3:
            label_y += 8 if math.sin(angle) > 0 else -4
        nodes.append(
            svg(
                '<a href="{}" class="node" aria-label="{}: {} ties"><title>{} ({} ties)</title>'
                '<circle cx="{}" cy="{}" r="{}" fill="#1f5f8b" stroke="#ffffff" '
                'stroke-width="2"/>'
                '<text x="{}" y="{}" text-anchor="{}">{}</text></a>',
                country.get_absolute_url(),
                country.name,
                degree,
                country.name,
                degree,
                x,
                y,
                6 + 2.2 * math.sqrt(degree),
                label_x,
                label_y,
                anchor,
                country.name,
            )
        )
    description = (
        "; ".join(
            f"{tie.first.name}–{tie.second.name}: {tie.meetings} meetings, "
            f"{tie.documents} documents"
            for tie in net.ties
        )
        or "No two countries share a meeting or document yet."
    )
    return svg(
        '<svg class="chart network" viewBox="0 0 {} {}" role="group" '
        'aria-labelledby="{}-title" aria-describedby="{}-desc" '
        'xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">Countries joined by shared meetings and documents</title>'
        '<desc id="{}-desc">{}</desc><g class="edges">{}</g><g class="nodes">{}</g></svg>',
        width,
        height,
        chart_id,
        chart_id,
        chart_id,
        chart_id,
        description,
        format_html_join("", "{}", ((edge,) for edge in edges)),
        format_html_join("", "{}", ((node,) for node in nodes)),
    )
