"""The seed's sync engine: write a record's desired values unless an analyst changed them.

The generic part of `manage.py seed`, separate from the YAML mapping in seeds/load.py: it
compares each field and each list (a meeting's countries, a record's citations) with what the
seed last wrote (`SeedTracked.seeded`), writes only what differs, and leaves alone, and
reports, whatever an analyst edited in the meantime. The import assistant writes through it
too.
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
from django.db import models

from records.basis import compact
from records.models import Source
from records.services import citation_create
from records.slugs import former_owner
from seeds.records import (
    PartialDate,
    partial_date,
)
from summits.models import (
    Country,
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
    # The current value in the shape the seed last recorded, when that shape was older (a
    # status history remembered before its events had a basis); by default, unchanged.
    as_seeded: Callable[[list, Any], list] = lambda current, seeded: current


def date_fields(value: PartialDate, date_name: str, precision_name: str) -> dict[str, Any]:
    return {
        date_name: value.date,
        precision_name: value.precision,
        "date_text": value.text,
        "year_inferred": value.year_inferred,
        "inference": value.inference,
    }


class SyncEngine:
    """Upserts, analyst-edit checks, collections and citations; subclasses map a data set
    onto the models (seeds.load.Loader for records.yaml)."""

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
            raise SeedError(f"{label}: {'; '.join(messages_of(exc))}") from exc
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
        if obj is None and "slug" in lookup:
            # An Editor renamed it: the seed's slug is one of its former ones.
            obj = model.objects.filter(pk=former_owner(model, lookup["slug"])).first()
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
            elif self.keep(
                obj,
                collection.name,
                collection.as_seeded(current, obj.seeded.get(collection.name)),
            ):
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
            raise SeedError(f"{label}.{collection.name}: {'; '.join(messages_of(exc))}") from exc

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
                "basis": compact(item.get("basis")),
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

        def as_seeded(current: list, seeded: Any) -> list:
            # Remembered before events had a basis (one key fewer; "basis" sorts first): an
            # event the seed wrote then is still the seed's, whatever basis a migration gave it.
            if not (items and isinstance(seeded, list) and seeded and current):
                return current
            if len(seeded[0]) == len(current[0]) - 1 and "basis" in event_fields(items[0]):
                return canonical([key[1:] for key in current])
            return current

        return Collection(name, desired, read, write, as_seeded)


def messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{name}: {' '.join(errors)}" for name, errors in exc.message_dict.items()]
    return list(exc.messages)
