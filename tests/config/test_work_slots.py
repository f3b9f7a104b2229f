"""At most PACTA_WORK_SLOTS requests of a process work at once (config/middleware.py); the
others wait, and give up with 503 after PACTA_SLOT_WAIT_SECONDS; the health check and static
files never wait."""

from __future__ import annotations

import threading
import time

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from config.middleware import WorkSlotsMiddleware

factory = RequestFactory()


class Blocking:
    """A view that holds its slot until released, counting the requests inside it."""

    def __init__(self):
        self.release = threading.Event()
        self.inside = 0
        self.most = 0
        self.lock = threading.Lock()

    def __call__(self, request):
        if request.path.startswith(("/healthz", "/static/")):
            return HttpResponse("ok")
        with self.lock:
            self.inside += 1
            self.most = max(self.most, self.inside)
        self.release.wait(5)
        with self.lock:
            self.inside -= 1
        return HttpResponse("page")


@pytest.fixture
def slots(settings):
    settings.PACTA_WORK_SLOTS = 2
    settings.PACTA_SLOT_WAIT_SECONDS = 0.3
    view = Blocking()
    return view, WorkSlotsMiddleware(view)


def start(middleware, path: str, results: list) -> threading.Thread:
    thread = threading.Thread(target=lambda: results.append(middleware(factory.get(path))))
    thread.start()
    return thread


def wait_until(condition, limit: float = 5) -> None:
    deadline = time.monotonic() + limit
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.01)


def take_every_slot(view, middleware, path: str, results: list) -> list[threading.Thread]:
    """Two requests inside the view, holding both slots until `view.release` is set."""
    threads = [start(middleware, f"{path}?cb={n}", results) for n in range(2)]
    wait_until(lambda: view.inside == 2)
    return threads


def test_the_health_check_answers_at_once_while_every_slot_is_taken(slots):
    view, middleware = slots
    results: list = []
    threads = take_every_slot(view, middleware, "/countries/kz/", results)
    started = time.monotonic()
    health = middleware(factory.get("/healthz"))
    static = middleware(factory.get("/static/css/pacta.css"))
    assert time.monotonic() - started < 0.1
    assert (health.status_code, static.status_code) == (200, 200)
    view.release.set()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in results] == [200, 200]


def test_a_third_request_waits_for_a_slot_and_gets_it_when_one_is_freed(slots):
    view, middleware = slots
    results: list = []
    threads = take_every_slot(view, middleware, "/meetings/", results)
    third = start(middleware, "/meetings/?page=3", results)
    time.sleep(0.1)
    assert view.inside == 2  # the third waits outside
    view.release.set()
    for thread in [*threads, third]:
        thread.join()
    assert sorted(r.status_code for r in results) == [200, 200, 200]
    assert view.most == 2


def test_a_request_that_waits_too_long_gets_503_with_retry_after(slots):
    view, middleware = slots
    results: list = []
    threads = take_every_slot(view, middleware, "/meetings/", results)
    started = time.monotonic()
    page = middleware(factory.get("/meetings/"))
    api = middleware(factory.get("/api/v1/meetings/"))
    waited = time.monotonic() - started
    view.release.set()
    for thread in threads:
        thread.join()
    assert (page.status_code, api.status_code) == (503, 503)
    assert page["Retry-After"] == api["Retry-After"] == "5"
    assert api["Content-Type"] == "application/json"
    assert b"busy" in page.content
    assert 0.5 <= waited < 3  # each waited its 0.3 s
    assert view.most == 2


def test_no_slots_means_no_limit(settings):
    settings.PACTA_WORK_SLOTS = 0
    view = Blocking()
    middleware = WorkSlotsMiddleware(view)
    results: list = []
    threads = [start(middleware, f"/meetings/?page={n}", results) for n in range(5)]
    wait_until(lambda: view.inside == 5)
    assert view.inside == 5
    view.release.set()
    for thread in threads:
        thread.join()
    assert len(results) == 5


def test_the_default_is_two_slots_and_thirty_seconds():
    from django.conf import settings

    assert settings.PACTA_WORK_SLOTS == 2
    assert settings.PACTA_SLOT_WAIT_SECONDS == 30
    assert settings.MIDDLEWARE[0] == "config.middleware.WorkSlotsMiddleware"
