"""How each structured fact of a record is known: stated by the text, inferred, or outside.

One mechanism for every fact kind: a model lists the facts a text may or may not state in
`basis_facts` (fact name -> the citation `field` names that count as the text stating it),
and keeps, per fact, `{"basis": ..., "reasoning": ...}` in one JSON column, `basis`. A new
fact kind is one more entry in a model's `basis_facts`: no new column, table, inline,
serializer field, filter or template. (A table of FactBasis rows with a generic key was the
alternative; it costs a query per record on every surface and a join per filter, and the
exports build JSON from `.values()` rows, where one column is free.)

A fact with no entry is `stated`: that is what the record claimed before bases existed, and
it is what the guard rail then holds it to (a citation for that field). docs/editorial-policy.md
says what each value means.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q


class Basis(models.TextChoices):
    STATED = "stated", "Stated"
    INFERRED = "inferred", "Inferred"
    OUTSIDE = "outside", "Outside knowledge"


# What the public pages say next to a value; a stated fact needs no word.
BASIS_WORDS = {Basis.INFERRED: "inferred", Basis.OUTSIDE: "outside knowledge"}
NEEDS_REASONING = (Basis.INFERRED, Basis.OUTSIDE)
REVIEW_NOTE = "To review: recorded before bases existed, and no quote is cited for this fact."


def fact_entry(basis: str = Basis.STATED, reasoning: str = "") -> dict[str, str]:
    return {"basis": str(basis), "reasoning": reasoning}


def validate_bases(value: Any, facts: Iterable[str]) -> dict[str, list[str]]:
    """Problems of a `basis` value, per fact ("__all__" for its shape): unknown facts, values
    other than the three, and an inference or outside knowledge without its reasoning."""
    facts = list(facts)
    if not isinstance(value, dict):
        return {"__all__": ["The basis must be a mapping of fact names to bases."]}
    problems: dict[str, list[str]] = {}
    for fact, entry in value.items():
        if fact not in facts:
            problems.setdefault(fact, []).append(
                f"Unknown fact {fact!r}; the facts of this record are: {', '.join(facts)}."
            )
            continue
        if not isinstance(entry, dict) or entry.get("basis") not in Basis.values:
            problems.setdefault(fact, []).append(
                f"The basis of {fact} must be one of: {', '.join(Basis.values)}."
            )
            continue
        reasoning = entry.get("reasoning", "")
        if not isinstance(reasoning, str):
            problems.setdefault(fact, []).append(f"The reasoning for {fact} must be text.")
        elif entry["basis"] in NEEDS_REASONING and not reasoning.strip():
            what = "the reasoning" if entry["basis"] == Basis.INFERRED else "a note"
            problems.setdefault(fact, []).append(
                f"{Basis(entry['basis']).label} needs {what}: say how {fact} is known."
            )
    return problems


def normalized(value: Mapping | None, facts: Iterable[str]) -> dict[str, dict[str, str]]:
    """Every declared fact, in declared order, with its basis (absent: stated)."""
    value = value if isinstance(value, Mapping) else {}
    result = {}
    for fact in facts:
        entry = value.get(fact) or {}
        result[fact] = fact_entry(entry.get("basis", Basis.STATED), entry.get("reasoning", ""))
    return result


def compact(value: Mapping | None) -> dict[str, dict[str, str]]:
    """Only the entries that say more than "stated": what records.yaml and the seed keep."""
    return {
        fact: fact_entry(entry["basis"], entry.get("reasoning", ""))
        for fact, entry in sorted((value or {}).items())
        if entry.get("basis") != Basis.STATED or entry.get("reasoning")
    }


def unsupported_stated(
    model: type[models.Model],
    value: Mapping | None,
    has_value: Mapping[str, bool],
    cited_fields: Iterable[str],
) -> list[str]:
    """The facts that hold a value, are `stated`, and have no citation for their field."""
    cited = set(cited_fields)
    missing = []
    for fact, fields in model.basis_facts.items():
        if not has_value.get(fact):
            continue
        entry = (value or {}).get(fact) or {}
        if entry.get("basis", Basis.STATED) != Basis.STATED:
            continue
        if not cited & set(fields):
            missing.append(fact)
    return missing


def facts_with(facts: Iterable[str], values: Iterable[str], prefix: str = "") -> Q:
    """Rows (through `prefix`) with at least one of `facts` whose basis is in `values`."""
    values, query = [str(value) for value in values], Q()
    for fact in facts:
        query |= Q(**{f"{prefix}basis__{fact}__basis__in": values})
    return query


def facts_stated(facts: Iterable[str], prefix: str = "") -> Q:
    """Rows (through `prefix`) whose `facts` are all stated: no entry, or `stated`. (Not an
    exclude() of the others: a missing key reads as SQL NULL, and NOT (NULL IN …) is not
    true.)"""
    query = Q()
    for fact in facts:
        query &= Q(**{f"{prefix}basis__{fact}__isnull": True}) | Q(
            **{f"{prefix}basis__{fact}__basis": Basis.STATED.value}
        )
    return query


class BasisMixin(models.Model):
    """The per-fact basis of a record or of a dated step (see the module's docstring)."""

    # Fact name -> the citation fields that state it; the empty field ("" : a quote for the
    # whole row) counts only for a step's own kind, where the quote is the step.
    basis_facts: dict[str, tuple[str, ...]] = {}

    basis = models.JSONField(
        "basis of its facts",
        default=dict,
        db_default={},
        blank=True,
        help_text=(
            "Per fact: stated (a cited quote says it), inferred (reasoning required) or outside "
            "(outside knowledge, a note required). A fact not listed is stated."
        ),
    )

    class Meta:
        abstract = True

    def basis_of(self, fact: str) -> dict[str, str]:
        return normalized(self.basis, [fact])[fact]

    @property
    def bases(self) -> dict[str, dict[str, str]]:
        return normalized(self.basis, self.basis_facts)

    def fact_has_value(self, fact: str) -> bool:
        """Whether the fact holds something; a list is asked only for a saved row."""
        field = self._meta.get_field(fact)
        if field.many_to_many or field.one_to_many:
            if self.pk is None:
                return False
            return getattr(self, field.get_accessor_name() if field.one_to_many else fact).exists()
        # "unknown" (how a document was concluded: not stated) claims nothing either.
        return getattr(self, field.attname) not in (None, "", "unknown")

    def clean(self) -> None:
        super().clean()
        problems = validate_bases(self.basis, self.basis_facts)
        date_fact = getattr(self, "year_fact", None)
        year_inferred = date_fact and getattr(self, "year_inferred", False)
        if year_inferred and self.basis_of(date_fact)["basis"] == Basis.STATED:
            problems.setdefault("basis", []).append(
                f"The year of {date_fact} is inferred, so its basis cannot be stated."
            )
        if problems:
            # Not keyed by field: a form shows the bases as a pair of fields per fact, not
            # as `basis`, and reports these beside the fields (records/admin_basis.py).
            raise ValidationError(
                [message for messages in problems.values() for message in messages]
            )
        self.basis = {fact: self.basis[fact] for fact in self.basis_facts if fact in self.basis}


def default_bases(
    apps,
    app_label: str,
    facts_by_model: Mapping[str, Mapping[str, tuple]],
    year_facts: Mapping[str, str],
) -> None:
    """The migration that introduced bases: each fact holding a value becomes `stated` where a
    citation for its field exists, otherwise `inferred` with a note to review; a date whose
    year was inferred is `inferred` with that inference. No row is added or removed.

    Takes frozen fact lists, since historical models carry no `basis_facts`."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Citation = apps.get_model("records", "Citation")
    for model_name, facts in facts_by_model.items():
        model = apps.get_model(app_label, model_name)
        content_type = ContentType.objects.filter(
            app_label=app_label, model=model_name.lower()
        ).first()
        for row in model.objects.all().iterator():
            cited = set()
            if content_type is not None:
                cited = set(
                    Citation.objects.filter(
                        content_type=content_type, object_id=row.pk
                    ).values_list("field", flat=True)
                )
            bases = {}
            for fact, fields in facts.items():
                field = model._meta.get_field(fact)
                if field.many_to_many:
                    has_value = getattr(row, fact).exists()
                elif field.one_to_many:
                    has_value = getattr(row, field.get_accessor_name()).exists()
                else:
                    has_value = getattr(row, field.attname) not in (None, "", "unknown")
                if not has_value:
                    continue
                if fact == year_facts.get(model_name) and getattr(row, "year_inferred", False):
                    bases[fact] = fact_entry(Basis.INFERRED, row.inference or REVIEW_NOTE)
                elif cited & set(fields):
                    bases[fact] = fact_entry(Basis.STATED)
                else:
                    bases[fact] = fact_entry(Basis.INFERRED, REVIEW_NOTE)
            changes = {"basis": bases}
            if hasattr(row, "seeded"):
                # Written by a migration, not by an analyst: the next seed may replace it.
                changes["seeded"] = {**(row.seeded or {}), "basis": bases}
            model.objects.filter(pk=row.pk).update(**changes)


def derived_entry(entry: Mapping | None, *, origin: str) -> dict[str, str]:
    """The basis of a fact filled in from the same fact of another record (`origin`, e.g.
    "the visit “…”"): it carries that fact's basis, and is at most inferred, since the other
    record's quotes are not cited for this one. A stated origin gives an inference that
    names it; an inferred or outside origin passes on its basis and reasoning."""
    entry = entry or {}
    basis = entry.get("basis", Basis.STATED)
    reasoning = (entry.get("reasoning") or "").strip()
    if basis == Basis.STATED or not reasoning:
        return fact_entry(Basis.INFERRED, f"As for {origin}, where a cited quote states it.")
    return fact_entry(basis, f"As for {origin}: {reasoning}")
