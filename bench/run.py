"""`make bench`: Pacta against Datasette on the same data, on SQLite and on PostgreSQL.

Builds (or reuses) the benchmark database, starts Pacta under gunicorn and Datasette under
uvicorn with the same number of processes, loads each endpoint of each in turn with wrk
(interleaved, repeated, medians), measures the CSV export's duration and worker memory, prints
one table and writes it to bench/results/ as JSON and Markdown. The method, and why each
choice was made, is in bench/README.md.

Every server binds to 127.0.0.1, every wait has a deadline, and every process started here is
stopped on the way out, also on Ctrl-C or failure.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import KW_ONLY, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / "data"
RESULTS = BENCH / "results"
BIN = Path(sys.executable).parent
SQLITE_FILE = DATA / "bench.sqlite3"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/pacta_bench_pg"
HOST = "127.0.0.1"
SEARCH_WORD = "pharmaceutical"
DEEP_PAGE = 1000
PAGE_SIZE = 50

# What the benchmark's servers run with: production settings, but no HTTPS redirect (wrk
# speaks plain HTTP on the loopback) and a throttle far above what wrk can send.
BENCH_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "bench-only-secret-key-never-used-outside-bench-run-py",
    "DJANGO_ALLOWED_HOSTS": HOST,
    "DJANGO_STATIC_MANIFEST": "false",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
    "DJANGO_HSTS_SECONDS": "0",
    "PACTA_API_ANON_RATE": "100000000/second",
    "PACTA_HTML_ANON_RATE": "100000000/second",
    "DJANGO_LOG_LEVEL": "ERROR",
    # The shared cache a deployment of several processes uses (docs/scaling.md).
    "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/1"),
}

# Run inside `manage.py shell`: what the endpoints need from the database, by model _meta.
PROBE = """
import json
from django.db import connection
from django.db.models import Count
from summits.models import Meeting, MeetingCountry
generated = Meeting.objects.filter(slug__startswith="gen-")
count = generated.count()
middle = generated.order_by("pk").values("id", "slug")[count // 2] if count else None
pair = list(
    MeetingCountry.objects.filter(meeting__slug__startswith="gen-")
    .values("country__code", "country_id").annotate(n=Count("id")).order_by("-n")[:2]
)
with connection.cursor() as cursor:
    postgres = connection.vendor == "postgresql"
    cursor.execute("select version()" if postgres else "select sqlite_version()")
    version = cursor.fetchone()[0]
links = MeetingCountry._meta
# The long-tail mix (BENCH_MIX=longtail): meetings spread over the whole table, the most
# active countries and the years with meetings.
import random
picked = random.Random(0).sample(range(count), min(count, 2000)) if count else []
rows = list(generated.order_by("pk").values_list("id", "slug"))
countries = list(
    MeetingCountry.objects.values("country__code", "country_id").annotate(n=Count("id"))
    .order_by("-n")[:40]
)
years = sorted({d.year for d in generated.dates("start_date", "year")})
print("PROBE " + json.dumps({
    "sample": [rows[i] for i in sorted(picked)], "countries": countries, "years": years,
    "vendor": connection.vendor, "version": version,
    "generated_meetings": count, "curated_meetings": Meeting.objects.count() - count,
    "published_meetings": Meeting.objects.published().count(),
    "meeting": middle, "pair": pair,
    "meeting_table": Meeting._meta.db_table, "link_table": links.db_table,
    "link_meeting": links.get_field("meeting").column,
    "link_country": links.get_field("country").column,
}))
"""


def log(line: str) -> None:
    print(line, flush=True)


# -- databases ------------------------------------------------------------------------------
@dataclass
class Database:
    name: str  # "sqlite" or "postgres"
    url: str
    stamp: Path

    def env(self) -> dict[str, str]:
        return {**os.environ, **BENCH_ENV, "DATABASE_URL": self.url}

    def manage(self, *args: str, timeout: float = 900) -> str:
        started = time.monotonic()
        result = subprocess.run(
            [str(BIN / "python"), "manage.py", *args],
            cwd=ROOT,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")
        if args[0] != "shell":
            last = (result.stdout.strip().splitlines() or [""])[-1]
            log(f"  [{self.name}] manage.py {args[0]}: {time.monotonic() - started:.1f} s  {last}")
        return result.stdout

    def probe(self) -> dict:
        out = self.manage("shell", "--no-imports", "-v", "0", "-c", PROBE, timeout=300)
        line = next(line for line in out.splitlines() if line.startswith("PROBE "))
        return json.loads(line.removeprefix("PROBE "))

    def prepare(self, meetings: int, seed: int) -> dict:
        """Reuse the database when it holds exactly this generation; otherwise (re)build it."""
        if self.name == "postgres":
            create_pg_database(self.url)
        DATA.mkdir(parents=True, exist_ok=True)
        self.manage("migrate", "--no-input")
        info = self.probe()
        wanted = {"meetings": meetings, "seed": seed}
        stamp = json.loads(self.stamp.read_text()) if self.stamp.exists() else None
        if stamp == wanted and info["generated_meetings"] == meetings:
            log(f"  [{self.name}] reusing {meetings:,} generated meetings (seed {seed})")
            return info
        if info["curated_meetings"] == 0:
            self.manage("seed")
        args = ["generate_data", "--meetings", str(meetings), "--seed", str(seed)]
        if info["generated_meetings"]:
            args.append("--replace")
        self.manage(*args)
        if self.name == "postgres":
            vacuum_pg_database(self.url)
        self.stamp.write_text(json.dumps(wanted))
        return self.probe()


def vacuum_pg_database(url: str) -> None:
    """VACUUM ANALYZE after the bulk load, as autovacuum leaves a table at rest: until the
    visibility map is set, an index-only scan still reads every row it passes from the table
    (a deep list page's OFFSET 61,650: 51 ms, 23 ms after)."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute("VACUUM (ANALYZE)")
    log(f"  [postgres] VACUUM (ANALYZE): {time.monotonic() - started:.1f} s")


def create_pg_database(url: str) -> None:
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists.fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')
            log(f"  [postgres] created database {name}")


# -- servers --------------------------------------------------------------------------------
def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


@contextlib.contextmanager
def server(name: str, command: list[str], env: dict, origin: str, ready: str) -> Iterator[Server]:
    logs = DATA / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    with open(logs / f"{name}.log", "ab") as output:
        # Its own session, so that stopping it stops its workers too and nothing else.
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        try:
            ready_url = origin + ready
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    raise SystemExit(f"{name} exited at start; see {logs / (name + '.log')}")
                with (
                    contextlib.suppress(OSError),
                    urllib.request.urlopen(ready_url, timeout=5) as response,
                ):
                    if response.status == 200:
                        break
                if time.monotonic() > deadline:
                    raise SystemExit(f"{name} did not answer {ready_url} within 60 s")
                time.sleep(0.3)
            yield Server(name, process, origin)
        finally:
            stop(process)


@dataclass
class Server:
    name: str
    process: subprocess.Popen
    origin: str

    def workers(self) -> list[int]:
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()]


# Empties the shared cache (Redis) the servers use. The in-process page caches do not exist
# with CACHE_URL set (config/settings.py), so this empties everything Pacta keeps.
CLEAR_CACHE = "from django.core.cache import cache; cache.clear()"
# An analyst's save: one meeting's title edited and saved as the admin saves it. The write
# makes a new data version (every cached answer and built download is stale), and the change
# tracking moves the `updated_at` of the meeting and of every record showing it when the
# transaction commits, so their export lines are built again (records/api/lines.py).
AN_ANALYSTS_SAVE = """
from django.db import transaction
from summits.models import Meeting
with transaction.atomic():
    meeting = Meeting.objects.published().order_by("-pk").first()
    title = meeting.title
    meeting.title = title[:-1] if title.endswith(".") else title + "."
    meeting.save()
"""


def worker_connections(connections: int, workers: int) -> int:
    """Each gunicorn worker's share of wrk's keep-alive connections. A gthread worker accepts
    every connection it can (1,000 by default) and keeps it, so one worker could hold them all
    while the other idled (bench/README.md)."""
    return max(1, math.ceil(connections / workers))


def pacta_server(database: Database, port: int, workers: int, connections: int):
    # gthread with one thread: one request at a time per process, like a sync worker, but
    # with keep-alive, as uvicorn has for Datasette; see bench/README.md.
    command = [
        str(BIN / "gunicorn"), "config.wsgi:application", "--bind", f"{HOST}:{port}",
        "--workers", str(workers), "--worker-class", "gthread", "--threads", "1",
        "--worker-connections", str(worker_connections(connections, workers)),
        "--keep-alive", "5", "--timeout", "300", "--max-requests", "0",
    ]  # fmt: skip
    # Start cold: nothing cached by an earlier run (of other code or another database).
    database.manage("shell", "-c", CLEAR_CACHE)
    return server(
        f"pacta-{database.name}", command, database.env(), f"http://{HOST}:{port}", "/healthz"
    )


def datasette_server(port: int, workers: int):
    command = [
        str(BIN / "uvicorn"), "bench.datasette_app:app", "--host", HOST, "--port", str(port),
        "--workers", str(workers), "--no-access-log", "--log-level", "warning",
    ]  # fmt: skip
    env = {**os.environ, "BENCH_SQLITE": str(SQLITE_FILE)}
    return server("datasette", command, env, f"http://{HOST}:{port}", "/-/versions.json")


# -- measuring ------------------------------------------------------------------------------
@dataclass
class Endpoint:
    key: str
    label: str
    pacta: str
    datasette: str
    # The rest by name only: a field added here once shifted the long-tail mixes' paths
    # into the wrong fields, and Pacta was loaded with Datasette's URLs.
    _: KW_ONLY
    export: bool = False
    # An export measured as the first download after an analyst's save (AN_ANALYSTS_SAVE)
    # before each of Pacta's downloads: it is built, not served from its file.
    after_save: bool = False
    # A long-tail mix: each request a random path of these (the first is `pacta`/`datasette`).
    pacta_paths: list[str] | None = None
    datasette_paths: list[str] | None = None

    def paths(self, side: str) -> list[str] | None:
        return getattr(self, f"{side}_paths")


# More failed requests than this share (non-2xx answers, timeouts) leave a row without a ratio.
ERROR_SHARE = 0.01

# The long tail (BENCH_MIX=longtail): this many distinct meetings, list pages and
# country-and-year filters, each request one of them at random.
MIX_DETAILS, MIX_PAGES, MIX_FILTERS, MIX_LAST_PAGE = 2000, 600, 600, 2000


def longtail(info: dict, lite: dict, seed: int) -> list[Endpoint]:
    """The API mix and the HTML mix, the same records and pages on both servers."""
    import random

    pick = random.Random(seed)
    table, links = lite["meeting_table"], lite["link_table"]
    by_slug = {slug: pk for pk, slug in lite["sample"]}
    details = [slug for _, slug in info["sample"] if slug in by_slug][:MIX_DETAILS]
    pages = [pick.randint(1, MIX_LAST_PAGE) for _ in range(MIX_PAGES)]
    lite_ids = {row["country__code"]: row["country_id"] for row in lite["countries"]}
    codes = [row["country__code"] for row in info["countries"] if row["country__code"] in lite_ids]
    filters = [(pick.choice(codes), pick.choice(info["years"])) for _ in range(MIX_FILTERS)]
    quote = urllib.parse.quote

    def page_sql(page: int) -> str:
        return quote(
            f"select * from {table} where status = 'published' order by start_date desc, "
            f"title limit {PAGE_SIZE} offset {(page - 1) * PAGE_SIZE}"
        )

    def datasette_filter(code: str, year: int, suffix: str) -> str:
        where = quote(
            f"id in (select {lite['link_meeting']} from {links} "
            f"where {lite['link_country']} = {lite_ids[code]})"
        )
        return (
            f"/bench/{table}{suffix}?_size={PAGE_SIZE}&_nosuggest=1&_sort_desc=start_date"
            f"&start_date__gte={year}-01-01&start_date__lte={year}-12-31&_where={where}"
        )

    mixes = []
    for key, label, api, suffix in (
        ("longtail_api", "long tail, API (random detail, page, filter)", "/api/v1", ".json"),
        ("longtail_html", "long tail, HTML (the same as pages)", "", ""),
    ):
        pacta = (
            [f"{api}/meetings/{slug}/" for slug in details]
            + [f"{api}/meetings/?page={page}" for page in pages]
            + [f"{api}/meetings/?country={code}&year={year}" for code, year in filters]
        )
        datasette = (
            [f"/bench/{table}/{by_slug[slug]}{suffix}" for slug in details]
            + [f"/bench{suffix}?sql={page_sql(page)}" for page in pages]
            + [datasette_filter(code, year, suffix) for code, year in filters]
        )
        mixes.append(
            Endpoint(
                key, label, pacta[0], datasette[0], pacta_paths=pacta, datasette_paths=datasette
            )
        )
    return mixes


def endpoints(info: dict, lite: dict) -> list[Endpoint]:
    """Each Pacta endpoint with Datasette's nearest equivalent on the SQLite file."""
    table, links = lite["meeting_table"], lite["link_table"]
    rows = f"/bench/{table}.json?_size={PAGE_SIZE}&_nosuggest=1&_sort_desc=start_date"
    codes = ",".join(row["country__code"] for row in info["pair"])
    in_pair = " and ".join(
        f"id in (select {lite['link_meeting']} from {links} "
        f"where {lite['link_country']} = {row['country_id']})"
        for row in lite["pair"]
    )
    deep_sql = (
        f"select * from {table} where status = 'published' order by start_date desc, title "
        f"limit {PAGE_SIZE} offset {(DEEP_PAGE - 1) * PAGE_SIZE}"
    )
    quote = urllib.parse.quote
    return [
        Endpoint("list", "meetings list (50 rows)", "/api/v1/meetings/", rows),
        Endpoint(
            "pair",
            "pair of countries + date range",
            f"/api/v1/meetings/?countries={codes}&date_from=2000-01-01&date_to=2020-12-31",
            f"{rows}&start_date__gte=2000-01-01&start_date__lte=2020-12-31&_where={quote(in_pair)}",
        ),
        Endpoint(
            "detail",
            "one meeting's detail",
            f"/api/v1/meetings/{info['meeting']['slug']}/",
            f"/bench/{table}/{lite['meeting']['id']}.json",
        ),
        Endpoint(
            "search",
            f"full-text search ({SEARCH_WORD})",
            f"/api/v1/meetings/?q={SEARCH_WORD}",
            # Datasette finds Pacta's FTS5 table (summits_meeting_fts) and searches with it.
            f"{rows}&_search={SEARCH_WORD}",
        ),
        Endpoint(
            "deep",
            f"deep page (page {DEEP_PAGE})",
            f"/api/v1/meetings/?page={DEEP_PAGE}",
            f"/bench.json?sql={quote(deep_sql)}",
        ),
        Endpoint(
            "page",
            "public meetings list page (HTML)",
            "/meetings/",
            f"/bench/{table}?_size={PAGE_SIZE}&_nosuggest=1&_sort_desc=start_date",
        ),
        Endpoint(
            "page_detail",
            "public meeting page (HTML)",
            f"/meetings/{info['meeting']['slug']}/",
            f"/bench/{table}/{lite['meeting']['id']}",
        ),
        Endpoint(
            "csv",
            f"CSV export ({info['published_meetings']:,} rows), first after a save",
            "/api/v1/meetings/export.csv",
            f"/bench/{table}.csv?_stream=on&_size=max",
            export=True,
            after_save=True,
        ),
        Endpoint(
            "csv_served",
            "CSV export, later downloads (built for this data version)",
            "/api/v1/meetings/export.csv",
            f"/bench/{table}.csv?_stream=on&_size=max",
            export=True,
        ),
    ]


def summarize(results: dict, name: str) -> None:
    """Each side's medians and failures, and each row's ratio (none when a side failed)."""
    for row in results.values():
        for side in ("pacta", "datasette"):
            entry = row[side]
            for key in ("rps", "p50_ms", "p99_ms", "seconds", "first_byte_ms", "rss_growth_mb"):
                entry[key] = median_of(entry["runs"], key)
            if entry["runs"] and "lines" in entry["runs"][0]:
                entry["lines"] = max(run["lines"] for run in entry["runs"])
            entry["errors"] = sum(run.get("errors", 0) for run in entry["runs"])
            entry["requests"] = sum(run.get("requests", 0) for run in entry["runs"])
        pacta_side, datasette_side = row["pacta"], row["datasette"]
        both_ok = pacta_side["status"] == datasette_side["status"] == "ok"
        # Failed requests are fast: a side whose answers are errors measures nothing.
        failing = [
            side
            for side in ("pacta", "datasette")
            if row[side]["errors"] > ERROR_SHARE * max(row[side]["requests"], 1)
        ]
        for side in failing:
            log(
                f"  [{name}] {row['label']}: {row[side]['errors']:,} of "
                f"{row[side]['requests']:,} requests to {side} failed; no ratio is given"
            )
        if not both_ok or failing:
            row["ratio"] = None
        elif pacta_side.get("seconds") and datasette_side.get("seconds"):
            row["ratio"] = datasette_side["seconds"] / pacta_side["seconds"]
        elif pacta_side.get("rps") and datasette_side.get("rps"):
            row["ratio"] = pacta_side["rps"] / datasette_side["rps"]
        else:
            row["ratio"] = None


def check(url: str, whole: bool = True) -> str:
    """'ok', 'missing' (404: the route is not built yet) or 'error <status>'."""
    try:
        with urllib.request.urlopen(url, timeout=300) as response:
            # An export is only started: its full download is what gets measured.
            while response.read(1 << 20) and whole:
                pass
            return "ok" if response.status == 200 else f"error {response.status}"
    except urllib.error.HTTPError as exc:
        return "missing" if exc.code == 404 else f"error {exc.code}"
    except OSError as exc:
        return f"error {exc}"


def wrk(url: str, seconds: int, connections: int, paths: Path | None = None) -> dict:
    """Load `url`, or with `paths` (a file, one path a line) a random one of them each time."""
    script = BENCH / ("longtail.lua" if paths else "report.lua")
    command = [
        "wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "30s",
        "-s", str(script), url,
    ]  # fmt: skip
    env = {
        **os.environ,
        "PACTA_BENCH_PATHS": str(paths or ""),
        "PACTA_BENCH_REPORT": str(BENCH / "report.lua"),
    }
    result = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 90, env=env)
    line = next((x for x in result.stdout.splitlines() if x.startswith('{"requests"')), None)
    if line is None:
        raise SystemExit(f"wrk gave no figures for {url}:\n{result.stdout}{result.stderr}")
    figures = json.loads(line)
    errors = sum(value for key, value in figures.items() if key.startswith("errors_"))
    served = figures["requests"] > 0
    return {
        "rps": figures["requests"] / (figures["duration_us"] / 1e6),
        # No latency exists when no request finished within the run.
        "p50_ms": figures["p50_us"] / 1000 if served else None,
        "p99_ms": figures["p99_us"] / 1000 if served else None,
        "requests": figures["requests"],
        "errors": errors,
    }


def settle(server: Server, limit: float = 60) -> None:
    """Wait until the server's workers stop using CPU: requests still queued when wrk stopped
    would otherwise be served during, and slow down, the next measurement."""
    deadline = time.monotonic() + limit
    previous, quiet = None, 0
    while quiet < 2 and time.monotonic() < deadline:
        ticks = 0
        for pid in server.workers():
            with contextlib.suppress(OSError):
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                ticks += int(fields[11]) + int(fields[12])  # utime + stime
        quiet = quiet + 1 if ticks == previous else 0
        previous = ticks
        time.sleep(0.2)


def proc_kb(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)


def export(url: str, server: Server, limit: int) -> dict:
    """One full download (cut at `limit` seconds): how long, how soon the first byte, how
    many lines, and the workers' peak memory growth."""
    workers = server.workers()
    before = {}
    for pid in workers:
        # "5" resets the peak RSS (VmHWM), so the peak read afterwards is this request's.
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        before[pid] = proc_kb(pid, "VmRSS")
    started = time.monotonic()
    size = lines = 0
    first_byte = None
    complete = True
    with urllib.request.urlopen(url, timeout=limit) as response:
        while chunk := response.read(1 << 16):
            if first_byte is None:
                first_byte = time.monotonic() - started
            size += len(chunk)
            lines += chunk.count(b"\n")
            if time.monotonic() - started > limit:
                complete = False
                break
    seconds = time.monotonic() - started
    growth = max(proc_kb(pid, "VmHWM") - before[pid] for pid in workers)
    return {
        "complete": complete,
        "seconds": seconds,
        "first_byte_ms": (first_byte or seconds) * 1000,
        "bytes": size,
        "lines": lines,
        "rss_growth_mb": growth / 1024,
    }


def median_of(runs: list[dict], key: str) -> float | None:
    values = [run[key] for run in runs if run.get(key) is not None]
    return statistics.median(values) if values else None


def run_database(database: Database, options: argparse.Namespace, lite: dict) -> dict:
    info = database.probe()
    started = time.monotonic()
    targets = []
    if options.mix in ("single", "all"):
        targets += [
            target
            for target in endpoints(info, lite)
            # Without files kept, a later download is built like the first.
            if options.cache == "on" or target.key != "csv_served"
        ]
    if options.mix in ("longtail", "all"):
        targets += longtail(info, lite, options.seed)
    path_files = {}
    for target in targets:
        for side in ("pacta", "datasette"):
            if target.paths(side):
                path_file = DATA / f"{target.key}-{database.name}-{side}.txt"
                path_file.write_text("\n".join(target.paths(side)) + "\n")
                path_files[target.key, side] = path_file
    results = {
        target.key: {"label": target.label, "pacta": {"runs": []}, "datasette": {"runs": []}}
        for target in targets
    }
    with (
        pacta_server(database, options.port, options.workers, options.connections) as pacta,
        datasette_server(options.port + 1, options.workers) as datasette,
    ):
        sides = {"pacta": pacta, "datasette": datasette}
        for target in targets:
            for side, srv in sides.items():
                url = srv.origin + getattr(target, side)
                status = check(url, whole=not target.export)
                results[target.key][side].update(status=status, url=getattr(target, side))
                if status == "ok" and not target.export:
                    # warm-up, not recorded
                    wrk(url, 2, options.connections, path_files.get((target.key, side)))
                    settle(srv)
                log(f"  [{database.name}] {target.key:<12}{side:<10}{status}")
        for repetition in range(options.repeats):
            # Alternate who goes first, so that neither always runs on a warmer machine.
            order = list(sides) if repetition % 2 == 0 else list(sides)[::-1]
            for target in targets:
                for side in order:
                    entry = results[target.key][side]
                    if entry["status"] != "ok":
                        continue
                    url = sides[side].origin + getattr(target, side)
                    if target.export:
                        if target.after_save and side == "pacta":
                            database.manage("shell", "-c", AN_ANALYSTS_SAVE)
                        run = export(url, sides[side], options.export_limit)
                        shown = (
                            f"{run['seconds']:.2f} s, first byte {run['first_byte_ms']:.0f} ms, "
                            f"{run['lines']:,} lines, worker +{run['rss_growth_mb']:.1f} MB"
                        )
                        if not run["complete"]:
                            # Bounded: an export this slow is not downloaded again.
                            entry["status"] = "timeout"
                            shown += f" (cut at {options.export_limit} s)"
                    else:
                        paths = path_files.get((target.key, side))
                        if paths and side == "pacta":
                            # The long tail is measured cold: as after an analyst's save.
                            database.manage("shell", "-c", CLEAR_CACHE)
                        run = wrk(url, options.duration, options.connections, paths)
                        shown = (
                            f"{run['rps']:8.1f} rps  p50 {cell(run['p50_ms'], '7.1f')} ms  "
                            f"p99 {cell(run['p99_ms'], '7.1f')} ms  errors {run['errors']}"
                        )
                    settle(sides[side])
                    entry["runs"].append(run)
                    log(
                        f"  [{database.name} {repetition + 1}/{options.repeats}] "
                        f"{target.key:<12}{side:<10}{shown}"
                    )
    summarize(results, database.name)
    return {
        "database": database.name,
        "database_version": info["version"],
        "datasette_database": "sqlite",
        "generated_meetings": info["generated_meetings"],
        "published_meetings": info["published_meetings"],
        "pair": [row["country__code"] for row in info["pair"]],
        "minutes": (time.monotonic() - started) / 60,
        "endpoints": results,
    }


# -- reporting ------------------------------------------------------------------------------
def command_output(*command: str) -> str:
    try:
        result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (result.stdout or result.stderr).strip()


def environment(options: argparse.Namespace) -> dict:
    meminfo = Path("/proc/meminfo").read_text().splitlines()
    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    python = str(BIN / "python")
    versions = command_output(
        python,
        "-c",
        "import django, gunicorn, datasette.version, sqlite3, platform; "
        "print(platform.python_version(), django.get_version(), gunicorn.__version__, "
        "datasette.version.__version__, sqlite3.sqlite_version)",
    ).split()
    return {
        "machine": {
            "nproc": os.cpu_count(),
            "memory": next(line.split(":")[1].strip() for line in meminfo if "MemTotal" in line),
            "cpu": next(
                (line.split(":")[1].strip() for line in cpuinfo if "model name" in line), "?"
            ),
            "platform": platform.platform(),
        },
        "versions": dict(
            zip(("python", "django", "gunicorn", "datasette", "sqlite"), versions, strict=False),
            wrk=command_output("wrk", "-v").splitlines()[0],
        ),
        "commit": command_output("git", "rev-parse", "HEAD"),
        "uncommitted_changes": bool(command_output("git", "status", "--porcelain")),
        "settings": {
            "meetings": options.meetings,
            "seed": options.seed,
            "workers": options.workers,
            "pacta_server": "gunicorn gthread, 1 thread per worker, keep-alive, "
            f"{worker_connections(options.connections, options.workers)} connections per worker",
            "datasette_server": "uvicorn, 1 SQL thread per worker",
            "connections": options.connections,
            "duration_s": options.duration,
            "repeats": options.repeats,
            "export_limit_s": options.export_limit,
            "mix": options.mix,
            "cache": "Redis, filled by the warm-up"
            if options.cache == "on"
            else "none (CACHE_URL=dummy://): every request does its full work",
        },
    }


def cell(value: float | None, fmt: str) -> str:
    return "—" if value is None else format(value, fmt)


def export_cells(side: dict) -> tuple[str, str]:
    if side["status"] == "timeout":
        duration = f"> {side['seconds']:.0f} s ({side['lines']:,} lines)"
    elif side["status"] == "ok":
        duration = f"{cell(side.get('seconds'), '.2f')} s"
    else:
        return side["status"], "—"
    detail = (
        f"first byte {cell(side.get('first_byte_ms'), '.0f')} ms, "
        f"+{cell(side.get('rss_growth_mb'), '.1f')} MB"
    )
    return duration, detail


def load_cells(side: dict) -> tuple[str, str]:
    if side["status"] != "ok":
        return side["status"], "—"
    latency = f"{cell(side.get('p50_ms'), '.1f')} / {cell(side.get('p99_ms'), '.1f')}"
    if side["errors"]:
        latency += f" ({side['errors']} errors)"
    rps = side.get("rps")
    # Whole numbers hide the difference between 0.6 and 1.4 requests per second.
    return cell(rps, ".1f" if rps is not None and rps < 10 else ".0f"), latency


def table_rows(run: dict) -> list[list[str]]:
    rows = []
    for row in run["endpoints"].values():
        sides = (row["pacta"], row["datasette"])
        exported = any("lines" in side for side in sides)
        (pacta_main, pacta_detail), (datasette_main, datasette_detail) = (
            (export_cells if exported else load_cells)(side) for side in sides
        )
        ratio = cell(row["ratio"], ".2f") + "×" if row["ratio"] else "—"
        rows.append(
            [row["label"], pacta_main, datasette_main, ratio, pacta_detail, datasette_detail]
        )
    return rows


HEADERS = [
    "endpoint", "Pacta rps", "Datasette rps", "ratio", "Pacta p50 / p99 ms",
    "Datasette p50 / p99 ms",
]  # fmt: skip


def print_table(run: dict) -> None:
    rows = [HEADERS, *table_rows(run)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
    log("")
    log(
        f"Pacta on {run['database']} vs Datasette on SQLite, "
        f"{run['published_meetings']:,} meetings"
    )
    for number, row in enumerate(rows):
        log("  ".join(text.ljust(width) for text, width in zip(row, widths, strict=True)))
        if number == 0:
            log("  ".join("-" * width for width in widths))
    log(
        "(CSV row: seconds instead of rps, ratio = Datasette's time / Pacta's; "
        "first byte and peak worker growth.)"
    )


def markdown(run: dict, env: dict) -> str:
    machine, versions, settings = env["machine"], env["versions"], env["settings"]
    lines = [
        f"# Benchmark: Pacta on {run['database']} vs Datasette on SQLite"
        + (", Pacta's cache off" if run.get("cache") == "off" else ""),
        "",
        f"- When: {run['when']}; commit `{env['commit'][:12]}`"
        + (" (with uncommitted changes in the tree)" if env["uncommitted_changes"] else ""),
        f"- Machine: {machine['nproc']} CPUs ({machine['cpu']}), {machine['memory']}, "
        f"{machine['platform']}",
        "- Versions: "
        + ", ".join(f"{name} {value}" for name, value in versions.items())
        + f"; database: {run['database_version']}",
        f"- Data: {run['published_meetings']:,} published meetings "
        f"({run['generated_meetings']:,} generated, seed {settings['seed']}); "
        f"pair {','.join(run['pair'])}",
        f"- Load: wrk, {settings['connections']} connections, {settings['duration_s']} s per run, "
        f"{settings['repeats']} interleaved repetitions, medians; {settings['workers']} worker "
        f"processes each ({settings['pacta_server']}; Datasette: {settings['datasette_server']})",
        f"- Pacta's cache: {settings.get('cache', 'Redis, filled by the warm-up')}",
        "",
        "| " + " | ".join(HEADERS) + " |",
        "|" + "|".join(" --- " for _ in HEADERS) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in table_rows(run)]
    lines += [
        "",
        "CSV row: seconds for one full download instead of requests per second; the ratio is "
        "Datasette's time over Pacta's; the last columns give the time to the first byte and "
        "the peak RSS growth of the worker that served it. Method: bench/README.md.",
        "",
    ]
    if any(key.startswith("longtail") for key in run["endpoints"]):
        lines[-1:-1] = [
            "Long-tail rows: each request a random path out of "
            f"{MIX_DETAILS + MIX_PAGES + MIX_FILTERS:,} ({MIX_DETAILS:,} meeting details, "
            f"{MIX_PAGES} list pages out of {MIX_LAST_PAGE:,}, {MIX_FILTERS} country-and-year "
            "filters), Pacta's cache emptied before each run.",
        ]
    return "\n".join(lines)


def write_results(run: dict, env: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    uncached = "-uncached" if run.get("cache") == "off" else ""
    mix = "" if env["settings"].get("mix", "single") == "single" else f"-{env['settings']['mix']}"
    name = f"{run['when'].replace(':', '').replace('-', '')}-{run['database']}{uncached}{mix}"
    stem = RESULTS / name
    stem.with_suffix(".json").write_text(json.dumps({**env, **run}, indent=2) + "\n")
    stem.with_suffix(".md").write_text(markdown(run, env))
    return stem


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    env = os.environ.get
    parser.add_argument(
        "--db", default=env("BENCH_DB", "all"), choices=("sqlite", "postgres", "all")
    )
    parser.add_argument("--meetings", type=int, default=int(env("BENCH_MEETINGS", "100000")))
    parser.add_argument("--seed", type=int, default=int(env("BENCH_SEED", "0")))
    parser.add_argument("--duration", type=int, default=int(env("BENCH_DURATION", "10")))
    parser.add_argument("--connections", type=int, default=int(env("BENCH_CONNECTIONS", "8")))
    parser.add_argument("--repeats", type=int, default=int(env("BENCH_REPEATS", "3")))
    parser.add_argument("--workers", type=int, default=int(env("BENCH_WORKERS", "2")))
    parser.add_argument("--export-limit", type=int, default=int(env("BENCH_EXPORT_LIMIT", "120")))
    parser.add_argument("--port", type=int, default=int(env("BENCH_PORT", "8301")))
    parser.add_argument("--pg-url", default=env("BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument(
        "--cache",
        default=env("BENCH_CACHE", "on"),
        choices=("on", "off"),
        help="off: no cache at all (CACHE_URL=dummy://), so every request does its full work.",
    )
    parser.add_argument(
        "--mix",
        default=env("BENCH_MIX", "single"),
        choices=("single", "longtail", "all"),
        help="single: one URL per endpoint; longtail: random URLs from a large set, the "
        "cache emptied before each run; all: both, one table.",
    )
    parser.add_argument(
        "--render", type=Path, help="Print and rewrite the .md of an earlier results .json."
    )
    options = parser.parse_args()
    if options.render:
        saved = json.loads(options.render.read_text())
        print_table(saved)
        options.render.with_suffix(".md").write_text(markdown(saved, saved))
        return
    if options.cache == "off":
        BENCH_ENV["CACHE_URL"] = "dummy://"
        # Nor a built download's file: every export is built.
        BENCH_ENV["PACTA_DOWNLOAD_FILES_MB"] = "0"
    # A plain `kill` of the harness still runs the `finally` blocks that stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    sqlite = Database("sqlite", f"sqlite:///{SQLITE_FILE}", DATA / "bench.sqlite3.stamp.json")
    postgres = Database("postgres", options.pg_url, DATA / "postgres.stamp.json")
    log(f"Preparing the benchmark database(s): {options.meetings:,} meetings, seed {options.seed}")
    # Datasette always reads the SQLite file, so it is built even for a PostgreSQL-only run.
    lite = sqlite.prepare(options.meetings, options.seed)
    chosen = {"sqlite": [sqlite], "postgres": [postgres], "all": [sqlite, postgres]}[options.db]
    written = []
    for database in chosen:
        if database is postgres:
            postgres.prepare(options.meetings, options.seed)
        log(f"Benchmarking Pacta on {database.name} against Datasette on SQLite")
        run = run_database(database, options, lite)
        run["when"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        run["cache"] = options.cache
        environment_info = environment(options)
        print_table(run)
        written.append(write_results(run, environment_info))
    names = ", ".join(f"{stem.name}.json/.md" for stem in written)
    log(
        f"Benchmark done in {(time.monotonic() - started) / 60:.1f} min; "
        f"results: bench/results/{names}"
    )


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
