"""Synthetic records at scale, beside the seed, for the benchmark (bench/) and for load tests.

`generate(meetings=100_000, seed=0)` writes about 5,000 persons, 300,000 documents, 50,000
projects and their parts, sources whose texts are made of sentences about their records, and
citations that quote those texts verbatim, with their offsets. Everything is published, every
slug starts with "gen-", and the same `seed` gives the same rows: the randomness comes from one
`random.Random(seed)` and the clock from `BASE_TIME`, never from now().

Speed is the point (timings in docs/scaling.md), so rows are plain
tuples with explicit primary keys above the current maximum, written with `executemany` on
SQLite and `COPY` on PostgreSQL, never through model instances. Table and column names come
from the models' `_meta`, and every table lists every concrete field: a field added to a model
later makes the generator fail loudly rather than write a NULL into it.

One transaction wraps the whole run, so an interrupted run leaves the database as it was.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import itertools
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import IntegrityError, connection, models, transaction

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
from records import search
from records.models import Citation, EditorialStatus, SeedTracked, Source
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

SLUG_PREFIX = "gen-"
# The generated world ends here; timestamps are spread over the years before it.
BASE_TIME = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
FIRST_DAY = dt.date(1992, 1, 1).toordinal()
LAST_DAY = dt.date(2025, 12, 31).toordinal()
SQLITE_BATCH = 20_000

# Countries the seed's texts are about come first, so that they are among the densest pairs
# (AZ and KZ above all) and the benchmark's pair filter hits a realistic, busy pair.
CORE_COUNTRIES = (
    "KZ", "AZ", "UZ", "RU", "TR", "CN", "KG", "TJ", "TM", "BY", "GE", "AM", "IR", "DE",
    "FR", "US", "IN", "AE", "SA", "PK", "HU", "IT", "KR", "JP",
)  # fmt: skip

# Records whose slugs mark them as generated, and the content models that are cited.
SLUGGED = (Sector, Source, Person, Organization, Body, Meeting, Package, Document, Project)
CITED = (Meeting, Document, StatusEvent, Project, Milestone)

TOPICS = (
    "trade and investment", "energy security", "the Middle Corridor", "water management",
    "transit and logistics", "digital connectivity", "agricultural exports",
    "cultural exchange", "higher education", "healthcare", "tourism", "customs procedures",
    "renewable energy", "oil and gas transit", "regional security", "humanitarian aid",
    "space research", "machine building", "pharmaceutical production", "textiles",
    "mining", "railway construction", "air connections", "border delimitation",
    "visa facilitation", "youth policy", "sports", "environmental protection",
    "the Caspian Sea", "climate adaptation", "food security", "banking supervision",
    "standardisation", "archives", "civil aviation", "petrochemicals", "fisheries",
    "mutual legal assistance", "cybersecurity", "geological exploration",
)  # fmt: skip
VERBS = (
    "discussed", "reviewed", "welcomed progress in", "agreed to deepen cooperation in",
    "noted the potential of", "stressed the importance of", "exchanged views on",
)  # fmt: skip
PUBLISHERS = (
    "Caspian Wire", "Steppe Press Agency", "Silk Road Bulletin", "Continental News Service",
    "Eurasia Daily Digest", "Capital Courier", "Regional Affairs Review",
)  # fmt: skip
FIRST_NAMES = (
    "Aidar", "Bakhyt", "Daniyar", "Elnur", "Farid", "Gulnara", "Ilham", "Jamila", "Kairat",
    "Leyla", "Murat", "Nigora", "Oksana", "Pavel", "Rustam", "Saule", "Timur", "Ulugbek",
    "Vagif", "Yerlan", "Zarina", "Anna", "Marco", "Helga", "Jean", "Maria", "Ahmet", "Ayse",
    "Li", "Wei", "Ravi", "Priya", "Omar", "Fatima", "Hiroshi", "Yuna", "Carlos", "Sofia",
)  # fmt: skip
LAST_SYLLABLES = (
    "ba", "ka", "li", "mur", "sen", "tov", "ye", "zar", "nov", "ra", "din", "kul", "mir",
    "gul", "bek", "ov", "ev", "an", "ul", "er", "os", "ing", "ard", "ell", "oni",
)  # fmt: skip
CITY_SYLLABLES = (
    "al", "ma", "ty", "as", "ta", "na", "ba", "ku", "ta", "shk", "ent", "bi", "shk", "or",
    "sa", "mar", "kand", "ver", "gor", "od", "pol", "is", "vil", "burg", "port", "dar",
)  # fmt: skip
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
FALLBACK_SECTORS = (
    ("trade", "Trade"), ("energy", "Energy"), ("transport-logistics", "Transport and logistics"),
    ("industry", "Industry"), ("agriculture", "Agriculture"), ("culture", "Culture"),
    ("education", "Education"), ("health", "Health"), ("finance", "Finance and banking"),
    ("digital", "Digital communications and ICT"),
)  # fmt: skip

MEETING_KINDS = (
    # kind, share of meetings, mean documents signed
    (Meeting.Kind.STATE_VISIT, 15, 5),
    (Meeting.Kind.OFFICIAL_VISIT, 15, 4),
    (Meeting.Kind.WORKING_VISIT, 15, 2),
    (Meeting.Kind.SUMMIT, 10, 4),
    (Meeting.Kind.BODY_SESSION, 15, 4),
    (Meeting.Kind.TALKS, 20, 1),
    (Meeting.Kind.CEREMONY, 10, 1),
)
DOCUMENT_KINDS = (
    (Document.Kind.AGREEMENT, 35),
    (Document.Kind.MEMORANDUM, 25),
    (Document.Kind.PROTOCOL, 8),
    (Document.Kind.PROGRAMME, 8),
    (Document.Kind.JOINT_STATEMENT, 8),
    (Document.Kind.DECLARATION, 6),
    (Document.Kind.TREATY, 4),
    (Document.Kind.DECISION, 4),
    (Document.Kind.OTHER, 2),
)
PROJECT_NOUNS = {
    Project.Kind.JOINT_VENTURE: "joint venture for {topic}",
    Project.Kind.ASSEMBLY_PLANT: "{product} assembly plant in {city}",
    Project.Kind.FUND: "investment fund for {topic}",
    Project.Kind.INFRASTRUCTURE: "{work} {city}–{other_city}",
    Project.Kind.PROGRAMME: "programme of {topic}",
    Project.Kind.TRADE_HOUSE: "trade house in {city}",
    Project.Kind.GIFT: "children's creativity centre in {city}",
    Project.Kind.OTHER: "working group on {topic}",
}
PRODUCTS = ("tractor", "bus", "lift", "truck", "combine harvester", "locomotive", "pump")
WORKS = ("railway", "highway", "power line", "fibre-optic cable", "gas pipeline", "bridge")


class GenerateError(Exception):
    """Generation cannot go ahead; nothing was written."""


@dataclass(frozen=True)
class Plan:
    """How much of everything, scaled from the number of meetings."""

    meetings: int

    @property
    def persons(self) -> int:
        return max(4, round(self.meetings / 20))

    @property
    def organizations(self) -> int:
        return max(3, round(self.meetings * 0.03))

    @property
    def bodies(self) -> int:
        return max(1, round(self.meetings / 200))

    @property
    def projects(self) -> int:
        return max(1, round(self.meetings / 2))

    @property
    def meetings_per_source(self) -> int:
        return 5


@dataclass
class GenerateReport:
    rows: Counter = field(default_factory=Counter)
    deleted: int = 0
    seconds: float = 0.0

    def summary(self) -> str:
        tables = ", ".join(f"{name} {count:,}" for name, count in self.rows.items())
        replaced = f" after deleting {self.deleted:,} generated rows" if self.deleted else ""
        return (
            f"Generated {sum(self.rows.values()):,} rows in {self.seconds:.1f} s{replaced}: "
            f"{tables}."
        )


# -- safety ---------------------------------------------------------------------------------
def content_models() -> list[type[models.Model]]:
    from django.apps import apps

    return [
        model
        for label in ("summits", "agreements", "seeds")
        for model in apps.get_app_config(label).get_models()
    ]


def analyst_traces() -> list[str]:
    """What shows that analysts have worked in this database: their history rows and marks."""
    traces = []
    for model in content_models():
        if hasattr(model._meta, "simple_history_manager_attribute"):
            edits = model.history.filter(history_user__isnull=False).count()
            if edits:
                traces.append(f"{edits} {model._meta.verbose_name} history row(s) by analysts")
        if issubclass(model, SeedTracked):
            marked = model.objects.exclude(analyst_edited=[]).count()
            if marked:
                traces.append(f"{marked} {model._meta.verbose_name_plural} edited by analysts")
    return traces


def generated_count() -> int:
    return sum(model.objects.filter(slug__startswith=SLUG_PREFIX).count() for model in SLUGGED)


# -- writing --------------------------------------------------------------------------------
class Table:
    """The rows of one table, as tuples in the order of `fields`, with the ids they take."""

    def __init__(self, model: type[models.Model], fields: str, first_id: int):
        self.model = model
        self.fields = fields.split()
        concrete = {f.attname for f in model._meta.concrete_fields}
        if set(self.fields) != concrete or len(self.fields) != len(concrete):
            raise GenerateError(
                f"{model._meta.db_table}: the generator lists {sorted(self.fields)}, the model "
                f"has {sorted(concrete)}. Update datagen/generate.py for the new field."
            )
        self.columns = [model._meta.get_field(name).column for name in self.fields]
        self.rows: list[tuple] = []
        self.next_id = first_id

    @property
    def name(self) -> str:
        return self.model._meta.db_table

    def new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def add(self, *values) -> int:
        """Append a row whose first value (the id) is taken here; return that id."""
        row_id = self.new_id()
        self.rows.append((row_id, *values))
        return row_id


class Writer:
    """Bulk inserts for the two databases Pacta runs on, and their value formats."""

    def __init__(self, log: Callable[[str], None], report: GenerateReport):
        self.log, self.report = log, report
        self.vendor = connection.vendor
        if self.vendor not in {"sqlite", "postgresql"}:
            raise GenerateError(
                f"generate_data supports SQLite and PostgreSQL, not {self.vendor}."
            )
        self.written: list[type[models.Model]] = []
        # How Django itself stores an aware datetime: naive UTC text on SQLite.
        self.tz_suffix = "" if self.vendor == "sqlite" else "+00:00"

    def table(self, model: type[models.Model], fields: str) -> Table:
        with connection.cursor() as cursor:
            quoted = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"SELECT MAX(id) FROM {quoted}")
            (current,) = cursor.fetchone()
        return Table(model, fields, (current or 0) + 1)

    def stamp(self, day: int, seconds: int) -> str:
        return f"{iso(day)} {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}" + (
            self.tz_suffix
        )

    def write(self, table: Table) -> None:
        started = time.monotonic()
        quote = connection.ops.quote_name
        columns = ", ".join(quote(column) for column in table.columns)
        with connection.cursor() as cursor:
            if self.vendor == "sqlite":
                placeholders = ", ".join("%s" for _ in table.columns)
                sql = f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({placeholders})"
                for start in range(0, len(table.rows), SQLITE_BATCH):
                    cursor.executemany(sql, table.rows[start : start + SQLITE_BATCH])
            else:
                sql = f"COPY {quote(table.name)} ({columns}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in table.rows:
                        copy.write_row(row)
        count = len(table.rows)
        seconds = max(time.monotonic() - started, 1e-6)
        self.log(f"  {table.name:<34}{count:>10,} rows, inserted at {count / seconds:>10,.0f}/s")
        self.report.rows[table.name] += count
        self.written.append(table.model)
        table.rows = []

    def finish(self) -> None:
        """Point the sequences past the explicit ids, and let the planners see the new sizes."""
        with connection.cursor() as cursor:
            names = sorted({model._meta.db_table for model in self.written})
            if self.vendor == "postgresql":
                for sql in connection.ops.sequence_reset_sql(no_style(), self.written):
                    cursor.execute(sql)
                cursor.execute("ANALYZE " + ", ".join(map(connection.ops.quote_name, names)))
            else:
                # Whole tables, not a sample (`analysis_limit`): a sampled ANALYZE took
                # `status` for selective, and the projects prefetch of an export chunk walked
                # every published project (docs/scaling.md).
                for name in names:
                    cursor.execute(f"ANALYZE {connection.ops.quote_name(name)}")


@functools.lru_cache(maxsize=20_000)
def iso(day: int) -> str:
    return dt.date.fromordinal(day).isoformat()


@functools.lru_cache(maxsize=20_000)
def long_date(day: int) -> str:
    date = dt.date.fromordinal(day)
    return f"{date.day} {MONTHS[date.month - 1]} {date.year}"


def numbered(number: int) -> str:
    if number % 100 in (11, 12, 13):
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(number % 10, 'th') }"


def occurrence_at(text: str, quote: str, start: int) -> int:
    """Which occurrence of `quote` begins at `start`, counted as Citation.locate counts."""
    position, number = -1, 0
    while True:
        position = text.find(quote, position + 1)
        number += 1
        if position == start:
            return number
        if position < 0 or position > start:
            raise ValueError(f"{quote!r} does not start at {start}")


class TextBuilder:
    """A source text assembled from sentences, remembering where each sentence starts."""

    def __init__(self):
        self.parts: list[str] = []
        self.length = 0

    def add(self, sentence: str) -> int:
        start = self.length
        self.parts.append(sentence)
        self.length += len(sentence)
        return start

    def text(self) -> str:
        return "".join(self.parts)


# -- the world ------------------------------------------------------------------------------
@dataclass
class Land:
    """One active country and what meetings draw from it."""

    id: int
    code: str
    name: str
    cities: list[str]
    head_starts: list[int] = field(default_factory=list)
    heads: list[int] = field(default_factory=list)
    ministers: list[int] = field(default_factory=list)
    organizations: list[int] = field(default_factory=list)

    def head_on(self, day: int) -> int:
        return self.heads[max(bisect.bisect_right(self.head_starts, day) - 1, 0)]


@dataclass
class PlannedMeeting:
    id: int
    kind: str
    start: int
    end: int
    lands: tuple[int, ...]  # indexes into Generator.lands, host first
    body: int | None = None  # index into Generator.bodies
    parent: int | None = None
    session_number: int | None = None
    documents: list[int] = field(default_factory=list)
    document_titles: list[str] = field(default_factory=list)
    signed_events: list[int] = field(default_factory=list)
    projects: list[tuple[int, str]] = field(default_factory=list)
    city: str = ""
    title: str = ""
    persons: tuple[int, ...] = ()


class Generator:
    def __init__(self, plan: Plan, rng: random.Random, writer: Writer):
        self.plan, self.rng, self.writer = plan, rng, writer

    # -- helpers ---------------------------------------------------------------------------
    def stamps(self, day: int) -> tuple[str, str]:
        """created_at shortly after the fact, updated_at later: spread over the years."""
        limit = BASE_TIME.date().toordinal() - 1
        created = min(day + self.rng.randint(1, 60), limit)
        updated = min(created + int(self.rng.expovariate(1 / 200)), limit)
        return (
            self.writer.stamp(created, self.rng.randrange(86_400)),
            self.writer.stamp(updated, self.rng.randrange(86_400)),
        )

    def random_day(self) -> int:
        # More recent years are busier, as they are in the news archives.
        return FIRST_DAY + int((LAST_DAY - FIRST_DAY) * self.rng.random() ** 0.6)

    def word(self, syllables: Sequence[str], low: int, high: int) -> str:
        return "".join(self.rng.choice(syllables) for _ in range(self.rng.randint(low, high)))

    def weighted_lands(self, count: int) -> tuple[int, ...]:
        chosen: list[int] = []
        while len(chosen) < count:
            (index,) = self.rng.choices(self.land_indexes, cum_weights=self.land_weights)
            if index not in chosen:
                chosen.append(index)
        return tuple(chosen)

    def topics(self, count: int) -> list[str]:
        return self.rng.sample(TOPICS, count)

    def names(self, lands: Iterable[int]) -> str:
        names = [self.lands[index].name for index in lands]
        return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]

    # -- steps -----------------------------------------------------------------------------
    def run(self, log: Callable[[str], None]) -> None:
        steps = (
            self.load_countries, self.load_sectors, self.make_persons, self.make_organizations,
            self.make_bodies, self.plan_meetings, self.write_meetings, self.make_documents,
            self.make_projects, self.make_sources,
        )  # fmt: skip
        for step in steps:
            started = time.monotonic()
            step()
            log(f"  {step.__name__} done in {time.monotonic() - started:.1f} s")

    def load_countries(self) -> None:
        by_code = {
            code: (pk, name)
            for pk, code, name in Country.objects.values_list("id", "code", "name")
        }
        if len(by_code) < 2:
            raise GenerateError("The country list is empty: run `manage.py migrate` first.")
        others = sorted(code for code in by_code if code not in CORE_COUNTRIES)
        self.rng.shuffle(others)
        order = [code for code in CORE_COUNTRIES if code in by_code] + others
        active = min(len(order), max(4, self.plan.persons // 4))
        self.lands = []
        for code in order[:active]:
            pk, name = by_code[code]
            cities = [self.word(CITY_SYLLABLES, 2, 3).capitalize() for _ in range(4)]
            self.lands.append(Land(pk, code, name, cities))
        self.land_indexes = list(range(active))
        # Zipf-like activity: a few countries meet a lot, the long tail rarely.
        self.land_weights = list(
            itertools.accumulate(1 / (rank + 1) ** 1.05 for rank in range(active))
        )
        self.all_country_ids = [by_code[code][0] for code in order]

    def load_sectors(self) -> None:
        existing = list(Sector.objects.order_by("slug").values_list("id", flat=True))
        if existing:
            self.sectors = existing
            return
        table = self.writer.table(Sector, "id slug name seeded analyst_edited version")
        self.sectors = [
            table.add(SLUG_PREFIX + slug, name, "{}", "[]", 1) for slug, name in FALLBACK_SECTORS
        ]
        self.writer.write(table)

    def make_persons(self) -> None:
        persons = self.writer.table(
            Person,
            "id seeded analyst_edited slug status created_at updated_at version name aliases "
            "country_id wikidata_id summary",
        )
        offices = self.writer.table(
            Office,
            "id person_id title country_id start_date start_precision end_date end_precision",
        )
        # Every active country gets a head of state at any date; the rest go by activity.
        shares = [1 / (rank + 1) ** 0.8 for rank in range(len(self.lands))]
        spare = max(self.plan.persons - len(self.lands), 0)
        total_share = sum(shares)
        counts = [1 + int(spare * share / total_share) for share in shares]
        counts[0] += self.plan.persons - sum(counts)
        number = itertools.count(1)
        self.person_names: dict[int, str] = {}
        for land, count in zip(self.lands, counts, strict=True):
            heads = min(count, self.rng.randint(3, 6))
            cuts = sorted(self.rng.sample(range(FIRST_DAY - 2000, LAST_DAY - 200), heads - 1))
            starts = [FIRST_DAY - 3000, *cuts]
            for position in range(count):
                surname = self.word(LAST_SYLLABLES, 2, 3).capitalize()
                name = f"{self.rng.choice(FIRST_NAMES)} {surname}"
                if position < heads:
                    title = f"President of {land.name}"
                    start = starts[position]
                    end = starts[position + 1] - 1 if position + 1 < heads else None
                else:
                    title = (
                        self.rng.choice(
                            (
                                "Minister of Foreign Affairs",
                                "Prime Minister",
                                "Minister of Economy",
                                "Minister of Energy",
                                "Deputy Prime Minister",
                            )
                        )
                        + f" of {land.name}"
                    )
                    start = self.random_day() - 1500
                    end = start + self.rng.randint(700, 3000)
                    end = None if end > LAST_DAY else end
                summary = f"{name} served as {title} from {dt.date.fromordinal(start).year}" + (
                    f" to {dt.date.fromordinal(end).year}." if end else "."
                )
                created, updated = self.stamps(max(start, FIRST_DAY))
                person = persons.add(
                    "{}",
                    "[]",
                    f"{SLUG_PREFIX}person-{next(number)}",
                    EditorialStatus.PUBLISHED.value,
                    created,
                    updated,
                    1,
                    name,
                    "[]",
                    land.id,
                    "",
                    summary,
                )
                self.person_names[person] = name
                offices.add(
                    person, title, land.id, iso(start), "day", iso(end) if end else None, "day"
                )
                if position < heads:
                    land.head_starts.append(start)
                    land.heads.append(person)
                else:
                    land.ministers.append(person)
                    if self.rng.random() < 0.4:
                        later = (end or LAST_DAY) + 1
                        if later < LAST_DAY:
                            offices.add(
                                person,
                                f"Ambassador of {land.name}",
                                land.id,
                                iso(later),
                                "year",
                                None,
                                "day",
                            )
        self.writer.write(persons)
        self.writer.write(offices)

    def make_organizations(self) -> None:
        table = self.writer.table(
            Organization,
            "id seeded analyst_edited slug status created_at updated_at version name aliases "
            "country_id kind summary",
        )
        kinds = [kind for kind in Organization.Kind.values if kind != "press_service"]
        for number in range(1, self.plan.organizations + 1):
            (index,) = self.rng.choices(self.land_indexes, cum_weights=self.land_weights)
            land = self.lands[index]
            kind = self.rng.choice(kinds)
            topic = self.rng.choice(TOPICS)
            city, product = self.rng.choice(land.cities), self.rng.choice(PRODUCTS)
            name = {
                "company": f"{land.name} Company for {topic.capitalize()}",
                "plant": f"{city} {product.capitalize()} Plant",
                "ministry": f"Ministry of {topic.capitalize()} of {land.name}",
                "agency": f"{land.name} Agency for {topic.capitalize()}",
                "university": f"{city} University of {topic.capitalize()}",
                "other": f"{land.name} Council for {topic.capitalize()}",
            }[kind]
            created, updated = self.stamps(self.random_day())
            summary = f"{name} works on {topic} in {land.name}."
            land.organizations.append(
                table.add(
                    "{}",
                    "[]",
                    f"{SLUG_PREFIX}organization-{number}",
                    EditorialStatus.PUBLISHED.value,
                    created,
                    updated,
                    1,
                    name,
                    "[]",
                    land.id,
                    kind,
                    summary,
                )
            )
        self.all_organizations = [pk for land in self.lands for pk in land.organizations]
        self.writer.write(table)

    def make_bodies(self) -> None:
        """Commissions and councils of the densest pairs, which then meet in numbered sessions."""
        table = self.writer.table(
            Body,
            "id seeded analyst_edited slug status created_at updated_at version name aliases "
            "kind summary",
        )
        members = self.writer.table(Body.members.through, "id body_id country_id")
        self.bodies: list[tuple[int, str, tuple[int, int]]] = []
        self.pair_bodies: dict[tuple[int, int], list[int]] = {}
        pairs = ((low, high) for high in range(1, len(self.lands)) for low in range(high))
        for number, pair in enumerate(itertools.islice(pairs, self.plan.bodies), start=1):
            names = self.names(pair)
            if self.rng.random() < 0.25:
                kind, name = Body.Kind.COUNCIL.value, f"Supreme Interstate Council of {names}"
            else:
                kind = Body.Kind.COMMISSION.value
                name = f"Intergovernmental Commission of {names} on Economic Cooperation"
            created, updated = self.stamps(self.random_day())
            summary = f"A standing mechanism of {names}; it meets in numbered sessions."
            pk = table.add(
                "{}",
                "[]",
                f"{SLUG_PREFIX}body-{number}",
                EditorialStatus.PUBLISHED.value,
                created,
                updated,
                1,
                name,
                "[]",
                kind,
                summary,
            )
            for index in pair:
                members.add(pk, self.lands[index].id)
            self.pair_bodies.setdefault(pair, []).append(len(self.bodies))
            self.bodies.append((pk, name, pair))
        self.writer.write(table)
        self.writer.write(members)

    def plan_meetings(self) -> None:
        self.meetings_table = self.writer.table(
            Meeting,
            "id seeded analyst_edited slug status created_at updated_at version date_text "
            "year_inferred inference title kind body_id session_number parent_id start_date "
            "start_precision end_date end_precision host_country_id city formats summary "
            "basis occurrence",
        )
        kinds = [kind for kind, _, _ in MEETING_KINDS]
        weights = [share for _, share, _ in MEETING_KINDS]
        self.mean_documents = {kind: mean for kind, _, mean in MEETING_KINDS}
        planned: list[PlannedMeeting] = []
        while len(planned) < self.plan.meetings:
            kind = self.rng.choices(kinds, weights)[0]
            start = self.random_day()
            body = None
            if kind == Meeting.Kind.BODY_SESSION:
                body = self.rng.randrange(len(self.bodies))
                lands = self.bodies[body][2]
                lands = lands if self.rng.random() < 0.5 else lands[::-1]
            elif kind == Meeting.Kind.SUMMIT:
                lands = self.weighted_lands(self.rng.randint(3, 4))
            else:
                lands = self.weighted_lands(2)
            length = self.rng.choice((0, 0, 1, 1, 2)) if "visit" in kind or kind == "summit" else 0
            meeting = PlannedMeeting(
                self.meetings_table.new_id(), kind, start, start + length, lands, body
            )
            planned.append(meeting)
            # A share of sessions happen inside a state or official visit of the same pair.
            pair_bodies = self.pair_bodies.get(tuple(sorted(lands)))
            if (
                kind in (Meeting.Kind.STATE_VISIT, Meeting.Kind.OFFICIAL_VISIT)
                and pair_bodies
                and self.rng.random() < 0.35
                and len(planned) < self.plan.meetings
            ):
                session_day = start + self.rng.randint(0, length)
                planned.append(
                    PlannedMeeting(
                        self.meetings_table.new_id(),
                        Meeting.Kind.BODY_SESSION.value,
                        session_day,
                        session_day,
                        lands,
                        self.rng.choice(pair_bodies),
                        meeting.id,
                    )
                )
        sessions: dict[int, list[PlannedMeeting]] = {}
        for meeting in planned:
            if meeting.body is not None:
                sessions.setdefault(meeting.body, []).append(meeting)
        for body_sessions in sessions.values():
            body_sessions.sort(key=lambda meeting: (meeting.start, meeting.id))
            for number, meeting in enumerate(body_sessions, start=1):
                meeting.session_number = number
        self.planned = planned

    def meeting_title(self, meeting: PlannedMeeting, guest: str) -> str:
        host = self.lands[meeting.lands[0]]
        kind = meeting.kind
        if kind == Meeting.Kind.BODY_SESSION:
            number = meeting.session_number
            ordinal = ORDINALS[number - 1] if number <= len(ORDINALS) else numbered(number)
            return f"{ordinal.capitalize()} meeting of the {self.bodies[meeting.body][1]}"
        if kind == Meeting.Kind.SUMMIT:
            return f"Summit of {self.names(meeting.lands)} in {meeting.city}"
        if kind == Meeting.Kind.TALKS:
            return f"Talks between {self.names(meeting.lands)} in {meeting.city}"
        if kind == Meeting.Kind.CEREMONY:
            return f"Joint ceremony of {self.names(meeting.lands)} in {meeting.city}"
        label = Meeting.Kind(kind).label
        return f"{label} of {guest} to {host.name}"

    def write_meetings(self) -> None:
        table = self.meetings_table
        participations = self.writer.table(MeetingCountry, "id meeting_id country_id role")
        attendances = self.writer.table(MeetingPerson, "id meeting_id person_id role")
        sectors = self.writer.table(Meeting.sectors.through, "id meeting_id sector_id")
        formats = list(Meeting.Format.values)
        person_names = self.person_names
        for number, meeting in enumerate(self.planned, start=1):
            host = self.lands[meeting.lands[0]]
            meeting.city = (
                host.cities[0] if self.rng.random() < 0.7 else self.rng.choice(host.cities)
            )
            principals = tuple(self.lands[index].head_on(meeting.start) for index in meeting.lands)
            persons = list(principals)
            wanted = self.rng.randint(2, 4)
            for index in meeting.lands:
                if len(persons) >= wanted:
                    break
                ministers = self.lands[index].ministers
                if ministers:
                    minister = self.rng.choice(ministers)
                    if minister not in persons:
                        persons.append(minister)
            meeting.persons = tuple(persons)
            guest = person_names[principals[1]]
            meeting.title = self.meeting_title(meeting, guest)
            precision = self.rng.choices(("day", "month", "year"), (92, 6, 2))[0]
            start, end = meeting.start, meeting.end
            date = dt.date.fromordinal(start)
            if precision == "month":
                start = end = date.replace(day=1).toordinal()
                date_text = f"{MONTHS[date.month - 1]} {date.year}"
            elif precision == "year":
                start = end = date.replace(month=1, day=1).toordinal()
                date_text = str(date.year)
            else:
                date_text = f"{MONTHS[date.month - 1]} {date.day}"
            meeting.start = start
            topics = self.topics(4)
            names = [person_names[pk] for pk in principals]
            others = (
                f" with the leaders of {self.names(meeting.lands[2:])}" if len(names) > 2 else ""
            )
            next_city = self.lands[meeting.lands[1]].cities[0]
            summary = (
                f"{' and '.join(names[:2])} met in {meeting.city} on {long_date(meeting.start)}"
                f"{others}. "
                f"The sides {self.rng.choice(VERBS)} {topics[0]} and {topics[1]}, and "
                f"{self.rng.choice(VERBS)} {topics[2]}. They also {self.rng.choice(VERBS)} "
                f"{topics[3]} and agreed to meet again in {next_city}."
            )
            created, updated = self.stamps(meeting.start)
            table.rows.append(
                (
                    meeting.id,
                    "{}",
                    "[]",
                    f"{SLUG_PREFIX}meeting-{number}",
                    EditorialStatus.PUBLISHED.value,
                    created,
                    updated,
                    1,
                    date_text,
                    False,
                    "",
                    meeting.title,
                    meeting.kind,
                    self.bodies[meeting.body][0] if meeting.body is not None else None,
                    meeting.session_number,
                    meeting.parent,
                    iso(start),
                    precision,
                    iso(end),
                    precision,
                    host.id,
                    meeting.city,
                    json.dumps(sorted(self.rng.sample(formats, self.rng.randint(0, 3)))),
                    summary,
                    "{}",
                    Meeting.Occurrence.HELD.value,
                )
            )
            for position, index in enumerate(meeting.lands):
                if meeting.kind in (Meeting.Kind.BODY_SESSION, Meeting.Kind.TALKS):
                    role = MeetingCountry.Role.PARTICIPANT.value
                else:
                    role = "host" if position == 0 else "guest"
                participations.add(meeting.id, self.lands[index].id, role)
            for position, person in enumerate(persons):
                role = "principal" if position < len(principals) else "participant"
                attendances.add(meeting.id, person, role)
            for sector in self.rng.sample(
                self.sectors, min(len(self.sectors), self.rng.randint(1, 3))
            ):
                sectors.add(meeting.id, sector)
        self.writer.write(table)
        for link_table in (participations, attendances, sectors):
            self.writer.write(link_table)

    def make_documents(self) -> None:
        packages = self.writer.table(
            Package,
            "id seeded analyst_edited slug status created_at updated_at version title meeting_id "
            "announced_count announced_text summary basis",
        )
        documents = self.writer.table(
            Document,
            "id seeded analyst_edited slug status created_at updated_at version date_text "
            "year_inferred inference title kind level conclusion meeting_id package_id date "
            "date_precision place_city place_country_id establishes_body_id summary basis",
        )
        parties = self.writer.table(DocumentParty, "id document_id country_id role")
        signatories = self.writer.table(DocumentSignatory, "id document_id person_id role")
        events = self.writer.table(
            StatusEvent,
            "id date_text year_inferred inference document_id status date date_precision note "
            "version basis",
        )
        kinds = [kind for kind, _ in DOCUMENT_KINDS]
        kind_weights = [weight for _, weight in DOCUMENT_KINDS]
        levels = Document.Level.values
        conclusions = Document.Conclusion.values
        number = itertools.count(1)
        package_number = itertools.count(1)
        for meeting in self.planned:
            count = self.rng.randint(0, 2 * self.mean_documents[meeting.kind])
            if not count:
                continue
            host = self.lands[meeting.lands[0]]
            names = self.names(meeting.lands)
            package = None
            if count >= 5 and self.rng.random() < 0.5:
                created, updated = self.stamps(meeting.start)
                package = packages.add(
                    "{}",
                    "[]",
                    f"{SLUG_PREFIX}package-{next(package_number)}",
                    EditorialStatus.PUBLISHED.value,
                    created,
                    updated,
                    1,
                    f"Documents signed during the {meeting.title}",
                    meeting.id,
                    count,
                    f"a package of {count} documents",
                    f"{count} documents between {names} were signed in {meeting.city}.",
                    "{}",
                )
            for _ in range(count):
                kind = self.rng.choices(kinds, kind_weights)[0]
                topic = self.rng.choice(TOPICS)
                title = self.document_title(kind, names, topic, meeting)
                created, updated = self.stamps(meeting.start)
                establishes = None
                if kind == Document.Kind.DECISION and meeting.session_number == 1:
                    establishes = self.bodies[meeting.body][0]
                summary = (
                    f"{Document.Kind(kind).label} on {topic} concluded by {names} in "
                    f"{meeting.city}. It sets out the steps of both sides for "
                    f"{self.rng.choice(TOPICS)} and names the agencies responsible."
                )
                document = documents.add(
                    "{}",
                    "[]",
                    f"{SLUG_PREFIX}document-{next(number)}",
                    EditorialStatus.PUBLISHED.value,
                    created,
                    updated,
                    1,
                    "",
                    False,
                    "",
                    title,
                    kind,
                    self.rng.choice(levels),
                    self.rng.choice(conclusions),
                    meeting.id,
                    package,
                    iso(meeting.start),
                    "day",
                    meeting.city,
                    host.id,
                    establishes,
                    summary,
                    "{}",
                )
                meeting.documents.append(document)
                meeting.document_titles.append(title)
                for index in meeting.lands[: self.rng.randint(2, 3)]:
                    parties.add(document, self.lands[index].id, "party")
                for person in meeting.persons[: self.rng.randint(1, 2)]:
                    signatories.add(document, person, "signed")
                if self.rng.random() < 0.3:
                    proposed = meeting.start - self.rng.randint(30, 300)
                    events.add(
                        "", False, "", document, "proposed", iso(proposed), "month", "", 1, "{}"
                    )
                signed = events.add(
                    "", False, "", document, "signed", iso(meeting.start), "day", "", 1, "{}"
                )
                meeting.signed_events.append(signed)
                if self.rng.random() < 0.5:
                    in_force = meeting.start + self.rng.randint(30, 400)
                    events.add(
                        "", False, "", document, "in_force", iso(in_force), "day", "", 1, "{}"
                    )
        self.writer.write(packages)
        self.writer.write(documents)
        for table in (parties, signatories, events):
            self.writer.write(table)

    def document_title(self, kind: str, names: str, topic: str, meeting: PlannedMeeting) -> str:
        if kind == Document.Kind.TREATY:
            return f"Treaty on Strategic Partnership between {names}"
        if kind == Document.Kind.AGREEMENT:
            return f"Agreement between the Governments of {names} on cooperation in {topic}"
        if kind == Document.Kind.MEMORANDUM:
            return f"Memorandum of understanding between {names} on {topic}"
        if kind == Document.Kind.PROTOCOL:
            return f"Protocol on amendments to the agreement between {names} on {topic}"
        if kind == Document.Kind.PROGRAMME:
            year = dt.date.fromordinal(meeting.start).year
            return f"Roadmap for cooperation between {names} in {topic} for {year}–{year + 3}"
        if kind == Document.Kind.JOINT_STATEMENT:
            return f"Joint statement of {names} on {topic}"
        if kind == Document.Kind.DECLARATION:
            return f"Declaration of {names} on {topic}"
        if kind == Document.Kind.DECISION and meeting.body is not None:
            return f"Decision of the {self.bodies[meeting.body][1]} on {topic}"
        return f"Action plan of {names} on {topic}"

    def make_projects(self) -> None:
        projects = self.writer.table(
            Project,
            "id seeded analyst_edited slug status created_at updated_at version name kind "
            "location_city location_country_id summary basis",
        )
        countries = self.writer.table(ProjectCountry, "id project_id country_id role")
        organizations = self.writer.table(
            ProjectOrganization, "id project_id organization_id role"
        )
        sectors = self.writer.table(Project.sectors.through, "id project_id sector_id")
        meetings = self.writer.table(Project.meetings.through, "id project_id meeting_id")
        documents = self.writer.table(Project.documents.through, "id project_id document_id")
        figures = self.writer.table(ProjectFigure, "id project_id text value unit qualifier")
        milestones = self.writer.table(
            Milestone,
            "id date_text year_inferred inference project_id kind date date_precision note "
            "version basis",
        )
        kinds = Project.Kind.values
        organization_roles = ProjectOrganization.Role.values
        for number in range(1, self.plan.projects + 1):
            meeting = self.rng.choice(self.planned)
            host = self.lands[meeting.lands[0]]
            kind = self.rng.choice(kinds)
            other = self.lands[meeting.lands[1]]
            noun = PROJECT_NOUNS[kind].format(
                topic=self.rng.choice(TOPICS),
                product=self.rng.choice(PRODUCTS),
                city=self.rng.choice(host.cities),
                other_city=other.cities[0],
                work=self.rng.choice(WORKS),
            )
            name = f"{host.name}–{other.name} {noun}"
            created, updated = self.stamps(meeting.start)
            summary = (
                f"The {noun} was agreed by {self.names(meeting.lands)} during the "
                f"{meeting.title}. It is meant to create jobs and to develop "
                f"{self.rng.choice(TOPICS)}."
            )
            project = projects.add(
                "{}",
                "[]",
                f"{SLUG_PREFIX}project-{number}",
                EditorialStatus.PUBLISHED.value,
                created,
                updated,
                1,
                name,
                kind,
                self.rng.choice(host.cities),
                host.id,
                summary,
                "{}",
            )
            meeting.projects.append((project, name))
            for position, index in enumerate(meeting.lands[:3]):
                countries.add(
                    project, self.lands[index].id, "host" if position == 0 else "partner"
                )
            candidates = [pk for index in meeting.lands for pk in self.lands[index].organizations]
            candidates = candidates or self.all_organizations
            for organization in self.rng.sample(
                candidates, min(len(candidates), self.rng.randint(1, 3))
            ):
                organizations.add(project, organization, self.rng.choice(organization_roles))
            for sector in self.rng.sample(
                self.sectors, min(len(self.sectors), self.rng.randint(1, 3))
            ):
                sectors.add(project, sector)
            meetings.add(project, meeting.id)
            for document in meeting.documents[: self.rng.randint(0, 2)]:
                documents.add(project, document)
            for _ in range(self.rng.randint(0, 2)):
                amount = self.rng.choice((50, 100, 250, 500, 1000, 5000, 10000))
                unit = self.rng.choice(
                    ("jobs", "million US dollars", "units a year", "kilometres")
                )
                qualifier = self.rng.choice(("more than", "around", "up to"))
                text = f"{qualifier.capitalize()} {amount:,} {unit}"
                figures.add(project, text, Decimal(amount), unit, qualifier)
            day = meeting.start
            for step in ("agreed", "started", "operational", "completed")[
                : self.rng.randint(1, 4)
            ]:
                milestones.add("", False, "", project, step, iso(day), "month", "", 1, "{}")
                day += self.rng.randint(90, 700)
        self.writer.write(projects)
        for table in (countries, organizations, sectors, meetings, documents, figures, milestones):
            self.writer.write(table)

    def make_sources(self) -> None:
        """Digests of a few meetings close in time, each fact quoted from its own sentence."""
        sources = self.writer.table(
            Source,
            "id seeded analyst_edited slug status created_at updated_at version date_text "
            "year_inferred inference title publisher author dateline published_on "
            "published_precision language url filename text sha256 text_use",
        )
        citations = self.writer.table(
            Citation,
            "id source_id content_type_id object_id field quote occurrence start end created_at "
            "version",
        )
        content_type = {
            model: ContentType.objects.get_for_model(model).pk
            for model in (Meeting, Document, StatusEvent, Project)
        }
        by_date = sorted(self.planned, key=lambda meeting: (meeting.start, meeting.id))
        size = self.plan.meetings_per_source
        for number, first in enumerate(range(0, len(by_date), size), start=1):
            group = by_date[first : first + size]
            day = min(group[-1].start + self.rng.randint(0, 2), LAST_DAY)
            publisher = self.rng.choice(PUBLISHERS)
            host = self.lands[group[-1].lands[0]]
            dateline = f"{host.cities[0]}, {long_date(day)}"
            builder = TextBuilder()
            builder.add(f"{publisher} digest No. {number}. {dateline}.\n\n")
            cites: list[tuple[int, int, str, str, int]] = []  # type, id, field, quote, start

            def cite(model, pk, start, quote, fact="", cites=cites):
                cites.append((content_type[model], pk, fact, quote, start))

            for meeting in group:
                date = long_date(meeting.start)
                sentence = f"On {date}, the {meeting.title} took place in {meeting.city}."
                at = builder.add(sentence)
                cite(Meeting, meeting.id, at, sentence)
                cite(Meeting, meeting.id, at + 3, date, "date")
                topics = self.topics(2)
                builder.add(f" The sides {self.rng.choice(VERBS)} {topics[0]} and {topics[1]}.")
                picks = self.rng.randint(0, min(2, len(meeting.documents)))
                for document, title, event in list(
                    zip(
                        meeting.documents,
                        meeting.document_titles,
                        meeting.signed_events,
                        strict=True,
                    )
                )[:picks]:
                    signed = f"signed on {date}"
                    sentence = f" The {title} was {signed}."
                    at = builder.add(sentence)
                    cite(Document, document, at + 5, title)
                    cite(StatusEvent, event, at + 5 + len(title) + 5, signed, "date")
                for project, name in meeting.projects[:1]:
                    prefix = " The parties announced the "
                    at = builder.add(f"{prefix}{name}.")
                    cite(Project, project, at + len(prefix), name)
                builder.add("\n\n")
            text = builder.text().rstrip() + "\n"
            created, updated = self.stamps(day)
            title = (
                f"{group[0].title} and {len(group) - 1} more" if len(group) > 1 else group[0].title
            )
            source = sources.add(
                "{}",
                "[]",
                f"{SLUG_PREFIX}source-{number}",
                EditorialStatus.PUBLISHED.value,
                created,
                updated,
                1,
                "",
                False,
                "",
                title[:500],
                publisher,
                "",
                dateline,
                iso(day),
                "day",
                "en",
                f"https://news.example.org/digest/{number}",
                "",
                text,
                hashlib.sha256(text.encode()).hexdigest(),
                # Invented digests, not press texts: shown whole.
                "full",
            )
            for ct, pk, fact, quote, start in cites:
                end = start + len(quote)
                if text[start:end] != quote:
                    raise GenerateError(f"Digest {number}: {quote!r} is not at offset {start}.")
                citations.add(
                    source,
                    ct,
                    pk,
                    fact,
                    quote,
                    occurrence_at(text, quote, start),
                    start,
                    end,
                    created,
                    1,
                )
        self.writer.write(sources)
        self.writer.write(citations)


# -- the entry point ------------------------------------------------------------------------
def delete_generated(log: Callable[[str], None]) -> int:
    """Remove every generated row, with raw SQL: the ORM would load millions of objects."""
    quote = connection.ops.quote_name

    def generated_ids(model: type[models.Model]) -> str:
        if model in SLUGGED:
            return f"SELECT id FROM {quote(model._meta.db_table)} WHERE slug LIKE '{SLUG_PREFIX}%'"
        owner = next(
            f for f in model._meta.concrete_fields if f.is_relation and f.related_model in SLUGGED
        )
        return (
            f"SELECT id FROM {quote(model._meta.db_table)} "
            f"WHERE {quote(owner.column)} IN ({generated_ids(owner.related_model)})"
        )

    children = (
        Office,
        Body.members.through,
        MeetingCountry,
        MeetingPerson,
        Meeting.sectors.through,
        DocumentParty,
        DocumentSignatory,
        DocumentRelation,
        Project.sectors.through,
        Project.meetings.through,
        Project.documents.through,
        ProjectCountry,
        ProjectOrganization,
        ProjectFigure,
        StatusEvent,
        Milestone,
    )
    statements = []
    cited = " OR ".join(
        f"(content_type_id = {ContentType.objects.get_for_model(model).pk} "
        f"AND object_id IN ({generated_ids(model)}))"
        for model in CITED
    )
    statements.append(
        f"DELETE FROM {quote(Citation._meta.db_table)} "
        f"WHERE source_id IN ({generated_ids(Source)}) OR {cited}"
    )
    for child in children:
        links = [
            f for f in child._meta.concrete_fields if f.is_relation and f.related_model in SLUGGED
        ]
        condition = " OR ".join(
            f"{quote(f.column)} IN ({generated_ids(f.related_model)})" for f in links
        )
        statements.append(f"DELETE FROM {quote(child._meta.db_table)} WHERE {condition}")
    for model in reversed(SLUGGED):
        statements.append(
            f"DELETE FROM {quote(model._meta.db_table)} WHERE slug LIKE '{SLUG_PREFIX}%'"
        )
    deleted = 0
    started = time.monotonic()
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
            deleted += max(cursor.rowcount, 0)
    log(f"  deleted {deleted:,} previously generated rows in {time.monotonic() - started:.1f} s")
    return deleted


def generate(
    *,
    meetings: int,
    seed: int = 0,
    replace: bool = False,
    allow_analyst_data: bool = False,
    log: Callable[[str], None] = lambda line: None,
) -> GenerateReport:
    """Write a synthetic database of `meetings` meetings and everything in proportion."""
    if meetings < 1:
        raise GenerateError("Give at least one meeting.")
    started = time.monotonic()
    report = GenerateReport()
    traces = analyst_traces()
    if traces and not allow_analyst_data:
        raise GenerateError(
            "This database holds analysts' records ("
            + "; ".join(traces)
            + "). Generate into a separate database (set DATABASE_URL), or pass "
            "--allow-analyst-data if you really mean to mix synthetic rows into it."
        )
    existing = generated_count()
    if existing and not replace:
        raise GenerateError(
            f"This database already holds {existing:,} generated records (slugs starting "
            f"with {SLUG_PREFIX!r}). Pass --replace to delete them and generate afresh."
        )
    plan = Plan(meetings)
    log(
        f"Generating {plan.meetings:,} meetings, {plan.persons:,} persons, "
        f"{plan.organizations:,} organizations, {plan.projects:,} projects (seed {seed})"
    )
    fast_load = connection.vendor == "sqlite" and not connection.in_atomic_block
    try:
        if fast_load:
            connection.ensure_connection()
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous")
                (synchronous,) = cursor.fetchone()
                # Durability per statement buys nothing inside one big transaction.
                cursor.execute("PRAGMA synchronous = OFF")
                cursor.execute("PRAGMA cache_size = -262144")
        with transaction.atomic(), search.bulk_load(connection):
            if existing:
                report.deleted = delete_generated(log)
            writer = Writer(log, report)
            Generator(plan, random.Random(seed), writer).run(log)
            finishing = time.monotonic()
            writer.finish()
            log(f"  sequences and ANALYZE done in {time.monotonic() - finishing:.1f} s")
            committing = time.monotonic()
        # PostgreSQL checks the deferred foreign keys of every new row here.
        log(f"  commit done in {time.monotonic() - committing:.1f} s")
    except IntegrityError as exc:
        raise GenerateError(f"Nothing was written: {exc}") from exc
    finally:
        if fast_load:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous = {int(synchronous)}")
                cursor.execute("PRAGMA cache_size = -2000")
    report.seconds = time.monotonic() - started
    return report
