"""Full-text search (records/search.py): the indexes exist on either database, cover each
model's `search_fields`, are kept current by every kind of write and are what the query uses."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import connection

from agreements.models import Document, Package, Project
from records import search
from records.models import Citation, Source
from records.services import citation_create
from summits.models import Body, Meeting, Organization, Person
from tests.api.conftest import get_json, slugs
from tests.api.test_queries import queries, warm_content_types

SEARCHABLE = [Person, Organization, Body, Meeting, Package, Document, Project, Source]
COUNCIL_2 = "az-kz-supreme-interstate-council-2"
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's FTS5 tables")
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's GIN")


def found(model, query: str) -> set[str]:
    return set(model.objects.search(query, None).values_list("slug", flat=True))


def new_meeting(slug: str, **fields) -> Meeting:
    return Meeting.objects.create(
        slug=slug, title=slug, kind="talks", start_date=dt.date(2031, 1, 1), **fields
    )


def longest_word(source: Source) -> str:
    return max(search.WORD.findall(source.text), key=len)


# What a query means ---------------------------------------------------------------------


STATE_VISIT_2025 = "aliyev-state-visit-kazakhstan-2025"
COUNCIL_1 = "az-kz-supreme-interstate-council-1"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # The 2025 state visit's quotes tell of the council's second meeting.
        ("Supreme Interstate second", {COUNCIL_2, STATE_VISIT_2025}),
        ("SUPREME interstate SECOND", {COUNCIL_2, STATE_VISIT_2025}),  # case folds
        (  # word prefixes
            "supr inter",
            {COUNCIL_1, COUNCIL_2, STATE_VISIT_2025, "tokayev-visit-azerbaijan-2024"},
        ),
        ("Palace of Independence", {"aliyev-official-visit-belarus-2018"}),  # words in a quote
        # punctuation separates words
        ("Supreme-Interstate, second!", {COUNCIL_2, STATE_VISIT_2025}),
        ("preme", set()),  # the middle of a word is not a word
        ("zzzznothingmatches", set()),
        ("!!! ??", set()),  # no word at all finds nothing
    ],
)
def test_query_semantics(seeded, query, expected):
    assert found(Meeting, query) == expected


def test_every_word_is_required_but_each_may_match_anywhere(seeded):
    meeting = new_meeting("fts-alpha", summary="A meeting about orchards.")
    source = Source.objects.first()
    quote = source.text.split(".")[0].split()[-1]  # a word from the source's first sentence
    citation_create(source=source, record=meeting, quote=quote)
    assert "fts-alpha" in found(Meeting, f"orchards {quote}")
    assert "fts-alpha" not in found(Meeting, "orchards zzzznothing")


def test_blank_query_keeps_everything(seeded):
    assert Meeting.objects.search("   ", None).count() == Meeting.objects.count()


def test_only_the_first_words_count(seeded):
    # Distinct words (a repeated word counts once): "supreme", "suprem", "supre", ...
    words = ["supreme"[: len("supreme") - i] for i in range(search.MAX_WORDS)]
    assert len(words) == len(set(words)) and min(map(len, words)) >= search.MIN_PREFIX
    assert COUNCIL_2 in found(Meeting, " ".join([*words, "zzzznothing"]))
    assert COUNCIL_2 not in found(Meeting, " ".join(["zzzznothing", *words]))


def test_a_repeated_word_counts_once():
    assert search.query_terms("Supreme supreme SUPREME council") == [
        search.Term("supreme", prefix=True),
        search.Term("council", prefix=True),
    ]


def test_single_characters_are_not_searched_and_short_words_match_whole():
    assert search.query_terms("a b c d e f g h i j") == []
    assert search.query_terms("a UN b eu") == [
        search.Term("un", prefix=False),
        search.Term("eu", prefix=False),
    ]
    assert search.query_terms("pha") == [search.Term("pha", prefix=True)]


def test_only_single_characters_find_nothing(seeded):
    assert not Meeting.objects.search("a b c d e f g h i j", None).exists()


def test_a_short_word_is_not_a_prefix(seeded):
    # "sup" begins "Supreme"; "su" would match it only if "su" were a word of its own.
    assert COUNCIL_2 in found(Meeting, "sup")
    assert COUNCIL_2 not in found(Meeting, "su")


@pytest.mark.parametrize(
    ("model", "query", "slug"),
    [
        (Person, "tokayev", "kassym-jomart-tokayev"),
        (Organization, "socar", "socar"),
        (Body, "supreme", "az-kz-supreme-interstate-council"),
        (Document, "peace", "armenia-azerbaijan-peace-agreement"),
        (Project, "tractor", None),
        (Package, "documents", None),
        (Source, "Supreme", None),
    ],
)
def test_every_searchable_model_finds_its_records(seeded, model, query, slug):
    results = found(model, query)
    assert results, f"{model.__name__} found nothing for {query!r}"
    if slug:
        assert slug in results


def test_aliases_are_searched(seeded):
    person = Person.objects.get(slug="ilham-aliyev")
    person.aliases = [*person.aliases, "Qwertyalias Heydarovich"]
    person.save()
    assert found(Person, "qwertyalias") == {"ilham-aliyev"}


# The index follows every write ----------------------------------------------------------


def test_saves_and_deletes_reach_the_index(seeded):
    meeting = new_meeting("fts-bravo", summary="Talks on lighthouses.")
    assert found(Meeting, "lighthouses") == {"fts-bravo"}
    meeting.summary = "Talks on windmills."
    meeting.save()
    assert found(Meeting, "lighthouses") == set()
    assert found(Meeting, "windmills") == {"fts-bravo"}
    Meeting.objects.filter(pk=meeting.pk).update(city="Quuxville")
    assert found(Meeting, "quuxville") == {"fts-bravo"}
    meeting.delete()
    assert found(Meeting, "windmills") == set()


def test_bulk_inserts_are_indexed(seeded):
    Meeting.objects.bulk_create(
        Meeting(slug=f"fts-bulk-{n}", title=f"Zebracorn talks {n}", kind="talks") for n in range(5)
    )
    assert len(found(Meeting, "zebracorn")) == 5


def test_quotes_added_and_removed_reach_the_index(seeded):
    meeting = new_meeting("fts-charlie")
    source = Source.objects.first()
    word = longest_word(source)
    before = found(Meeting, word)
    citation = citation_create(source=source, record=meeting, quote=word)
    assert found(Meeting, word) == before | {"fts-charlie"}
    Citation.objects.filter(pk=citation.pk).delete()
    assert found(Meeting, word) == before


def test_a_quote_only_finds_the_kind_of_record_it_cites(seeded):
    meeting = new_meeting("fts-delta")
    source = Source.objects.first()
    word = longest_word(source)
    Citation.objects.create(
        source=source,
        content_type=ContentType.objects.get_for_model(Document),
        object_id=meeting.pk,  # a document's quote, whose id happens to be the meeting's
        quote=word,
    )
    assert "fts-delta" not in found(Meeting, word)


# The indexes exist and are used ---------------------------------------------------------


@sqlite_only
@pytest.mark.parametrize("model", [*SEARCHABLE, Citation], ids=lambda m: m.__name__)
def test_sqlite_keeps_an_fts5_table_and_its_triggers(db, model):
    table = model._meta.db_table
    fts = search.fts_table(table)
    columns = search.CITATION_COLUMNS if model is Citation else search.search_columns(model)
    with connection.cursor() as cursor:
        cursor.execute(f'PRAGMA table_info("{fts}")')
        assert tuple(row[1] for row in cursor.fetchall()) == tuple(columns)
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table]
        )
        triggers = {row[0] for row in cursor.fetchall()}
    assert {f"{fts}_insert", f"{fts}_delete", f"{fts}_update"} <= triggers


@sqlite_only
def test_sqlite_query_reads_the_fts5_tables(seeded):
    plan = Meeting.objects.search("supreme", None).explain()
    assert "VIRTUAL TABLE INDEX" in plan
    assert plan.count("VIRTUAL TABLE") == 2  # the meetings' words and the quotes' words


@postgres_only
@pytest.mark.parametrize("model", SEARCHABLE, ids=lambda m: m.__name__)
def test_postgres_query_uses_the_gin_indexes(seeded, model):
    # On a few rows the planner rightly prefers a scan; without one it must find the indexes,
    # which it can only if the query's expression is the indexed one, character for character.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = model.objects.search("supreme", None).explain()
    assert search.gin_index(model._meta.db_table) in plan


@postgres_only
def test_postgres_quote_search_can_use_its_gin_index(seeded):
    # With so few quotes the planner reads them by record kind; the GIN index is for when the
    # quotes of one kind are many, and the expression must be the indexed one to be usable.
    quoted = search.vector_sql(search.CITATION_COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            f"EXPLAIN SELECT object_id FROM {search.CITATION_TABLE} "
            f"WHERE {quoted} @@ to_tsquery('simple', %s)",
            ["supreme:*"],
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert search.gin_index(search.CITATION_TABLE) in plan


# Through the API and the pages ----------------------------------------------------------


def test_api_search_queries_are_fixed_at_10_and_1000_rows(seeded, client):
    warm_content_types()

    def make(count: int, start: int) -> None:
        Meeting.objects.bulk_create(
            Meeting(
                slug=f"fts-scale-{n}",
                title=f"Scalecorn meeting {n}",
                kind="talks",
                status="published",
                start_date=dt.date(2032, 1, 1),
            )
            for n in range(start, start + count)
        )

    make(10, 0)
    cache.clear()
    few, page = queries(client, "/api/v1/meetings/?q=scalecorn&page_size=100")
    assert page["count"] == 10
    make(990, 10)
    cache.clear()
    many, page = queries(client, "/api/v1/meetings/?q=scalecorn&page_size=100")
    assert page["count"] == 1000 and len(page["results"]) == 100
    assert few == many


def test_api_and_public_search_agree(seeded, client):
    api = set(slugs(client, "/api/v1/meetings/?q=supreme+interstate&page_size=100"))
    assert COUNCIL_2 in api
    page = client.get("/meetings/?q=supreme+interstate")
    assert page.status_code == 200
    for slug in api:
        assert f"/meetings/{slug}/" in page.content.decode()
    assert get_json(client, "/api/v1/meetings/?q=%21%21%21")["count"] == 0
