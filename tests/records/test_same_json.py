"""The published JSON is byte for byte what the code before the layers refactor produced.

The golden files in data/before-layers/ were fetched from the old code (before Source and
Citation moved to the records app) with the test client on a freshly seeded database: each
API list's first page with ?format=json, and the streamed dataset. Timestamps differ from one
seed to the next, so both sides have every ISO timestamp replaced by `<ts>`; nothing else is
normalised. The ids match as they are: the session seeds its database once, first, so the
seeded rows get the same ids on SQLite and PostgreSQL, whatever other tests insert and roll
back later (a PostgreSQL sequence is not rolled back, but no seeded row is created after).

The old code did not order citations the same way on both engines: a record's quotes follow
the sources' order, newest first, and two seeded sources have no publication date, which
SQLite sorts last and PostgreSQL first. So data/before-layers/postgresql/ holds the three
files where that shows (dataset, organizations, persons), fetched from the same old code
(commit 120b77a) on PostgreSQL the same way; they differ from the SQLite ones only in the
order of those quotes. Every other file serves both engines."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.db import connection

from config.api import router

BEFORE_LAYERS = Path(__file__).parent / "data" / "before-layers"
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
RESOURCES = sorted(path.stem for path in BEFORE_LAYERS.glob("*.json") if path.stem != "dataset")


def without_timestamps(body: bytes) -> str:
    return TIMESTAMP.sub("<ts>", body.decode("utf-8"))


def golden(name: str) -> str:
    own = BEFORE_LAYERS / connection.vendor / f"{name}.json"
    return (own if own.exists() else BEFORE_LAYERS / f"{name}.json").read_text(encoding="utf-8")


def test_every_api_list_has_a_golden_file():
    assert sorted(prefix for prefix, _viewset, _basename in router.registry) == RESOURCES


@pytest.mark.parametrize("resource", RESOURCES)
def test_an_api_list_page_is_unchanged(seeded, client, resource):
    response = client.get(f"/api/v1/{resource}/", {"format": "json"})

    assert response.status_code == 200
    assert without_timestamps(response.content) == golden(resource)


def test_the_dataset_is_unchanged(seeded, client):
    response = client.get("/api/v1/dataset.json")

    assert response.status_code == 200
    assert response.streaming
    assert without_timestamps(b"".join(response.streaming_content)) == golden("dataset")
