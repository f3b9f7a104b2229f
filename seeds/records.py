"""Reading and checking the curated record file. Plain data in, plain problems out: no ORM.

The format is described in seeds/README.md. Everything that can be checked without a
database is checked here, so that `seed --check` and a failing `seed` name the record, the
field and the reason before anything is written.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from agreements.models import Document, Milestone, Package, Project, StatusEvent
from records.basis import Basis, validate_bases
from records.input_checks import text_problem, value_problem
from summits.models import Meeting

SECTIONS = (
    "sources",
    "countries",
    "sectors",
    "persons",
    "organizations",
    "bodies",
    "meetings",
    "packages",
    "documents",
    "projects",
)
PRECISIONS = ("day", "month", "year")
# libyaml's loader is ten times faster where PyYAML was built with it; both are safe loaders.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
COUNTRY_PATTERN = re.compile(r"^[A-Z]{2}$")
# A fact's key in records.yaml where it differs from the fact's name.
FACT_KEYS = {"start_date": "start", "end_date": "end"}
# A value that claims nothing ("how concluded: not stated") needs no basis.
CLAIMS_NOTHING = (None, "", [], "unknown")


class RecordFileError(Exception):
    """The record file cannot be loaded; `problems` says where and why, one line each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = "\n  ".join(problems[:50])
        more = f"\n  … and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{len(problems)} problem(s) in the seed records:\n  {shown}{more}")


@dataclass(frozen=True)
class PartialDate:
    date: dt.date | None
    precision: str = "day"
    text: str = ""
    year_inferred: bool = False
    inference: str = ""


def read_record_file(path: Path) -> dict[str, list[dict[str, Any]]]:
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except FileNotFoundError as exc:
        raise RecordFileError([f"{path}: file not found"]) from exc
    except yaml.YAMLError as exc:
        raise RecordFileError([f"{path}: not valid YAML: {exc}"]) from exc
    except RecursionError as exc:
        raise RecordFileError([f"{path}: nested too deeply to read"]) from exc
    if not isinstance(data, dict):
        raise RecordFileError(
            [f"{path}: expected a mapping of sections, got {type(data).__name__}"]
        )
    problems = [f"unknown section {key!r}" for key in data if key not in SECTIONS]
    # YAML's "\0" and "\ud800" escapes reach the database otherwise.
    unsafe = value_problem(data)
    if unsafe is not None:
        problems.append(f"{path}: {unsafe}")
    for section in SECTIONS:
        value = data.setdefault(section, [])
        if value is None:
            data[section] = []
        elif not isinstance(value, list):
            problems.append(f"section {section!r} must be a list")
    if problems:
        raise RecordFileError(problems)
    return data


def partial_date(record: dict[str, Any], key: str) -> PartialDate:
    """The date under `key` with the record's date_text / year_inferred / inference."""
    value = record.get(key) or {}
    return PartialDate(
        date=value.get("date"),
        precision=value.get("precision", "day"),
        text=record.get("date_text", "") or "",
        year_inferred=bool(record.get("year_inferred", False)),
        inference=record.get("inference", "") or "",
    )


def read_texts(data: dict[str, list[dict[str, Any]]], texts_dir: Path) -> dict[str, str]:
    """Source slug -> its verbatim text. newline='' keeps the file's bytes as they are."""
    texts, problems = {}, []
    for source in data["sources"]:
        slug, filename = source.get("slug"), source.get("file")
        if not filename:
            continue
        path = texts_dir / filename
        try:
            with path.open(encoding="utf-8", newline="") as handle:
                texts[slug] = handle.read()
        except FileNotFoundError:
            problems.append(f"sources/{slug}: text file {path} not found")
        except UnicodeDecodeError as exc:
            problems.append(f"sources/{slug}: {path} is not UTF-8 ({exc})")
        else:
            unsafe = text_problem(texts[slug])
            if unsafe is not None:
                problems.append(f"sources/{slug}: {path} {unsafe}")
    if problems:
        raise RecordFileError(problems)
    return texts


class _Checker:
    def __init__(self, data: dict[str, list[dict[str, Any]]], texts: dict[str, str]):
        self.data, self.texts = data, texts
        self.problems: list[str] = []
        self.slugs = {section: set() for section in SECTIONS}

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where}: {message}")

    def run(self) -> list[str]:
        for section in SECTIONS:
            key = "code" if section == "countries" else "slug"
            for index, record in enumerate(self.data[section]):
                if not isinstance(record, dict):
                    self.problem(f"{section}[{index}]", "must be a mapping")
                    continue
                ident = record.get(key)
                where = f"{section}/{ident or f'[{index}]'}"
                if not ident:
                    self.problem(where, f"missing {key!r}")
                elif ident in self.slugs[section]:
                    self.problem(where, f"duplicate {key} {ident!r}")
                elif key == "slug" and not SLUG_PATTERN.match(str(ident)):
                    self.problem(where, "slug must be lowercase ASCII words joined by hyphens")
                self.slugs[section].add(ident)
        for section in SECTIONS:
            for record in self.data[section]:
                if isinstance(record, dict):
                    getattr(self, f"check_{section}")(record)
        return self.problems

    # -- shared pieces ---------------------------------------------------------------------
    def where(self, section: str, record: dict[str, Any]) -> str:
        return f"{section}/{record.get('slug') or record.get('code')}"

    def require(self, where: str, record: dict[str, Any], *keys: str) -> None:
        for key in keys:
            if record.get(key) in (None, ""):
                self.problem(where, f"missing {key!r}")

    def ref(self, where: str, section: str, value: Any, label: str) -> None:
        if value is not None and value not in self.slugs[section]:
            self.problem(where, f"{label} {value!r} is not in {section}")

    def country(self, where: str, code: Any, label: str = "country") -> None:
        if code is None:
            return
        if not isinstance(code, str) or not COUNTRY_PATTERN.match(code):
            self.problem(where, f"{label} {code!r} is not an ISO 3166-1 alpha-2 code")

    def date(self, where: str, record: dict[str, Any], key: str) -> None:
        value = record.get(key)
        if value is None:
            return
        if not isinstance(value, dict) or not isinstance(value.get("date"), dt.date):
            self.problem(where, f"{key} must be {{date: YYYY-MM-DD, precision: day|month|year}}")
            return
        if value.get("precision", "day") not in PRECISIONS:
            self.problem(where, f"{key}.precision must be one of {', '.join(PRECISIONS)}")
        if record.get("year_inferred") and not record.get("inference"):
            self.problem(where, "year_inferred needs an inference saying how the year is known")

    def cites(self, where: str, record: dict[str, Any]) -> None:
        cites = record.get("cite") or []
        if not isinstance(cites, list):
            self.problem(where, "cite must be a list")
            return
        for cite in cites:
            if not isinstance(cite, dict) or not cite.get("source") or not cite.get("quote"):
                self.problem(where, "each cite needs a source and a quote")
                continue
            source, quote = cite["source"], str(cite["quote"])
            if source not in self.texts:
                self.problem(where, f"cites unknown source {source!r}")
            elif quote not in self.texts[source]:
                self.problem(where, f"quote not found verbatim in source {source!r}: {quote!r}")

    def bases(self, where: str, record: dict[str, Any], model: type) -> None:
        """The editorial policy's guard rails (docs/editorial-policy.md): each basis one of
        the three values, an inference or outside knowledge with its reasoning, and a fact
        left `stated` only where a quote is cited for its field."""
        basis = record.get("basis") or {}
        for messages in validate_bases(basis, model.basis_facts).values():
            for message in messages:
                self.problem(where, f"basis: {message}")
        if not isinstance(basis, dict):
            return
        cited = {
            str(cite.get("field", "") or "")
            for cite in record.get("cite") or []
            if isinstance(cite, dict)
        }
        for fact, fields in model.basis_facts.items():
            if record.get(FACT_KEYS.get(fact, fact)) in CLAIMS_NOTHING:
                continue
            entry = basis.get(fact) or {}
            if not isinstance(entry, dict):
                continue
            stated = entry.get("basis", Basis.STATED) == Basis.STATED
            if (
                stated
                and getattr(model, "year_fact", None) == fact
                and record.get("year_inferred")
            ):
                self.problem(where, f"{fact}: the year is inferred, so its basis cannot be stated")
            elif stated and not cited & set(fields):
                self.problem(
                    where,
                    f"{fact} is stated but no quote is cited for it: cite one with "
                    f"`field: {fields[0]}`, or give its basis (inferred or outside) and reasoning",
                )

    def role_list(self, where: str, items: Any, section: str | None, key: str) -> None:
        for item in items or []:
            if not isinstance(item, dict) or key not in item:
                self.problem(where, f"each entry needs {key!r}")
            elif section is None:
                self.country(where, item[key])
            else:
                self.ref(where, section, item[key], key)

    # -- one method per section ------------------------------------------------------------
    def check_sources(self, record: dict[str, Any]) -> None:
        where = self.where("sources", record)
        self.require(where, record, "file", "title")
        self.date(where, record, "published")

    def check_countries(self, record: dict[str, Any]) -> None:
        self.country(self.where("countries", record), record.get("code"), "code")

    def check_sectors(self, record: dict[str, Any]) -> None:
        self.require(self.where("sectors", record), record, "name")

    def check_persons(self, record: dict[str, Any]) -> None:
        where = self.where("persons", record)
        self.require(where, record, "name")
        self.country(where, record.get("country"))
        for office in record.get("offices") or []:
            self.require(where, office, "title")
            self.country(where, office.get("country"))
            self.date(where, office, "start")
            self.date(where, office, "end")
        self.cites(where, record)

    def check_organizations(self, record: dict[str, Any]) -> None:
        where = self.where("organizations", record)
        self.require(where, record, "name", "kind")
        self.country(where, record.get("country"))
        self.cites(where, record)

    def check_bodies(self, record: dict[str, Any]) -> None:
        where = self.where("bodies", record)
        self.require(where, record, "name")
        for code in record.get("members") or []:
            self.country(where, code, "member")
        self.cites(where, record)

    def check_meetings(self, record: dict[str, Any]) -> None:
        where = self.where("meetings", record)
        self.require(where, record, "title", "kind")
        self.ref(where, "bodies", record.get("body"), "body")
        self.ref(where, "meetings", record.get("parent"), "parent")
        if record.get("parent") == record.get("slug"):
            self.problem(where, "a meeting cannot be its own parent")
        self.date(where, record, "start")
        self.date(where, record, "end")
        self.country(where, record.get("host_country"), "host_country")
        self.role_list(where, record.get("countries"), None, "country")
        self.role_list(where, record.get("persons"), "persons", "person")
        for sector in record.get("sectors") or []:
            self.ref(where, "sectors", sector, "sector")
        if record.get("occurrence", "held") not in ("held", "planned"):
            self.problem(where, "occurrence must be held or planned")
        self.cites(where, record)
        self.bases(where, record, Meeting)

    def check_packages(self, record: dict[str, Any]) -> None:
        where = self.where("packages", record)
        self.require(where, record, "title")
        self.ref(where, "meetings", record.get("meeting"), "meeting")
        self.cites(where, record)
        self.bases(where, record, Package)

    def check_documents(self, record: dict[str, Any]) -> None:
        where = self.where("documents", record)
        self.require(where, record, "title", "kind")
        self.role_list(where, record.get("parties"), None, "country")
        self.role_list(where, record.get("signatories"), "persons", "person")
        self.ref(where, "meetings", record.get("meeting"), "meeting")
        self.ref(where, "packages", record.get("package"), "package")
        self.ref(where, "bodies", record.get("establishes_body"), "establishes_body")
        self.country(where, record.get("place_country"), "place_country")
        self.date(where, record, "date")
        for relation in record.get("relations") or []:
            self.require(where, relation, "kind", "document")
            self.ref(where, "documents", relation.get("document"), "related document")
        for event in record.get("status_history") or []:
            event_where = f"{where}/status {event.get('status')}"
            self.require(event_where, event, "status")
            self.date(event_where, event, "date")
            self.cites(event_where, event)
            self.bases(event_where, event, StatusEvent)
        self.cites(where, record)
        self.bases(where, record, Document)

    def check_projects(self, record: dict[str, Any]) -> None:
        where = self.where("projects", record)
        self.require(where, record, "name", "kind")
        for sector in record.get("sectors") or []:
            self.ref(where, "sectors", sector, "sector")
        self.role_list(where, record.get("countries"), None, "country")
        self.role_list(where, record.get("organizations"), "organizations", "organization")
        self.country(where, record.get("location_country"), "location_country")
        for slug in record.get("meetings") or []:
            self.ref(where, "meetings", slug, "meeting")
        for slug in record.get("documents") or []:
            self.ref(where, "documents", slug, "document")
        for figure in record.get("figures") or []:
            self.require(where, figure, "text")
        for milestone in record.get("milestones") or []:
            milestone_where = f"{where}/milestone {milestone.get('kind')}"
            self.require(milestone_where, milestone, "kind")
            self.date(milestone_where, milestone, "date")
            self.cites(milestone_where, milestone)
            self.bases(milestone_where, milestone, Milestone)
        self.cites(where, record)
        self.bases(where, record, Project)


def check_records(data: dict[str, list[dict[str, Any]]], texts: dict[str, str]) -> list[str]:
    """Every problem the file has that needs no database to see, one line each."""
    return _Checker(data, texts).run()
