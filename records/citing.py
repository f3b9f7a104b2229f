"""Quotes on the public pages: what to prefetch, and how to file them under the facts they back.

A record's citations come through its `citations` GenericRelation in one query, with only the
source fields a page shows: a source's full text is never loaded for a quote. Citations into a
draft source stay hidden from the public like the source itself.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Prefetch, QuerySet

from records.models import Citation

CITATION_FIELDS = (
    "id",
    "content_type_id",
    "object_id",
    "field",
    "quote",
    "start",
    "end",
    "source__id",
    "source__slug",
    "source__title",
    "source__publisher",
    "source__published_on",
    "source__published_precision",
    "source__status",
)


def citations_queryset(user) -> QuerySet:
    citations = Citation.objects.visible_to(user).select_related("source")
    return citations.only(*CITATION_FIELDS).order_by(
        "source__published_on", "source_id", "start", "pk"
    )


def citations_prefetch(user, lookup: str = "citations") -> Prefetch:
    return Prefetch(lookup, queryset=citations_queryset(user))


class QuoteIndex:
    """A record's citations filed by the fact they support (`quotes.date`, `quotes.city`…).

    Facts a page shows get their quotes beside them; every other citation, including those
    for the whole record (empty field), is in `rest`.
    """

    def __init__(self, citations: Iterable[Citation], shown_facts: Iterable[str] = ()):
        self.all = list(citations)
        shown = set(shown_facts)
        self.by_fact: dict[str, list[Citation]] = {}
        self.rest: list[Citation] = []
        for citation in self.all:
            if citation.field in shown:
                self.by_fact.setdefault(citation.field, []).append(citation)
            else:
                self.rest.append(citation)

    def __getattr__(self, name: str) -> list[Citation]:
        if name.startswith("_") or name in {"by_fact", "rest", "all"}:
            raise AttributeError(name)
        return self.by_fact.get(name, [])

    @property
    def sources(self) -> list:
        seen: dict[int, object] = {}
        for citation in self.all:
            seen.setdefault(citation.source_id, citation.source)
        return list(seen.values())
