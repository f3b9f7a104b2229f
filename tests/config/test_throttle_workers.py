"""The anonymous API limit holds across worker processes with the default settings (no
CACHE_URL): gunicorn with three workers on 127.0.0.1 lets through exactly the limit, however
the requests are spread over the workers. With the old in-process count each worker kept its
own, and three workers let three times the limit through."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
LIMIT = 10
REQUESTS = 40
WORKERS = 3


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def database_url(tmp_path: Path) -> str:
    """A database every worker can open: the test database on PostgreSQL; on SQLite (whose
    test database lives in this process's memory) a file with only the throttle's table."""
    if connection.vendor == "postgresql":
        db = connection.settings_dict
        return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    return f"sqlite:///{tmp_path / 'throttle.sqlite3'}"


def server_env(url: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # The production default, not the test suite's in-process count.
        if key not in {"PACTA_THROTTLE_CACHE", "CACHE_URL", "DATABASE_REPLICA_URL"}
    }
    env.update(
        DATABASE_URL=url,
        DJANGO_DEBUG="false",
        DJANGO_SECURE_SSL_REDIRECT="false",
        PACTA_API_ANON_RATE=f"{LIMIT}/minute",
    )
    return env


def wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, "gunicorn exited before serving"
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not start within 30 s")


def status_of(url: str) -> int:
    request = urllib.request.Request(url, headers={"Connection": "close"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_default_throttle_store_is_shared_by_processes():
    assert settings.CACHES["throttle"]["BACKEND"].endswith("DatabaseCache")


@pytest.mark.skipif(not GUNICORN.exists(), reason="gunicorn is not installed")
def test_the_limit_holds_across_gunicorn_workers(seeded, tmp_path):
    url = database_url(tmp_path)
    env = server_env(url)
    if url.startswith("sqlite"):
        subprocess.run(
            [sys.executable, "manage.py", "createcachetable"], cwd=ROOT, env=env, check=True
        )
    port = free_port()
    server = subprocess.Popen(
        [
            *(GUNICORN, "config.wsgi:application", "--workers", str(WORKERS)),
            *("--bind", f"127.0.0.1:{port}", "--timeout", "30", "--log-level", "warning"),
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        wait_until_up(port, server)
        statuses = [status_of(f"http://127.0.0.1:{port}/api/v1/") for _ in range(REQUESTS)]
    finally:
        server.terminate()
        server.wait(timeout=20)
    assert set(statuses) <= {200, 429}
    assert statuses.count(200) == LIMIT, statuses
