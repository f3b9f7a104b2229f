"""The data version, and the caches keyed by it: anonymous responses, list counts, facets.

Every write to a content table (of an app holding record kinds, records/registry.py) raises one
global data version kept in Django's cache. Whatever is derived from the data (an ETag, a
rendered page, a list count, facet counts) is stored under a key holding the version it was
computed at, so a write invalidates everything at once and nothing needs to be deleted.

Writes are noticed at the SQL level, by an execute wrapper on every connection, not by model
signals: `queryset.update()`, `bulk_create`, many-to-many changes, cascades and raw SQL bump
the version too. Each write bumps it at once, and a transaction's writes once more when it
commits, so a reader that cached the old rows during the transaction loses them at commit.

With a shared cache (CACHE_URL=redis://…) the version is exact across any number of app
servers. With the default in-process cache each process keeps its own version, which another
process's write cannot raise; there the version expires after LOCAL_VERSION_SECONDS, which
bounds how stale a page can be. Several processes without a shared cache should set CACHE_URL.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response

from records.registry import registry
from records.visibility import audience

VERSION_KEY = "pacta:data-version"
LOCAL_VERSION_SECONDS = 10


@functools.cache
def content_write() -> re.Pattern:
    """INSERT INTO / UPDATE / DELETE FROM / TRUNCATE a table of an app that holds record kinds
    (their parts, links and history tables included, which share the app's table prefix);
    Django quotes names with " on SQLite and PostgreSQL."""
    prefixes = set()
    for model in [*registry.kinds_by_model, *registry.parts_by_model]:
        prefixes |= {model._meta.app_label, model._meta.db_table.split("_", 1)[0]}
    alternatives = "|".join(sorted(map(re.escape, prefixes)))
    return re.compile(
        r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM|TRUNCATE(?:\s+TABLE)?)\s+"?'
        rf"(?:{alternatives})_",
        re.IGNORECASE,
    )


def response_seconds() -> int:
    """How long a cached response or count lives at most, even without a write."""
    return int(getattr(settings, "PACTA_CACHE_SECONDS", 600))


def shared_cache() -> bool:
    backend = settings.CACHES["default"]["BACKEND"]
    return not backend.endswith(("LocMemCache", "DummyCache"))


def data_version() -> str:
    value = cache.get(VERSION_KEY)
    if value is None:
        # A fresh start (or an evicted key): a time-based value, so a version is never
        # reused and no entry computed before the restart can be mistaken for current.
        cache.add(VERSION_KEY, time.time_ns(), timeout=version_seconds())
        value = cache.get(VERSION_KEY, time.time_ns())
    return str(value)


def version_seconds() -> int | None:
    return None if shared_cache() else LOCAL_VERSION_SECONDS


def bump_data_version() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet (or it expired): any new one invalidates
        cache.add(VERSION_KEY, time.time_ns(), timeout=version_seconds())


def is_content_write(sql) -> bool:
    return bool(content_write().match(sql if isinstance(sql, str) else str(sql)))


def note_write(connection) -> None:
    # At once: in autocommit the row is visible already, and a test's transaction never
    # commits. Inside a transaction, again at its commit (once, however many writes).
    bump_data_version()
    if connection.in_atomic_block and not any(
        func is bump_data_version for _, func, _ in connection.run_on_commit
    ):
        connection.on_commit(bump_data_version)


def watch_writes(execute, sql, params, many, context):
    result = execute(sql, params, many, context)
    if is_content_write(sql):
        note_write(context["connection"])
    return result


def watch(connection, **kwargs) -> None:
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def install() -> None:
    """Watch every connection opened from now on, and those already open."""
    connection_created.connect(watch, dispatch_uid="pacta-data-version")
    for connection in connections.all(initialized_only=True):
        watch(connection)


# Keys ---------------------------------------------------------------------------------------


def versioned_key(kind: str, *parts: object) -> str:
    """A cache key for `kind` computed from `parts` at the current data version."""
    return unversioned_key(kind, *parts, data_version())


def filter_params(params, skipped: Iterable[str] = ()) -> str:
    """The parameters that select rows, in a stable order: the same filters in any order,
    on any page or sorted any way, count the same rows."""
    skipped = set(skipped)
    items = sorted((key, values) for key, values in params.lists() if key not in skipped)
    return repr(items)


def remembered(key: str, compute: Callable[[], object]):
    """The cached value under `key`, or `compute()` stored there."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, response_seconds())
    return value


def recent(
    key: str, compute: Callable[[], object], stale_seconds: int
) -> tuple[object, float | None]:
    """The value under `key` (a key without the data version) if it was computed at the
    current data version, or, after a write, while it is younger than `stale_seconds`;
    otherwise `compute()` stored there with its version and time. Each value lives at most
    `response_seconds()` whatever happens.

    The second value is None when the first is current, else the time its grace ends: a
    page showing it must not be cached beyond that (AnonymousPageCacheMiddleware)."""
    version = data_version()
    stored = cache.get(key)
    if stored is not None:
        stored_version, computed_at, value = stored
        if stored_version == version:
            return value, None
        if time.time() - computed_at < stale_seconds:
            return value, computed_at + stale_seconds
    value = compute()
    cache.set(key, (version, time.time(), value), response_seconds())
    return value, None


def unversioned_key(kind: str, *parts: object) -> str:
    text = "\x1f".join(str(part) for part in parts)
    return f"pacta:{kind}:" + hashlib.sha256(text.encode()).hexdigest()


def visibility(user) -> str:
    return audience(user)


def etag_for(key: str) -> str:
    return 'W/"' + key.rsplit(":", 1)[-1][:32] + '"'


# The public pages ---------------------------------------------------------------------------

UNCACHED_PREFIXES = ("/admin/", "/api/", "/static/", "/healthz")


class AnonymousPageCacheMiddleware:
    """Serves anonymous GETs of the public pages from the cache, without the database.

    Staff and any signed-in user always get a fresh page (staff see drafts). Only complete
    200 HTML answers that set no cookie are stored; the API caches in its viewsets, where the
    throttle and content negotiation have already run. Every cached page has an ETag, so a
    client that sends it back gets a 304.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.cacheable(request):
            return self.get_response(request)
        key = versioned_key("page", request.build_absolute_uri())
        etag = etag_for(key)
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            not_modified["ETag"] = etag
            return not_modified
        stored = cache.get(key)
        if stored is not None:
            content, headers = stored
            return HttpResponse(content, headers=headers)
        response = self.get_response(request)
        if self.storable(response):
            response["ETag"] = etag
            entry = (response.content, dict(response.items()))
            cache.set(key, entry, self.lifetime(request))
        return response

    @staticmethod
    def cacheable(request: HttpRequest) -> bool:
        return (
            request.method == "GET"
            and not request.path.startswith(UNCACHED_PREFIXES)
            and not request.user.is_authenticated
        )

    @staticmethod
    def lifetime(request: HttpRequest) -> int:
        """A page showing facet counts from before the last write (records/cache.recent)
        lives only until their grace period ends."""
        until = getattr(request, "stale_counts_until", None)
        if until is None:
            return response_seconds()
        return max(1, min(response_seconds(), int(until - time.time())))

    @staticmethod
    def storable(response: HttpResponse) -> bool:
        return (
            response.status_code == 200
            and not response.streaming
            and not response.cookies
            and response.get("Content-Type", "").startswith("text/html")
        )
