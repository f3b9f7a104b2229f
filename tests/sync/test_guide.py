"""The docs page, the README guide and the example client agree; the schema documents what a
syncing client relies on."""

from pathlib import Path

import pytest
import yaml

from records import registry
from records.api.viewsets import RecordViewSet

ROOT = Path(__file__).resolve().parents[2]
GUIDE = (ROOT / "docs" / "syncing.md").read_text()


@pytest.fixture
def schema(client, db):
    response = client.get("/api/v1/schema/")
    assert response.status_code == 200
    return yaml.safe_load(response.content)


def test_the_readme_and_the_docs_page_carry_the_same_guide(schema):
    body = GUIDE.split("\n", 1)[1]
    assert body in (ROOT / "README.md").read_text()
    assert body in schema["info"]["description"]


def test_the_guide_names_what_the_example_client_does():
    client = (ROOT / "docs" / "examples" / "sync_client.py").read_text()
    for step in ("dataset.json", "changes_cursor", "changes/", "since", "410", "Retry-After"):
        assert step in GUIDE and step in client, step


def test_no_operation_asks_for_an_account(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert not operation.get("security"), (path, method)


def test_headers_and_parameters_are_documented(schema):
    meetings = schema["paths"]["/api/v1/meetings/"]["get"]
    names = {p["name"] for p in meetings["parameters"]}
    assert {"If-None-Match", "If-Modified-Since", "format", "cursor", "year"} <= names
    year = next(p for p in meetings["parameters"] if p["name"] == "year")
    # One year or several, comma-separated (2023,2024).
    assert year["schema"]["type"] == "string" and "pattern" in year["schema"]
    assert {"ETag", "Last-Modified"} <= set(meetings["responses"]["200"]["headers"])
    assert "Retry-After" in meetings["responses"]["429"]["headers"]
    assert "Subclasses" not in str(schema) and "Each resource declares" not in str(schema)
    csv = schema["paths"]["/api/v1/meetings/export.csv"]["get"]
    assert "Link" in csv["responses"]["200"]["headers"]
    assert "- `slug`:" in csv["description"]
    assert "/api/v1/changes/" in schema["paths"]


@pytest.mark.parametrize("kind", registry.resources(), ids=lambda kind: kind.plural)
def test_every_resource_has_an_example_shaped_like_its_records(kind, schema):
    path = f"/api/v1/{kind.plural}/{{{RecordViewSet.by_model[kind.model].lookup_field}}}/"
    content = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    example = content["examples"]["record"]["value"]
    viewset = RecordViewSet.by_model[kind.model]
    serializer = viewset.dataset_serializer_class or viewset.serializer_class
    assert list(example) == list(serializer().fields), kind.plural
