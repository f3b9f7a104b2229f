"""The two pictures, drawn as SVG on the server: no script, no request outside Pacta.

Each picture comes from a few aggregate queries and carries a short name (`<title>`), a key,
and the same numbers as a table under it. Every piece of text that goes
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
from django.utils.translation import ngettext

from agreements.models import DocumentParty
from summits.models import Country, MeetingCountry, pair_url


def svg(template: str, *args) -> SafeString:
    """format_html with coordinates rounded to a tenth: smaller markup, same picture."""
    return format_html(
        template, *(round(arg, 1) if isinstance(arg, float) else arg for arg in args)
    )


# --- Timeline ------------------------------------------------------------------------------

# (attribute of YearRow, singular, plural, colour): the colours are also the key's and the
# stylesheet's (.series-meetings…), which swaps them for system colours in forced-colors mode.
SERIES = (
    ("meetings", "meeting", "meetings", "#1f5f8b"),
    ("documents", "document", "documents", "#a8520a"),
    ("milestones", "project milestone", "project milestones", "#2f7a3b"),
)


def counted(n: int, singular: str, plural: str) -> str:
    """ "1 meeting", "2 meetings": every number the pictures print or speak goes through here."""
    return f"{n} {ngettext(singular, plural, n)}"


@dataclass
class YearRow:
    year: int
    meetings: int = 0
    documents: int = 0
    milestones: int = 0

    @property
    def total(self) -> int:
        return self.meetings + self.documents + self.milestones


@dataclass
class YearGap:
    """Years between two rows of the timeline in which nothing is recorded: drawn as a break."""

    first: int
    last: int

    @property
    def label(self) -> str:
        years = str(self.first) if self.first == self.last else f"{self.first}–{self.last}"
        return f"{years}: nothing recorded"


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
    """The years with at least one dated record, in order; the years between are left out (the
    picture marks where, `with_gaps`), so a few busy recent years are not squeezed into the
    last sixth of an axis that starts with one early treaty."""
    counts = {
        "meetings": _per_year(meetings, "start_date"),
        "documents": _per_year(documents, "date"),
        "milestones": _per_year(milestones, "date"),
    }
    years = sorted(set().union(*counts.values()))
    return [
        YearRow(year, **{name: per_year.get(year, 0) for name, per_year in counts.items()})
        for year in years
    ]


def with_gaps(rows: list[YearRow]) -> list[YearRow | YearGap]:
    """The rows with a YearGap wherever consecutive rows skip one or more years."""
    out: list[YearRow | YearGap] = []
    for row in rows:
        if out and row.year > out[-1].year + 1:
            out.append(YearGap(out[-1].year + 1, row.year - 1))
        out.append(row)
    return out


# Horizontal bars, one group of three per year, in an SVG without a viewBox: its text is
# drawn at the stylesheet's pixel sizes whatever the width, so a phone reads it as well as a
# desktop. Lengths across are percentages of the picture's width (bars, their values) or pixels
# (the year column); lengths down are pixels.
YEAR_COLUMN = 52  # px: "2024" at 13px, bold, and a gap
BAR_SPAN = 68  # % of the width the longest bar takes, leaving room for its value at 288px
BAR_HEIGHT, BAR_GAP, ROW_GAP, GAP_HEIGHT = 10, 3, 12, 26


def timeline_key() -> SafeString:
    return format_html(
        '<ul class="chart-key">{}</ul>',
        format_html_join(
            "",
            '<li><svg width="14" height="14" aria-hidden="true" focusable="false">'
            '<rect class="series-{}" width="14" height="14" fill="{}"/></svg>{}</li>',
            ((name, colour, plural.capitalize()) for name, _one, plural, colour in SERIES),
        ),
    )


def timeline_svg(rows: list[YearRow], *, chart_id: str = "timeline") -> SafeString:
    """The key, then the bars: every bar labelled with its value, every skipped span of years
    drawn as a break with the years it leaves out."""
    if not rows:
        return mark_safe("")
    peak = max(max(row.meetings, row.documents, row.milestones) for row in rows) or 1
    row_height = len(SERIES) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
    parts = []
    y = 4
    for item in with_gaps(rows):
        if isinstance(item, YearGap):
            parts.append(
                svg(
                    '<g class="gap" transform="translate(0 {})">'
                    '<path d="M{} 2 l-6 6 l6 6 l-6 6" fill="none" stroke="#555d66" '
                    'stroke-width="1.5"/>'
                    '<text x="{}" y="15" class="gap-label">{}</text></g>',
                    y,
                    YEAR_COLUMN - 4,
                    YEAR_COLUMN + 6,
                    item.label,
                )
            )
            y += GAP_HEIGHT
            continue
        parts.append(
            svg(
                '<text x="{}" y="{}" text-anchor="end" class="year">{}</text>',
                YEAR_COLUMN - 10,
                y + row_height / 2 + 4.5,
                item.year,
            )
        )
        bars = []
        for offset, (name, singular, plural, colour) in enumerate(SERIES):
            value = getattr(item, name)
            if not value:
                continue
            bar_y = y + offset * (BAR_HEIGHT + BAR_GAP)
            share = BAR_SPAN * value / peak
            bars.append(
                svg(
                    '<rect class="bar series-{}" x="0" y="{}" width="{}%" height="{}" '
                    'fill="{}"><title>{}: {}</title></rect>'
                    '<text class="value" x="{}%" dx="4" y="{}">{}</text>',
                    name,
                    bar_y,
                    round(share, 2),
                    BAR_HEIGHT,
                    colour,
                    item.year,
                    counted(value, singular, plural),
                    round(share, 2),
                    bar_y + BAR_HEIGHT - 0.5,
                    value,
                )
            )
        parts.append(
            svg(
                '<g transform="translate({} 0)">{}</g>',
                YEAR_COLUMN,
                format_html_join("", "{}", ((bar,) for bar in bars)),
            )
        )
        y += row_height + ROW_GAP
    height = y
    parts.append(
        svg(
            '<line class="axis" x1="{}" x2="{}" y1="0" y2="{}" stroke="#4a4f55"/>',
            YEAR_COLUMN - 0.5,
            YEAR_COLUMN - 0.5,
            height,
        )
    )
    skipped = sum(1 for item in with_gaps(rows) if isinstance(item, YearGap))
    title = f"Meetings, documents and project milestones per year, {rows[0].year}–{rows[-1].year}"
    if skipped:
        title += ", years without records left out"
    return format_html(
        '{}<svg class="chart timeline" width="100%" height="{}" role="img" '
        'aria-labelledby="{}-title" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">{}</title>{}</svg>',
        timeline_key(),
        height,
        chart_id,
        chart_id,
        title,
        mark_safe("".join(parts)),
    )


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
            f"{tie.first.name} and {tie.second.name}: "
            f"{counted(tie.meetings, 'shared meeting', 'shared meetings')}, "
            f"{counted(tie.documents, 'shared document', 'shared documents')}"
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
                line_width(tie.weight, heaviest),
            )
        )
    nodes = []
    for country in net.countries:
        x, y, angle = position[country.pk]
        degree = net.degree(country)
        radius = node_radius(degree)
        ties = counted(degree, "shared meeting or document", "shared meetings and documents")
        nodes.append(
            svg(
                '<a href="{}" class="node" aria-label="{}: {}"><title>{} ({})</title>'
                '<circle cx="{}" cy="{}" r="{}" fill="#1f5f8b" stroke="#ffffff" '
                'stroke-width="2"/>{}{}</a>',
                country.get_absolute_url(),
                country.name,
                ties,
                country.name,
                ties,
                x,
                y,
                radius,
                _node_label(x, y, angle, radius, "name", country.name, size=14),
                _node_label(x, y, angle, radius, "code", country.code, size=30),
            )
        )
    # Each link names its own numbers; the table under the picture has them all, so the group
    # is named briefly and not described a second time.
    return svg(
        '<svg class="chart network" viewBox="0 0 {} {}" role="group" '
        'aria-labelledby="{}-title" xmlns="http://www.w3.org/2000/svg">'
        '<title id="{}-title">Countries joined by shared meetings and documents</title>'
        '<g class="edges">{}</g><g class="nodes">{}</g></svg>',
        width,
        height,
        chart_id,
        chart_id,
        format_html_join("", "{}", ((edge,) for edge in edges)),
        format_html_join("", "{}", ((node,) for node in nodes)),
    )


def _node_label(
    x: float, y: float, angle: float, radius: float, kind: str, text: str, *, size: int
) -> SafeString:
    """A node's label just outside its circle, away from the centre. The name is drawn for wide
    screens; on a phone the stylesheet shows the two-letter code instead, drawn large enough
    to stay legible once the picture is scaled down (the names are in the table below)."""
    gap = radius + 4
    label_x = x + gap * math.cos(angle)
    label_y = y + gap * math.sin(angle) + size * 0.35
    if abs(math.cos(angle)) < 0.3:
        anchor = "middle"
        label_y += size * 0.6 if math.sin(angle) > 0 else -size * 0.4
    else:
        anchor = "start" if math.cos(angle) > 0 else "end"
    return svg(
        '<text class="{}" x="{}" y="{}" text-anchor="{}">{}</text>',
        kind,
        label_x,
        label_y,
        anchor,
        text,
    )


def node_radius(degree: int) -> float:
    return 6 + 2.2 * math.sqrt(degree)


def line_width(weight: int, heaviest: int) -> float:
    return 1.5 + 8.5 * weight / (heaviest or 1)


def network_key(net: Network) -> SafeString:
    """What the sizes mean, with the smallest and largest drawn as the picture draws them."""
    if not net.ties:
        return mark_safe("")
    degrees = [net.degree(country) for country in net.countries]
    weights = [tie.weight for tie in net.ties]
    heaviest = max(weights)

    def dot(degree: int) -> SafeString:
        r = node_radius(degree)
        return svg(
            '<svg width="{}" height="{}" aria-hidden="true" focusable="false">'
            '<circle class="key-node" cx="{}" cy="{}" r="{}" fill="#1f5f8b"/></svg>',
            2 * r + 2,
            2 * r + 2,
            r + 1,
            r + 1,
            r,
        )

    def stroke(weight: int) -> SafeString:
        w = line_width(weight, heaviest)
        return svg(
            '<svg width="36" height="{}" aria-hidden="true" focusable="false">'
            '<line class="key-tie" x1="0" x2="36" y1="{}" y2="{}" stroke="#5b7083" '
            'stroke-width="{}"/></svg>',
            w + 2,
            w / 2 + 1,
            w / 2 + 1,
            w,
        )

    return format_html(
        '<dl class="chart-key network-key">'
        "<div><dt>Circle size</dt><dd>a country's shared meetings and documents: "
        "{} {} to {} {}</dd></div>"
        "<div><dt>Line width</dt><dd>a pair's shared meetings and documents: "
        "{} {} to {} {}</dd></div></dl>",
        dot(min(degrees)),
        min(degrees),
        dot(max(degrees)),
        max(degrees),
        stroke(min(weights)),
        min(weights),
        stroke(heaviest),
        heaviest,
    )
