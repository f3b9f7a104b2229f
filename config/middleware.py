import logging
import math
import threading

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

from records.api.throttling import ApiAnonThrottle

logger = logging.getLogger("pacta.database")

RETRY_AFTER_SECONDS = "30"


class DatabaseUnavailableMiddleware:
    """Answer 503 (JSON on the API) while the database cannot be reached.

    Django drops the broken connection at the end of the request and opens a new one on the
    next, so service resumes by itself when the database returns.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError) or not is_unreachable(
            exception
        ):
            return None
        logger.error("database unavailable: %s", exception)
        message = "The database is unavailable. Please try again in a moment."
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        else:
            response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
        response["Retry-After"] = RETRY_AFTER_SECONDS
        return response


def is_unreachable(exception: DatabaseError) -> bool:
    """A lost or refused connection, not a bug such as a missing table."""
    if isinstance(exception, InterfaceError):
        return True
    text = str(exception).lower()
    return any(
        marker in text
        for marker in (
            "connection",
            "could not connect",
            "server closed",
            "terminating",
            "database is locked",
            "unable to open database",
            "the database system is",
        )
    )


class PageAnonThrottle(ApiAnonThrottle):
    """The anonymous rate limit of the public pages, counted like the API's (per client
    address, across every worker) but at its own rate, PACTA_HTML_ANON_RATE."""

    scope = "html"

    def get_rate(self) -> str | None:
        return settings.PACTA_HTML_ANON_RATE or None


# Not rate-limited here: the API throttles itself, staff work in the admin, static files and
# the health check must answer whatever a client does.
UNTHROTTLED_PREFIXES = ("/api/", "/admin/", "/static/", "/healthz")


class AnonymousPageThrottleMiddleware:
    """Answer 429 to an anonymous client that asks for more public pages than
    PACTA_HTML_ANON_RATE allows, before the page cache or the database is reached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith(UNTHROTTLED_PREFIXES) or request.user.is_authenticated:
            return self.get_response(request)
        throttle = PageAnonThrottle()
        if throttle.allow_request(request, None):
            return self.get_response(request)
        wait = max(1, math.ceil(throttle.wait() or 1))
        response = HttpResponse(render_to_string("429.html", {"wait": wait}), status=429)
        response["Retry-After"] = str(wait)
        return response


# Never wait for a slot: the health check must tell a busy process from a dead one, and static
# files cost nothing.
SLOTLESS_PREFIXES = ("/healthz", "/static/")


class WorkSlotsMiddleware:
    """At most PACTA_WORK_SLOTS requests of a process do their work at once; the others wait
    for one (without holding the GIL), up to PACTA_SLOT_WAIT_SECONDS, then get 503 with
    Retry-After. `/healthz` and static files never wait.

    Why: with every thread of a gunicorn worker rendering pages, a health check queued behind
    them (8.5 s measured while six country pages rendered), and more busy threads than cores
    only take turns at the GIL, each using memory. With more threads than slots, a thread is
    always free for the health check. A streamed body (an export) gives its slot back when
    the response starts: a slow reader must not hold one for minutes."""

    def __init__(self, get_response):
        self.get_response = get_response
        slots = settings.PACTA_WORK_SLOTS
        self.slots = threading.BoundedSemaphore(slots) if slots > 0 else None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.slots is None or request.path.startswith(SLOTLESS_PREFIXES):
            return self.get_response(request)
        if not self.slots.acquire(timeout=settings.PACTA_SLOT_WAIT_SECONDS):
            return busy(request)
        try:
            return self.get_response(request)
        finally:
            self.slots.release()


def busy(request: HttpRequest) -> HttpResponse:
    message = "The server is busy. Please try again in a moment."
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = "5"
    return response
