"""Whole-database export and restore, with natural keys for the framework's own rows.

Content types and permissions are not exported: every database creates its own, and the
export refers to them by natural key (app label and model), so ids may differ between the
database exported and the one restored. Content rows keep their primary keys, because
citations point at records by id. The file is deterministic: rows in primary-key order,
many-to-many ids sorted, keys sorted, so exporting a restored database gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from django.apps import apps
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.test.utils import override_settings

FORMAT_VERSION = 1
EXCLUDED = {
    "contenttypes.contenttype",
    "auth.permission",
    "sessions.session",
    # The change feed is derived from the data (records/tracking.py); a restore reports its
    # own changes, and `manage.py record_changes` compares everything afterwards.
    "records.change",
    "records.publishedstate",
    "records.changefeed",
}


class RestoreError(Exception):
    pass


def exported_models() -> list[type[models.Model]]:
    return [
        model
        for model in serializers.sort_dependencies(
            [(config, None) for config in apps.get_app_configs()]
        )
        if model._meta.label_lower not in EXCLUDED
        and not model._meta.proxy
        and model._meta.managed
    ]


def _rows(model: type[models.Model], batch: int = 2000) -> Iterator[dict]:
    queryset = model._base_manager.order_by("pk")
    for row in serializers.serialize(
        "python",
        queryset.iterator(chunk_size=batch),
        use_natural_foreign_keys=True,
    ):
        fields = row["fields"]
        for field in model._meta.many_to_many:
            if field.name in fields:
                fields[field.name] = sorted(fields[field.name], key=json.dumps)
        yield row


def export_database(out: TextIO, log: Callable[[str], None] = lambda line: None) -> int:
    """Write every row as one JSON document; returns the number of rows written."""
    total = 0
    out.write(f'{{"format": {FORMAT_VERSION}, "rows": [\n')
    first = True
    for model in exported_models():
        count = 0
        for row in _rows(model):
            out.write(
                ("" if first else ",\n")
                + json.dumps(row, sort_keys=True, ensure_ascii=False, default=str)
            )
            first = False
            count += 1
        total += count
        if count:
            log(f"  {model._meta.label_lower:<40}{count:>9}")
    out.write("\n]}\n")
    return total


def holds_content() -> bool:
    from records.models import Source
    from summits.models import Meeting, Person

    return Meeting.objects.exists() or Source.objects.exists() or Person.objects.exists()


def restore_database(path: Path, *, log: Callable[[str], None] = lambda line: None) -> int:
    """Load an export into an empty, migrated database; all or nothing."""
    if holds_content():
        raise RestoreError(
            "The database already holds records. Restore into an empty database "
            "(create it, run `manage.py migrate`, then restore)."
        )
    with path.open(encoding="utf-8") as handle:
        document = json.load(handle)
    if document.get("format") != FORMAT_VERSION:
        raise RestoreError(f"{path}: not a Pacta export of format {FORMAT_VERSION}.")
    rows = document["rows"]
    # The export carries its own history rows; recording new ones while loading would
    # duplicate them (many-to-many changes are not "raw" saves to django-simple-history).
    with override_settings(SIMPLE_HISTORY_ENABLED=False), transaction.atomic():
        # The migrations loaded reference rows (the ISO countries) that the export holds too,
        # with its own ids: clear them so the export's rows land unchanged.
        for model in reversed(exported_models()):
            model._base_manager.all().delete()
        objects = serializers.deserialize("python", rows, handle_forward_references=True)
        count = 0
        for obj in objects:
            obj.save()
            count += 1
            if count % 5000 == 0:
                log(f"  {count} rows")
        sequences = connection.ops.sequence_reset_sql(no_style(), exported_models())
        with connection.cursor() as cursor:
            for statement in sequences:
                cursor.execute(statement)
    call_command("check", verbosity=0)
    return count
