import logging

from django.db import DatabaseError, InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

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
