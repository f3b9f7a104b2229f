""" "Did you mean": the names Pacta holds (persons, organizations, bodies, countries, cities)
that a misspelled or transliterated query word comes closest to.

On SQLite every visible name is read once per data version (cached) and compared in Python
(records/suggest.py). On PostgreSQL the database first picks, by trigram similarity (pg_trgm,
records migration 0005), the few names near each word of the query, so no query reads every
name as the data grows; the same comparison then chooses among them.
"""

from __future__ import annotations

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db import connection
from django.db.models import TextField
from django.db.models.functions import Cast, Greatest

from agreements.models import Project
from records import cache
from records.suggest import WORD, Suggestion, fold, name_words, suggest
from records.visibility import audience
from summits.models import Body, Country, Meeting, Organization, Person

# Where names are: (model, fields). Aliases are lists, compared as their JSON text.
NAMES = (
    (Person, ("name", "aliases")),
    (Organization, ("name", "aliases")),
    (Body, ("name",)),
    (Country, ("name", "adjective")),
    (Meeting, ("city",)),
    (Project, ("location_city",)),
)
# Trigram word similarity (0-1) a name needs to be considered on PostgreSQL; low, since the
# final choice is RapidFuzz's.
NEAR = 0.3
NEAR_NAMES = 10


def visible(model, user):
    rows = model.objects.all()
    return rows.visible_to(user) if hasattr(rows, "visible_to") else rows


def as_names(values) -> list[str]:
    names = []
    for value in values:
        if isinstance(value, list):
            names.extend(str(item) for item in value)
        elif value:
            names.append(str(value))
    return names


def every_name(user) -> list[str]:
    names: list[str] = []
    for model, fields in NAMES:
        for row in visible(model, user).values_list(*fields):
            names.extend(as_names(row))
    return names


def near_names(words: list[str], user) -> list[str]:
    """The names nearest one of `words` (folded) by trigram word similarity: one query, a
    UNION of the few nearest of each name field."""
    parts = []
    for model, fields in NAMES:
        for field in fields:
            text = Cast(field, TextField())
            similarities = [TrigramWordSimilarity(word, text) for word in words]
            near = similarities[0] if len(similarities) == 1 else Greatest(*similarities)
            parts.append(
                visible(model, user)
                .annotate(name_text=text, near=near)
                .filter(near__gte=NEAR)
                .order_by("-near")
                .values_list("name_text", flat=True)[:NEAR_NAMES]
            )
    return [name for name in parts[0].union(*parts[1:], all=True) if name]


def did_you_mean(query: str, user) -> Suggestion | None:
    if connection.vendor == "postgresql":
        words = [fold(word) for word in WORD.findall(query) if not word.isdigit()]
        known = name_words(near_names(words, user)) if words else {}
    else:
        key = cache.versioned_key("names", audience(user))
        known = cache.remembered(key, lambda: name_words(every_name(user)))
    return suggest(query, known)
