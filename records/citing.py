"""Quotes on the public pages, and how to cite a record.

A record's citations come through its `citations` GenericRelation in one query, with only the
source fields a page shows: a source's full text is never loaded for a quote. Citations into a
draft source stay hidden from the public like the source itself.

A record is cited as a text to paste, as BibTeX and as CSL-JSON (what Zotero, Mendeley and
citeproc read), each naming the data version (the change feed's cursor, so that a reader can
ask `/api/v1/changes/?since=` what changed after it) and the day the record last changed.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass

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
        # The quotes already printed on the page, by passage: the first place a passage is
        # printed shows it, every later place points back to it (`first_place`).
        self.printed: dict[tuple, int] = {}
        shown = set(shown_facts)
        self.by_fact: dict[str, list[Citation]] = {}
        self.rest: list[Citation] = []
        for citation in self.all:
            if citation.field in shown:
                self.by_fact.setdefault(citation.field, []).append(citation)
            else:
                self.rest.append(citation)

    def __getattr__(self, name: str) -> list[Citation]:
        if name.startswith("_") or name in {"by_fact", "rest", "all", "printed"}:
            raise AttributeError(name)
        return self.by_fact.get(name, [])

    @property
    def sources(self) -> list:
        seen: dict[int, object] = {}
        for citation in self.all:
            seen.setdefault(citation.source_id, citation.source)
        return list(seen.values())

    def first_place(self, citation: Citation) -> int | None:
        """The id of the citation where this passage was printed already, or None (and it is
        printed here): the same sentence backing two facts is printed once."""
        key = (citation.source_id, citation.start, citation.end, citation.quote)
        if citation.start is not None:
            key = key[:3]
        earlier = self.printed.setdefault(key, citation.pk)
        return None if earlier == citation.pk else earlier


# --- Citing a record -----------------------------------------------------------------------


@dataclass(frozen=True)
class RecordCitation:
    title: str
    kind: str
    slug: str
    url: str
    accessed: dt.date
    changed: dt.date | None
    data_version: int

    @property
    def key(self) -> str:
        return f"pacta-{self.slug}"

    def as_text(self) -> str:
        changed = f" Last changed {self.changed.isoformat()}." if self.changed else ""
        return (
            f'Pacta. "{self.title}." {self.kind.capitalize()}.{changed} '
            f"Data version {self.data_version}. {self.url} (accessed {self.accessed.isoformat()})."
        )

    def as_bibtex(self) -> str:
        fields = [
            ("title", _bibtex(self.title)),
            ("author", "{Pacta}"),
            ("howpublished", _bibtex(f"Pacta, {self.kind}")),
            ("url", self.url),
            ("urldate", self.accessed.isoformat()),
            ("version", str(self.data_version)),
        ]
        if self.changed:
            fields += [("date", self.changed.isoformat()), ("year", str(self.changed.year))]
        note = f"Data version {self.data_version}"
        if self.changed:
            note += f"; record last changed {self.changed.isoformat()}"
        fields.append(("note", note))
        body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
        return f"@misc{{{self.key},\n{body}\n}}\n"

    def as_csl(self) -> dict:
        item = {
            "id": self.key,
            "type": "dataset",
            "title": self.title,
            "author": [{"literal": "Pacta"}],
            "publisher": "Pacta",
            "genre": self.kind,
            "URL": self.url,
            "version": str(self.data_version),
            "accessed": _date_parts(self.accessed),
        }
        if self.changed:
            item["issued"] = _date_parts(self.changed)
        return item

    def as_csl_json(self) -> str:
        return json.dumps([self.as_csl()], ensure_ascii=False, indent=2) + "\n"


def record_citation(record, *, url: str, accessed: dt.date, data_version: int) -> RecordCitation:
    updated = getattr(record, "updated_at", None)
    return RecordCitation(
        title=str(record),
        kind=str(record._meta.verbose_name),
        slug=record.slug,
        url=url,
        accessed=accessed,
        changed=updated.date() if updated else None,
        data_version=data_version,
    )


# The formats a record page serves with ?cite=: (content type, file extension, renderer).
CITE_FORMATS = {
    "bibtex": ("application/x-bibtex; charset=utf-8", "bib", RecordCitation.as_bibtex),
    "csl-json": ("application/vnd.citationstyles.csl+json", "json", RecordCitation.as_csl_json),
}


def _date_parts(day: dt.date) -> dict:
    return {"date-parts": [[day.year, day.month, day.day]]}


_BIBTEX_SPECIAL = re.compile(r"([\\{}%&$#_^~])")


def _bibtex(text: str) -> str:
    """A text as a BibTeX field value: its special characters escaped, so a title with a brace
    or a percent sign neither ends the field nor comments out the rest of the entry."""
    replacements = {"\\": r"\textbackslash{}", "^": r"\^{}", "~": r"\~{}"}
    return _BIBTEX_SPECIAL.sub(lambda m: replacements.get(m.group(1), "\\" + m.group(1)), text)
