"""Write paths of the import assistant: import an article, decide its proposals, publish.

Keyword-only services that know nothing of forms or requests. Every record they make is a
draft with its citations, saved after full_clean() inside one transaction; nothing is
published but by `review_publish`, which an analyst triggers.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from agreements.models import (
    Document,
    DocumentParty,
    Milestone,
    Package,
    Project,
    ProjectCountry,
    ProjectFigure,
    ProjectOrganization,
    StatusEvent,
)
from records.models import DatePrecision, EditorialStatus, Record, Source
from records.publishing import records_publish_together
from records.services import citation_create
from records.slugs import unique_slug
from seeds.importer.extract import extract
from seeds.importer.gazetteer import Gazetteer, from_database
from seeds.models import ImportReview, Proposal
from summits.models import (
    Body,
    Country,
    Meeting,
    MeetingCountry,
    MeetingPerson,
    Organization,
    Person,
)

# The record model each kind of proposal becomes (a status event becomes a row of a document).
MODELS: dict[str, type[models.Model]] = {
    Proposal.Kind.MEETING: Meeting,
    Proposal.Kind.DOCUMENT: Document,
    Proposal.Kind.PACKAGE: Package,
    Proposal.Kind.PROJECT: Project,
    Proposal.Kind.STATUS_EVENT: Document,
}
# Proposals.<list> → Proposal.Kind, in the order the review page shows them.
LISTS = (
    ("meetings", Proposal.Kind.MEETING),
    ("documents", Proposal.Kind.DOCUMENT),
    ("packages", Proposal.Kind.PACKAGE),
    ("projects", Proposal.Kind.PROJECT),
    ("status_events", Proposal.Kind.STATUS_EVENT),
)


# --- Import ---------------------------------------------------------------------------------


@transaction.atomic
def review_create(
    *,
    text: str,
    title: str,
    publisher: str,
    published_on: dt.date,
    url: str = "",
    dateline: str = "",
    author: str = "",
    filename: str = "",
    user: Any = None,
    gazetteer: Gazetteer | None = None,
) -> ImportReview:
    """Store the article as a draft source and its proposals for review.

    Raises ValidationError when the source is refused (the same text already stored, a bad
    URL…); nothing is stored then.
    """
    text = text.replace("\r\n", "\n").strip("\n")
    source = Source(
        slug=unique_slug(Source, f"{publisher} {published_on.isoformat()} {title}"),
        title=title.strip()[:500],
        publisher=publisher.strip(),
        author=author.strip(),
        dateline=dateline.strip(),
        published_on=published_on,
        url=url.strip(),
        filename=filename[:200],
        text=text,
        status=EditorialStatus.DRAFT,
    )
    source.full_clean()
    source._history_user = user
    source.save()
    proposals = extract(
        text,
        published=published_on,
        dateline=dateline or None,
        gazetteer=gazetteer if gazetteer is not None else from_database(),
    )
    plain = proposals.as_dict()
    review = ImportReview(source=source, reference=plain.get("reference", {}), created_by=user)
    review.full_clean()
    review.save()
    position = 0
    for name, kind in LISTS:
        for index, payload in enumerate(plain.get(name, [])):
            key = payload.get("key") or f"{kind}-{index + 1}"
            row = Proposal(review=review, kind=kind, key=key, position=position, payload=payload)
            row.full_clean()
            row.save()
            position += 1
    return review


# --- From a proposal to model fields ---------------------------------------------------------


def _country(code: str) -> Country | None:
    return Country.objects.filter(code=code).first() if code else None


def _date_fields(value: dict | None, *, start: str, precision: str, end: str = "") -> dict:
    """A proposed date as the model's fields, with how its year is known."""
    if not value or not value.get("start"):
        return {}
    given = value.get("precision") or DatePrecision.DAY
    given = given if given in DatePrecision.values else DatePrecision.MONTH
    fields: dict[str, Any] = {
        start: dt.date.fromisoformat(value["start"]),
        precision: given,
        "date_text": (value.get("text") or "")[:200],
        "year_inferred": value.get("basis") == "inferred",
        "inference": value.get("reasoning") or "" if value.get("basis") == "inferred" else "",
    }
    if fields["year_inferred"] and not fields["inference"]:
        fields["inference"] = "Inferred by the import assistant."
    if fields["year_inferred"]:
        # The date's basis says so too (records/basis.py): a date whose year is inferred is
        # never `stated`, and the reasoning is the proposal's.
        fields["basis"] = {start: {"basis": "inferred", "reasoning": fields["inference"]}}
    if end:
        last = value.get("end")
        fields[end] = dt.date.fromisoformat(last) if last and last != value["start"] else None
        fields[f"{end.removesuffix('_date')}_precision"] = given
    return fields


def facts(kind: str, values: dict, *, resolve) -> dict[str, dict[str, Any]]:
    """The record's scalar facts, each a group of model fields (a date is one fact).

    `resolve(key)` gives the record another proposal of the review became, or None.
    """
    if kind == Proposal.Kind.MEETING:
        body = Body.objects.filter(slug=values.get("body")).first() if values.get("body") else None
        result = {
            "title": {"title": (values.get("title") or "Meeting")[:300]},
            "kind": {"kind": values.get("kind") or Meeting.Kind.TALKS},
            "date": _date_fields(
                values.get("date"), start="start_date", precision="start_precision", end="end_date"
            ),
            "city": {"city": values.get("city") or ""},
            "host_country": {"host_country": _country(values.get("host_country", ""))},
            "formats": {"formats": [f for f in values.get("formats", []) if f]},
            "parent": {"parent": resolve(values.get("parent"))},
        }
        if body is not None:
            result["body"] = {"body": body, "session_number": values.get("session_number")}
        return result
    if kind == Proposal.Kind.DOCUMENT:
        conclusion = values.get("conclusion") or Document.Conclusion.UNKNOWN
        return {
            "title": {"title": (values.get("title") or "Document")[:500]},
            "kind": {"kind": values.get("kind") or Document.Kind.OTHER},
            "level": {"level": values.get("level") or Document.Level.UNKNOWN},
            "conclusion": {"conclusion": conclusion},
            "date": _date_fields(values.get("date"), start="date", precision="date_precision"),
            "meeting": {"meeting": resolve(values.get("meeting"))},
            "package": {"package": resolve(values.get("package"))},
        }
    if kind == Proposal.Kind.PACKAGE:
        return {
            "title": {"title": (values.get("title") or "Package")[:300]},
            "announced": {
                "announced_count": values.get("count"),
                "announced_text": (values.get("announced_text") or "")[:300],
            },
            "meeting": {"meeting": resolve(values.get("meeting"))},
        }
    if kind == Proposal.Kind.PROJECT:
        return {
            "name": {"name": (values.get("name") or "Project")[:300]},
            "kind": {"kind": values.get("kind") or Project.Kind.OTHER},
            "city": {"location_city": values.get("city") or ""},
            "location_country": {"location_country": _country(values.get("location_country", ""))},
        }
    return {}


# Facts that are lists of rows added beside the record, never replacing what it holds.
ROW_FACTS = {
    Proposal.Kind.MEETING: ("countries", "persons"),
    Proposal.Kind.DOCUMENT: ("parties", "status"),
    Proposal.Kind.PACKAGE: (),
    Proposal.Kind.PROJECT: ("countries", "organizations", "figures", "milestones", "meetings"),
}


DATE_NOTES = ("date_text", "year_inferred", "inference")


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


@dataclass(frozen=True)
class Difference:
    fact: str
    current: str
    proposed: str


def _show(value: Any) -> str:
    if _empty(value):
        return "—"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def differences(proposal: Proposal, target: models.Model) -> list[Difference]:
    """What merging `proposal` into `target` could change: facts the proposal states that the
    target lacks or holds otherwise, and rows it would add."""
    result = []
    for fact, fields in facts(proposal.kind, proposal.values, resolve=_resolver(proposal)).items():
        # How a year was inferred goes with the date; the date itself is what differs.
        proposed = {
            name: value
            for name, value in fields.items()
            if not _empty(value) and name not in DATE_NOTES and not isinstance(value, bool)
        }
        if not proposed:
            continue
        current = {name: getattr(target, name, None) for name in proposed}
        if current != proposed:
            result.append(
                Difference(
                    fact,
                    " ".join(_show(v) for v in current.values()),
                    " ".join(_show(v) for v in proposed.values()),
                )
            )
    for fact in ROW_FACTS.get(proposal.kind, ()):
        missing = _missing_rows(proposal, target, fact)
        if missing:
            result.append(Difference(fact, "", ", ".join(missing)))
    return result


def _missing_rows(proposal: Proposal, target: models.Model, fact: str) -> list[str]:
    values = proposal.values
    if fact in ("countries", "parties"):
        held = set()
        if isinstance(target, Meeting):
            held = set(target.participations.values_list("country__code", flat=True))
        elif isinstance(target, Document):
            held = set(target.party_roles.values_list("country__code", flat=True))
        elif isinstance(target, Project):
            held = set(target.country_roles.values_list("country__code", flat=True))
        rows = values.get("countries") if fact == "countries" else values.get("parties")
        return [r["code"] for r in rows or [] if r.get("code") and r["code"] not in held]
    if fact == "persons" and isinstance(target, Meeting):
        held = set(target.attendances.values_list("person__slug", flat=True))
        return [p["slug"] for p in values.get("persons") or [] if p["slug"] not in held]
    if fact == "status" and isinstance(target, Document):
        status = values.get("status")
        held = set(target.status_events.values_list("status", flat=True))
        return [status] if status and status not in held else []
    if fact == "organizations" and isinstance(target, Project):
        held = set(target.organizations.values_list("slug", flat=True))
        return [slug for slug in values.get("organizations") or [] if slug not in held]
    if fact == "figures" and isinstance(target, Project):
        held = set(target.figures.values_list("text", flat=True))
        return [f["text"] for f in values.get("figures") or [] if f["text"] not in held]
    if fact == "milestones" and isinstance(target, Project):
        held = set(target.milestones.values_list("kind", flat=True))
        return [m["kind"] for m in values.get("milestones") or [] if m["kind"] not in held]
    if fact == "meetings" and isinstance(target, Project):
        resolve = _resolver(proposal)
        held = set(target.meetings.values_list("pk", flat=True))
        return [
            str(meeting)
            for meeting in (resolve(key) for key in values.get("meetings") or [])
            if meeting is not None and meeting.pk not in held
        ]
    return []


def _resolver(proposal: Proposal):
    """key → the record an already decided proposal of the same review became."""
    decided = {
        row.key: row
        for row in proposal.review.proposals.exclude(object_id=None).select_related("content_type")
    }

    def resolve(key: str | None) -> models.Model | None:
        row = decided.get(key or "")
        return row.record if row is not None else None

    return resolve


# --- Decisions ------------------------------------------------------------------------------


class DecisionRefused(Exception):
    """A decision that cannot be taken (already decided, no such record): a 4xx, not a 500."""


def _occurrence(text: str, quote: str, start: int) -> int:
    count, position = 0, text.find(quote)
    while 0 <= position <= start:
        count += 1
        if position == start:
            return count
        position = text.find(quote, position + 1)
    return 1


def _cite(record: models.Model, source: Source, quotes: Iterable[dict], only: set | None) -> int:
    """Cite every quote (once per passage and field); `only` limits the fields cited."""
    seen, made = set(), 0
    existing = set(
        record.citations.filter(source=source).values_list("start", "end", "field")
        if hasattr(record, "citations")
        else []
    )
    for quote in quotes:
        if not quote or not quote.get("text"):
            continue
        field = (quote.get("field") or "")[:100]
        if only is not None and field and field not in only:
            continue
        start = quote.get("start", 0)
        key = (start, quote.get("end"), field)
        if key in seen or key in existing:
            continue
        seen.add(key)
        citation_create(
            record=record,
            source=source,
            quote=quote["text"],
            field=field,
            occurrence=_occurrence(source.text, quote["text"], start),
        )
        made += 1
    return made


def _save(record: models.Model, user: Any) -> models.Model:
    record.full_clean()
    record._history_user = user
    record.save()
    return record


def _add_countries(through, owner: str, record, rows) -> None:
    """The proposed countries with their roles (a meeting's, a document's parties, a
    project's), beside those the record has; an unknown role takes the model's default."""
    default = through._meta.get_field("role").default
    for row in rows or []:
        country = _country(row.get("code", ""))
        role = row.get("role")
        linked = {owner: record, "country": country}
        if country and not through.objects.filter(**linked).exists():
            through.objects.create(**linked, role=role if role in through.Role.values else default)


def _add_rows(
    proposal: Proposal, record: models.Model, only: set | None, user: Any
) -> list[models.Model]:
    """The rows beside the record (countries, persons, status, milestones…); returns records
    made along with it (a new body)."""
    values, kind, source = proposal.values, proposal.kind, proposal.review.source
    wanted = lambda fact: only is None or fact in only  # noqa: E731
    resolve = _resolver(proposal)
    if kind == Proposal.Kind.MEETING:
        if wanted("countries"):
            _add_countries(MeetingCountry, "meeting", record, values.get("countries"))
        # The host is entered in the admin as the country with role Host, and read from it.
        record.host_as_participant()
        if wanted("persons"):
            for row in values.get("persons") or []:
                person = Person.objects.filter(slug=row.get("slug")).first()
                role = row.get("role")
                if person and not record.attendances.filter(person=person).exists():
                    MeetingPerson.objects.create(
                        meeting=record,
                        person=person,
                        role=role if role in MeetingPerson.Role.values else "principal",
                    )
    elif kind == Proposal.Kind.DOCUMENT:
        if wanted("parties"):
            _add_countries(DocumentParty, "document", record, values.get("parties"))
        status = values.get("status")
        if (
            wanted("status")
            and status in StatusEvent.Status.values
            and not record.status_events.filter(status=status).exists()
        ):
            event = StatusEvent(
                document=record,
                status=status,
                **_date_fields(values.get("date"), start="date", precision="date_precision"),
            )
            _save(event, user)
            _cite(event, source, _quotes_for(values, "status"), None)
    elif kind == Proposal.Kind.PROJECT:
        if wanted("countries"):
            _add_countries(ProjectCountry, "project", record, values.get("countries"))
        if wanted("organizations"):
            for slug in values.get("organizations") or []:
                organization = Organization.objects.filter(slug=slug).first()
                if organization and not record.organizations.filter(pk=organization.pk).exists():
                    ProjectOrganization.objects.create(project=record, organization=organization)
        if wanted("figures"):
            for row in values.get("figures") or []:
                if record.figures.filter(text=row["text"][:500]).exists():
                    continue
                try:
                    value = Decimal(str(row["value"])) if row.get("value") is not None else None
                except InvalidOperation:
                    value = None
                figure = ProjectFigure(
                    project=record,
                    text=row["text"][:500],
                    value=value,
                    unit=(row.get("unit") or "")[:100],
                    qualifier=(row.get("qualifier") or "")[:50],
                )
                _save(figure, user)
        if wanted("milestones"):
            for row in values.get("milestones") or []:
                if row.get("kind") not in Milestone.Kind.values:
                    continue
                if record.milestones.filter(kind=row["kind"]).exists():
                    continue
                milestone = Milestone(
                    project=record,
                    kind=row["kind"],
                    **_date_fields(row.get("date"), start="date", precision="date_precision"),
                )
                _save(milestone, user)
                _cite(milestone, source, [row.get("quote")], None)
        if wanted("meetings"):
            for key in values.get("meetings") or []:
                meeting = resolve(key)
                if meeting is not None:
                    record.meetings.add(meeting)
    return []


def _quotes_for(values: dict, fact: str) -> list[dict]:
    basis = (values.get("basis") or {}).get(fact) or {}
    quote = basis.get("quote")
    if quote:
        return [quote]
    return [q for q in values.get("quotes") or [] if q.get("field") in ("", fact)][:1]


def _decide(proposal: Proposal, decision: str, record: models.Model | None, user: Any) -> None:
    proposal.decision = decision
    if record is not None:
        proposal.content_type = ContentType.objects.get_for_model(record)
        proposal.object_id = record.pk
    proposal.decided_by = user if getattr(user, "pk", None) else None
    proposal.decided_at = timezone.now()
    proposal.full_clean()
    proposal.save()


def _lock(proposal: Proposal) -> Proposal:
    locked = (
        Proposal.objects.select_for_update().select_related("review__source").get(pk=proposal.pk)
    )
    if not locked.is_pending:
        raise DecisionRefused(
            f"“{locked.title}” was already decided ({locked.get_decision_display().lower()})."
        )
    return locked


def _link_decided(review: ImportReview) -> None:
    """Fill the links between this review's records that waited for a later decision (a
    session accepted before its visit gets the visit as parent when the visit is accepted)."""
    rows = list(review.proposals.exclude(object_id=None).select_related("content_type"))
    records = {row.key: row.record for row in rows}
    for row in rows:
        if row.decision == Proposal.Decision.MERGED:
            continue  # a merge changes only the facts the analyst ticked
        record, values = row.record, row.values
        links = {
            Proposal.Kind.MEETING: {"parent": values.get("parent")},
            Proposal.Kind.DOCUMENT: {
                "meeting": values.get("meeting"),
                "package": values.get("package"),
            },
            Proposal.Kind.PACKAGE: {"meeting": values.get("meeting")},
        }.get(row.kind, {})
        for name, key in links.items():
            target = records.get(key or "")
            if target is None or getattr(record, f"{name}_id") is not None:
                continue
            if not isinstance(target, record._meta.get_field(name).related_model):
                continue
            type(record)._default_manager.filter(pk=record.pk).update(**{name: target})
        if row.kind == Proposal.Kind.PROJECT:
            for key in values.get("meetings") or []:
                if isinstance(records.get(key), Meeting):
                    record.meetings.add(records[key])


@transaction.atomic
def proposal_accept(*, proposal: Proposal, user: Any, edits: dict | None = None) -> models.Model:
    """Make a draft record of the proposal (with `edits` applied, when the analyst changed it),
    its rows and its citations."""
    proposal = _lock(proposal)
    if edits:
        proposal.edits = {**proposal.edits, **edits}
    source = proposal.review.source
    values = proposal.values
    if proposal.kind == Proposal.Kind.STATUS_EVENT:
        document = _status_document(proposal)
        event = StatusEvent(
            document=document,
            status=values.get("status"),
            **_date_fields(values.get("date"), start="date", precision="date_precision"),
        )
        _save(event, user)
        _cite(event, source, [values.get("quote")], None)
        decision = Proposal.Decision.EDITED if edits else Proposal.Decision.ACCEPTED
        _decide(proposal, decision, document, user)
        return document
    model = MODELS[proposal.kind]
    fields: dict[str, Any] = {}
    for group in facts(proposal.kind, values, resolve=_resolver(proposal)).values():
        fields.update(group)
    extra: list[Record] = []
    if proposal.kind == Proposal.Kind.MEETING and values.get("body_name") and "body" not in fields:
        body = _save(
            Body(slug=unique_slug(Body, values["body_name"]), name=values["body_name"][:300]),
            user,
        )
        body.members.set(
            Country.objects.filter(code__in=[c["code"] for c in values.get("countries") or []])
        )
        fields.update(body=body, session_number=values.get("session_number"))
        extra.append(body)
    title = fields.get("title") or fields.get("name")
    record = model(slug=unique_slug(model, title), status=EditorialStatus.DRAFT, **fields)
    _save(record, user)
    _add_rows(proposal, record, None, user)
    _cite(record, source, values.get("quotes") or [], None)
    if extra:
        proposal.edits = {
            **proposal.edits,
            "_also_created": [[e._meta.label_lower, e.pk] for e in extra],
        }
    decision = Proposal.Decision.EDITED if edits else Proposal.Decision.ACCEPTED
    _decide(proposal, decision, record, user)
    _link_decided(proposal.review)
    return record


def _status_document(proposal: Proposal) -> Document:
    values = proposal.values
    if values.get("document"):
        document = Document.objects.filter(slug=values["document"]).first()
    else:
        document = _resolver(proposal)(values.get("document_key"))
    if not isinstance(document, Document):
        raise DecisionRefused(
            "Decide the document this status belongs to first: it is not in the database yet."
        )
    return document


@transaction.atomic
def proposal_merge(
    *, proposal: Proposal, target: models.Model, ticked: Iterable[str], user: Any
) -> models.Model:
    """Add the proposal's citations to an existing record, and only the facts ticked."""
    proposal = _lock(proposal)
    model = MODELS[proposal.kind]
    if proposal.kind == Proposal.Kind.STATUS_EVENT or not isinstance(target, model):
        kind = proposal.get_kind_display().lower()
        raise DecisionRefused(f"A {kind} merges into a {model._meta.verbose_name}.")
    target = model._default_manager.select_for_update().get(pk=target.pk)
    ticked = set(ticked)
    scalar = facts(proposal.kind, proposal.values, resolve=_resolver(proposal))
    changed: set[str] = set()
    for fact in ticked & set(scalar):
        for name, value in scalar[fact].items():
            if name == "basis":
                # The ticked fact's basis joins the record's bases of its other facts.
                value = {**(target.basis or {}), **value}
            if not _empty(value) and getattr(target, name) != value:
                setattr(target, name, value)
                changed.add(name)
    if changed:
        target.mark_analyst_edited(changed)
        _save(target, user)
    _add_rows(proposal, target, ticked & set(ROW_FACTS.get(proposal.kind, ())), user)
    # Quotes for facts left unticked would cite what the record does not say.
    all_facts = set(scalar) | set(ROW_FACTS.get(proposal.kind, ()))
    _cite(
        target,
        proposal.review.source,
        proposal.values.get("quotes") or [],
        ticked | ({q.get("field") for q in proposal.values.get("quotes") or []} - all_facts),
    )
    _decide(proposal, Proposal.Decision.MERGED, target, user)
    return target


@transaction.atomic
def proposal_reject(*, proposal: Proposal, user: Any) -> Proposal:
    proposal = _lock(proposal)
    _decide(proposal, Proposal.Decision.REJECTED, None, user)
    return proposal


@transaction.atomic
def proposal_reopen(*, proposal: Proposal, user: Any) -> Proposal:
    """Undo a rejection (records made by an accept stay; they are edited in their admin)."""
    locked = Proposal.objects.select_for_update().select_related("review").get(pk=proposal.pk)
    if locked.decision != Proposal.Decision.REJECTED:
        raise DecisionRefused("Only a rejected proposal can be reopened.")
    if locked.review.published_at is not None:
        raise DecisionRefused("The article's records are published; the review is closed.")
    locked.decision, locked.decided_by, locked.decided_at = Proposal.Decision.PENDING, None, None
    locked.full_clean()
    locked.save()
    return locked


def review_records(review: ImportReview) -> dict[type[models.Model], list[int]]:
    """The records the review made or merged into, by model, source included."""
    grouped: dict[type[models.Model], list[int]] = {Source: [review.source_id]}
    for row in review.proposals.exclude(object_id=None).select_related("content_type"):
        model = row.content_type.model_class()
        grouped.setdefault(model, []).append(row.object_id)
        for label, pk in row.edits.get("_also_created", []):
            grouped.setdefault(apps.get_model(label), []).append(pk)
    return grouped


@transaction.atomic
def review_publish(*, review: ImportReview, user: Any) -> int:
    """Publish the article's records together, source included, with the drafts they show;
    returns how many changed."""
    review = ImportReview.objects.select_for_update().get(pk=review.pk)
    if review.proposals.filter(decision=Proposal.Decision.PENDING).exists():
        raise DecisionRefused("Decide every proposal before publishing the article's records.")
    records = [
        record
        for model, pks in review_records(review).items()
        for record in model._default_manager.filter(pk__in=pks)
    ]
    # With the drafts they show (a person or body made beside them, or already a draft),
    # as "publish with what it shows" in the admin does.
    changed = records_publish_together(records=records, user=user).changed
    review.published_at = timezone.now()
    review.published_by = user if getattr(user, "pk", None) else None
    review.save(update_fields=["published_at", "published_by"])
    return changed


def accept_pending(*, review: ImportReview, user: Any) -> int:
    """Accept every proposal still pending, each in its own transaction, in review order; a
    proposal that cannot be accepted stays pending. Returns how many were accepted."""
    accepted = 0
    for proposal in review.proposals.filter(decision=Proposal.Decision.PENDING):
        try:
            proposal_accept(proposal=proposal, user=user)
        except (DecisionRefused, ValidationError):
            continue
        accepted += 1
    return accepted
