"""A record's to-many relations are read by SQL compiled once per relation and number of ids
(records/api/plan.CompiledValues): the same rows and the same JSON as the ORM gives, for
details, pages and exports, and no ORM compile for them once a request has run."""

import pytest

from records.api import plan as plan_module
from records.api.plan import CompiledValues
from records.api.viewsets import PLANS, RecordViewSet
from records.compiled import NOT_COMPILED
from records.tracking import anonymous_request
from summits.models import Meeting, MeetingCountry

from .conftest import EXAMPLES, RESOURCES, get_json

pytestmark = pytest.mark.django_db


@pytest.fixture
def uncompiled(monkeypatch):
    """Every relation read through the ORM, as before the compiled queries."""

    def through_the_orm(cls, *args, **kwargs):
        return NOT_COMPILED

    monkeypatch.setattr(CompiledValues, "compile", classmethod(through_the_orm))
    PLANS.clear()
    yield
    PLANS.clear()


def answers(client) -> dict:
    found = {}
    for plural in RESOURCES:
        found[f"{plural} page"] = get_json(client, f"/api/v1/{plural}/?page_size=7")
        found[f"{plural} detail"] = get_json(client, f"/api/v1/{plural}/{EXAMPLES[plural]}/")
        found[f"{plural} export"] = client.get(f"/api/v1/{plural}.csv").getvalue()
    return found


def test_every_resource_answers_the_same_as_through_the_orm(seeded, client, request):
    compiled_once = answers(client)
    compiled_again = answers(client)
    request.getfixturevalue("uncompiled")
    through_the_orm = answers(client)
    assert compiled_once == through_the_orm
    assert compiled_again == through_the_orm


def test_a_second_detail_compiles_no_query(seeded, client, request):
    slugs = list(Meeting.objects.published().order_by("pk").values_list("slug", flat=True)[:2])
    get_json(client, f"/api/v1/meetings/{slugs[0]}/")
    compiled_sql = request.getfixturevalue("compiled_sql")
    record = get_json(client, f"/api/v1/meetings/{slugs[1]}/")
    assert record["slug"] == slugs[1]
    # Neither the record's own row nor its relations (countries, participants, documents,
    # quotes…) went through the ORM's compiler again.
    assert compiled_sql == []


def test_the_ids_go_where_the_orm_puts_them(seeded):
    queryset = MeetingCountry.objects.order_by("country__code", "pk")
    compiled = CompiledValues.compile(queryset, "meeting__pk__in", 3, "meeting", ["role", "pk"])
    ids = list(Meeting.objects.order_by("pk").values_list("pk", flat=True)[:3])
    assert compiled.rows(ids) == list(
        queryset.filter(meeting__pk__in=ids).values("meeting", "role", "pk")
    )
    assert compiled.rows(list(reversed(ids))) == compiled.rows(ids)


def test_a_parameter_equal_to_a_stand_in_is_left_to_the_orm(seeded):
    clash = MeetingCountry.objects.exclude(meeting__pk=-7_340_000_000_001)
    assert CompiledValues.compile(clash, "meeting__pk__in", 1, "meeting", ["role"]) is (
        NOT_COMPILED
    )


def test_repeated_and_missing_ids_and_no_ids(seeded):
    relation = next(
        relation
        for relation in plan_module.RecordPlan.for_queryset(
            *meeting_serializer_and_queryset()
        ).relations.values()
        if relation.name == "participations"
    )
    ids = list(Meeting.objects.order_by("pk").values_list("pk", flat=True)[:2])
    expected = list(
        relation.queryset.filter(meeting__pk__in=ids).values(
            relation.key, *[c for c in relation.columns if c != relation.key]
        )
    )
    assert relation.rows([ids[0], ids[1], ids[0]]) == relation.rows(ids) == expected
    assert relation.rows([]) == []
    assert relation.rows([-1]) == []


def meeting_serializer_and_queryset():
    """What an anonymous client's meeting detail is built from."""
    viewset = RecordViewSet.by_model[Meeting](
        request=anonymous_request(), format_kwarg=None, kwargs={}, action="retrieve"
    )
    return viewset.get_serializer(), viewset.get_queryset()
