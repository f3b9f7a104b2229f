"""Export lines kept per record, so that the first download after a write rebuilds only the
records the write changed.

Every write makes a new data version, and a public export is built once per version
(records/api/downloads.built_once). Building all 100,013 meetings' lines took 15–30 s
against Datasette's 3–5 s for a plain table (docs/scaling.md, twelfth session), and an
analyst saves several times a minute. But a record's public JSON changes only when its
`updated_at` moves: the change tracking (records/tracking.py) moves it on the record and on
every record that shows it, as the change feed promises sync clients. So each line (a CSV
record, a JSON line) is kept with the `updated_at` it was built at, in a small SQLite file of
the downloads directory; an export reads its rows' ids and times in its own order and takes
each line kept at that time, building only the others.

What else makes a line is in the store's name: the resource, the format and its columns, the
host (absolute URLs), the format version, the project's code and the migrations applied. The
store is a cache: when it cannot be read or written, the export builds its lines as before."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import logging
import os
import sqlite3
import sys
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from pathlib import Path

import django
import rest_framework
from django.apps import apps
from django.conf import settings
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import CharField, Max, QuerySet
from django.db.models.functions import Cast

from records.api.plan import RecordPlan

logger = logging.getLogger(__name__)

# How long a writer waits for another process writing the same store.
BUSY_MS = 2000

Encoder = Callable[[dict], str]


@functools.cache
def code_digest() -> str:
    """The project's own Python source, read once per process. What renders a line is spread
    over it (the serializers, the plan, the cells' flattening, choice labels, the basis of
    facts), and a change to any of it must not leave lines built by the code before, so any
    change makes a new store: a deployment builds its lines once."""
    base, installed = Path(settings.BASE_DIR).resolve(), Path(sys.prefix).resolve()
    roots = {base / "config"}
    for app in apps.get_app_configs():
        path = Path(app.path).resolve()
        if path.is_relative_to(base) and not path.is_relative_to(installed):
            roots.add(path)
    # The libraries' own part (DRF's fields, Django's converters) by their versions.
    digest = hashlib.sha256(f"{django.__version__} {rest_framework.VERSION}".encode())
    for root in sorted(roots):
        for source in sorted(root.rglob("*.py")):
            digest.update(str(source.relative_to(base)).encode() + b"\0")
            with contextlib.suppress(OSError):
                digest.update(source.read_bytes())
    return digest.hexdigest()[:16]


def migrations_applied(alias: str) -> int:
    # A data migration may rewrite rows without moving `updated_at`.
    recorder = MigrationRecorder.Migration.objects.using(alias)
    return recorder.aggregate(last=Max("id"))["last"] or 0


def store_path(directory: Path, resource: str, extension: str, *parts: object) -> Path:
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:24]
    return directory / "lines" / f"{resource}-{extension}-{digest}.sqlite3"


# `updated_at` as the database writes it as text: compared as it comes, without making a
# datetime of each row's (a third of an export whose lines were all kept).
STAMP = "pacta_line_stamp"


def with_stamp(queryset: QuerySet) -> QuerySet:
    return queryset.prefetch_related(None).annotate(
        **{STAMP: Cast("updated_at", output_field=CharField())}
    )


def damaged(error: sqlite3.DatabaseError) -> bool:
    """Whether the error says the file is not a sound database (rather than busy or locked,
    which passes)."""
    if isinstance(error, sqlite3.OperationalError):
        text = str(error).lower()
        return not ("locked" in text or "busy" in text)
    return True


class LineStore:
    """The kept lines of one store file: `pk -> (stamp, line)`."""

    def __init__(self, path: Path):
        self.path = path
        self.connection: sqlite3.Connection | None = None

    def __enter__(self) -> LineStore:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.connection = self.open()
        except sqlite3.DatabaseError as error:
            if not damaged(error):
                # Busy (another worker writing past BUSY_MS): this export builds its lines
                # without the store; the file, in use by others, stays.
                logger.warning("Export line store %s busy: %s", self.path, error)
                return self
            # A damaged file (a cache: nothing in it is lost) is made again once.
            logger.warning("Export line store %s unreadable (%s); made again", self.path, error)
            for part in (self.path, *self.path.parent.glob(f"{self.path.name}-*")):
                with contextlib.suppress(OSError):
                    part.unlink()
            try:
                self.connection = self.open()
            except (OSError, sqlite3.DatabaseError):
                self.connection = None
        except OSError:
            self.connection = None
        return self

    def open(self) -> sqlite3.Connection:
        connection = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, isolation_level=None)
        try:
            # Only what is missing is set or made: each needs a lock the other workers may
            # hold, and a store in use has both.
            if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                connection.execute("PRAGMA journal_mode=WAL")
            # A cache: losing its last writes in a power cut costs rebuilding them.
            connection.execute("PRAGMA synchronous=OFF")
            made = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'lines'"
            ).fetchone()
            if not made:
                connection.execute(
                    "CREATE TABLE IF NOT EXISTS lines"
                    " (pk INTEGER PRIMARY KEY, stamp TEXT NOT NULL, line TEXT NOT NULL)"
                )
        except sqlite3.DatabaseError:
            connection.close()
            raise
        with contextlib.suppress(OSError):
            os.utime(self.path)
        return connection

    def __exit__(self, *exc) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def kept(self, stamps: dict[int, str]) -> dict[int, str]:
        """The lines kept for these records at these times."""
        if self.connection is None or not stamps:
            return {}
        marks = ",".join("?" * len(stamps))
        try:
            rows = self.connection.execute(
                f"SELECT pk, stamp, line FROM lines WHERE pk IN ({marks})", list(stamps)
            ).fetchall()
        except sqlite3.DatabaseError:
            logger.warning("Export line store %s could not be read", self.path, exc_info=True)
            return {}
        return {pk: line for pk, kept_at, line in rows if stamps.get(pk) == kept_at}

    def keep(self, lines: Iterable[tuple[int, str, str]]) -> None:
        if self.connection is None:
            return
        try:
            with self.connection:
                self.connection.execute("BEGIN IMMEDIATE")
                self.connection.executemany(
                    "INSERT OR REPLACE INTO lines (pk, stamp, line) VALUES (?, ?, ?)", lines
                )
        except sqlite3.DatabaseError:
            # Busy with another writer past BUSY_MS, or the disk is full: these lines are
            # built again next time.
            logger.warning("Export line store %s could not be written", self.path, exc_info=True)


def kept_lines(
    queryset: QuerySet,
    plan: RecordPlan,
    encode: Encoder,
    store: Path,
    *,
    chunk_size: int,
) -> Iterator[str]:
    """The line of every record of `queryset`, in its order: each taken from `store` when it
    was kept at the record's current `updated_at`, built by `plan` and `encode` (and kept)
    otherwise. Nothing is read before the first line is asked for."""
    rows = with_stamp(queryset).values_list("pk", STAMP).iterator(chunk_size)
    with contextlib.closing(rows), LineStore(store) as kept:
        while chunk := list(islice(rows, chunk_size)):
            wanted = dict(chunk)
            lines = kept.kept(wanted)
            missing = [pk for pk in wanted if pk not in lines]
            if missing:
                built = built_lines(queryset, plan, encode, missing)
                kept.keep(built)
                lines.update((pk, line) for pk, _, line in built)
            # A record gone since its id was read (deleted, unpublished) is left out.
            yield "".join([lines[pk] for pk in wanted if pk in lines])


def built_lines(
    queryset: QuerySet, plan: RecordPlan, encode: Encoder, pks: list[int]
) -> list[tuple[int, str, str]]:
    """(pk, stamp, line) for these records, each stamped with the `updated_at` its own row
    was read with (a write in between only makes the line be built again next time)."""
    rows = list(with_stamp(queryset.filter(pk__in=pks).order_by()).values(*plan.columns, STAMP))
    records = plan.build(rows)
    return [
        (row[plan.pk], row[STAMP], encode(record))
        for row, record in zip(rows, records, strict=True)
        if record is not None
    ]
