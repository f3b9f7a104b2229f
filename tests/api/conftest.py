import json

import pytest
from django.core.cache import cache

RESOURCES = {
    "meetings": "meeting",
    "documents": "document",
    "packages": "package",
    "projects": "project",
    "bodies": "body",
    "countries": "country",
    "persons": "person",
    "organizations": "organization",
    "sources": "source",
}
# One published seed record of each resource, for detail tests.
EXAMPLES = {
    "meetings": "az-kz-supreme-interstate-council-1",
    "documents": "armenia-azerbaijan-peace-agreement",
    "packages": "az-kg-package-2022-04-20",
    "projects": "kurmangazy-childrens-creativity-center-fuzuli",
    "bodies": "az-kz-supreme-interstate-council",
    "countries": "AZ",
    "persons": "ilham-aliyev",
    "organizations": "azertac",
    "sources": "azertac-2025-10-21-supreme-interstate-council",
}


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """The anonymous throttle counts in the (locmem) cache; each test starts from zero."""
    cache.clear()
    yield
    cache.clear()


def get_json(client, url: str, status: int = 200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.status_code, response.content[:500])
    return json.loads(response.content)


def slugs(client, url: str) -> list[str]:
    """Every slug of a list, following `next` through all pages."""
    found, page = [], get_json(client, url)
    while True:
        found += [record["slug"] for record in page["results"]]
        if not page["next"]:
            return found
        page = get_json(client, page["next"])


def streamed(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode()
