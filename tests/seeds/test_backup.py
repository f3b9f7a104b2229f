"""The backup drill: export, restore into a new empty database, export again, same bytes."""

import io
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from seeds.backup import export_database

ROOT = Path(__file__).resolve().parents[2]


def manage(database_url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": database_url, "DJANGO_DEBUG": "true"}
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture
def fresh_database_url(tmp_path):
    """A new, empty database of the same engine as the test database."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    import psycopg

    params = connection.get_connection_params()
    name = f"pacta_restore_{uuid.uuid4().hex[:8]}"
    admin = {key: params[key] for key in ("host", "port", "user") if params.get(key)}
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    host, port, user = params.get("host", ""), params.get("port", 5432), params.get("user", "")
    yield f"postgres://{user}@{host}:{port}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_export_restore_export_gives_the_same_bytes(seeded, tmp_path, fresh_database_url):
    first = tmp_path / "first.json"
    with first.open("w", encoding="utf-8", newline="\n") as handle:
        rows = export_database(handle)
    assert rows > 1000

    manage(fresh_database_url, "migrate", "--no-input", "-v0")
    restored = manage(fresh_database_url, "restore", str(first))
    assert f"Restored {rows} rows" in restored.stdout
    second = tmp_path / "second.json"
    manage(fresh_database_url, "backup", "--output", str(second))

    assert second.read_bytes() == first.read_bytes()


def test_restore_refuses_a_database_that_holds_records(seeded, tmp_path):
    path = tmp_path / "backup.json"
    path.write_text(export_to_string(), encoding="utf-8")
    with pytest.raises(CommandError, match="already holds records"):
        call_command("restore", str(path))


def test_restore_refuses_a_file_that_is_not_an_export(empty_db, tmp_path):
    path = tmp_path / "other.json"
    path.write_text('{"rows": []}', encoding="utf-8")
    with pytest.raises(CommandError, match="not a Pacta export"):
        call_command("restore", str(path))


def export_to_string() -> str:
    out = io.StringIO()
    export_database(out)
    return out.getvalue()


def test_the_export_is_deterministic(seeded):
    assert export_to_string() == export_to_string()
