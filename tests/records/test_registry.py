"""The one registry of record kinds (records/registry.py) is complete and is what every
surface reads."""

import pytest
from django.apps import apps

from config.api import RESOURCES
from records import registry
from records.models import Record
from records.registry import Registry
from records.roles import role_permissions


def concrete_records() -> set[type]:
    return {
        model
        for model in apps.get_models()
        if issubclass(model, Record) and not model._meta.abstract
    }


def test_every_concrete_record_model_is_a_registered_kind():
    assert {kind.model for kind in registry.kinds()} == concrete_records()


def test_kinds_have_distinct_names_and_positions():
    kinds = registry.kinds()
    assert len({kind.plural for kind in kinds}) == len(kinds)
    assert len({kind.position for kind in kinds}) == len(kinds)
    assert [kind.position for kind in kinds] == sorted(kind.position for kind in kinds)


def test_every_model_that_is_cited_on_its_own_is_a_kind_or_a_part_with_an_owner():
    from django.contrib.contenttypes.fields import GenericRelation

    cited = {
        model
        for model in apps.get_models()
        if any(
            isinstance(f, GenericRelation) and f.name == "citations"
            for f in model._meta.get_fields()
        )
    }
    parts = {
        model for model in registry.registry.parts_by_model if registry.part(model).seed_collection
    }
    # A source is cited, never citing: every other kind carries its own quotes.
    assert cited <= {kind.model for kind in registry.kinds()} | parts
    assert parts <= cited


def test_every_part_names_the_records_it_is_visible_through():
    for model, part in registry.registry.parts_by_model.items():
        if model._meta.label == "records.Citation":
            continue  # a quote's visibility is its source's (CitationQuerySet)
        assert part.owner in model.visible_through, model
        for link in model.visible_through:
            assert model._meta.get_field(link).related_model is not None


def test_the_router_publishes_the_registered_kinds_in_their_order():
    prefixes = [prefix for prefix, _, _ in RESOURCES]
    assert prefixes == [kind.plural for kind in registry.resources()]
    assert set(prefixes) >= {kind.plural for kind in registry.kinds()}


@pytest.mark.django_db
def test_home_and_search_list_every_kind(seeded, client):
    html = client.get("/").content.decode()
    for kind in registry.kinds():
        assert kind.label in html
    found = client.get("/search/", {"q": "Supreme"}).content.decode()
    for kind in registry.kinds():
        assert kind.label in found


def test_roles_cover_every_registered_model():
    permitted = {label for permissions in role_permissions().values() for _, label in permissions}
    for model in [*registry.registry.kinds_by_model, *registry.registry.parts_by_model]:
        assert model._meta.label_lower in permitted


def test_a_kind_is_registered_once():
    fresh = Registry()
    model = next(iter(concrete_records()))
    fresh.register(model, plural="x", label="X", position=1)
    with pytest.raises(ValueError, match="registered already"):
        fresh.register(model, plural="x", label="X", position=1)
