"""A record's `updated_at` moves whenever its public JSON does, whatever row changed: a record
it embeds (renamed, unpublished), a quote of it (edited, deleted) or that quote's source (made
draft). Checked for every resource against every kind of record its JSON shows."""

from urllib.parse import quote

import pytest
from django.db import transaction

from records import registry
from records.models import Citation, EditorialStatus
from records.services import records_unpublish
from tests.api.conftest import RESOURCES


def detail(client, plural: str, slug: str):
    response = client.get(f"/api/v1/{plural}/{slug}/")
    assert response.status_code == 200, (plural, slug, response.content[:200])
    return response


def embedded_links(value, own: dict) -> set[tuple[str, str]]:
    """(plural, slug) of every record the JSON embeds (an object with its id and slug),
    other than itself, its kind found by looking the pair up in every resource."""
    found = set()
    if isinstance(value, dict):
        if value is not own and isinstance(value.get("slug"), str) and "id" in value:
            for kind in registry.resources():
                if kind.plural == "countries":
                    continue
                if kind.model.objects.filter(pk=value["id"], slug=value["slug"]).exists():
                    found.add((kind.plural, value["slug"]))
        for item in value.values():
            found |= embedded_links(item, own)
    elif isinstance(value, list):
        for item in value:
            found |= embedded_links(item, own)
    return found


def model_of(plural: str):
    return next(kind.model for kind in registry.resources() if kind.plural == plural)


def fetch(plural: str, slug: str):
    model = model_of(plural)
    if plural == "countries":
        return model.objects.get(code=slug.upper())
    return model.objects.get(slug=slug)


class Observed:
    """A record as an anonymous client sees it before a change elsewhere."""

    def __init__(self, client, plural: str, slug: str):
        self.client, self.plural, self.slug = client, plural, slug
        response = detail(client, plural, slug)
        self.json, self.etag = response.json(), response["ETag"]

    def assert_moved(self, what: str) -> None:
        response = detail(self.client, self.plural, self.slug)
        after = response.json()
        assert after != self.json, f"{what}: the JSON of {self.plural}/{self.slug} did not change"
        assert after["updated_at"] > self.json["updated_at"], (
            f"{what}: {self.plural}/{self.slug} changed but its updated_at stayed"
        )
        assert response["ETag"] != self.etag
        since = quote(self.json["updated_at"])
        listed = self.client.get(f"/api/v1/{self.plural}/?updated_since={since}&page_size=100")
        assert self.slug in {r["slug"] for r in listed.json()["results"]}, what


def rolled_back(change):
    """Run `change` and its checks in a savepoint undone afterwards."""
    with transaction.atomic():
        change()
        transaction.set_rollback(True)


TIMESTAMPED = [plural for plural in RESOURCES if plural != "countries"]
# The resources whose JSON shows other records (persons, organizations and sources show only
# country codes and their own parts, checked below).
EMBEDDING = {"meetings", "documents", "packages", "projects", "bodies"}


@pytest.mark.parametrize("plural", TIMESTAMPED)
def test_every_embedded_record_moves_the_embedding_one(
    plural, seeded, client, django_capture_on_commit_callbacks
):
    model = model_of(plural)
    tried = set()
    for record in model.objects.published().order_by("pk"):
        own = detail(client, plural, record.slug).json()
        for link_plural, link_slug in sorted(embedded_links(own, own)):
            if link_plural in tried:
                continue
            tried.add(link_plural)
            check_embedded(
                client, django_capture_on_commit_callbacks, plural, record, link_plural, link_slug
            )
    assert bool(tried) == (plural in EMBEDDING), (plural, tried)


@pytest.mark.parametrize("plural", [p for p in TIMESTAMPED if p != "sources"])
def test_quotes_and_their_sources_move_the_record(
    plural, seeded, client, django_capture_on_commit_callbacks
):
    model = model_of(plural)
    cited = model.objects.published().filter(citations__source__status=EditorialStatus.PUBLISHED)
    record = cited.order_by("pk").first()
    assert record is not None, f"no published {plural} record is cited"
    citation = record.citations.filter(source__status=EditorialStatus.PUBLISHED).first()

    def edit_quote():
        seen = Observed(client, plural, record.slug)
        with django_capture_on_commit_callbacks(execute=True):
            citation.quote = citation.quote[:-1]
            citation.save()
        seen.assert_moved("quote edited")

    def delete_quote():
        seen = Observed(client, plural, record.slug)
        with django_capture_on_commit_callbacks(execute=True):
            Citation.objects.get(pk=citation.pk).delete()
        seen.assert_moved("quote deleted")

    def source_made_draft():
        seen = Observed(client, plural, record.slug)
        with django_capture_on_commit_callbacks(execute=True):
            records_unpublish(
                queryset=type(citation.source).objects.filter(pk=citation.source_id), user=None
            )
        seen.assert_moved("source made draft")

    for change in (edit_quote, delete_quote, source_made_draft):
        rolled_back(change)


PARTS = [part for part in registry.registry.parts_by_model.values() if part.model is not Citation]


@pytest.mark.parametrize("part", PARTS, ids=lambda part: part.model.__name__)
def test_every_part_moves_its_record(part, seeded, client, django_capture_on_commit_callbacks):
    """A row inside a record (an office, an attendance, a status event) edited or deleted."""
    owner_field = part.model._meta.get_field(part.owner)
    owner_model = owner_field.related_model
    plural = registry.kind(owner_model).plural
    visible = part.model.objects.visible_to(None).filter(**{f"{part.owner}__status": "published"})
    row = visible.order_by("pk").first()
    if row is None:  # none in the seed (document relations): add one, which must show
        row = added_row(part, client, django_capture_on_commit_callbacks)
    owner = getattr(row, part.owner)
    texts = [
        f.name
        for f in part.model._meta.concrete_fields
        if f.get_internal_type() in ("CharField", "TextField") and not f.choices
    ]

    def edit():
        seen = Observed(client, plural, owner.slug)
        with django_capture_on_commit_callbacks(execute=True):
            for name in texts:
                setattr(row, name, (getattr(row, name) or "") + " (edited)")
            row.save()
        if "(edited)" in str(detail(client, plural, owner.slug).json()):
            seen.assert_moved(f"{part.model.__name__} edited")

    def delete():
        seen = Observed(client, plural, owner.slug)
        with django_capture_on_commit_callbacks(execute=True):
            part.model.objects.get(pk=row.pk).delete()
        seen.assert_moved(f"{part.model.__name__} deleted")

    if texts:
        rolled_back(edit)
    rolled_back(delete)


def added_row(part, client, capture):
    """A new row linking distinct published records, its choices the first ones; adding it
    must move its owner too."""
    values, used = {}, {}
    for field in part.model._meta.concrete_fields:
        if field.is_relation:
            taken = used.setdefault(field.related_model, [])
            target = (
                field.related_model.objects.published().exclude(pk__in=taken).order_by("pk")
            ).first()
            taken.append(target.pk)
            values[field.name] = target
        elif field.choices and not field.has_default():
            values[field.name] = field.choices[0][0]
    owner = values[part.owner]
    seen = Observed(client, registry.kind(type(owner)).plural, owner.slug)
    with capture(execute=True):
        row = part.model.objects.create(**values)
    seen.assert_moved(f"{part.model.__name__} added")
    return row


def check_embedded(client, capture, plural, record, link_plural, link_slug) -> None:
    """`record` moves when the record it embeds is renamed (where its JSON shows the name)
    and when it is unpublished."""
    embedded = fetch(link_plural, link_slug)
    title_field = registry.kind(type(embedded)).title_field
    what = f"{link_plural}/{link_slug}"

    def rename():
        seen = Observed(client, plural, record.slug)
        with capture(execute=True):
            setattr(embedded, title_field, getattr(embedded, title_field) + " (renamed)")
            embedded.save()
        if "(renamed)" in str(detail(client, plural, record.slug).json()):
            seen.assert_moved(f"{what} renamed")

    def unpublish():
        seen = Observed(client, plural, record.slug)
        with capture(execute=True):
            records_unpublish(queryset=type(embedded).objects.filter(pk=embedded.pk), user=None)
        seen.assert_moved(f"{what} unpublished")

    rolled_back(rename)
    rolled_back(unpublish)
