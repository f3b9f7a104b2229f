"""A database in the layout from before Source and Citation moved to the records app, with
content, migrated forward to today's layout; prints what it found as JSON.

Run by tests/records/test_layers_migration.py in a child process, against a scratch database
named by DATABASE_URL: migrating in the test process itself would rebuild the app registry
and the schema under the session's seeded test database.

    DATABASE_URL=sqlite:////tmp/layers.sqlite3 python -m tests.records.migration_scenario

The pre-move layout is reached as a deployment that never ran the move has it: everything
migrated only as far as the code before the move took it. Content is written
through the models of that migration state, so nothing of today's code (save() overrides,
history signals, the records app's models) helps it along.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import sys
import time
import traceback
from typing import Any

PRE_MOVE_LAYOUT = {
    "summits": "0006_list_count_indexes",
    "agreements": "0006_list_count_indexes",
    "seeds": "0003_list_count_indexes",
    "records": None,
}
MOVED_MODELS = ("source", "citation", "historicalsource", "historicalcitation")
TABLES = (
    "seeds_source",
    "seeds_citation",
    "seeds_historicalsource",
    "seeds_historicalcitation",
    "django_content_type",
    "auth_permission",
    "auth_group_permissions",
    "django_admin_log",
    "summits_meeting",
)
SOURCE_TEXT = (
    "Astana, October 21. The presidents of Kazakhstan and Azerbaijan held talks in a narrow "
    "format and signed a joint statement on the Middle Corridor."
)
QUOTE = "signed a joint statement on the Middle Corridor"
MEETING_SLUG = "layers-move-talks"


def plain(value: Any) -> Any:
    """A column value as JSON can carry it, the same way on SQLite and PostgreSQL."""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def snapshot(connection) -> dict[str, dict[str, dict[str, Any]]]:
    """Every row of TABLES, by primary key, read with raw SQL (no model is involved)."""
    tables = {}
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in TABLES:
            pk = connection.introspection.get_primary_key_column(cursor, table)
            cursor.execute(f"SELECT * FROM {quote(table)} ORDER BY {quote(pk)}")
            columns = [column[0] for column in cursor.description]
            rows = [dict(zip(columns, map(plain, row), strict=True)) for row in cursor.fetchall()]
            tables[table] = {str(row[pk]): row for row in rows}
    return tables


def differences(before: dict, after: dict) -> dict[str, dict[str, list]]:
    """Per table whose rows differ: rows changed (before, after), added and removed."""
    found = {}
    for table in TABLES:
        old, new = before[table], after[table]
        kept, gone, came = (
            sorted(keys, key=int)
            for keys in (old.keys() & new.keys(), old.keys() - new.keys(), new.keys() - old.keys())
        )
        # Columns that later migrations add (a citation's version) are reported apart
        # (`columns_added`); rows are compared on the columns they had.
        common = set(next(iter(old.values()), {})) & set(next(iter(new.values()), {}))
        changed = [
            [old[key], new[key]]
            for key in kept
            if {c: old[key][c] for c in common} != {c: new[key][c] for c in common}
        ]
        removed = [old[key] for key in gone]
        added = [new[key] for key in came]
        if changed or added or removed:
            found[table] = {"changed": changed, "added": added, "removed": removed}
    return found


def applied_layout(connection) -> dict[str, str | None]:
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection)
    layout = {}
    for app in PRE_MOVE_LAYOUT:
        applied = [name for label, name in loader.applied_migrations if label == app]
        layout[app] = max(applied) if applied else None
    return layout


def historical_apps(connection):
    """The models as the applied migrations define them, not as today's code does."""
    from django.db.migrations.executor import MigrationExecutor

    loader = MigrationExecutor(connection).loader
    return loader.project_state(list(loader.applied_migrations)).apps


def write_content(apps) -> dict[str, Any]:
    """One of each thing that points at Source or Citation, or that they point at."""
    from django.conf import settings
    from django.utils import timezone

    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model(settings.AUTH_USER_MODEL)
    LogEntry = apps.get_model("admin", "LogEntry")
    Country = apps.get_model("summits", "Country")
    Meeting = apps.get_model("summits", "Meeting")
    MeetingCountry = apps.get_model("summits", "MeetingCountry")
    Source = apps.get_model("seeds", "Source")
    Citation = apps.get_model("seeds", "Citation")
    HistoricalSource = apps.get_model("seeds", "HistoricalSource")
    HistoricalCitation = apps.get_model("seeds", "HistoricalCitation")

    now = timezone.now()
    source_type = ContentType.objects.get(app_label="seeds", model="source")
    meeting_type = ContentType.objects.get(app_label="summits", model="meeting")
    user = User.objects.create(username="layers-analyst", password="!", is_staff=True)
    group = Group.objects.create(name="Layers editors")
    group.permissions.add(
        Permission.objects.get(content_type=source_type, codename="change_source")
    )
    user.groups.add(group)

    # Loaded by summits 0002 from the ISO list; the migration, not this script, made it.
    country = Country.objects.get(code="KZ")
    meeting = Meeting.objects.create(
        slug=MEETING_SLUG,
        status="published",
        title="Talks on the Middle Corridor",
        kind="talks",
        start_date=datetime.date(2025, 10, 21),
        end_date=datetime.date(2025, 10, 21),
        date_text="October 21",
        host_country=country,
        city="Astana",
        formats=["narrow"],
        summary="Talks in Astana.",
        seeded={"title": "Talks in Astana", "city": "Astana"},
        analyst_edited=["title"],
    )
    MeetingCountry.objects.create(meeting=meeting, country=country, role="host")
    source = Source.objects.create(
        slug="layers-move-statement",
        status="published",
        title="Joint statement on the Middle Corridor",
        publisher="Akorda",
        dateline="Astana, October 21",
        published_on=datetime.date(2025, 10, 21),
        text=SOURCE_TEXT,
        sha256=hashlib.sha256(SOURCE_TEXT.encode()).hexdigest(),
        filename="layers-move.txt",
    )
    start = SOURCE_TEXT.index(QUOTE)
    citation = Citation.objects.create(
        source=source,
        content_type=meeting_type,
        object_id=meeting.pk,
        field="title",
        quote=QUOTE,
        start=start,
        end=start + len(QUOTE),
    )
    # The history simple-history would have written: the source created, then retitled.
    source_fields = {
        field.attname: getattr(source, field.attname)
        for field in Source._meta.concrete_fields
        if field.name != "text"
    }
    for history_type, title in (("+", "Joint statement"), ("~", source.title)):
        HistoricalSource.objects.create(
            **{**source_fields, "title": title},
            history_date=now,
            history_type=history_type,
            history_user=user,
        )
    citation_fields = {
        field.attname: getattr(citation, field.attname) for field in Citation._meta.concrete_fields
    }
    HistoricalCitation.objects.create(
        **citation_fields, history_date=now, history_type="+", history_user=user
    )
    log_entry = LogEntry.objects.create(
        action_time=now,
        user=user,
        content_type=source_type,
        object_id=str(source.pk),
        object_repr=source.title,
        action_flag=2,
        change_message='[{"changed": {"fields": ["Title"]}}]',
    )
    return {
        "user": user.pk,
        "meeting": meeting.pk,
        "source": source.pk,
        "citation": citation.pk,
        "log_entry": log_entry.pk,
        "source_history": HistoricalSource.objects.filter(id=source.pk).count(),
        "citation_history": HistoricalCitation.objects.filter(id=citation.pk).count(),
    }


def quotes_in(document: Any) -> list[str]:
    """Every "quote" value anywhere in a JSON document."""
    if isinstance(document, dict):
        found = [document["quote"]] if isinstance(document.get("quote"), str) else []
        return found + [quote for value in document.values() for quote in quotes_in(value)]
    if isinstance(document, list):
        return [quote for value in document for quote in quotes_in(value)]
    return []


def check_current_models(inserted: dict[str, Any]) -> dict[str, Any]:
    """What today's code makes of the migrated rows."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.auth import get_user_model
    from django.test import Client

    from records.models import Citation, Source
    from summits.models import Meeting

    citation = Citation.objects.get(pk=inserted["citation"])
    meeting = Meeting.objects.get(pk=inserted["meeting"])
    edited = LogEntry.objects.get(pk=inserted["log_entry"]).get_edited_object()
    user = get_user_model().objects.get(pk=inserted["user"])
    response = Client().get(f"/api/v1/meetings/{MEETING_SLUG}/", {"format": "json"})
    body = response.json() if response.status_code == 200 else {}
    return {
        "citation_record": [type(citation.record).__name__, citation.record.pk],
        "meeting_citations": list(meeting.citations.values_list("pk", flat=True)),
        "source_passages": list(citation.source.passages.values_list("pk", flat=True)),
        "source_history": Source.history.count(),
        "citation_history": Citation.history.count(),
        "edited_object": [type(edited).__name__, edited.pk],
        "has_perm_records": user.has_perm("records.change_source"),
        "has_perm_seeds": user.has_perm("seeds.change_source"),
        "meeting_analyst_edited": meeting.analyst_edited,
        "meeting_seeded": meeting.seeded,
        "api_status": response.status_code,
        "api_quotes": quotes_in(body),
    }


def the_move(call_command) -> None:
    """Forward from the layout before the move, as an upgrade runs it: the move and every
    migration after it (the test tells the move's changes from the later ones')."""
    call_command("migrate", verbosity=0, interactive=False)


def run(report: dict[str, Any]) -> None:
    """Fill in `report` step by step, so a step that fails leaves what came before it."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()

    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()  # the test client's host, as under pytest
    began = time.monotonic()
    report["vendor"] = connection.vendor

    # A new database made by the migrations of the code before the move, and no further:
    # what today's main leaves, content types and permissions included.
    for app, target in (("contenttypes", None), ("auth", None), ("admin", None)):
        call_command("migrate", app, *([target] if target else []), verbosity=0)
    for app in ("summits", "agreements", "seeds"):
        call_command("migrate", app, PRE_MOVE_LAYOUT[app], verbosity=0, interactive=False)
    report["pre_move_layout"] = applied_layout(connection)
    report["inserted"] = write_content(historical_apps(connection))
    before = snapshot(connection)
    report["rows_before"] = {table: len(rows) for table, rows in before.items()}

    the_move(call_command)
    after = snapshot(connection)
    report["forward"] = differences(before, after)
    report["columns_added"] = {
        table: sorted(
            set(next(iter(rows.values()), {})) - set(next(iter(before[table].values()), {}))
        )
        for table, rows in after.items()
        if set(next(iter(rows.values()), {})) - set(next(iter(before[table].values()), {}))
    }

    report["current"] = check_current_models(report["inserted"])
    report["seconds"] = round(time.monotonic() - began, 1)


if __name__ == "__main__":
    found: dict[str, Any] = {}
    try:
        run(found)
    except Exception:
        found["error"] = traceback.format_exc()
    json.dump(found, sys.stdout, default=str)
