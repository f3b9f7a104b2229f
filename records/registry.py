"""The one registry of record kinds, and of the rows that live inside records.

Each domain app registers its kinds next to their models (`register(Meeting, ...)` at the end
of `summits/models.py`); everything that used to keep its own list (home, search, the API
router, the source page, roles, the data-version cache, the loader, the generator, the tests)
reads it from here. The registry sits in the bottom layer and knows no domain model by name:
the apps above fill it, so it never imports upwards.

A higher layer can also contribute to a lower kind's representation: agreements adds a
meeting's documents, packages and projects (`contribute()`), which the meeting's API resource
and page prefetch through `contributions()` without importing agreements.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Model, Prefetch


@dataclass(frozen=True)
class Kind:
    """A kind of record: a concrete `Record` model with its public names."""

    model: type[Model]
    # The plural in public URLs, API routes and file names: "meetings".
    plural: str
    # How lists and counts name it: "Meetings".
    label: str
    # Where home, search and the about page list it (lower first).
    position: int
    # The field its pages and links name it by: "title" or "name".
    title_field: str = "title"
    # A list of named things the records of the work point at (persons, bodies): the admin
    # index puts it with the reference lists, after the records an article is entered as.
    reference: bool = False

    @property
    def basename(self) -> str:
        """The API basename and URL name prefix: "meeting" (meeting-list, api:meeting-detail)."""
        return self.model._meta.model_name

    @property
    def list_url_name(self) -> str:
        return f"{self.basename}-list"

    @property
    def label_lower(self) -> str:
        return self.model._meta.label_lower


@dataclass(frozen=True)
class Part:
    """A row that exists only inside a record (a meeting's country, a document's status
    event), edited in the record's admin page. `owner` is the field naming that record;
    `seed_collection` the list in `records.yaml` it is seeded from, when it is cited."""

    model: type[Model]
    owner: str
    seed_collection: str = ""
    # How the source page names what a quote of this part supports: "Status of document".
    describe: Callable[[Model], str] | None = None


@dataclass(frozen=True)
class Contribution:
    """A relation of `model` that a higher layer adds: its prefetch, for a viewer who may
    (`drafts`) or may not see drafts, on the `surface` ("api" or "page")."""

    model: type[Model]
    surface: str
    prefetch: Callable[[bool], Prefetch]


@dataclass
class Registry:
    kinds_by_model: dict[type[Model], Kind] = field(default_factory=dict)
    parts_by_model: dict[type[Model], Part] = field(default_factory=dict)
    # Reference lists records point at (countries, sectors); True for a fixed list that
    # analysts correct but never add to or remove from (ISO countries).
    references: dict[type[Model], bool] = field(default_factory=dict)
    # Reference lists published as API resources of their own, as kinds are (countries).
    published_references: dict[type[Model], Kind] = field(default_factory=dict)
    contributed: list[Contribution] = field(default_factory=list)

    def register_reference(
        self,
        model: type[Model],
        *,
        fixed: bool = False,
        plural: str = "",
        label: str = "",
        position: int = 0,
        title_field: str = "name",
    ) -> None:
        self.references[model] = fixed
        if plural:
            self.published_references[model] = Kind(model, plural, label, position, title_field)

    def resources(self) -> list[Kind]:
        """What the API publishes, in order: the record kinds and the published references."""
        every = [*self.kinds_by_model.values(), *self.published_references.values()]
        return sorted(every, key=lambda kind: kind.position)

    def content_apps(self) -> list[str]:
        """The apps whose tables hold content: records, their parts and reference lists."""
        models = [*self.kinds_by_model, *self.parts_by_model, *self.references]
        return sorted({model._meta.app_label for model in models})

    def register(
        self,
        model: type[Model],
        *,
        plural: str,
        label: str,
        position: int,
        title_field: str = "title",
        reference: bool = False,
    ) -> None:
        if model in self.kinds_by_model:
            raise ValueError(f"{model._meta.label} is registered already.")
        self.kinds_by_model[model] = Kind(model, plural, label, position, title_field, reference)

    def register_part(self, model: type[Model], **options) -> None:
        self.parts_by_model[model] = Part(model, **options)

    def kinds(self) -> list[Kind]:
        return sorted(self.kinds_by_model.values(), key=lambda kind: kind.position)

    def kind(self, model: type[Model]) -> Kind:
        return self.kinds_by_model[model]

    def part(self, model: type[Model]) -> Part | None:
        return self.parts_by_model.get(model)

    def contribute(
        self, model: type[Model], *, surface: str, prefetch: Callable[[bool], Prefetch]
    ) -> None:
        self.contributed.append(Contribution(model, surface, prefetch))

    def contributions(self, model: type[Model], *, surface: str, drafts: bool) -> list[Prefetch]:
        return [
            c.prefetch(drafts)
            for c in self.contributed
            if c.model is model and c.surface == surface
        ]


registry = Registry()
register = registry.register
register_part = registry.register_part
register_reference = registry.register_reference
kinds = registry.kinds
resources = registry.resources
kind = registry.kind
part = registry.part
contribute = registry.contribute
contributions = registry.contributions
