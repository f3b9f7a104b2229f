"""Pacta's one settings module: every deployment difference comes from the environment.

See the table in README.md for the variables and their defaults.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    normalized = value.strip().lower()
    if normalized in {"1", "true", "yes", "on"}:
        return True
    if normalized in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Production (DJANGO_DEBUG=false) refuses to start "
            "without it; set it to a long random string, or set DJANGO_DEBUG=true locally."
        )
    # Only reachable with DJANGO_DEBUG=true, i.e. on a developer's own machine.
    SECRET_KEY = "insecure-local-development-key"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # Django's admin with a site that requires two-factor authentication in production.
    "config.apps.PactaAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "corsheaders",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    # The layers, bottom up (docs/architecture.md); import-linter keeps them one way.
    "records",
    "summits",
    "agreements",
    "seeds",
    "pages",
    "datagen",
]

MIDDLEWARE = [
    # First, so that a request waiting for a slot holds nothing else (PACTA_WORK_SLOTS).
    "config.middleware.WorkSlotsMiddleware",
    # The data version read once per request (records/cache.py).
    "records.cache.DataVersionScopeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Both need request.user: anonymous GETs read from the replica, if there is one, and
    # anonymous public pages come from the cache (records/cache.py).
    "config.db_router.ReplicaReadsMiddleware",
    # Anonymous pages are rate-limited (PACTA_HTML_ANON_RATE) before the cache answers them.
    "config.middleware.AnonymousPageThrottleMiddleware",
    "records.cache.AnonymousPageCacheMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    # A download nobody reads is dropped after PACTA_STREAM_IDLE_SECONDS (config/streams.py).
    "config.streams.StreamIdleTimeoutMiddleware",
    # Last, as django-axes asks: it turns a lockout raised during login into its response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the timeout
        # instead of failing with "database is locked" half-way through a transaction.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # A SQLite connection is kept across requests too (DATABASE_CONN_MAX_AGE): opening one,
    # with its pragmas and the first query's read of the schema, took about 6 ms, more than
    # an uncached API detail's own work (docs/scaling.md, fifth session). Outside a
    # transaction a kept connection holds no snapshot, so it sees other workers' writes.

# An optional read replica: anonymous reads go there, writes and staff to the primary
# (config/db_router.py). In tests it mirrors the primary's test database.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=DATABASES["default"]["CONN_MAX_AGE"],
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}


def with_parallel_workers(database: dict, workers: str) -> dict:
    """A PostgreSQL connection's `max_parallel_workers_per_gather`, added to the options the
    URL gave unless they set it already. Parallel workers speed one big query on an idle
    server; a web server's requests already run side by side, and there the workers'
    start-up and their share of the cores cost more than they save (docs/scaling.md,
    eighth session: searches 30-60% more requests a second with none on two cores)."""
    if database["ENGINE"] != "django.db.backends.postgresql" or workers == "":
        return database
    options = database.setdefault("OPTIONS", {})
    given = options.get("options", "")
    if "max_parallel_workers_per_gather" not in given:
        setting = f"-c max_parallel_workers_per_gather={int(workers)}"
        options["options"] = f"{given} {setting}".strip()
    return database


# Empty leaves the server's own setting.
PACTA_PG_PARALLEL_WORKERS = os.environ.get("PACTA_PG_PARALLEL_WORKERS", "0").strip()
for _database in DATABASES.values():
    with_parallel_workers(_database, PACTA_PG_PARALLEL_WORKERS)
DATABASE_ROUTERS = ["config.db_router.PrimaryReplicaRouter"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Hashed, compressed names need `collectstatic`; a development run and the tests go without.
STATIC_MANIFEST = env_bool("DJANGO_STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Tests run without collectstatic; whitenoise then serves straight from the finders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_MANIFEST_STRICT = False

LOGIN_URL = "admin:login"

AUTHENTICATION_BACKENDS = [
    # Checks the lockout before the password is even compared.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# Two-factor authentication (django-otp) for the admin: required in production, optional in a
# local development run.
PACTA_REQUIRE_2FA = not DEBUG
OTP_TOTP_ISSUER = "Pacta"

# Brute-force protection of the admin login (django-axes). The lockout is per username *and*
# client address, so one client cannot lock an analyst out from everywhere; the address is the
# one the trusted proxies wrote (django-ipware), never a header the client chose.
AXES_FAILURE_LIMIT = int(os.environ.get("DJANGO_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("DJANGO_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_IPWARE_PROXY_COUNT = int(os.environ.get("DJANGO_NUM_PROXIES", "0")) or None
AXES_IPWARE_PROXY_ORDER = "right-most"
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if AXES_IPWARE_PROXY_COUNT else ("REMOTE_ADDR",)
)

# Content-Security-Policy (django-csp): everything Pacta serves comes from its own origin; no
# inline script or style anywhere, no third-party host, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# The public API: read-only, anonymous by default, staff sessions also see drafts.
API_PAGE_SIZE = 50
API_MAX_PAGE_SIZE = 100
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("PACTA_API_ANON_RATE", "120/minute")},
    # How many proxies overwrite X-Forwarded-For in front of Pacta; 0 trusts only the socket's
    # address. Left unset, DRF would believe a header any client can forge.
    "NUM_PROXIES": int(os.environ.get("DJANGO_NUM_PROXIES", "0")),
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Pacta API",
    "DESCRIPTION": (
        "Read-only JSON for meetings of heads of state, the documents signed there and the "
        "joint projects they start; every record carries the verbatim quotes it rests on.\n\n"
        # The guide the README carries too; tests/sync/test_guide.py keeps them one text.
        + (BASE_DIR / "docs" / "syncing.md").read_text(encoding="utf-8")
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    # Deep links put a link inside each operation's button (axe: nested-interactive), which a
    # screen reader announces as one control; the operations stay reachable by their tags.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "REDOC_DIST": "SIDECAR",
    # Every dated model shares one precision choice set; name it once in the schema.
    "ENUM_NAME_OVERRIDES": {"DatePrecisionEnum": "records.models.DatePrecision"},
}

CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ("GET", "HEAD", "OPTIONS")
CORS_ALLOW_CREDENTIALS = False

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.environ.get("CACHE_URL", "").startswith("redis://"):
    CACHES["default"] = {
        # Django's, reusing its Redis client (records/cache.RedisCache).
        "BACKEND": "records.cache.RedisCache",
        "LOCATION": os.environ["CACHE_URL"],
    }
elif os.environ.get("CACHE_URL") == "dummy://":
    # No cache at all: every request does its full work (the benchmark's uncached run).
    CACHES["default"] = {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
# Rendered public pages: in the shared cache when there is one; otherwise in a cache of
# their own per process, holding at most PACTA_PAGE_CACHE_ENTRIES pages (the least recently
# used are dropped first), so a worker's memory stays bounded (records/cache.page_cache).
# A page larger than PACTA_PAGE_CACHE_MAX_BYTES is never stored.
PACTA_PAGE_CACHE_MAX_BYTES = int(os.environ.get("PACTA_PAGE_CACHE_MAX_BYTES", str(512 * 1024)))
# After a write, an anonymous page kept from before it is rendered again by at most
# PACTA_PAGE_REFRESHES requests at a time (across the workers sharing a cache); while all are
# busy, a kept page younger than PACTA_PAGE_STALE_SECONDS is served as it was. A save made
# every hot page a miss at once, and readers queued for seconds behind the renders
# (docs/scaling.md, seventh session). 0 seconds renders every stale page at once.
PACTA_PAGE_REFRESHES = max(1, int(os.environ.get("PACTA_PAGE_REFRESHES", "2")))
PACTA_PAGE_STALE_SECONDS = int(os.environ.get("PACTA_PAGE_STALE_SECONDS", "30"))
if CACHES["default"]["BACKEND"].endswith("LocMemCache"):
    CACHES["pages"] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "pacta-pages",
        "OPTIONS": {
            "MAX_ENTRIES": int(os.environ.get("PACTA_PAGE_CACHE_ENTRIES", "200")),
            "CULL_FREQUENCY": 4,
        },
    }
# The API's anonymous throttle counts requests per client address, and the count must be one
# for every worker process: in the shared cache when there is one, otherwise in a database
# table (created by `migrate`, summits/migrations/0008_throttle_cache_table.py). The test
# suite counts queries and so keeps the count in-process (PACTA_THROTTLE_CACHE=default).
CACHES["throttle"] = {
    "BACKEND": "records.cache.DatabaseCache",
    "LOCATION": "pacta_throttle",
    # One row per client address in the last rate window. Past MAX_ENTRIES a cull deletes a
    # share of the live rows, that is some clients' counts, so the bound is far above the
    # clients a window sees (Django's default, 300, let a busy minute reset counts).
    "OPTIONS": {"MAX_ENTRIES": 20000},
}
# Summaries (per-year counts, partners, the network, facet counts: records/cache.summary) are
# also kept in a database table, which outlives a flushed cache and a restarted process, and
# a stale one is counted again in a background thread while the last count is shown.
# PACTA_SUMMARY_CACHE empty keeps them in the cache only; PACTA_SUMMARY_REFRESH=request counts
# a stale one in the request that asks for it. The test suite does both (its query counts).
CACHES["summaries"] = {
    "BACKEND": "records.cache.DatabaseCache",
    "LOCATION": "pacta_summaries",
    "OPTIONS": {"MAX_ENTRIES": 20000},
}
PACTA_SUMMARY_CACHE = os.environ.get("PACTA_SUMMARY_CACHE", "summaries")
PACTA_SUMMARY_REFRESH = os.environ.get("PACTA_SUMMARY_REFRESH", "background")
if PACTA_SUMMARY_REFRESH not in ("background", "request"):
    raise ImproperlyConfigured("PACTA_SUMMARY_REFRESH is 'background' or 'request'.")
PACTA_SUMMARY_SECONDS = int(os.environ.get("PACTA_SUMMARY_SECONDS", str(7 * 24 * 3600)))
# Public pages an anonymous client may ask for (config/middleware.py), counted like the API's
# rate; empty turns the limit off.
PACTA_HTML_ANON_RATE = os.environ.get("PACTA_HTML_ANON_RATE", "300/minute")
PACTA_THROTTLE_CACHE = os.environ.get(
    "PACTA_THROTTLE_CACHE",
    "default" if os.environ.get("CACHE_URL", "").startswith("redis://") else "throttle",
)
# Where the public downloads (dataset.json, the exports) are kept, each built once per data
# version and set of filters (records/api/downloads.py), and how much of them; 0 keeps none.
PACTA_DATASET_DIR = os.environ.get("PACTA_DATASET_DIR", str(BASE_DIR / "var" / "dataset"))
PACTA_DOWNLOAD_FILES_MB = int(os.environ.get("PACTA_DOWNLOAD_FILES_MB", "1024"))
# How many requests of one process do their work at once (config/middleware.py); the others
# wait up to PACTA_SLOT_WAIT_SECONDS for a slot, then get 503. /healthz and static files
# never wait. Run gunicorn with more threads than slots (docs/deploy.md). 0 turns it off.
PACTA_WORK_SLOTS = int(os.environ.get("PACTA_WORK_SLOTS", "2"))
PACTA_SLOT_WAIT_SECONDS = float(os.environ.get("PACTA_SLOT_WAIT_SECONDS", "30"))
# How long a streamed download may wait for a client that reads nothing before it is dropped.
PACTA_STREAM_IDLE_SECONDS = int(os.environ.get("PACTA_STREAM_IDLE_SECONDS", "60"))
# The longest a cached response, list count or facet count lives; any write invalidates
# them all at once before that (records/cache.py).
PACTA_CACHE_SECONDS = int(os.environ.get("PACTA_CACHE_SECONDS", "600"))
# How long after a write the public lists' facet counts may still be the ones from before it
# (records/cache.recent): while analysts save, each list's facets are recounted at most once
# in this many seconds instead of on the first request after every save. The rows and their
# count are always current in what is rendered (a kept page may be served as it was for
# PACTA_PAGE_STALE_SECONDS while its refresh waits). 0 recounts after every write.
PACTA_FACET_STALE_SECONDS = int(os.environ.get("PACTA_FACET_STALE_SECONDS", "30"))
# The licence of the data (records, the API's JSON, the downloads): stated on the about page,
# in the footer, the API root, dataset.json and a Link header on every download. Sources keep
# their own licences; a source whose text may not be republished shows its quotes only.
PACTA_DATA_LICENSE = {
    "name": os.environ.get("PACTA_DATA_LICENSE_NAME", "CC BY 4.0"),
    "url": os.environ.get(
        "PACTA_DATA_LICENSE_URL", "https://creativecommons.org/licenses/by/4.0/"
    ),
}
# How long the change feed (/api/v1/changes/) keeps changes, removals included; a client
# whose cursor is older is told to download everything again.
PACTA_CHANGES_RETENTION_DAYS = int(os.environ.get("PACTA_CHANGES_RETENTION_DAYS", "90"))

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    # Production is HTTPS-only: cookies never travel in clear, HTTP is redirected, and browsers
    # are told (HSTS, sent on HTTPS responses only) never to try HTTP again.
    SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(365 * 24 * 3600)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
if env_bool("DJANGO_BEHIND_HTTPS_PROXY", False):
    # Trust the proxy's X-Forwarded-Proto; only safe when the proxy overwrites that header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "WARNING")},
}
