"""/healthz while a process's workers are busy: gunicorn on 127.0.0.1 against a benchmark
database with no cache at all (every page does its full work), `--pages` concurrent requests
for a heavy page, then the health check timed while they run.

    DATABASE_URL=sqlite:///bench/data/bench.sqlite3 .venv/bin/python bench/healthz.py \\
        [--workers 2] [--threads 8] [--slots 2] [--pages 6] [--path /countries/kz/]

What docs/scaling.md reports for PACTA_WORK_SLOTS.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from run import BENCH_ENV  # noqa: E402

GUNICORN = Path(sys.executable).with_name("gunicorn")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str, timeout: float = 300) -> tuple[int, float]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--slots", type=int, default=2)
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--path", default="/countries/kz/")
    options = parser.parse_args()
    port = free_port()
    # The benchmark's production settings, with no cache at all and the slots asked for.
    env = {
        **os.environ,
        **BENCH_ENV,
        "CACHE_URL": "dummy://",
        "PACTA_WORK_SLOTS": str(options.slots),
    }
    server = subprocess.Popen(
        [
            str(GUNICORN),
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(options.workers),
            "--worker-class",
            "gthread",
            "--threads",
            str(options.threads),
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if get(base + "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                time.sleep(0.2)
        idle = [get(base + "/healthz")[1] for _ in range(5)]
        pages: list[tuple[int, float]] = []
        threads = [
            threading.Thread(target=lambda n=n: pages.append(get(f"{base}{options.path}?cb={n}")))
            for n in range(options.pages)
        ]
        for thread in threads:
            thread.start()
        time.sleep(1)
        busy = []
        while len(busy) < 5 and any(thread.is_alive() for thread in threads):
            busy.append(get(base + "/healthz")[1])
            time.sleep(0.2)
        for thread in threads:
            thread.join()
        print(
            f"workers={options.workers} threads={options.threads} slots={options.slots} "
            f"pages={options.pages} x {options.path}"
        )
        print(f"  /healthz idle: median {statistics.median(idle) * 1000:.0f} ms")
        if busy:
            print(
                f"  /healthz while the pages render ({len(busy)} checks): median "
                f"{statistics.median(busy) * 1000:.0f} ms, max {max(busy) * 1000:.0f} ms"
            )
        else:
            print("  the pages ended before a health check could be sent")
        times = sorted(seconds for _, seconds in pages)
        statuses = sorted({status for status, _ in pages})
        print(f"  pages: {len(pages)} answered {statuses}, {times[0]:.1f}–{times[-1]:.1f} s")
    finally:
        server.terminate()
        server.wait(30)


if __name__ == "__main__":
    main()
