""" "Did you mean": the names Pacta holds (persons, organizations, bodies, countries, cities)
that a misspelled or transliterated query word comes closest to.

The words of every visible name are a summary like the facets (records/cache.summary): read
once per data version and audience, kept in the summary store, and after a write recounted in
the background while the last set is used. Each search then compares its words in Python
(records/suggest.py). Reading the names in every search cost most of the search page: at
100,000 generated meetings, 150,000 names took 350 ms on SQLite, and the trigram query that
picked the nearest names on PostgreSQL 140 ms (docs/scaling.md, eighth session).
"""

from __future__ import annotations

from django.http import HttpRequest

from agreements.models import Project
from records import cache
from records.suggest import Suggestion, name_words, suggest
from summits.models import Body, Country, Meeting, Organization, Person

# Where names are: (model, fields). Aliases are lists of names, each read as one.
NAMES = (
    (Person, ("name", "aliases")),
    (Organization, ("name", "aliases")),
    (Body, ("name",)),
    (Country, ("name", "adjective")),
    (Meeting, ("city",)),
    (Project, ("location_city",)),
)


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
        # In the order they were added (the first spelling met wins, records/suggest.py):
        # the models' own orderings would sort 100,000 meetings by date for nothing.
        for row in visible(model, user).order_by("pk").values_list(*fields):
            names.extend(as_names(row))
    return names


def did_you_mean(query: str, request: HttpRequest) -> Suggestion | None:
    user = request.user
    known = cache.summary(request, "names", (), lambda: name_words(every_name(user)))
    return suggest(query, known)
