"""Load the five texts and the curated records into the database.

Idempotent: a record whose seeded values are already in place is not written again, so a
second run writes nothing and adds no history. Atomic: one transaction for the whole load.
Respectful of analysts: a field (or a list such as a meeting's countries) whose current value
differs from what the seed last wrote, or that an analyst marked as edited, is left alone and
reported.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction

from agreements.models import (
    Document,
    DocumentParty,
    DocumentRelation,
    DocumentSignatory,
    Milestone,
    Package,
    Project,
    ProjectCountry,
    ProjectFigure,
    ProjectOrganization,
    StatusEvent,
)
from seeds.models import Source, text_sha256
from seeds.records import (
    PartialDate,
    RecordFileError,
    check_records,
    partial_date,
    read_record_file,
    read_texts,
)
from seeds.services import citation_create
from summits.models import (
    Body,
    Country,
    EditorialStatus,
    Meeting,
    MeetingCountry,
    MeetingPerson,
    Office,
    Organization,
    Person,
    Sector,
)

SEEDS_DIR = Path(__file__).resolve().parent
DEFAULT_RECORDS = SEEDS_DIR / "records.yaml"
DEFAULT_TEXTS = SEEDS_DIR / "texts"


class SeedError(Exception):
    """The seed cannot be loaded; nothing was written."""


@dataclass
class SeedReport:
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    kept: list[str] = field(default_factory=list)
    citations: int = 0
    checked_only: bool = False

    @property
    def records(self) -> int:
        return sum((self.created + self.updated + self.unchanged).values())

    def summary(self) -> str:
        verb = "Checked" if self.checked_only else "Seeded"
        line = (
            f"{verb} {self.records} records: {sum(self.created.values())} created, "
            f"{sum(self.updated.values())} updated, {sum(self.unchanged.values())} unchanged; "
            f"{self.citations} citations written; {len(self.kept)} analyst edit(s) kept"
        )
        return line + (" (nothing written)." if self.checked_only else ".")


def plain(value: Any) -> Any:
    """A JSON-able form of a field value, to compare with and to remember."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value.normalize())
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def canonical(items: list) -> list:
    """A list in an order that does not depend on insertion order; None sorts like any value."""
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, default=str))


@dataclass
class Collection:
    """A list that belongs to a record (its countries, its citations…), synced as one value."""

    name: str
    desired: list
    read: Callable[[models.Model], list]
    write: Callable[[models.Model], None]


def date_fields(value: PartialDate, date_name: str, precision_name: str) -> dict[str, Any]:
    return {
        date_name: value.date,
        precision_name: value.precision,
        "date_text": value.text,
        "year_inferred": value.year_inferred,
        "inference": value.inference,
    }


class Loader:
    def __init__(self, data: dict[str, list[dict]], texts: dict[str, str], log: Callable):
        self.data, self.texts, self.log = data, texts, log
        self.report = SeedReport()
        self.countries = {country.code: country for country in Country.objects.all()}
        self.by_slug: dict[str, dict[str, models.Model]] = {}

    @property
    def sources_by_pk(self) -> dict[int, Source]:
        return {source.pk: source for source in self.by_slug["sources"].values()}

    # -- the generic part ------------------------------------------------------------------
    def get(self, section: str, slug: str | None) -> models.Model | None:
        return None if slug is None else self.by_slug[section][slug]

    def country(self, code: str | None) -> Country | None:
        if code is None:
            return None
        try:
            return self.countries[code]
        except KeyError as exc:
            raise SeedError(f"Unknown country code {code!r}: not in the ISO 3166-1 list.") from exc

    def validated_save(self, obj: models.Model, label: str) -> None:
        try:
            obj.full_clean()
        except ValidationError as exc:
            raise SeedError(f"{label}: {'; '.join(_messages(exc))}") from exc
        obj.save()

    def upsert(
        self,
        section: str,
        model: type[models.Model],
        lookup: dict[str, Any],
        fields: dict[str, Any],
        collections: list[Collection] = (),
    ) -> models.Model:
        label = f"{section}/{next(iter(lookup.values()))}"
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            obj = model(**lookup, **fields)
            self.validated_save(obj, label)
            seeded = {name: plain(value) for name, value in fields.items()}
            for collection in collections:
                self.write_collection(obj, collection, label)
                seeded[collection.name] = collection.desired
            # Remembering what was written is bookkeeping, not an edit: no history row for it.
            model.objects.filter(pk=obj.pk).update(seeded=seeded)
            obj.seeded = seeded
            self.report.created[section] += 1
        else:
            changed = self.update(obj, label, fields, collections)
            (self.report.updated if changed else self.report.unchanged)[section] += 1
        self.by_slug.setdefault(section, {})[next(iter(lookup.values()))] = obj
        return obj

    def keep(self, obj: models.Model, name: str, current: Any) -> bool:
        """True when an analyst changed `name` after the seed last wrote it."""
        if name in obj.analyst_edited:
            return True
        return name in obj.seeded and obj.seeded[name] != current

    def update(
        self, obj: models.Model, label: str, fields: dict[str, Any], collections: list[Collection]
    ) -> bool:
        seeded, changed_fields, changed_lists = dict(obj.seeded), [], []
        for name, value in fields.items():
            current, wanted = plain(obj.serializable_value(name)), plain(value)
            if current == wanted:
                seeded[name] = wanted
            elif self.keep(obj, name, current):
                self.report.kept.append(f"{label}.{name}")
            else:
                setattr(obj, name, value)
                seeded[name] = wanted
                changed_fields.append(name)
        for collection in collections:
            current = collection.read(obj)
            if current == collection.desired:
                seeded[collection.name] = collection.desired
            elif self.keep(obj, collection.name, current):
                self.report.kept.append(f"{label}.{collection.name}")
            else:
                self.write_collection(obj, collection, label)
                seeded[collection.name] = collection.desired
                changed_lists.append(collection.name)
        if changed_fields or changed_lists:
            obj.seeded = seeded
            self.validated_save(obj, label)
        elif seeded != obj.seeded:
            type(obj).objects.filter(pk=obj.pk).update(seeded=seeded)
            obj.seeded = seeded
        return bool(changed_fields or changed_lists)

    def write_collection(self, obj: models.Model, collection: Collection, label: str) -> None:
        try:
            collection.write(obj)
        except ValidationError as exc:
            raise SeedError(f"{label}.{collection.name}: {'; '.join(_messages(exc))}") from exc

    # -- citations -------------------------------------------------------------------------
    def cite_key(self, record: dict) -> list:
        return canonical(
            [
                self.get("sources", cite["source"]).pk,
                str(cite["quote"]),
                cite.get("field", "") or "",
                int(cite.get("occurrence", 1)),
            ]
            for cite in record.get("cite") or []
        )

    @staticmethod
    def current_cites(obj: models.Model) -> list:
        return canonical(
            [citation.source_id, citation.quote, citation.field, citation.occurrence]
            for citation in obj.citations.all()
        )

    def write_cites(self, obj: models.Model, record: dict) -> None:
        for source_pk, quote, field_name, occurrence in self.cite_key(record):
            citation_create(
                record=obj,
                source=self.sources_by_pk[source_pk],
                quote=quote,
                field=field_name,
                occurrence=occurrence,
            )
            self.report.citations += 1

    def citations(self, record: dict) -> Collection:
        def write(obj: models.Model) -> None:
            obj.citations.all().delete()
            self.write_cites(obj, record)

        return Collection("citations", self.cite_key(record), self.current_cites, write)

    def through(
        self,
        name: str,
        manager: str,
        model: type[models.Model],
        owner: str,
        items: list[dict],
        key: str,
        resolve: Callable[[Any], models.Model],
        target: str,
    ) -> Collection:
        """Rows of a through model such as MeetingCountry: (target, role) pairs."""

        def identify(value: models.Model) -> str:
            return getattr(value, "code", None) or value.slug

        default_role = model._meta.get_field("role").default
        desired = canonical(
            [identify(resolve(item[key])), item.get("role") or default_role] for item in items
        )

        def read(obj: models.Model) -> list:
            rows = getattr(obj, manager).select_related(target)
            return canonical([identify(getattr(row, target)), row.role] for row in rows)

        def write(obj: models.Model) -> None:
            getattr(obj, manager).all().delete()
            for item in items:
                row = model(
                    **{owner: obj, target: resolve(item[key])},
                    role=item.get("role") or default_role,
                )
                row.full_clean()
                row.save()

        return Collection(name, desired, read, write)

    @staticmethod
    def many(name: str, targets: list[models.Model]) -> Collection:
        """A plain many-to-many, remembered by the targets' slugs."""

        def identify(value: models.Model) -> str:
            return getattr(value, "code", None) or value.slug

        return Collection(
            name,
            sorted(identify(target) for target in targets),
            lambda obj: sorted(identify(target) for target in getattr(obj, name).all()),
            lambda obj: getattr(obj, name).set(targets),
        )

    def events(
        self,
        name: str,
        manager: str,
        model: type[models.Model],
        owner: str,
        kind_field: str,
        items: list[dict],
    ) -> Collection:
        """Dated, cited events (status history, milestones), each with its own citations."""

        def event_fields(item: dict) -> dict[str, Any]:
            return {
                kind_field: item[kind_field],
                **date_fields(partial_date(item, "date"), "date", "date_precision"),
                "note": item.get("note", "") or "",
            }

        def key(fields: dict[str, Any], cites: list) -> list:
            return [plain(fields[name]) for name in sorted(fields)] + [cites]

        desired = canonical([key(event_fields(item), self.cite_key(item)) for item in items])

        def read(obj: models.Model) -> list:
            rows = getattr(obj, manager).all()
            names = sorted(event_fields(items[0])) if items else []
            return canonical(
                [
                    key({name: getattr(row, name) for name in names}, self.current_cites(row))
                    for row in rows
                ]
            )

        def write(obj: models.Model) -> None:
            getattr(obj, manager).all().delete()
            for item in items:
                event = model(**{owner: obj}, **event_fields(item))
                event.full_clean()
                event.save()
                self.write_cites(event, item)

        return Collection(name, desired, read, write)

    # -- one step per section --------------------------------------------------------------
    def run(self) -> SeedReport:
        steps = [
            ("sources", self.load_source),
            ("countries", self.load_country),
            ("sectors", self.load_sector),
            ("persons", self.load_person),
            ("organizations", self.load_organization),
            ("bodies", self.load_body),
            ("meetings", self.load_meeting),
            ("packages", self.load_package),
            ("documents", self.load_document),
            ("projects", self.load_project),
        ]
        for section, load in steps:
            records = self.data[section]
            if section == "meetings":
                records = parents_first(records)
            for record in records:
                load(record)
            if section == "documents":
                for record in records:
                    self.load_document_relations(record)
            self.log(
                f"  {section:<14}{len(records):>4}  "
                f"({self.report.created[section]} created, {self.report.updated[section]} "
                f"updated, {self.report.unchanged[section]} unchanged)"
            )
        return self.report

    def published(self) -> dict[str, str]:
        return {"status": EditorialStatus.PUBLISHED}

    def load_source(self, record: dict) -> None:
        text = self.texts[record["slug"]]
        existing = Source.objects.filter(sha256=text_sha256(text)).first()
        published = partial_date(record, "published")
        fields = {
            "title": record["title"],
            "publisher": record.get("publisher", "") or "",
            "author": record.get("author", "") or "",
            "dateline": record.get("dateline", "") or "",
            **date_fields(published, "published_on", "published_precision"),
            "language": record.get("language", "en"),
            "url": record.get("url", "") or "",
            "filename": record["file"],
            "text": text,
            **self.published(),
        }
        # An analyst may have pasted the same article before the seed ran: adopt that row.
        lookup_slug = existing.slug if existing is not None else record["slug"]
        obj = self.upsert("sources", Source, {"slug": lookup_slug}, fields)
        self.by_slug["sources"][record["slug"]] = obj

    def load_country(self, record: dict) -> None:
        fields = {
            "adjective": record.get("adjective", "") or "",
            "aliases": list(record.get("aliases") or []),
        }
        if record.get("name"):
            fields["name"] = record["name"]
        self.country(record["code"])
        obj = self.upsert("countries", Country, {"code": record["code"]}, fields)
        self.countries[obj.code] = obj

    def load_sector(self, record: dict) -> None:
        self.upsert("sectors", Sector, {"slug": record["slug"]}, {"name": record["name"]})

    def load_person(self, record: dict) -> None:
        offices = record.get("offices") or []

        def office_key(title, country, start: PartialDate, end: PartialDate) -> list:
            return [title, country, plain(start.date), start.precision, plain(end.date)]

        desired = canonical(
            office_key(
                office["title"],
                office.get("country"),
                partial_date(office, "start"),
                partial_date(office, "end"),
            )
            for office in offices
        )

        def read(person: Person) -> list:
            return canonical(
                [
                    office.title,
                    office.country.code if office.country else None,
                    plain(office.start_date),
                    office.start_precision,
                    plain(office.end_date),
                ]
                for office in person.offices.select_related("country")
            )

        def write(person: Person) -> None:
            person.offices.all().delete()
            for office in offices:
                start, end = partial_date(office, "start"), partial_date(office, "end")
                row = Office(
                    person=person,
                    title=office["title"],
                    country=self.country(office.get("country")),
                    start_date=start.date,
                    start_precision=start.precision,
                    end_date=end.date,
                    end_precision=end.precision,
                )
                row.full_clean()
                row.save()

        self.upsert(
            "persons",
            Person,
            {"slug": record["slug"]},
            {
                "name": record["name"],
                "aliases": list(record.get("aliases") or []),
                "country": self.country(record.get("country")),
                "wikidata_id": record.get("wikidata_id", "") or "",
                "summary": record.get("summary", "") or "",
                **self.published(),
            },
            [Collection("offices", desired, read, write), self.citations(record)],
        )

    def load_organization(self, record: dict) -> None:
        self.upsert(
            "organizations",
            Organization,
            {"slug": record["slug"]},
            {
                "name": record["name"],
                "aliases": list(record.get("aliases") or []),
                "country": self.country(record.get("country")),
                "kind": record["kind"],
                "summary": record.get("summary", "") or "",
                **self.published(),
            },
            [self.citations(record)],
        )

    def load_body(self, record: dict) -> None:
        members = [self.country(code) for code in record.get("members") or []]
        self.upsert(
            "bodies",
            Body,
            {"slug": record["slug"]},
            {
                "name": record["name"],
                "kind": record.get("kind", Body.Kind.COUNCIL),
                "summary": record.get("summary", "") or "",
                **self.published(),
            },
            [self.many("members", members), self.citations(record)],
        )

    def load_meeting(self, record: dict) -> None:
        start, end = partial_date(record, "start"), partial_date(record, "end")
        self.upsert(
            "meetings",
            Meeting,
            {"slug": record["slug"]},
            {
                "title": record["title"],
                "kind": record["kind"],
                "body": self.get("bodies", record.get("body")),
                "session_number": record.get("session_number"),
                "parent": self.get("meetings", record.get("parent")),
                **date_fields(start, "start_date", "start_precision"),
                "end_date": end.date,
                "end_precision": end.precision,
                "host_country": self.country(record.get("host_country")),
                "city": record.get("city", "") or "",
                "formats": list(record.get("formats") or []),
                "summary": record.get("summary", "") or "",
                **self.published(),
            },
            [
                self.through(
                    "countries",
                    "participations",
                    MeetingCountry,
                    "meeting",
                    record.get("countries") or [],
                    "country",
                    self.country,
                    "country",
                ),
                self.through(
                    "persons",
                    "attendances",
                    MeetingPerson,
                    "meeting",
                    record.get("persons") or [],
                    "person",
                    lambda slug: self.get("persons", slug),
                    "person",
                ),
                self.many(
                    "sectors", [self.get("sectors", s) for s in record.get("sectors") or []]
                ),
                self.citations(record),
            ],
        )

    def load_package(self, record: dict) -> None:
        self.upsert(
            "packages",
            Package,
            {"slug": record["slug"]},
            {
                "title": record["title"],
                "meeting": self.get("meetings", record.get("meeting")),
                "announced_count": record.get("announced_count"),
                "announced_text": record.get("announced_text", "") or "",
                "summary": record.get("summary", "") or "",
                **self.published(),
            },
            [self.citations(record)],
        )

    def load_document(self, record: dict) -> None:
        self.upsert(
            "documents",
            Document,
            {"slug": record["slug"]},
            {
                "title": record["title"],
                "kind": record["kind"],
                "level": record.get("level", Document.Level.UNKNOWN),
                "conclusion": record.get("conclusion", Document.Conclusion.UNKNOWN),
                "meeting": self.get("meetings", record.get("meeting")),
                "package": self.get("packages", record.get("package")),
                **date_fields(partial_date(record, "date"), "date", "date_precision"),
                "place_city": record.get("place_city", "") or "",
                "place_country": self.country(record.get("place_country")),
                "establishes_body": self.get("bodies", record.get("establishes_body")),
                "summary": record.get("summary", "") or "",
                **self.published(),
            },
            [
                self.through(
                    "parties",
                    "party_roles",
                    DocumentParty,
                    "document",
                    record.get("parties") or [],
                    "country",
                    self.country,
                    "country",
                ),
                self.through(
                    "signatories",
                    "signings",
                    DocumentSignatory,
                    "document",
                    record.get("signatories") or [],
                    "person",
                    lambda slug: self.get("persons", slug),
                    "person",
                ),
                self.events(
                    "status_history",
                    "status_events",
                    StatusEvent,
                    "document",
                    "status",
                    record.get("status_history") or [],
                ),
                self.citations(record),
            ],
        )

    def load_document_relations(self, record: dict) -> None:
        document = self.get("documents", record["slug"])
        relations = record.get("relations") or []

        def write(obj: Document) -> None:
            obj.relations_from.all().delete()
            for relation in relations:
                row = DocumentRelation(
                    from_document=obj,
                    kind=relation["kind"],
                    to_document=self.get("documents", relation["document"]),
                )
                row.full_clean()
                row.save()

        collection = Collection(
            "relations",
            sorted([r["kind"], r["document"]] for r in relations),
            lambda obj: sorted(
                [r.kind, r.to_document.slug]
                for r in obj.relations_from.select_related("to_document")
            ),
            write,
        )
        self.update(document, f"documents/{document.slug}", {}, [collection])

    def load_project(self, record: dict) -> None:
        figures = record.get("figures") or []

        def figure_key(text, value, unit, qualifier) -> list:
            value = None if value is None else plain(Decimal(str(value)))
            return [text, value, unit or "", qualifier or ""]

        def write_figures(project: Project) -> None:
            project.figures.all().delete()
            for figure in figures:
                row = ProjectFigure(
                    project=project,
                    text=figure["text"],
                    value=None if figure.get("value") is None else Decimal(str(figure["value"])),
                    unit=figure.get("unit", "") or "",
                    qualifier=figure.get("qualifier", "") or "",
                )
                row.full_clean()
                row.save()

        figures_collection = Collection(
            "figures",
            canonical(
                [
                    figure_key(f["text"], f.get("value"), f.get("unit"), f.get("qualifier"))
                    for f in figures
                ]
            ),
            lambda project: canonical(
                [figure_key(f.text, f.value, f.unit, f.qualifier) for f in project.figures.all()]
            ),
            write_figures,
        )
        self.upsert(
            "projects",
            Project,
            {"slug": record["slug"]},
            {
                "name": record["name"],
                "kind": record["kind"],
                "location_city": record.get("location_city", "") or "",
                "location_country": self.country(record.get("location_country")),
                "summary": record.get("summary", "") or "",
                **self.published(),
            },
            [
                self.many(
                    "sectors", [self.get("sectors", s) for s in record.get("sectors") or []]
                ),
                self.through(
                    "countries",
                    "country_roles",
                    ProjectCountry,
                    "project",
                    record.get("countries") or [],
                    "country",
                    self.country,
                    "country",
                ),
                self.through(
                    "organizations",
                    "organization_roles",
                    ProjectOrganization,
                    "project",
                    record.get("organizations") or [],
                    "organization",
                    lambda slug: self.get("organizations", slug),
                    "organization",
                ),
                self.many(
                    "meetings", [self.get("meetings", s) for s in record.get("meetings") or []]
                ),
                self.many(
                    "documents", [self.get("documents", s) for s in record.get("documents") or []]
                ),
                figures_collection,
                self.events(
                    "milestones",
                    "milestones",
                    Milestone,
                    "project",
                    "kind",
                    record.get("milestones") or [],
                ),
                self.citations(record),
            ],
        )


def parents_first(meetings: list[dict]) -> list[dict]:
    """Order meetings so that a parent is written before the meetings it contains."""
    by_slug = {meeting["slug"]: meeting for meeting in meetings}
    ordered, placed = [], set()

    def place(meeting: dict, trail: tuple[str, ...] = ()) -> None:
        slug = meeting["slug"]
        if slug in placed:
            return
        if slug in trail:
            raise SeedError(f"meetings/{slug}: parent chain loops back to itself")
        parent = meeting.get("parent")
        if parent in by_slug:
            place(by_slug[parent], (*trail, slug))
        placed.add(slug)
        ordered.append(meeting)

    for meeting in meetings:
        place(meeting)
    return ordered


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{name}: {' '.join(errors)}" for name, errors in exc.message_dict.items()]
    return list(exc.messages)


def seed(
    *,
    records_path: Path = DEFAULT_RECORDS,
    texts_dir: Path = DEFAULT_TEXTS,
    check_only: bool = False,
    log: Callable[[str], None] = lambda line: None,
) -> SeedReport:
    """Load the texts and the curated records; with check_only, roll everything back."""
    try:
        data = read_record_file(records_path)
        texts = read_texts(data, texts_dir)
    except RecordFileError as exc:
        raise SeedError(str(exc)) from exc
    problems = check_records(data, texts)
    if problems:
        raise SeedError(str(RecordFileError(problems)))
    log(f"Loading {len(texts)} texts and the records in {records_path.name}")
    with transaction.atomic():
        report = Loader(data, texts, log).run()
        if check_only:
            report.checked_only = True
            transaction.set_rollback(True)
    return report
