"""A frozen snapshot of what the database knows, for the extractor to resolve names against.

Two builders fill it: `from_records_yaml()` from `seeds/records.yaml` plus pycountry (tests and
the evaluation, which leaves one text's records out), and `from_database()` from the Django
models (the import page). Both go through `Gazetteer.from_dict()`, whose shape is:

    {
      "countries": [{"code": "KZ", "name": "Kazakhstan", "adjective": "Kazakh",
                     "aliases": ["Republic of Kazakhstan"]}],
      "persons": [{"slug": "kassym-jomart-tokayev", "name": "Kassym-Jomart Tokayev",
                   "aliases": ["Tokayev"], "country": "KZ",
                   "offices": [{"title": "President of the Republic of Kazakhstan",
                                "country": "KZ"}]}],
      "bodies": [{"slug": "...", "name": "...", "aliases": [], "kind": "council",
                  "members": ["AZ", "KZ"], "sessions": [1, 2]}],
      "organizations": [{"slug": "mtz", "name": "Minsk Tractor Works", "aliases": ["MTZ"],
                         "country": "BY", "kind": "plant"}],
      "cities": [{"name": "Astana", "country": "KZ", "aliases": ["Nur-Sultan"]}],
      "meetings": [{"slug": "...", "title": "...", "kind": "state_visit",
                    "date": "2025-10-21", "end": "2025-10-21", "city": "Astana",
                    "countries": ["KZ", "AZ"], "body": "...", "session_number": 2}],
      "documents": [{"slug": "...", "title": "...", "kind": "treaty", "date": "2005-01-01",
                     "precision": "year", "countries": ["AZ", "KZ"],
                     "statuses": ["signed"]}],
      "projects": [{"slug": "...", "title": "...", "kind": "fund", "countries": ["AZ"],
                    "city": "", "milestones": ["operational"]}],
      "packages": [{"slug": "...", "title": "...", "count": 10, "meeting": "..."}],
    }

Dates are ISO strings or null; every list may be empty and every key but slug/name/title/code
may be left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from seeds.importer.reference import COUNTRIES as REFERENCE_COUNTRIES
from seeds.importer.reference import EXTRA_ALIASES


@dataclass(frozen=True)
class CountryEntry:
    code: str
    name: str
    adjective: str = ""
    aliases: tuple[str, ...] = ()

    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


@dataclass(frozen=True)
class OfficeEntry:
    title: str
    country: str = ""


@dataclass(frozen=True)
class PersonEntry:
    slug: str
    name: str
    aliases: tuple[str, ...] = ()
    country: str = ""
    offices: tuple[OfficeEntry, ...] = ()

    def roles(self) -> set[str]:
        """The role words of the person's offices ('president', 'prime minister', ...)."""
        found = set()
        for office in self.offices:
            lowered = office.title.lower()
            for role in ROLE_WORDS:
                if role in lowered:
                    found.add(role)
        return found


@dataclass(frozen=True)
class BodyEntry:
    slug: str
    name: str
    aliases: tuple[str, ...] = ()
    kind: str = "council"
    members: tuple[str, ...] = ()
    sessions: tuple[int, ...] = ()


@dataclass(frozen=True)
class OrganizationEntry:
    slug: str
    name: str
    aliases: tuple[str, ...] = ()
    country: str = ""
    kind: str = "other"


@dataclass(frozen=True)
class CityEntry:
    name: str
    country: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class KnownRecord:
    """A meeting, document, project or package already in the database: a merge candidate."""

    kind: str  # meeting | document | project | package
    slug: str
    title: str
    subkind: str = ""  # the record's own kind (state_visit, treaty, fund, ...)
    date: dt.date | None = None
    end: dt.date | None = None
    precision: str = ""
    city: str = ""
    countries: tuple[str, ...] = ()
    body: str = ""
    session_number: int | None = None
    statuses: tuple[str, ...] = ()
    count: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "title": self.title,
            "kind": self.subkind,
            "date": self.date.isoformat() if self.date else None,
            "end": self.end.isoformat() if self.end else None,
            "city": self.city,
            "countries": list(self.countries),
            "body": self.body,
            "session_number": self.session_number,
            "statuses": list(self.statuses),
            "count": self.count,
        }


ROLE_WORDS = ("president", "prime minister", "king", "emir", "chancellor", "minister", "leader")


@dataclass(frozen=True)
class Gazetteer:
    countries: tuple[CountryEntry, ...] = ()
    persons: tuple[PersonEntry, ...] = ()
    bodies: tuple[BodyEntry, ...] = ()
    organizations: tuple[OrganizationEntry, ...] = ()
    cities: tuple[CityEntry, ...] = ()
    meetings: tuple[KnownRecord, ...] = ()
    documents: tuple[KnownRecord, ...] = ()
    projects: tuple[KnownRecord, ...] = ()
    packages: tuple[KnownRecord, ...] = ()
    _country_index: dict[str, CountryEntry] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        self._country_index.update({country.code: country for country in self.countries})

    def country(self, code: str) -> CountryEntry | None:
        return self._country_index.get(code)

    def person(self, slug: str) -> PersonEntry | None:
        return next((p for p in self.persons if p.slug == slug), None)

    def body(self, slug: str) -> BodyEntry | None:
        return next((b for b in self.bodies if b.slug == slug), None)

    def city_country(self, name: str) -> str:
        lowered = name.lower()
        for city in self.cities:
            if city.name.lower() == lowered or lowered in (a.lower() for a in city.aliases):
                return city.country
        return ""

    # -- building ------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Gazetteer:
        """Build from plain data (shape in the module docstring), adding pycountry's names
        and the reference capitals and adjectives wherever the data has none."""
        countries = _merge_countries(data.get("countries", []))
        cities = _merge_cities(data.get("cities", []))
        return cls(
            countries=countries,
            persons=tuple(
                PersonEntry(
                    slug=p["slug"],
                    name=p["name"],
                    aliases=tuple(p.get("aliases") or ()),
                    country=p.get("country") or "",
                    offices=tuple(
                        OfficeEntry(o.get("title", ""), o.get("country") or "")
                        for o in p.get("offices") or ()
                    ),
                )
                for p in data.get("persons", [])
            ),
            bodies=tuple(
                BodyEntry(
                    slug=b["slug"],
                    name=b["name"],
                    aliases=tuple(b.get("aliases") or ()),
                    kind=b.get("kind") or "council",
                    members=tuple(b.get("members") or ()),
                    sessions=tuple(sorted(set(b.get("sessions") or ()))),
                )
                for b in data.get("bodies", [])
            ),
            organizations=tuple(
                OrganizationEntry(
                    slug=o["slug"],
                    name=o["name"],
                    aliases=tuple(o.get("aliases") or ()),
                    country=o.get("country") or "",
                    kind=o.get("kind") or "other",
                )
                for o in data.get("organizations", [])
            ),
            cities=cities,
            meetings=tuple(_known("meeting", r) for r in data.get("meetings", [])),
            documents=tuple(_known("document", r) for r in data.get("documents", [])),
            projects=tuple(_known("project", r) for r in data.get("projects", [])),
            packages=tuple(_known("package", r) for r in data.get("packages", [])),
        )


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _known(kind: str, record: dict[str, Any]) -> KnownRecord:
    return KnownRecord(
        kind=kind,
        slug=record["slug"],
        title=record.get("title") or record.get("name") or "",
        subkind=record.get("kind") or "",
        date=_date(record.get("date")),
        end=_date(record.get("end")),
        precision=record.get("precision") or "",
        city=record.get("city") or "",
        countries=tuple(record.get("countries") or ()),
        body=record.get("body") or "",
        session_number=record.get("session_number"),
        statuses=tuple(record.get("statuses") or record.get("milestones") or ()),
        count=record.get("count"),
    )


def _merge_countries(rows: Iterable[dict[str, Any]]) -> tuple[CountryEntry, ...]:
    import pycountry

    given = {row["code"]: row for row in rows}
    entries = []
    for country in pycountry.countries:
        code = country.alpha_2
        row = given.get(code, {})
        common = getattr(country, "common_name", "") or country.name
        official = getattr(country, "official_name", "")
        reference = REFERENCE_COUNTRIES.get(code)
        aliases = [*row.get("aliases", ()), *EXTRA_ALIASES.get(code, ())]
        for name in (country.name, official):
            if name and name != common and "," not in name:
                aliases.append(name)
        entries.append(
            CountryEntry(
                code=code,
                name=row.get("name") or common,
                adjective=row.get("adjective") or (reference[1] if reference else ""),
                aliases=tuple(dict.fromkeys(a for a in aliases if a)),
            )
        )
    return tuple(entries)


def _merge_cities(rows: Iterable[dict[str, Any]]) -> tuple[CityEntry, ...]:
    cities: dict[str, CityEntry] = {}
    for code, (capital, _adjective, others) in REFERENCE_COUNTRIES.items():
        cities[capital.lower()] = CityEntry(capital, code, others)
    for row in rows:
        if row.get("name") and row.get("country"):
            cities[row["name"].lower()] = CityEntry(
                row["name"], row["country"], tuple(row.get("aliases") or ())
            )
    return tuple(cities.values())


# -- builders ------------------------------------------------------------------------------


def _record_date(value: Any) -> tuple[str | None, str]:
    if isinstance(value, dict) and value.get("date"):
        return str(value["date"]), value.get("precision") or "day"
    return None, ""


def _sources_cited(record: dict[str, Any]) -> set[str]:
    cites = list(record.get("cite") or ())
    for event in (*(record.get("status_history") or ()), *(record.get("milestones") or ())):
        cites.extend(event.get("cite") or ())
    return {cite["source"] for cite in cites}


def records_to_dict(
    records: dict[str, Any], *, exclude_sources: Iterable[str] = ()
) -> dict[str, Any]:
    """The gazetteer data of a parsed records.yaml. Reference data (countries, persons,
    organizations, bodies, cities) is always kept; a meeting, document, project or package is
    kept only when a source outside `exclude_sources` cites it, and a body's session numbers
    only from meetings kept."""
    excluded = set(exclude_sources)

    def kept(record: dict[str, Any]) -> bool:
        return bool(_sources_cited(record) - excluded)

    def event_kept(event: dict[str, Any]) -> bool:
        # a status the left-out text alone reports is not known yet
        sources = {cite["source"] for cite in event.get("cite") or ()}
        return not sources or bool(sources - excluded)

    meetings = [m for m in records.get("meetings") or () if kept(m)]
    sessions: dict[str, list[int]] = {}
    cities = []
    for meeting in meetings:
        if meeting.get("body") and meeting.get("session_number"):
            sessions.setdefault(meeting["body"], []).append(meeting["session_number"])
    for section, city_key, country_key in (
        ("meetings", "city", "host_country"),
        ("documents", "place_city", "place_country"),
        ("projects", "location_city", "location_country"),
    ):
        for record in records.get(section) or ():
            if kept(record) and record.get(city_key) and record.get(country_key):
                cities.append({"name": record[city_key], "country": record[country_key]})

    def meeting_row(m: dict[str, Any]) -> dict[str, Any]:
        start, precision = _record_date(m.get("start"))
        end, _ = _record_date(m.get("end"))
        return {
            "slug": m["slug"],
            "title": m["title"],
            "kind": m.get("kind"),
            "date": start,
            "end": end,
            "precision": precision,
            "city": m.get("city") or "",
            "countries": [c["country"] for c in m.get("countries") or ()],
            "body": m.get("body") or "",
            "session_number": m.get("session_number"),
        }

    def document_row(d: dict[str, Any]) -> dict[str, Any]:
        date, precision = _record_date(d.get("date"))
        return {
            "slug": d["slug"],
            "title": d["title"],
            "kind": d.get("kind"),
            "date": date,
            "precision": precision,
            "city": d.get("place_city") or "",
            "countries": [p["country"] for p in d.get("parties") or ()],
            "statuses": [s["status"] for s in d.get("status_history") or () if event_kept(s)],
        }

    def project_row(p: dict[str, Any]) -> dict[str, Any]:
        return {
            "slug": p["slug"],
            "title": p["name"],
            "kind": p.get("kind"),
            "city": p.get("location_city") or "",
            "countries": [c["country"] for c in p.get("countries") or ()],
            "milestones": [m["kind"] for m in p.get("milestones") or () if event_kept(m)],
        }

    return {
        "countries": records.get("countries") or [],
        "persons": records.get("persons") or [],
        "organizations": records.get("organizations") or [],
        "bodies": [
            {**b, "sessions": sessions.get(b["slug"], [])} for b in records.get("bodies") or ()
        ],
        "cities": cities,
        "meetings": [meeting_row(m) for m in meetings],
        "documents": [document_row(d) for d in records.get("documents") or () if kept(d)],
        "projects": [project_row(p) for p in records.get("projects") or () if kept(p)],
        "packages": [
            {
                "slug": p["slug"],
                "title": p["title"],
                "count": p.get("announced_count"),
                "meeting": p.get("meeting"),
            }
            for p in records.get("packages") or ()
            if kept(p)
        ],
    }


def read_records(path: Path) -> dict[str, Any]:
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(Path(path).read_text(encoding="utf-8"), Loader=loader) or {}


def from_records_yaml(path: Path | str, *, exclude_texts: Iterable[str] = ()) -> Gazetteer:
    """The gazetteer of a records.yaml (the seed's by default), leaving out the meetings,
    documents, projects and packages cited only by the given texts. A text is named by its
    file name in seeds/texts/ (`000_e92ef147db92867a.txt`) or by its source slug."""
    records = read_records(Path(path))
    wanted = set(exclude_texts)
    excluded = {
        source["slug"]
        for source in records.get("sources") or ()
        if source["slug"] in wanted or source.get("file") in wanted
    }
    return Gazetteer.from_dict(records_to_dict(records, exclude_sources=excluded))


def from_database() -> Gazetteer:
    """The gazetteer of the database as it is now (for the import page). Imports the models
    here so that the rest of the package never needs Django."""
    from agreements.models import Document, Package, Project
    from summits.models import Body, Country, Meeting, Organization, Person

    def iso(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    sessions: dict[str, list[int]] = {}
    meetings = []
    cities = []
    for meeting in Meeting.objects.select_related("body", "host_country").prefetch_related(
        "countries"
    ):
        if meeting.body_id and meeting.session_number:
            sessions.setdefault(meeting.body.slug, []).append(meeting.session_number)
        if meeting.city and meeting.host_country_id:
            cities.append({"name": meeting.city, "country": meeting.host_country.code})
        meetings.append(
            {
                "slug": meeting.slug,
                "title": meeting.title,
                "kind": meeting.kind,
                "date": iso(meeting.start_date),
                "end": iso(meeting.end_date),
                "precision": meeting.start_precision,
                "city": meeting.city,
                "countries": [c.code for c in meeting.countries.all()],
                "body": meeting.body.slug if meeting.body_id else "",
                "session_number": meeting.session_number,
            }
        )
    return Gazetteer.from_dict(
        {
            "countries": [
                {"code": c.code, "name": c.name, "adjective": c.adjective, "aliases": c.aliases}
                for c in Country.objects.all()
            ],
            "persons": [
                {
                    "slug": p.slug,
                    "name": p.name,
                    "aliases": p.aliases,
                    "country": p.country.code if p.country_id else "",
                    "offices": [
                        {"title": o.title, "country": o.country.code if o.country_id else ""}
                        for o in p.offices.all()
                    ],
                }
                for p in Person.objects.select_related("country").prefetch_related(
                    "offices__country"
                )
            ],
            "organizations": [
                {
                    "slug": o.slug,
                    "name": o.name,
                    "aliases": o.aliases,
                    "country": o.country.code if o.country_id else "",
                    "kind": o.kind,
                }
                for o in Organization.objects.select_related("country")
            ],
            "bodies": [
                {
                    "slug": b.slug,
                    "name": b.name,
                    "kind": b.kind,
                    "members": [c.code for c in b.members.all()],
                    "sessions": sessions.get(b.slug, []),
                }
                for b in Body.objects.prefetch_related("members")
            ],
            "cities": cities,
            "meetings": meetings,
            "documents": [
                {
                    "slug": d.slug,
                    "title": d.title,
                    "kind": d.kind,
                    "date": iso(d.date),
                    "precision": d.date_precision,
                    "city": d.place_city,
                    "countries": [c.code for c in d.parties.all()],
                    "statuses": [e.status for e in d.status_events.all()],
                }
                for d in Document.objects.prefetch_related("parties", "status_events")
            ],
            "projects": [
                {
                    "slug": p.slug,
                    "title": p.name,
                    "kind": p.kind,
                    "city": p.location_city,
                    "countries": [c.code for c in p.countries.all()],
                    "milestones": [m.kind for m in p.milestones.all()],
                }
                for p in Project.objects.prefetch_related("countries", "milestones")
            ],
            "packages": [
                {
                    "slug": p.slug,
                    "title": p.title,
                    "count": p.announced_count,
                    "meeting": p.meeting.slug if p.meeting_id else None,
                }
                for p in Package.objects.select_related("meeting")
            ],
        }
    )
