"""Full-text search on both databases, behind `RecordQuerySet.search()`.

Each searchable table gets a word index of its `search_fields` columns, and citations one of
their quotes. SQLite keeps an FTS5 table per searchable table, filled by triggers (so bulk
inserts and raw writes stay indexed too); PostgreSQL keeps a GIN index on the same columns'
`to_tsvector('simple', ...)`, which the query below repeats verbatim so that the planner uses
it. The 'simple' configuration and FTS5's unicode61 tokenizer both split on anything that is
not a letter or a digit and fold case, and neither drops stop words or stems, so a query finds
the same records on both databases. A query word matches any word it begins ("pharma" finds
"pharmaceutical"). SQLite also folds diacritics; PostgreSQL's 'simple' does not.

The migrations that create the indexes (summits 0004, agreements 0002, seeds 0002; the last
indexes the tables records.Source and records.Citation use now) call
`create_index()` with their columns frozen; tests/config/test_search.py checks that the
indexes exist, are used and cover each model's `search_fields`.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connections, migrations
from django.db.models import Model, Q
from django.db.models.expressions import RawSQL

# Source and Citation kept the tables of the app they were first made in.
CITATION_TABLE = "seeds_citation"
SOURCE_TABLE = "seeds_source"
CITATION_COLUMNS = ("quote",)
# What a query is split into: the runs of letters and digits, as both tokenizers split texts.
WORD = re.compile(r"[^\W_]+")
# The budget of one search, whatever is typed (docs/scaling.md): each word is one lookup in a
# word index whose cost grows with the records it matches, and a short prefix matches nearly
# all of them ("a" begins a word of every meeting and expands to thousands of index terms on
# PostgreSQL: ten one-letter words took 40 s at 100,000 meetings). So a single letter or digit
# is not searched for at all, a word shorter than MIN_PREFIX matches whole words only ("un"
# finds "UN", not "under"), and only the first MAX_WORDS words count.
MIN_PREFIX = 3
MAX_WORDS = 4


@dataclass(frozen=True)
class Term:
    word: str
    prefix: bool


def query_terms(query: str) -> list[Term]:
    """What a query searches for: its words as they are folded, in order, within the budget."""
    words = [word for word in WORD.findall(query.casefold()) if len(word) > 1]
    return [Term(word, len(word) >= MIN_PREFIX) for word in dict.fromkeys(words)][:MAX_WORDS]


def query_words(query: str) -> list[str]:
    """The words a query searches for (query_terms), for marking them where they matched."""
    return [term.word for term in query_terms(query)]


# Years a query word may name: "2024" finds that year's records, whatever their texts say.
YEARS = range(1900, 2100)


def as_year(word: str) -> int | None:
    return int(word) if len(word) == 4 and word.isdigit() and int(word) in YEARS else None


def fts_table(table: str) -> str:
    return f"{table}_fts"


def gin_index(table: str) -> str:
    return f"{table}_search"


def vector_sql(columns: tuple[str, ...] | list[str]) -> str:
    """The tsvector PostgreSQL indexes and searches; one expression for both, or no index."""
    text = " || ' ' || ".join(f"""COALESCE("{column}"::text, '')""" for column in columns)
    return f"to_tsvector('simple'::regconfig, {text})"


def search_columns(model: type[Model]) -> list[str]:
    return [model._meta.get_field(name).column for name in model.search_fields]


def create_index(schema_editor, table: str, columns: tuple[str, ...]) -> None:
    """Build the word index of `columns` of `table` (in a migration), filling it from the rows
    already there. Safe to run again, e.g. after SQLite rebuilt the table and lost its triggers."""
    for sql in create_statements(schema_editor.connection.vendor, table, columns):
        schema_editor.execute(sql)


def drop_index(schema_editor, table: str) -> None:
    for sql in drop_statements(schema_editor.connection.vendor, table):
        schema_editor.execute(sql)


def index_tables(indexed: dict[str, tuple[str, ...]]) -> migrations.RunPython:
    """A migration operation that builds (and on reversal drops) the word indexes of the given
    tables, with their columns frozen in the migration that calls it."""

    def create(apps, schema_editor) -> None:
        for table, columns in indexed.items():
            create_index(schema_editor, table, columns)

    def drop(apps, schema_editor) -> None:
        for table in indexed:
            drop_index(schema_editor, table)

    return migrations.RunPython(create, drop, elidable=False)


def create_statements(vendor: str, table: str, columns: tuple[str, ...]) -> list[str]:
    if vendor == "postgresql":
        return [
            f'CREATE INDEX IF NOT EXISTS "{gin_index(table)}" ON "{table}" '
            f"USING gin (({vector_sql(columns)}))"
        ]
    if vendor != "sqlite":
        return []
    fts = fts_table(table)
    names = ", ".join(f'"{column}"' for column in columns)
    new = ", ".join(f'new."{column}"' for column in columns)
    old = ", ".join(f'old."{column}"' for column in columns)
    add = f'INSERT INTO "{fts}"(rowid, {names}) VALUES (new.id, {new});'
    remove = f"""INSERT INTO "{fts}"("{fts}", rowid, {names}) VALUES ('delete', old.id, {old});"""
    return [
        *drop_statements(vendor, table),
        # An external-content table: the words are indexed, the text stays in `table` only.
        f'CREATE VIRTUAL TABLE "{fts}" USING fts5({names}, content="{table}", '
        f"content_rowid=\"id\", tokenize='unicode61 remove_diacritics 2')",
        f"""INSERT INTO "{fts}"("{fts}") VALUES ('rebuild')""",
        f'CREATE TRIGGER "{fts}_insert" AFTER INSERT ON "{table}" BEGIN {add} END',
        f'CREATE TRIGGER "{fts}_delete" AFTER DELETE ON "{table}" BEGIN {remove} END',
        f'CREATE TRIGGER "{fts}_update" AFTER UPDATE OF {names} ON "{table}" '
        f"BEGIN {remove} {add} END",
    ]


def drop_statements(vendor: str, table: str) -> list[str]:
    if vendor == "postgresql":
        return [f'DROP INDEX IF EXISTS "{gin_index(table)}"']
    if vendor != "sqlite":
        return []
    fts = fts_table(table)
    return [
        *(f'DROP TRIGGER IF EXISTS "{fts}_{event}"' for event in ("insert", "delete", "update")),
        f'DROP TABLE IF EXISTS "{fts}"',
    ]


def indexed_tables() -> list[tuple[str, tuple[str, ...]]]:
    """Every searchable table with its indexed columns, the quotes included."""
    from django.apps import apps

    tables = [
        (model._meta.db_table, tuple(search_columns(model)))
        for model in apps.get_models()
        if isinstance(getattr(model, "search_fields", None), tuple)
    ]
    return [*tables, (CITATION_TABLE, CITATION_COLUMNS)]


@contextlib.contextmanager
def bulk_load(connection) -> Iterator[None]:
    """Around a bulk load on SQLite: no trigger per row, one rebuild of each word index after.
    A trigger per row made large loads several times slower (docs/scaling.md).
    Use inside the load's transaction, so a failed load keeps the indexes as they were."""
    if connection.vendor != "sqlite":
        yield
        return
    tables = indexed_tables()
    with connection.cursor() as cursor:
        for table, _ in tables:
            for sql in drop_statements("sqlite", table):
                cursor.execute(sql)
    yield
    with connection.cursor() as cursor:
        for table, columns in tables:
            for sql in create_statements("sqlite", table, columns):
                cursor.execute(sql)


def word_matches(model: type[Model], term: Term, *, using: str, viewer, drafts: bool) -> Q:
    """The records of `model` that one query word finds: by their own text or a cited quote,
    by the names of the records they involve (`search_related`: a meeting by a participant,
    its countries or its body; only records the viewer may see count), and, for a year, by
    their date (`search_date`). The names of people and bodies are few beside the texts, so
    they are matched without a word index."""
    word = term.word
    found = Q(pk__in=matching_ids(model, term, using=using, drafts=drafts))
    for path in getattr(model, "search_related", ()):
        related = model._meta.get_field(path).related_model
        # By their names only: a body's summary or a person's quotes are not the meeting's.
        named = related.objects.using(using).filter(names_matching(related, term))
        if hasattr(named, "visible_to"):
            named = named.visible_to(viewer)
        found |= Q(pk__in=model.objects.using(using).filter(**{f"{path}__in": named}).values("pk"))
    year = as_year(word)
    date_path = getattr(model, "search_date", "")
    if year is not None and date_path:
        dated = model.objects.using(using).filter(**{f"{date_path}__year": year})
        found |= (
            Q(pk__in=dated.values("pk"))
            if "__" in date_path
            else Q(**{f"{date_path}__year": year})
        )
    return found


def names_matching(model: type[Model], term: Term) -> Q:
    """Rows with a word of their names (`search_names`) matching the term as the word indexes
    match it: beginning with it, or for a short word, equal to it; in a list of names
    (aliases), anywhere in one."""
    word = term.word
    query = Q()
    for name in getattr(model, "search_names", ("name",)):
        if model._meta.get_field(name).get_internal_type() == "JSONField":
            query |= Q(**{f"{name}__icontains": word})
            continue
        for before in ("", " ", "-", "–", "("):
            if term.prefix:
                lookup = "istartswith" if not before else "icontains"
                query |= Q(**{f"{name}__{lookup}": f"{before}{word}"})
                continue
            for after in ("", " ", "-", "–", ")", ",", "."):
                whole = f"{before}{word}{after}"
                if not before and not after:
                    query |= Q(**{f"{name}__iexact": word})
                elif not before:
                    query |= Q(**{f"{name}__istartswith": whole})
                elif not after:
                    query |= Q(**{f"{name}__iendswith": whole})
                else:
                    query |= Q(**{f"{name}__icontains": whole})
    return query


def matching_ids(model: type[Model], term: Term, *, using: str, drafts: bool) -> RawSQL:
    """The ids of `model`'s rows with the term's word (or, for a prefix term, a word beginning
    with it) in their own text or in a quote cited for them, as a subquery for `pk__in`.
    Without `drafts`, only quotes from published sources count: a word found only in a draft
    source finds nothing."""
    word = term.word
    from django.contrib.contenttypes.models import ContentType

    vendor = connections[using].vendor
    table = model._meta.db_table
    content_type = ContentType.objects.db_manager(using).get_for_model(model).pk
    from_visible_source = (
        ""
        if drafts
        else f' AND "source_id" IN (SELECT "id" FROM "{SOURCE_TABLE}" WHERE "status" = %s)'
    )
    if vendor == "postgresql":
        own = vector_sql(search_columns(model))
        quoted = vector_sql(CITATION_COLUMNS)
        sql = (
            f'SELECT "id" FROM "{table}" WHERE {own} @@ to_tsquery(\'simple\', %s) '
            f'UNION SELECT "object_id" FROM "{CITATION_TABLE}" WHERE "content_type_id" = %s '
            f"AND {quoted} @@ to_tsquery('simple', %s){from_visible_source}"
        )
        term = f"{word}:*" if term.prefix else word
    elif vendor == "sqlite":
        own, quoted = fts_table(table), fts_table(CITATION_TABLE)
        sql = (
            f'SELECT rowid FROM "{own}" WHERE "{own}" MATCH %s '
            f'UNION SELECT "object_id" FROM "{CITATION_TABLE}" WHERE "content_type_id" = %s '
            f'AND "id" IN (SELECT rowid FROM "{quoted}" WHERE "{quoted}" MATCH %s)'
            f"{from_visible_source}"
        )
        term = f'"{word}"*' if term.prefix else f'"{word}"'
    else:
        raise NotImplementedError(f"Pacta searches on SQLite and PostgreSQL, not on {vendor}.")
    params = (term, content_type, term) if drafts else (term, content_type, term, "published")
    return RawSQL(sql, params)
