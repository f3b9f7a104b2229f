"""SQL compiled once with stand-ins and run again with other values (records/compiled.py):
the stand-ins are found where the ORM puts the values, and a query where one cannot be told
apart is left to the ORM."""

import pytest
from django.db import connection
from django.http import QueryDict

from records.cache import filter_params
from records.compiled import NOT_COMPILED, CompiledSQL, PlanCache
from summits.models import Meeting

pytestmark = pytest.mark.django_db


def run(compiled: CompiledSQL, values: list) -> list:
    with connection.cursor() as cursor:
        cursor.execute(compiled.sql, compiled.params_with(values))
        return [row[0] for row in cursor.fetchall()]


def test_the_values_go_where_the_stand_ins_were(seeded):
    slugs = list(Meeting.objects.order_by("pk").values_list("slug", flat=True)[:3])
    queryset = Meeting.objects.filter(slug__in=["stand-in-a", "stand-in-b"], pk__gt=-1)
    compiled = CompiledSQL.of(queryset.values("slug"), ["stand-in-a", "stand-in-b"])
    assert sorted(run(compiled, slugs[:2])) == sorted(slugs[:2])
    assert run(compiled, [slugs[2], "no-such-slug"]) == [slugs[2]]
    # The other parameters stay as compiled.
    assert compiled.params_with(["x", "y"]).count(-1) == 1


def test_a_stand_in_found_twice_or_not_at_all_is_not_compiled(seeded):
    twice = Meeting.objects.filter(slug="stand-in").exclude(title="stand-in")
    assert CompiledSQL.of(twice, ["stand-in"]) is NOT_COMPILED
    assert CompiledSQL.of(Meeting.objects.filter(slug="other"), ["stand-in"]) is NOT_COMPILED
    assert CompiledSQL.of(Meeting.objects.none(), ["stand-in"]) is NOT_COMPILED


def test_a_values_count_differing_from_the_stand_ins_is_refused(seeded):
    compiled = CompiledSQL.of(Meeting.objects.filter(slug="stand-in"), ["stand-in"])
    with pytest.raises(ValueError):
        compiled.params_with(["a", "b"])


def test_the_plan_cache_keeps_at_most_its_size():
    plans = PlanCache(2)
    for number in range(3):
        plans.put((number,), number)
    assert plans.get((0,)) is None
    assert [plans.get((1,)), plans.get((2,))] == [1, 2]


def test_filter_params_sorted_or_in_their_order():
    first = QueryDict("year=2024&country=KZ&page=2")
    second = QueryDict("country=KZ&year=2024")
    assert filter_params(first, {"page"}) == filter_params(second)
    assert filter_params(first, {"page"}, ordered=True) != filter_params(second, ordered=True)
    assert filter_params(first, {"page"}, ordered=True) == repr(
        [("year", ["2024"]), ("country", ["KZ"])]
    )
