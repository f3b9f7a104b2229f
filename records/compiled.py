"""SQL compiled once and run again with other values, and the bounded caches that keep it.

Building and compiling a queryset costs about as much as the database takes to answer it,
and the pages and the API run the same few queries on every request with only an id or a
slug changed (docs/scaling.md). A query is compiled here once with stand-ins (made-up values
no record has, each told apart from every other parameter); running it again puts the real
values where the stand-ins were. The callers (records/prefetching.py for a record's page,
records/api/plan.py for the API's relations) turn the rows into what they need."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

# What a cache keeps for a query that could not be compiled: the ORM runs it every time.
NOT_COMPILED = object()


@dataclass(frozen=True)
class CompiledSQL:
    """A queryset's SQL and parameters, with the places (`slots`) of its stand-ins among the
    parameters, and the compiler that made it (its select list and converters turn rows into
    values and instances)."""

    compiler: Any
    sql: str
    params: tuple
    slots: tuple[int, ...]

    @classmethod
    def of(cls, queryset: QuerySet, stand_ins: Sequence) -> CompiledSQL | object:
        """`queryset` compiled, or NOT_COMPILED when it cannot be (an empty or unusual
        query) or when a stand-in is not found exactly once among its parameters."""
        compiler = queryset.query.chain().get_compiler(queryset.db)
        try:
            sql, params = compiler.as_sql()
        except Exception:  # an empty or unusual query: the ORM knows what to do with it
            return NOT_COMPILED
        if not sql:
            return NOT_COMPILED
        # Where each parameter equal to a stand-in is: one pass, however many stand-ins (a
        # relation read for 500 records has 500).
        wanted = set(stand_ins)
        places: dict = {}
        for index, value in enumerate(params):
            try:
                if value in wanted:
                    places.setdefault(value, []).append(index)
            except TypeError:  # an unhashable parameter (a list) is no stand-in
                continue
        slots = [places.get(stand_in, ()) for stand_in in stand_ins]
        if len(wanted) != len(stand_ins) or any(len(found) != 1 for found in slots):
            return NOT_COMPILED
        return cls(compiler, sql, tuple(params), tuple(found[0] for found in slots))

    def params_with(self, values: Sequence) -> list:
        """The parameters with `values` where the stand-ins were, in the stand-ins' order."""
        params = list(self.params)
        for slot, value in zip(self.slots, values, strict=True):
            params[slot] = value
        return params


class PlanCache:
    """Plans, compiled queries and base querysets shared by a process's requests and threads,
    at most `size` of them (the oldest dropped first). Each is read-only once made, so sharing
    one needs no lock; the lock only keeps the bound."""

    def __init__(self, size: int):
        self.size = size
        self.plans: dict[tuple, Any] = {}
        self.lock = threading.Lock()

    def get(self, key: tuple) -> Any:
        return self.plans.get(key)

    def put(self, key: tuple, plan: Any) -> None:
        with self.lock:
            while len(self.plans) >= self.size:
                self.plans.pop(next(iter(self.plans)))
            self.plans[key] = plan

    def clear(self) -> None:
        with self.lock:
            self.plans.clear()
