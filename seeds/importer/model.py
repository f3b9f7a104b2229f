"""The proposals the extractor hands to the review page, as plain dataclasses.

Every proposal carries its quotes (verbatim, with character offsets: text[start:end] == text)
and, per fact, its basis: `stated` when a quote says it (the words that say it are kept as
`evidence`, and occur in the quote), or `inferred` with the reasoning.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

from seeds.importer.dates import DateValue


@dataclass(frozen=True)
class Quote:
    start: int
    end: int
    text: str
    field: str = ""


@dataclass(frozen=True)
class Basis:
    basis: str  # stated | inferred
    reasoning: str = ""
    quote: Quote | None = None
    evidence: str = ""  # for `stated`: the words in `quote` that state the fact


@dataclass
class MergeCandidate:
    slug: str
    title: str
    score: float
    differences: dict[str, tuple[Any, Any]] = field(default_factory=dict)


@dataclass
class CountryRole:
    code: str
    role: str


@dataclass
class PersonRole:
    slug: str
    name: str
    role: str
    via: str = ""  # the words that named the person ("the Kazakh President")
    basis: str = "stated"
    reasoning: str = ""


@dataclass
class MeetingProposal:
    key: str
    kind: str
    title: str = ""
    date: DateValue | None = None
    city: str = ""
    host_country: str = ""
    countries: list[CountryRole] = field(default_factory=list)
    persons: list[PersonRole] = field(default_factory=list)
    body: str = ""  # slug of an existing body
    body_name: str = ""  # as the text names it; a new body when `body` is empty
    session_number: int | None = None
    parent: str = ""  # key of the meeting that contains this one
    formats: list[str] = field(default_factory=list)
    main: bool = False
    quotes: list[Quote] = field(default_factory=list)
    basis: dict[str, Basis] = field(default_factory=dict)
    merge_candidates: list[MergeCandidate] = field(default_factory=list)


@dataclass
class StatusEventProposal:
    status: str
    document: str = ""  # slug of an existing document, or
    document_key: str = ""  # key of a proposed one
    date: DateValue | None = None
    quote: Quote | None = None
    basis: Basis | None = None


@dataclass
class DocumentProposal:
    key: str
    title: str
    kind: str
    level: str = "unknown"
    status: str = ""  # proposed | initialed | signed | in_force | "" (not said)
    conclusion: str = "unknown"
    date: DateValue | None = None
    parties: list[CountryRole] = field(default_factory=list)
    meeting: str = ""
    package: str = ""
    quotes: list[Quote] = field(default_factory=list)
    basis: dict[str, Basis] = field(default_factory=dict)
    merge_candidates: list[MergeCandidate] = field(default_factory=list)


@dataclass
class PackageProposal:
    key: str
    title: str
    announced_text: str
    count: int | None = None
    meeting: str = ""
    documents: list[str] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    basis: dict[str, Basis] = field(default_factory=dict)
    merge_candidates: list[MergeCandidate] = field(default_factory=list)


@dataclass
class Figure:
    text: str
    value: float | None
    unit: str = ""
    qualifier: str = ""


@dataclass
class MilestoneProposal:
    kind: str
    cue: str
    date: DateValue | None = None
    quote: Quote | None = None
    basis: Basis | None = None


@dataclass
class ProjectProposal:
    key: str
    name: str
    kind: str
    countries: list[CountryRole] = field(default_factory=list)
    organizations: list[str] = field(default_factory=list)
    city: str = ""
    location_country: str = ""
    figures: list[Figure] = field(default_factory=list)
    milestones: list[MilestoneProposal] = field(default_factory=list)
    meetings: list[str] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    basis: dict[str, Basis] = field(default_factory=dict)
    merge_candidates: list[MergeCandidate] = field(default_factory=list)


@dataclass
class Proposals:
    meetings: list[MeetingProposal] = field(default_factory=list)
    documents: list[DocumentProposal] = field(default_factory=list)
    packages: list[PackageProposal] = field(default_factory=list)
    projects: list[ProjectProposal] = field(default_factory=list)
    status_events: list[StatusEventProposal] = field(default_factory=list)
    reference: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return _plain(dataclasses.asdict(self))

    def to_json(self, **kwargs: Any) -> str:
        kwargs.setdefault("indent", 2)
        kwargs.setdefault("ensure_ascii", False)
        return json.dumps(self.as_dict(), **kwargs)

    def all(self) -> list[Any]:
        return [*self.meetings, *self.documents, *self.packages, *self.projects]


def _plain(value: Any) -> Any:
    import datetime as dt

    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
