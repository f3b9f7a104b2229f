"""What the downloads stream: CSV cells made safe for spreadsheets, JSON lines, the content
negotiation that lets an export answer its errors as JSON whatever was asked, and the files
a public download is served from once it has been built for the current data version."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from itertools import islice
from pathlib import Path

from anyascii import anyascii
from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

from records import cache
from records.licence import link_header

EXPORT_ACTIONS = {"export_csv", "export_jsonl"}


class JSONOnlyNegotiation(BaseContentNegotiation):
    """Exports stream their own content type; only their error answers are rendered, as JSON,
    whatever the client's Accept header asked for (an `Accept: text/csv` must not be a 406)."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        renderer = JSONRenderer()
        return renderer, renderer.media_type


def at_precision(value, precision) -> str:
    """An ISO date as precise as it is known: '2005', '2024-11' or '2024-11-12'. A spreadsheet
    would read '2005-01-01' as the first of January, which no source said."""
    text = "" if value is None else str(value)
    if precision == "year":
        return text[:4]
    if precision == "month":
        return text[:7]
    return text


def precision_column(column: str) -> tuple[str, ...]:
    """Where a date column's precision is: start_date -> start_precision, date ->
    date_precision, published_on -> published_precision."""
    stem = column.removesuffix("_date").removesuffix("_on")
    return tuple(dict.fromkeys((f"{stem}_precision", f"{column}_precision")))


def cited(item: dict) -> str:
    """A citation as evidence a reader can check: the quote, its publisher, and where it is
    in the source ('“…” — AzerTac, azertac-2025@8299-8388')."""
    where = f"{item.get('source_slug')}@{item.get('start')}-{item.get('end')}"
    publisher = item.get("publisher")
    text = f"“{item['quote']}” — {publisher + ', ' if publisher else ''}{where}"
    return f"{text} (for {item['field']})" if item.get("field") else text


def brief(item: dict) -> str:
    """One embedded object as a short CSV cell part: 'KZ (host)', 'signed 2024-11'."""
    if "quote" in item:
        return cited(item)
    for key in ("slug", "country", "code", "status", "kind", "name", "title", "text"):
        if item.get(key) not in (None, ""):
            ident = str(item[key])
            break
    else:
        ident = json.dumps(item, cls=JSONEncoder, ensure_ascii=False)
    if item.get("role"):
        ident = f"{ident} ({item['role']})"
    if item.get("date"):
        ident = f"{ident} {at_precision(item['date'], item.get('date_precision'))}"
    return ident


# A cell starting with one of these is a formula to Excel and LibreOffice; quoted texts are
# hostile input, so such a cell is prefixed with an apostrophe (OWASP's CSV injection advice).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The same characters as a set, for the one test of a cell's first character (safe_cell and
# csv_lines' inline path).
FORMULA_FIRST = frozenset(FORMULA_PREFIXES)


def safe_cell(value) -> str:
    text = value if type(value) is str else flat_cell(value)
    return "'" + text if text[:1] in FORMULA_FIRST else text


def flat_cell(value) -> str:
    # Most cells are plain strings: they go first, before the isinstance() checks.
    if type(value) is str:
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        try:
            # Most lists are plain strings (codes, slugs): joined at once. A list holding
            # anything else raises, and is flattened item by item below.
            return ";".join(value)
        except TypeError:
            pass
        if value and isinstance(value[0], dict) and "quote" in value[0]:
            # Quotes hold semicolons of their own: one quote a line.
            return "\n".join(cited(item) for item in value)
        return ";".join([brief(v) if isinstance(v, dict) else flat_cell(v) for v in value])
    if isinstance(value, dict):
        if value and all(isinstance(v, dict) and "basis" in v for v in value.values()):
            # A record's `basis` object: "start_date=stated;city=inferred" (the reasoning is
            # in the JSON Lines export and the API).
            return ";".join(f"{fact}={entry['basis']}" for fact, entry in value.items())
        return brief(value)
    return str(value)


def batches(records: Iterable[dict], size: int) -> Iterator[list[dict]]:
    """Records encoded and sent together: one write to the client per batch (the exports
    pass the chunk their rows are read in) rather than 100,000 small ones."""
    records = iter(records)
    while batch := list(islice(records, size)):
        yield batch


def csv_cells(columns: list[str]) -> Callable[[dict], list]:
    """record -> its CSV cells: lists and objects flattened, dates as precise as their
    precision column says (which stays beside them), formulas defused."""
    known = set(columns)
    dated = [
        (position, precision)
        for position, column in enumerate(columns)
        for precision in precision_column(column)
        if precision in known and precision != column
    ]

    def cells(record: dict) -> list:
        values = [record.get(column) for column in columns]
        for position, precision in dated:
            if values[position]:
                values[position] = at_precision(values[position], record.get(precision))
        # Most of an export's cells are plain strings that start with no formula character:
        # they are kept inline, without a call per cell, which was half of a meetings
        # export's time.
        return [
            value
            if type(value) is str and value[:1] not in FORMULA_FIRST
            else ("" if value is None else safe_cell(value))
            for value in values
        ]

    return cells


class _CSVText:
    """A CSV writer whose output is taken as text after each write."""

    def __init__(self):
        self.buffer = io.StringIO()
        self.writer = csv.writer(self.buffer)

    def written(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return text


def csv_header(columns: list[str]) -> str:
    text = _CSVText()
    text.writer.writerow(columns)
    return text.written()


def csv_lines(columns: list[str], records: Iterable[dict], size: int = 500) -> Iterator[str]:
    """The header, then the lines of the records (csv_line), a batch at a time: a CSV export
    of `records`."""
    line = csv_line(columns)
    yield csv_header(columns)
    for batch in batches(records, size):
        yield "".join([line(record) for record in batch])


def csv_line(columns: list[str]) -> Callable[[dict], str]:
    """record -> its CSV line (a record of several lines when a cell holds line breaks), as
    csv_lines writes it."""
    cells, text = csv_cells(columns), _CSVText()

    def line(record: dict) -> str:
        text.writer.writerow(cells(record))
        return text.written()

    return line


# Query parameters that shape a download, not which rows it holds.
NOT_FILTERS = frozenset({"format", "page", "page_size", "cursor", "ordering"})
FILENAME_LENGTH = 120


def export_filename(resource: str, params, extension: str) -> str:
    """A download's name saying what was filtered, in safe characters only:
    'pacta-meetings-country-AZ-KZ-2024.csv' for ?country=AZ,KZ&year=2024. A year stands by
    itself; other values follow their parameter's name; non-Latin text is transliterated."""
    parts = ["pacta", resource]
    for name, values in params.lists():
        values = [value for value in values if value.strip()]
        if name in NOT_FILTERS or not values:
            continue
        if name != "year":
            parts.append(name)
        parts.extend(values)
    stem = re.sub(r"[^A-Za-z0-9]+", "-", anyascii("-".join(parts))).strip("-")
    stem = stem[:FILENAME_LENGTH].rstrip("-")
    return f"{stem}.{extension}"


# One encoder for every line: json.dumps(cls=...) would build one per call.
LINE_ENCODER = JSONEncoder(ensure_ascii=False)


def json_line(record: dict) -> str:
    return LINE_ENCODER.encode(record) + "\n"


def streaming(content: Iterator[str], content_type: str, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Link"] = link_header()
    return response


# Built downloads ------------------------------------------------------------------------------
#
# A public download (dataset.json, an export and its filters) is the same bytes for everyone
# until the next write, and building one is the slowest thing Pacta does (the 100,013-meeting
# CSV took 12 s in one process, dataset.json 68 s). So the first request after a write streams
# it while it is written to a file, and later requests at the same data version get that file
# with its ETag (docs/scaling.md, "Downloads built once per data version").

# A temporary file a build left behind (its process killed mid-way) is removed after this long.
ABANDONED_SECONDS = 3600
# A store of export lines (records/api/lines.py) not used for this long is removed: it was
# for another host, an earlier release or an earlier schema.
UNUSED_LINES_SECONDS = 7 * 86400


def built_once(
    request: HttpRequest,
    *,
    key: str,
    name: str,
    chunks: Callable[[], Generator[str, None, None]],
    content_type: str,
    filename: str,
) -> HttpResponseBase:
    """A 304, the file built for `key` (a versioned cache key), or `chunks()` streamed while
    the file is written. `name` starts the file's name (its kind, for people reading the
    directory). With PACTA_DOWNLOAD_FILES_MB at 0 nothing is kept and every download is built
    afresh."""
    etag = cache.etag_for(key)
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        not_modified["ETag"] = etag
        return not_modified
    extension = filename.rsplit(".", 1)[-1]
    path = downloads_dir() / f"{name}-{key.rsplit(':', 1)[-1][:32]}.{extension}"
    if kept_bytes() <= 0:
        response = streaming(chunks(), content_type, filename)
    else:
        try:
            built = path.open("rb")
        except FileNotFoundError:
            response = streaming(written_to(path, chunks()), content_type, filename)
        else:
            # Served files stay; the least recently served go first when the directory is full.
            with contextlib.suppress(OSError):
                os.utime(path)
            response = FileResponse(
                built, as_attachment=True, filename=filename, content_type=content_type
            )
            response["Link"] = link_header()
    response["ETag"] = etag
    return response


def downloads_dir() -> Path:
    return Path(settings.PACTA_DATASET_DIR)


def kept_bytes() -> int:
    return int(getattr(settings, "PACTA_DOWNLOAD_FILES_MB", 1024)) * 1024 * 1024


def written_to(path: Path, chunks: Generator[str, None, None]) -> Iterator[str]:
    """`chunks`, passed on as they come and written to a temporary file beside `path`, which
    becomes `path` (an atomic rename) once the last chunk is out; an interrupted download
    leaves nothing behind. The directory is then pruned (a reader still sending a removed
    file keeps its open file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, building = tempfile.mkstemp(dir=path.parent, prefix=".building-")
    try:
        with open(descriptor, "w", encoding="utf-8", newline="") as handle:
            for chunk in chunks:
                handle.write(chunk)
                yield chunk
        os.replace(building, path)
    finally:
        # Now, not whenever the garbage collector gets to it: an abandoned export's
        # server-side cursor closed later, in the middle of another query, broke the
        # connection on PostgreSQL.
        chunks.close()
        if os.path.exists(building):
            os.unlink(building)
    pruned(path.parent, keep=path)


def pruned(directory: Path, *, keep: Path) -> None:
    """Removes the files no current answer needs: those neither built nor served for as long
    as a cached answer lives (earlier data versions' files among them, since a write changes
    every key), then the least recently served beyond PACTA_DOWNLOAD_FILES_MB, temporary
    files abandoned by a build that died, and stores of export lines no longer used."""
    now = time.time()
    with contextlib.suppress(FileNotFoundError):
        for entry in (directory / "lines").glob("*.sqlite3"):
            with contextlib.suppress(FileNotFoundError):
                if entry.stat().st_mtime < now - UNUSED_LINES_SECONDS:
                    # Its write-ahead log and shared memory go with it.
                    for part in (entry, *entry.parent.glob(f"{entry.name}-*")):
                        part.unlink(missing_ok=True)
    stale, budget = now - cache.response_seconds(), kept_bytes()
    entries = []
    for entry in directory.iterdir():
        with contextlib.suppress(FileNotFoundError):
            status = entry.stat()
            if entry.name.startswith(".building-"):
                if status.st_mtime < now - ABANDONED_SECONDS:
                    entry.unlink()
            elif entry.is_file():
                entries.append((entry != keep, -status.st_mtime, status.st_size, entry))
    used = 0
    # The file just built first, then the most recently served.
    for other, negative_mtime, size, entry in sorted(entries):
        used += size
        if other and (-negative_mtime < stale or used > budget):
            used -= size
            with contextlib.suppress(FileNotFoundError):
                entry.unlink()
