"""No anonymous response carries a trace of a draft (issue 12's visibility matrix).

On the draft world (tests/draft_world.py: one draft of every kind linked to published records
of every kind), each draft kind in turn is looked for, as an anonymous client, on every public
surface: the list and detail pages, home, search, country and pair pages, source pages, every
API list and detail, the filters, the CSV and JSON Lines exports and dataset.json. A trace is
the draft's marker word (its slug, and a word of its title and quotes) or, for a dated kind, its
year. A filter by a draft's slug or by its marker word must answer exactly as it does for a slug
or word that exists nowhere. The test ids name kind and surface.

Before the one visibility rule (records/visibility.py), 89 of these cases failed: quotes from a
draft source in every API surface, filters by a draft's slug, a package's year facet through a
draft meeting, and a document's relation to a draft document. None may fail now.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.test import Client

from tests.draft_world import KINDS, LINKED, MARKERS, RESOURCES, DraftWorld

pytestmark = pytest.mark.usefixtures("draft_world_module")

API_RESOURCES = (
    "meetings",
    "documents",
    "packages",
    "projects",
    "bodies",
    "countries",
    "persons",
    "organizations",
    "sources",
)
UNKNOWN = "zqvnowhere"
RECORD_LINK = re.compile(
    r"/(meetings|documents|packages|projects|bodies|persons|organizations|sources|countries)"
    r"/([A-Za-z0-9_-]+)/"
)
PAGE_LINK = re.compile(r"[?&;]page=(\d+)")


@dataclass(frozen=True)
class Surface:
    id: str
    url: str
    # "shown": answers 200 with no trace; "absent": the draft's own address answers 404;
    # "filter": answers as the same URL with a word that exists nowhere.
    check: str = "shown"


def shared_surfaces() -> list[Surface]:
    """Every surface that must show nothing of any draft."""
    surfaces = [Surface("page:home", "/")]
    for resource in API_RESOURCES:
        surfaces.append(Surface(f"page:list:{resource}", f"/{resource}/"))
    for resource, slugs in LINKED.items():
        for slug in slugs:
            surfaces.append(Surface(f"page:detail:{resource}:{slug}", f"/{resource}/{slug}/"))
    surfaces += [
        Surface("page:country:az", "/countries/az/"),
        Surface("page:country:kz", "/countries/kz/"),
        Surface("page:pair:az-kz", "/relations/az-kz/"),
    ]
    for resource in API_RESOURCES:
        surfaces.append(Surface(f"api:list:{resource}", f"/api/v1/{resource}/?page_size=100"))
    for resource, slugs in LINKED.items():
        for slug in slugs:
            url = f"/api/v1/{resource}/{slug}/"
            surfaces.append(Surface(f"api:detail:{resource}:{slug}", url))
    for resource in ("countries/AZ", "countries/KZ"):
        surfaces.append(Surface(f"api:detail:{resource.lower()}", f"/api/v1/{resource}/"))
    for resource in API_RESOURCES:
        for suffix in ("csv", "jsonl"):
            url = f"/api/v1/{resource}/export.{suffix}"
            surfaces.append(Surface(f"api:export.{suffix}:{resource}", url))
    surfaces.append(Surface("api:dataset.json", "/api/v1/dataset.json"))
    return surfaces


def own_surfaces(kind: str) -> list[Surface]:
    """The draft's own addresses, and every search and filter naming it."""
    marker, resource = MARKERS[kind], RESOURCES[kind]
    surfaces = [
        Surface("page:own-detail", f"/{resource}/{marker}/", "absent"),
        Surface("api:own-detail", f"/api/v1/{resource}/{marker}/", "absent"),
        Surface("page:search?q", f"/search/?q={marker}", "filter"),
    ]
    for resource in API_RESOURCES:
        surfaces += [
            Surface(f"page:list:{resource}?q", f"/{resource}/?q={marker}", "filter"),
            Surface(f"page:list:{resource}?{kind}", f"/{resource}/?{kind}={marker}", "filter"),
            Surface(f"api:list:{resource}?q", f"/api/v1/{resource}/?q={marker}", "filter"),
            Surface(
                f"api:list:{resource}?{kind}", f"/api/v1/{resource}/?{kind}={marker}", "filter"
            ),
        ]
    return surfaces


CASES = [
    pytest.param(kind, surface, id=f"{kind}-{surface.id}")
    for kind in KINDS
    for surface in shared_surfaces() + own_surfaces(kind)
]


class Fetcher:
    """Anonymous responses, fetched once per URL for the whole module (the world does not
    change between its tests), every page of a list included."""

    def __init__(self):
        self.seen: dict[str, tuple[int, str]] = {}

    def __call__(self, url: str) -> tuple[int, str]:
        if url not in self.seen:
            self.seen[url] = self.fetch(url)
        return self.seen[url]

    @staticmethod
    def one(url: str) -> tuple[int, str]:
        # Cleared each time: the anonymous throttle counts in the cache, and responses are
        # cached per data version.
        cache.clear()
        response = Client().get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        return response.status_code, body.decode()

    def fetch(self, url: str) -> tuple[int, str]:
        status, body = self.one(url)
        if status != 200:
            return status, body
        bodies = [body]
        if url.startswith("/api/v1/") and "/export." not in url and "dataset" not in url:
            page = json.loads(body)
            for _ in range(20):
                if not isinstance(page, dict) or not page.get("next"):
                    break
                next_status, next_body = self.one(page["next"].removeprefix("http://testserver"))
                assert next_status == 200, (page["next"], next_status)
                bodies.append(next_body)
                page = json.loads(next_body)
        else:
            separator = "&" if "?" in url else "?"
            pages = sorted({int(number) for number in PAGE_LINK.findall(body)} - {1})
            for number in pages[:20]:
                page_status, page_body = self.one(f"{url}{separator}page={number}")
                assert page_status == 200, (url, number, page_status)
                bodies.append(page_body)
        return status, "\n".join(bodies)


@pytest.fixture(scope="module")
def fetched() -> Fetcher:
    return Fetcher()


def listed(body: str) -> list[tuple[str, str]]:
    """The records a response links to, in order."""
    return RECORD_LINK.findall(body)


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "surface"), CASES)
def test_no_trace_of_a_draft(kind: str, surface: Surface, fetched: Fetcher):
    status, body = fetched(surface.url)
    if surface.check == "absent":
        assert status == 404, (surface.url, status)
    elif surface.check == "filter":
        unknown_status, unknown_body = fetched(surface.url.replace(MARKERS[kind], UNKNOWN))
        assert (status, listed(body)) == (unknown_status, listed(unknown_body)), surface.url
    else:
        assert status == 200, (surface.url, status)
        assert DraftWorld.traces(kind, body) == [], surface.url


@pytest.mark.django_db
def test_the_world_has_a_draft_of_every_kind(draft_world_module: DraftWorld):
    """The matrix above proves nothing unless every kind really is a draft in the database."""
    assert sorted(draft_world_module.drafts) == sorted(KINDS)
    for kind, record in draft_world_module.drafts.items():
        record.refresh_from_db()
        assert (record.slug, record.status) == (MARKERS[kind], "draft")


# Where a staff client sees each draft: proof that the world really links it to published
# records the anonymous surfaces above show.
STAFF_SEES = {
    "source": f"/meetings/{LINKED['meetings'][0]}/",
    "person": f"/meetings/{LINKED['meetings'][0]}/",
    "organization": f"/projects/{LINKED['projects'][0]}/",
    "body": f"/meetings/{LINKED['meetings'][1]}/",
    "meeting": f"/meetings/{LINKED['meetings'][2]}/",
    "document": f"/meetings/{LINKED['meetings'][0]}/",
    "package": f"/documents/{LINKED['documents'][0]}/",
    "project": f"/meetings/{LINKED['meetings'][0]}/",
}


@pytest.mark.django_db
@pytest.mark.parametrize("kind", KINDS)
def test_staff_see_each_draft_where_it_is_linked(kind: str, admin_client):
    """Staff who passed the second factor (as production requires) see the drafts."""
    response = admin_client.get(STAFF_SEES[kind])
    assert response.status_code == 200
    assert MARKERS[kind] in response.content.decode().lower()
