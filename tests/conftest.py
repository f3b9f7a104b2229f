import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from seeds.load import SeedReport, seed
from tests.draft_world import draft_world, draft_world_module  # noqa: F401 (fixtures)

MINI_RECORDS = Path(__file__).parent / "seeds" / "data" / "mini.yaml"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> SeedReport | None:
    """Seed the test database once; each test's transaction is rolled back around it.

    PACTA_TEST_SEED=lazy (set by `make mutate`, whose every mutant is a new test session)
    leaves the seed to the first test that asks for it (`seed_report`), so a session of
    tests that never read the seed does not pay for it."""
    if os.environ.get("PACTA_TEST_SEED") == "lazy":
        # A database kept from an earlier session (--reuse-db) may have been flushed by its
        # transactional tests: the content types are made again, as migrate makes them, so
        # that none is first made (and cached) inside a test's rolled-back transaction.
        from django.apps import apps
        from django.contrib.contenttypes.management import create_contenttypes

        with django_db_blocker.unblock():
            for app_config in apps.get_app_configs():
                create_contenttypes(app_config, verbosity=0)
        return None
    with django_db_blocker.unblock():
        return seed()


@pytest.fixture(scope="session")
def seed_report(django_db_setup, django_db_blocker) -> SeedReport:
    """The seed's report: from the session's set-up, or seeded now (outside any test's
    transaction: a session fixture is set up before function-scoped ones)."""
    if django_db_setup is not None:
        return django_db_setup
    with django_db_blocker.unblock():
        return seed()


@pytest.fixture(autouse=True)
def cold_cache():
    """Responses and counts are cached per data version (records/cache.py); every test starts
    cold, so one test's rolled-back rows are never served to the next."""
    from django.conf import settings
    from django.core.cache import cache, caches

    # The rendered pages' own in-process cache, where there is one (records/cache.page_cache).
    local = [caches["pages"]] if "pages" in settings.CACHES else []
    # The API's record plans and base querysets, kept per process (records/api/viewsets): a
    # test that changes a serializer or the settings gets plans of its own.
    from records.api.viewsets import PLANS, QUERYSETS

    # Likewise the detail pages' compiled queries (records/prefetching.py).
    from records.prefetching import COMPILED

    for each in (cache, *local, PLANS, QUERYSETS, COMPILED):
        each.clear()
    yield
    for each in (cache, *local, PLANS, QUERYSETS, COMPILED):
        each.clear()


@pytest.fixture
def compiled_sql(monkeypatch) -> list[str]:
    """The SQL the ORM's compiler builds from now on in the test, one entry a query."""
    from django.db.models.sql.compiler import SQLCompiler

    built = []
    real = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        sql, params = real(self, *args, **kwargs)
        built.append(sql)
        return sql, params

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return built


@pytest.fixture(autouse=True)
def dataset_dir(settings, tmp_path):
    """The public dataset.json files a test builds (config/api.py) go in its own directory."""
    settings.PACTA_DATASET_DIR = str(tmp_path / "dataset")


@pytest.fixture(autouse=True)
def current_facets(settings):
    """Facet counts recounted after every write, so a test sees its own rows counted; the
    grace period a deployment allows is tested on its own (tests/pages/test_facets.py)."""
    settings.PACTA_FACET_STALE_SECONDS = 0


@pytest.fixture
def seeded(seed_report, db) -> SeedReport:
    """The database as `manage.py seed` leaves it: the five texts and every curated record."""
    return seed_report


@pytest.fixture
def empty_db(db) -> None:
    """No content records, as before the first seed (undone with the test's transaction)."""
    from agreements.models import Document, Milestone, Package, Project, StatusEvent
    from records.models import Citation, Source
    from summits.models import Body, Country, Meeting, Organization, Person, Sector

    for model in (Citation, StatusEvent, Milestone, Project, Document, Package, Meeting):
        model.objects.all().delete()
    for model in (Body, Organization, Person, Source, Sector):
        model.objects.all().delete()
    Country.objects.update(adjective="", aliases=[], seeded={}, analyst_edited=[])


@pytest.fixture
def mini_seeded(empty_db) -> SeedReport:
    """Two texts and a handful of records: quicker, for tests of the loader's behaviour."""
    return seed(records_path=MINI_RECORDS)


@pytest.fixture
def run_seed():
    def run(*args: str) -> str:
        out = StringIO()
        call_command("seed", *args, stdout=out)
        return out.getvalue()

    return run


def verify_otp(client, user):
    """Log `user` in with a verified two-factor device, as the production admin requires."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_static.models import StaticDevice

    client.force_login(user)
    device, _ = StaticDevice.objects.get_or_create(user=user, name="test device")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def admin_verified_client(db, admin_user):
    """A superuser's client that has passed two-factor authentication."""
    from django.test import Client

    return verify_otp(Client(), admin_user)


@pytest.fixture
def admin_client(db, admin_user):
    """pytest-django's admin client, signed in as production requires: with a verified
    second factor. A password alone never shows drafts (records/visibility.py)."""
    from django.test import Client

    return verify_otp(Client(), admin_user)


# A test marked `required` may skip on a developer's machine (no chromium, no Redis) but not in
# CI: with PACTA_REQUIRE_ALL=1 (set by .ci/run) its skip is reported as a failure.
REQUIRE_ALL = os.environ.get("PACTA_REQUIRE_ALL", "") not in ("", "0", "false")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_ALL and report.skipped and item.get_closest_marker("required") is not None:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"a required test was skipped (PACTA_REQUIRE_ALL is set): {reason}"
