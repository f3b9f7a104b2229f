"""An optional read replica (DATABASE_REPLICA_URL): anonymous reads there, the rest on the primary.

An anonymous GET or HEAD (the public pages and the API as most of the world sees them) reads
from the replica; writes, staff and signed-in users, and every other method stay on the
primary, so an analyst always sees what was just saved. The flag is per request, in a context
variable set by ReplicaReadsMiddleware, so threads and async tasks never share it.
"""

from __future__ import annotations

from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REPLICA = "replica"
PRIMARY = "default"
reads_from_replica: ContextVar[bool] = ContextVar("reads_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints) -> str | None:
        if reads_from_replica.get() and replica_configured():
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints) -> str:
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        # Both aliases hold the same rows: an object read from one may point at the other's.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool:
        # The replica follows the primary by replication; migrations run on the primary only.
        return db == PRIMARY


class ReplicaReadsMiddleware:
    """Marks an anonymous GET or HEAD as one whose reads may go to the replica."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        anonymous_read = (
            replica_configured()
            and request.method in ("GET", "HEAD")
            and not request.user.is_authenticated
        )
        token = reads_from_replica.set(anonymous_read)
        try:
            # A streamed export reads while it is sent, after the flag is reset: it reads
            # from the primary, which is correct, only not offloaded.
            return self.get_response(request)
        finally:
            reads_from_replica.reset(token)
