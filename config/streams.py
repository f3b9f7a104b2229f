"""Streamed downloads (exports, dataset.json) against clients that stop reading.

A client that opens a download and never reads it would hold a worker thread for as long as it
liked: gunicorn has no write timeout of its own for threaded workers. Under gunicorn, the
client's socket is in the request (`gunicorn.socket`); giving it a timeout makes a send that
waits longer than PACTA_STREAM_IDLE_SECONDS fail, and gunicorn drops the connection and frees
the thread. The proxy's part (buffering, its own send timeout) is in docs/deploy.md.

A stream that fails half-way must look like a failure to the client: the exception is left to
reach the server, which closes the connection without the chunked terminator. Nothing here or
in the views may catch it and end the body cleanly.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class StreamIdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        client = request.META.get("gunicorn.socket")
        if response.streaming and client is not None:
            client.settimeout(settings.PACTA_STREAM_IDLE_SECONDS)
        return response
