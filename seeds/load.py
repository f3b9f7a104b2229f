"""Load the five texts and the curated records into the database.

Idempotent: a record whose seeded values are already in place is not written again, so a
second run writes nothing and adds no history. Atomic: one transaction for the whole load.
Respectful of analysts: a field (or a list such as a meeting's countries) whose current value
differs from what the seed last wrote, or that an analyst marked as edited, is left alone and
reported.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from django.db import transaction

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
from records.basis import compact
from records.models import EditorialStatus, Source, text_sha256
from seeds.records import (
    PartialDate,
    RecordFileError,
    check_records,
    partial_date,
    read_record_file,
    read_texts,
)
from seeds.sync import (
    Collection,
    SeedError,
    SeedReport,
    SyncEngine,
    canonical,
    date_fields,
    plain,
)
from summits.models import (
    Body,
    Country,
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


class Loader(SyncEngine):
    """The mapping of records.yaml onto the models, one step per section."""

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
                "aliases": list(record.get("aliases") or []),
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
                "occurrence": record.get("occurrence", Meeting.Occurrence.HELD),
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
                "basis": compact(record.get("basis")),
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
                "basis": compact(record.get("basis")),
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
                "basis": compact(record.get("basis")),
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
                "basis": compact(record.get("basis")),
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
