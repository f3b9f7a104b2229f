"""A database from before Source and Citation moved from seeds to records migrates forward
with every row, history entry, permission and admin log entry kept, and back again.

The scenario (tests/records/migration_scenario.py) runs in a child process on a scratch
database of the suite's engine: a temporary SQLite file, or on PostgreSQL a database created
next to the test database and dropped after. Migrating here, in the test process, would pull
the schema out from under the seeded session database that every other test uses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.base.creation import TEST_DATABASE_PREFIX

from tests.records.migration_scenario import MOVED_MODELS, PRE_MOVE_LAYOUT, QUOTE, TABLES

SCENARIO_SECONDS = 120

# Only so that the session sets its test database up even when no other test asks for it: the
# PostgreSQL scratch database is named after it. The tests themselves read nothing from it.
pytestmark = pytest.mark.django_db


def run_scenario(database_url: str) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "CACHE_URL": ""}
    # A replica would send the scenario's reads to another database than its writes.
    env.pop("DATABASE_REPLICA_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "tests.records.migration_scenario"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=SCENARIO_SECONDS,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def scratch_database_url(tmp_path_factory, request) -> Iterator[str]:
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        yield f"sqlite:///{tmp_path_factory.mktemp('layers') / 'layers.sqlite3'}"
        return
    assert database["ENGINE"] == "django.db.backends.postgresql", database["ENGINE"]
    import psycopg

    # Named after the session's test database (a worker suffix included), so two runs on
    # different databases never share it; the name is known once that database is set up.
    request.getfixturevalue("django_db_setup")
    name = f"{connection.settings_dict['NAME']}_layers"
    # Dropped below, so never anything but a name derived from a test database.
    assert name.startswith(TEST_DATABASE_PREFIX), name
    server = {
        "host": database["HOST"] or None,
        "port": database["PORT"] or None,
        "user": database["USER"] or None,
        "password": database["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as maintenance:
        maintenance.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        maintenance.execute(f'CREATE DATABASE "{name}"')
    credentials = quote(database["USER"] or "", safe="")
    if database["PASSWORD"]:
        credentials += ":" + quote(database["PASSWORD"], safe="")
    port = f":{database['PORT']}" if database["PORT"] else ""
    try:
        yield f"postgres://{credentials}@{database['HOST']}{port}/{name}"
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as maintenance:
            maintenance.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def report(scratch_database_url) -> dict:
    return run_scenario(scratch_database_url)


def test_the_scenario_runs_to_the_end(report):
    assert "error" not in report, report["error"]


def test_the_scenario_starts_from_the_layout_before_the_move(report):
    assert report["vendor"] == connection.vendor
    assert report["pre_move_layout"] == PRE_MOVE_LAYOUT
    assert report["inserted"]["source_history"] == 2
    assert report["inserted"]["citation_history"] == 1
    # Every table compared holds rows, so "unchanged" below is not the comparison of nothing.
    assert all(report["rows_before"][table] > 0 for table in TABLES), report["rows_before"]


def housekeeping(found: dict) -> dict:
    """The differences left once what Django's post_migrate adds for models the old layout
    lacked (their content types' new permissions) is set apart. Nothing existing is ever
    changed or removed, which is asserted here."""
    found = dict(found)
    permissions = found.pop("auth_permission", None)
    if permissions is not None:
        assert permissions["changed"] == [] and permissions["removed"] == [], permissions
    types = found.get("django_content_type")
    if types is not None:
        assert types["removed"] == [], types
        types = {**types, "added": []}
        if types["changed"]:
            found["django_content_type"] = types
        else:
            del found["django_content_type"]
    return found


def test_migrating_forward_keeps_every_row_and_only_relabels_the_content_types(report):
    found = housekeeping(report["forward"])
    # The bases' migration (issue 13) records its defaults among a meeting's seeded values and
    # adds columns; every value the meeting had is kept.
    meeting_rows = found.pop("summits_meeting", {"changed": [], "added": [], "removed": []})
    assert meeting_rows["added"] == [] and meeting_rows["removed"] == []
    for before, after in meeting_rows["changed"]:
        kept = {k: v for k, v in before.items() if k != "seeded"}
        assert kept == {k: after[k] for k in kept}
        assert json.loads(after["seeded"]).items() >= json.loads(before["seeded"]).items()
    assert set(found) == {"django_content_type"}, report["forward"]
    # Later migrations of records add columns to these tables (the citation's edit version, the
    # source's republishing licence); the move itself adds none.
    later = {"version", "text_use", "basis", "occurrence"}
    assert all(set(columns) <= later for columns in report["columns_added"].values())
    relabelled = report["forward"]["django_content_type"]
    # Content types of models the old layout lacked (the feed's, other apps') are added; none
    # for a moved model, which keeps its row and id.
    added = {(row["app_label"], row["model"]) for row in relabelled["added"]}
    assert not added & {(app, model) for app in ("seeds", "records") for model in MOVED_MODELS}
    assert relabelled["removed"] == []
    assert sorted(after["model"] for _, after in relabelled["changed"]) == sorted(MOVED_MODELS)
    for before, after in relabelled["changed"]:
        assert before["app_label"] == "seeds"
        assert after == {**before, "app_label": "records"}


def test_the_current_models_read_the_migrated_rows(report):
    current, inserted = report["current"], report["inserted"]
    assert current["citation_record"] == ["Meeting", inserted["meeting"]]
    assert current["meeting_citations"] == [inserted["citation"]]
    assert current["source_passages"] == [inserted["citation"]]
    assert current["source_history"] == inserted["source_history"]
    assert current["citation_history"] == inserted["citation_history"]
    assert current["edited_object"] == ["Source", inserted["source"]]
    assert current["has_perm_records"] is True
    assert current["has_perm_seeds"] is False
    assert current["meeting_analyst_edited"] == ["title"]
    # Later migrations may record more (the bases of facts); the seeded values stay.
    assert (
        current["meeting_seeded"].items() >= {"title": "Talks in Astana", "city": "Astana"}.items()
    )


def test_the_api_shows_the_migrated_citation(report):
    assert report["current"]["api_status"] == 200
    assert report["current"]["api_quotes"] == [QUOTE]
