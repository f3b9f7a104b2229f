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

Each version is a new value, never a count: two processes' caches cannot arrive at one
version after different writes. It is also kept in the summary store (a database table by
default) when a write commits, so that a flushed or restarted cache takes the version up again
instead of making one: the summaries counted since the last write stay current, rather than
every one of them being counted again at once (docs/scaling.md, sixth session).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import hashlib
import itertools
import logging
import pickle
import re
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from datetime import UTC, datetime

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.db import DatabaseCache as DjangoDatabaseCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.db import DatabaseError, connections, router, transaction
from django.db.backends.signals import connection_created
from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response
from django.utils.timezone import now as tz_now

from records.registry import registry
from records.visibility import audience

logger = logging.getLogger(__name__)

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


def keeps_values() -> bool:
    """False without a cache at all (CACHE_URL=dummy://): whatever is stored is thrown away."""
    return not settings.CACHES["default"]["BACKEND"].endswith("DummyCache")


def shared_cache() -> bool:
    backend = settings.CACHES["default"]["BACKEND"]
    return not backend.endswith(("LocMemCache", "DummyCache"))


# Inside a request (DataVersionScopeMiddleware), the version read once: a list page asked for
# it fourteen times, each a round trip to Redis. A write in the request forgets it.
_request_scope: ContextVar[dict | None] = ContextVar("pacta_data_version", default=None)


def data_version() -> str:
    scope = _request_scope.get()
    if scope is not None and "version" in scope:
        return scope["version"]
    value = cache.get(VERSION_KEY)
    if value is None:
        # A fresh start (or an evicted key): the version the last write left in the summary
        # store, or a new one, so that no entry computed before a write can be mistaken for
        # current.
        candidate = kept_version() or new_version()
        cache.add(VERSION_KEY, candidate, timeout=version_seconds())
        # Another process may have added its own first; without a cache at all
        # (CACHE_URL=dummy://) nothing is kept, and the candidate is the version.
        value = cache.get(VERSION_KEY, candidate)
    if scope is not None:
        scope["version"] = str(value)
    return str(value)


class DataVersionScopeMiddleware:
    """Each request reads the data version once, and sees one version throughout (a save in
    another process during the request counts from the next request on)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _request_scope.set({})
        try:
            return self.get_response(request)
        finally:
            _request_scope.reset(token)


def version_seconds() -> int | None:
    return None if shared_cache() else LOCAL_VERSION_SECONDS


_last_version = 0
_version_lock = threading.Lock()


def new_version() -> int:
    """A version no earlier one equals: the time in nanoseconds, raised past the last one this
    process made (two made within one tick of the clock)."""
    global _last_version
    with _version_lock:
        _last_version = max(time.time_ns(), _last_version + 1)
        return _last_version


def bump_data_version() -> None:
    scope = _request_scope.get()
    if scope is not None:
        scope.pop("version", None)
    version = new_version()
    cache.set(VERSION_KEY, version, timeout=version_seconds())
    keep_version(version)


def kept_version() -> int | None:
    """The version the summary store holds, the last committed write's; None without one."""
    store = summary_store()
    if store is None:
        return None
    try:
        return store.get(VERSION_KEY)
    except DatabaseError:
        # A store that cannot be read (its table not made yet) keeps nothing: a new version.
        logger.warning("the summary store could not be read; a new data version is made")
        return None


def keep_version(version: int) -> None:
    """The version in the summary store, once the write it follows is committed. Inside a
    transaction it waits for the commit-time bump: a row written there would be locked until
    the commit, and every other writer would queue behind it (or deadlock on PostgreSQL)."""
    store = summary_store()
    if store is None:
        return
    model = getattr(store, "cache_model_class", None)  # a DatabaseCache's table
    if model is not None and connections[router.db_for_write(model)].in_atomic_block:
        return
    try:
        store.set(VERSION_KEY, version, None)
    except DatabaseError:
        # The store's copy is only a head start: without it a fresh cache makes a new
        # version, which invalidates more than needed and nothing less. A stale copy would
        # not do: it is removed, or a later fresh start would take it up.
        logger.exception("the data version could not be kept in the summary store")
        with contextlib.suppress(DatabaseError):
            store.delete(VERSION_KEY)


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


def filter_params(params, skipped: Iterable[str] = (), *, ordered: bool = False) -> str:
    """The parameters that select rows, in a stable order: the same filters in any order,
    on any page or sorted any way, count the same rows. `ordered` keeps the order they came
    in, for what shows them in that order (links that repeat the query)."""
    skipped = set(skipped)
    items = [(key, values) for key, values in params.lists() if key not in skipped]
    return repr(items if ordered else sorted(items))


def remembered(key: str, compute: Callable[[], object]):
    """The cached value under `key`, or `compute()` stored there."""
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, response_seconds())
    return value


def remembered_many(keys: dict[str, object], compute: Callable[[list], dict]) -> dict:
    """For each item of `keys` (cache key: item), its cached value, the missing ones computed
    at once by `compute(items)` (a dict by item) and stored: one round trip to a shared
    cache for all of them, and one more when some were missing."""
    found = cache.get_many(list(keys))
    values = {item: found[key] for key, item in keys.items() if key in found}
    missing = [item for key, item in keys.items() if key not in found]
    if missing:
        fresh = compute(missing)
        values.update(fresh)
        stored = {key: fresh[item] for key, item in keys.items() if item in fresh}
        cache.set_many(stored, response_seconds())
    return values


def recent(
    key: str, compute: Callable[[], object], stale_seconds: int, *, durable: bool = False
) -> tuple[object, float | None]:
    """The value under `key` (a key without the data version) if it was computed at the
    current data version, or, after a write, while it is younger than `stale_seconds`;
    otherwise `compute()` stored there with its version and time. Each value lives at most
    `response_seconds()` in the cache whatever happens.

    A `durable` value (a summary) is also kept in the summary store (PACTA_SUMMARY_CACHE, a
    database table by default), which outlives a flushed cache and a restarted process; and
    when it is older than its grace, it is still returned while it is computed again in the
    background (PACTA_SUMMARY_REFRESH), so that no visitor waits for a GROUP BY over every
    row but the very first.

    The second value is None when the first is current, else the time its grace ends: a
    page showing it must not be cached beyond that (AnonymousPageCacheMiddleware)."""
    version = data_version()
    stored = cache.get(key)
    store = summary_store() if durable else None
    if stored is None and store is not None:
        stored = store.get(key)
        if stored is not None:
            cache.set(key, stored, response_seconds())
    if stored is not None:
        stored_version, computed_at, value = stored
        if stored_version == version:
            return value, None
        if time.time() - computed_at < stale_seconds:
            return value, computed_at + stale_seconds
        if durable and refresh_later(key, compute):
            return value, time.time() + REFRESH_SECONDS
    return computed(key, compute, version, store), None


def computed(key: str, compute: Callable[[], object], version: str, store) -> object:
    value = compute()
    entry = (version, time.time(), value)
    cache.set(key, entry, response_seconds())
    if store is not None:
        store.set(key, entry, settings.PACTA_SUMMARY_SECONDS)
    return value


def summary_store():
    """Where summaries outlive the cache: the CACHES alias PACTA_SUMMARY_CACHE, or none."""
    alias = settings.PACTA_SUMMARY_CACHE
    return caches[alias] if alias else None


# A page showing a summary being computed again is cached this long at most.
REFRESH_SECONDS = 5
# Summaries waiting to be computed again, per process; past this, a stale one is recomputed
# by the request that asks for it, as without background refreshes.
REFRESH_QUEUE = 50
_refreshing: set[str] = set()
_refresh_lock = threading.Lock()


@functools.cache
def refresher() -> ThreadPoolExecutor:
    # One thread: refreshes are GROUP BYs that would only compete with each other and with
    # the requests for the cores.
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="pacta-summaries")


def refresh_later(key: str, compute: Callable[[], object]) -> bool:
    """Compute the summary again in this process's background thread; False when refreshes
    are off (PACTA_SUMMARY_REFRESH=request) or the queue is full. True also when it is
    already queued."""
    if settings.PACTA_SUMMARY_REFRESH != "background":
        return False
    with _refresh_lock:
        if key in _refreshing:
            return True
        if len(_refreshing) >= REFRESH_QUEUE:
            return False
        _refreshing.add(key)
    store = summary_store()

    def run() -> None:
        try:
            computed(key, compute, data_version(), store)
        except Exception:
            logger.exception("refreshing a summary failed; the next request will retry")
        finally:
            with _refresh_lock:
                _refreshing.discard(key)
            # The thread's own database connection, opened by the refresh.
            connections.close_all()

    refresher().submit(run)
    return True


def summary(request: HttpRequest, kind: str, parts: tuple, compute: Callable[[], object]):
    """An aggregate over many rows shown on a page (per-year counts, partners, the network):
    computed once per data version for each audience and `parts`, and after a write kept for
    up to PACTA_FACET_STALE_SECONDS like the facets, so that while analysts save it is
    recounted at most that often; past that, recounted in the background while the last
    count is shown (`recent`). A page showing a stale one is cached only until its grace
    ends."""
    value, stale_until = recent(
        unversioned_key(f"summary-{kind}", audience(request.user), *parts),
        compute,
        settings.PACTA_FACET_STALE_SECONDS,
        durable=True,
    )
    if stale_until is not None:
        earliest = getattr(request, "stale_counts_until", stale_until)
        request.stale_counts_until = min(earliest, stale_until)
    return value


def unversioned_key(kind: str, *parts: object) -> str:
    text = "\x1f".join(str(part) for part in parts)
    return f"pacta:{kind}:" + hashlib.sha256(text.encode()).hexdigest()


def visibility(user) -> str:
    return audience(user)


def etag_for(key: str) -> str:
    return 'W/"' + key.rsplit(":", 1)[-1][:32] + '"'


# The public pages ---------------------------------------------------------------------------

UNCACHED_PREFIXES = ("/admin/", "/api/", "/static/", "/healthz")
# How long other requests for a page defer to the one rendering it (and get the page as it was
# before the last write); a render that dies leaves its mark no longer than this.
RENDERING_SECONDS = 15
RENDERING_SUFFIX = ":rendering"
REFRESH_PREFIX = "pacta:page-refresh:"


class AnonymousPageCacheMiddleware:
    """Serves anonymous GETs of the public pages from the cache, without the database.

    Staff and any signed-in user always get a fresh page (staff see drafts). Only complete
    200 HTML answers that set no cookie are stored; the API caches in its viewsets, where the
    throttle and content negotiation have already run. Every cached page has an ETag, so a
    client that sends it back gets a 304.

    Each address has one entry, holding the data version it was rendered at. After a write,
    the first request for an address renders it again; while it does, other requests for
    the same address get the page as it was before the write rather than rendering it too.
    Without it, readers asking for the same pages after a save rendered each of them many
    times at once (docs/scaling.md, sixth session). Across addresses, at most
    PACTA_PAGE_REFRESHES such renders run at a time; while all are busy, a kept page younger
    than PACTA_PAGE_STALE_SECONDS is served as it was, so a save does not make every hot page
    a render at once. A page never kept is always rendered.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not self.cacheable(request):
            return self.get_response(request)
        # The view sees, and the key holds, only the parameters it reads: `?cb=1` or any
        # other unknown parameter neither makes a new entry nor skips the cache.
        request.GET = known_params(request)
        query = request.GET.urlencode()
        parts = (request.scheme, request.get_host(), request.path, query)
        version = data_version()
        etag = etag_for(unversioned_key("page", *parts, version))
        not_modified = get_conditional_response(request, etag=etag)
        if not_modified is not None:
            not_modified["ETag"] = etag
            return not_modified
        pages = page_cache()
        slot = page_slot(*parts)
        stored = pages.get(slot)
        if stored is not None:
            stored_version, content, headers, stored_at = stored
            if stored_version == version:
                return HttpResponse(content, headers=headers)
        rendering = rendering_mark(slot)
        if not pages.add(rendering, True, RENDERING_SECONDS):
            if stored is not None:
                # Another request is rendering this page at the new version: the page as it
                # was, with its own ETag, rather than the same work twice.
                return HttpResponse(content, headers=headers)
            return self.get_response(request)
        refresh = None
        try:
            if stored is not None:
                refresh = refresh_slot(pages)
                if refresh is None and time.time() - stored_at < settings.PACTA_PAGE_STALE_SECONDS:
                    # Every refresh slot is busy: the page as it was, young enough, rather
                    # than one more render queued behind the others.
                    return HttpResponse(content, headers=headers)
            response = self.get_response(request)
            if self.storable(response):
                response["ETag"] = etag
                entry = (version, response.content, dict(response.items()), time.time())
                pages.set(slot, entry, self.lifetime(request))
        finally:
            pages.delete(rendering)
            if refresh is not None:
                pages.delete(refresh)
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
            and len(response.content) <= settings.PACTA_PAGE_CACHE_MAX_BYTES
        )


def refresh_slot(pages) -> str | None:
    """One of the PACTA_PAGE_REFRESHES slots for rendering a page again after a write, taken
    (cache.add) until the render ends; None when all are taken."""
    for number in range(settings.PACTA_PAGE_REFRESHES):
        key = f"{REFRESH_PREFIX}{number}"
        if pages.add(key, True, RENDERING_SECONDS):
            return key
    return None


def page_slot(scheme: str, host: str, path: str, query: str) -> str:
    """Where an address's page is kept, whatever the data version it was rendered at: the
    entry is (version, content, headers, when rendered). Its kind is its own, so that an
    entry of an earlier layout left in a shared cache is never read as one."""
    return unversioned_key("page-entry", scheme, host, path, query)


def rendering_mark(slot: str) -> str:
    """Taken (cache.add) by the request rendering the page kept at `slot`."""
    return slot + RENDERING_SUFFIX


def page_cache():
    """Where rendered pages are kept: the shared cache when there is one, otherwise an
    in-process cache of its own, bounded in entries (least recently used dropped first) so
    that a worker's memory stays bounded however many distinct pages are asked for."""
    return caches["pages"] if "pages" in settings.CACHES else cache


def known_params(request: HttpRequest) -> QueryDict:
    """The request's parameters that its view reads (`query_params` on the view class, or a
    `query_params()` classmethod), in the order given; none for a view that declares none."""
    try:
        match = resolve(request.path_info)
    except Resolver404:
        return QueryDict(mutable=False)
    view = getattr(match.func, "view_class", match.func)
    declared = getattr(view, "query_params", ())
    known = set(declared() if callable(declared) else declared)
    kept = QueryDict(mutable=True)
    for name, values in request.GET.lists():
        if name in known:
            kept.setlist(name, values)
    kept._mutable = False
    return kept


# The Redis backend ----------------------------------------------------------------------------


class ReusingRedisClient(RedisCacheClient):
    """Django's Redis client with one `redis.Redis` per connection pool, instead of a new one
    for every cache call: redis-py fills a case-insensitive table of about 170 response
    callbacks for each, which cost an uncached API detail (eight cache calls) about a tenth
    of its time (docs/scaling.md). A `redis.Redis` is safe to share; the pool does the rest."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    """settings.CACHES' backend when CACHE_URL names Redis."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisClient


# The database backend -------------------------------------------------------------------------


class DatabaseCache(DjangoDatabaseCache):
    """Django's database cache (the throttle's counts and the summary store without a shared
    cache), with `set` as one statement. Django's own counts the table and then selects and
    updates or inserts the row in a transaction: five queries for each anonymous request's
    throttle count, a write lock held across three of them on SQLite. Here the row is
    written with one INSERT … ON CONFLICT DO UPDATE, and the table is counted (and culled
    past MAX_ENTRIES, as Django does) on one set in CULL_EVERY."""

    CULL_EVERY = 100

    def __init__(self, table, params):
        super().__init__(table, params)
        self._sets = itertools.count(1)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        db = router.db_for_write(self.cache_model_class)
        connection = connections[db]
        if connection.vendor not in ("sqlite", "postgresql"):
            self._base_set("set", key, value, timeout)
            return
        timeout = self.get_backend_timeout(timeout)
        if timeout is None:
            expires = datetime.max
        else:
            expires = datetime.fromtimestamp(timeout, tz=UTC if settings.USE_TZ else None)
        expires = connection.ops.adapt_datetimefield_value(expires.replace(microsecond=0))
        encoded = base64.b64encode(pickle.dumps(value, self.pickle_protocol)).decode("latin1")
        name = connection.ops.quote_name
        table, key_column = name(self._table), name("cache_key")
        value_column, expires_column = name("value"), name("expires")
        upsert = (
            f"INSERT INTO {table} ({key_column}, {value_column}, {expires_column}) "
            f"VALUES (%s, %s, %s) ON CONFLICT ({key_column}) DO UPDATE SET "
            f"{value_column} = excluded.{value_column}, "
            f"{expires_column} = excluded.{expires_column}"
        )
        try:
            # Inside a transaction, a savepoint: a failed write must not break the caller's.
            atomic = (
                transaction.atomic(using=db)
                if connection.in_atomic_block
                else contextlib.nullcontext()
            )
            with atomic, connection.cursor() as cursor:
                if next(self._sets) % self.CULL_EVERY == 0:
                    cursor.execute(f"SELECT COUNT(*) FROM {table}")
                    count = cursor.fetchone()[0]
                    if count > self._max_entries:
                        now = tz_now().replace(microsecond=0)
                        self._cull(db, cursor, now, count)
                cursor.execute(upsert, [key, encoded, expires])
        except DatabaseError:
            # As Django's: a cache write that fails (a locked table, a race) is dropped.
            logger.warning("a database cache write failed", exc_info=True)
