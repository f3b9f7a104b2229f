"""Orders that make pages stable: the requested order made total and portable."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db.models import F, QuerySet


def ties_by_pk(qs: QuerySet) -> QuerySet:
    """A prefetch's order (or its model's), then the primary key. Without it, records that
    tie (two documents of a meeting with one date and title) come in whatever order the plan
    gives, which on PostgreSQL may differ between the API's prefetch and the export's narrower
    query of the same rows."""
    return qs.order_by(*(qs.query.order_by or qs.model._meta.ordering), "pk")


def stable_order(qs: QuerySet) -> QuerySet:
    """The requested (or the model's) order, made total and portable: undated records last on
    every database (PostgreSQL would put them first when descending, SQLite last), then the
    primary key, so that pages never overlap or skip a record when two rows tie."""
    terms = []
    for term in list(qs.query.order_by) or list(qs.model._meta.ordering):
        if not isinstance(term, str) or term.lstrip("-") in {"pk", "id"}:
            terms.append(term)
            continue
        name = term.lstrip("-")
        if not nullable(qs.model, name):
            terms.append(term)
        elif term.startswith("-"):
            terms.append(F(name).desc(nulls_last=True))
        else:
            terms.append(F(name).asc(nulls_last=True))
    return qs.order_by(*terms, "pk")


def nullable(model, path: str) -> bool:
    if "__" in path:
        return True
    try:
        return model._meta.get_field(path).null
    except FieldDoesNotExist:
        return True
