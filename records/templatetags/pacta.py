"""Small pieces every public page repeats: dates with their precision, visibility, pair links."""

from __future__ import annotations

import datetime as dt

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from records.basis import BASIS_WORDS
from records.citing import QuoteIndex
from records.models import DatePrecision
from records.visibility import shows

register = template.Library()


@register.filter
def shown(record, preview: bool) -> bool:
    """A related record is linked only if the reader may open it (drafts: staff only)."""
    return shows(record, bool(preview))


@register.simple_tag(takes_context=True)
def printed_before(context, citation) -> int | None:
    """The id of the citation under which the page printed this passage already, if any: a
    sentence backing two facts (a document's date and its signing) is printed once."""
    quotes = context.get("quotes")
    return quotes.first_place(citation) if isinstance(quotes, QuoteIndex) else None


@register.filter
def pair_url(country, other) -> str:
    return country.pair_url(other)


@register.filter
def iso_partial(value: dt.date | None, precision: str = DatePrecision.DAY) -> str:
    """A machine-readable date no more exact than the text: 2025-10-21, 2025-10 or 2025."""
    if value is None:
        return ""
    if precision == DatePrecision.YEAR:
        return f"{value.year:04d}"
    if precision == DatePrecision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


@register.inclusion_tag("records/includes/date.html")
def dated(record, date_field: str = "date", precision_field: str = "date_precision", full=True):
    """The date as displayed, as written, and how its year was inferred when it was."""
    return {
        "display": record.date_display,
        "iso": iso_partial(
            getattr(record, date_field, None), getattr(record, precision_field, "")
        ),
        "precision": getattr(record, f"get_{precision_field}_display", lambda: "")(),
        "date_text": getattr(record, "date_text", ""),
        "year_inferred": getattr(record, "year_inferred", False),
        "inference": getattr(record, "inference", ""),
        "full": full,
    }


@register.simple_tag(takes_context=True)
def nav_item(context, url_name: str, label: str):
    """A main-menu link that tells assistive technology which section the reader is in."""
    url = reverse(url_name)
    request = context.get("request")
    current = request is not None and (
        request.path == url or (url != "/" and request.path.startswith(url))
    )
    return format_html(
        '<li><a href="{}"{}>{}</a></li>',
        url,
        mark_safe(' aria-current="page"') if current else "",
        label,
    )


@register.filter
def identified(package, count: int) -> str:
    return package.identified_display(count or 0)


@register.inclusion_tag("records/includes/basis.html")
def basis(record, *facts: str):
    """How a shown fact is known, in words, with the reasoning on demand: nothing for a
    stated fact, "inferred" or "outside knowledge" otherwise (docs/editorial-policy.md).
    Several facts shown together (a city and its country) show each basis that is not
    stated, once per kind of basis."""
    shown = []
    for fact in facts:
        entry = record.basis_of(fact) if hasattr(record, "basis_of") else None
        if entry is None or entry["basis"] not in BASIS_WORDS:
            continue
        if any(
            (e["basis"], e["reasoning"]) == (entry["basis"], entry["reasoning"]) for e in shown
        ):
            continue
        shown.append(
            {
                "fact": fact.replace("_", " "),
                "basis": entry["basis"],
                "words": BASIS_WORDS[entry["basis"]],
                "reasoning": entry["reasoning"],
            }
        )
    return {"entries": shown}
