"""Single uncached requests through Django's test client: time, queries, size, and optionally
where the time goes (cProfile). What docs/scaling.md's per-page figures and profiles come from.

    DATABASE_URL=sqlite:///bench/data/bench.sqlite3 .venv/bin/python bench/timing.py \\
        /countries/kz/ /api/v1/meetings/?page=7 [--repeat 3] [--profile 25] [--keep-aggregates]

Each URL is requested `--repeat` times; before each request the page and response caches are
emptied (and, unless --keep-aggregates, the per-version aggregates too), so every figure is the
first request after a save. A streamed body (an export) is read to the end and timed whole.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
sys.path.insert(0, str(ROOT / "bench"))
from run import BENCH_ENV  # noqa: E402

# Production settings, as bench/run.py serves them (with DEBUG, templates are read and parsed
# again for every include, which would dominate every page's figure), but the cache the
# environment names and the test client's host.
for name, value in BENCH_ENV.items():
    if name != "CACHE_URL":
        os.environ.setdefault(name, value)
os.environ["DJANGO_ALLOWED_HOSTS"] = "testserver,127.0.0.1"


def body_of(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="*")
    parser.add_argument(
        "--sample",
        metavar="FILE:N",
        help="N random paths from a long-tail file (bench/data/longtail_*-pacta.txt), each "
        "requested once after one emptying of the caches, as a long-tail run sees them",
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--profile", type=int, default=0, help="print the top N functions")
    parser.add_argument("--keep-aggregates", action="store_true")
    options = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()

    def empty() -> None:
        # The caches a flush empties (bench/run.py clears Redis): not the summaries' table,
        # which outlives it by design, nor the throttle's counts.
        for name in ("pages", "default"):
            if name not in settings.CACHES or (name == "default" and options.keep_aggregates):
                continue
            caches[name].clear()

    print(f"database: {connection.vendor}")
    if options.sample:
        sample(client, options.sample, empty)
    for url in options.urls:
        times, size, queries, status = [], 0, 0, 0
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        profiler = cProfile.Profile() if options.profile else None
        for _ in range(max(1, options.repeat)):
            empty()
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                if profiler:
                    profiler.enable()
                response = client.get(url)
                body = body_of(response)
                if profiler:
                    profiler.disable()
                times.append(time.perf_counter() - started)
            size, queries, status = len(body), len(captured), response.status_code
        grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
        print(
            f"{url}  status {status}  median {statistics.median(times) * 1000:.0f} ms"
            f"  (min {min(times) * 1000:.0f})  {queries} queries  {size / 1024:.0f} kB"
            f"  max RSS +{grown:.0f} MB"
        )
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(
                options.profile
            )
            print(out.getvalue())


def sample(client, spec: str, empty) -> None:
    import random

    path, _, count = spec.rpartition(":")
    lines = [line.strip() for line in Path(path).read_text().splitlines() if line.strip()]
    picked = random.Random(0).sample(lines, min(int(count), len(lines)))
    empty()
    timed = []
    for url in picked:
        url = url[url.index("/", url.index("//") + 2) :] if "//" in url else url
        started = time.perf_counter()
        response = client.get(url)
        body_of(response)
        timed.append((time.perf_counter() - started, url, response.status_code))
    times = sorted(t for t, _, _ in timed)
    p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99)]
    print(
        f"{len(timed)} paths of {path}: mean {statistics.mean(times) * 1000:.0f} ms, "
        f"p50 {p50 * 1000:.0f} ms, p99 {p99 * 1000:.0f} ms"
    )
    for spent, url, status in sorted(timed, reverse=True)[:8]:
        print(f"  {spent * 1000:6.0f} ms  {status}  {url}")


if __name__ == "__main__":
    main()
