"""Headless Chromium from Debian's package, driven by Playwright; skipped where it is absent.

Every page a test opens is watched: console errors and any request that leaves 127.0.0.1 are
collected, and the test fails on them when it ends.
"""

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
LOCAL_HOSTS = {"127.0.0.1", "localhost", ""}

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(config, items):
    if CHROMIUM:
        return
    reason = "Debian's chromium is not installed (apt-get install chromium): browser tests skipped"
    skip = pytest.mark.skip(reason=reason)
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser():
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def browser_settings(settings):
    """The live server speaks plain HTTP, so the cookies cannot be HTTPS-only."""
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    settings.SECURE_SSL_REDIRECT = False
    return settings


@pytest.fixture
def page(browser, live_server, browser_settings):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.console_errors = []
    page.outside_requests = []
    page.on(
        "console",
        lambda message: message.type == "error" and page.console_errors.append(message.text),
    )
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))

    def watch(request):
        if urlsplit(request.url).hostname not in LOCAL_HOSTS and not request.url.startswith(
            ("data:", "blob:", "about:")
        ):
            page.outside_requests.append(request.url)

    page.on("request", watch)
    page.live_url = live_server.url
    yield page
    context.close()
    assert page.outside_requests == [], "requests left 127.0.0.1"
    assert page.console_errors == [], f"the browser console reported errors: {page.console_errors}"


@pytest.fixture
def screenshot(page):
    """Save a full-page screenshot under artifacts/ (ignored by git) for a person to look at."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def live_seeded(django_db_serialized_rollback, transactional_db):
    """The seed, committed so the live server's threads see it.

    A transactional test flushes the database when it ends; serialized rollback brings the
    migrated reference data (the ISO countries) back, and the seed reloads the records.
    Once Playwright's event loop runs, Django may hand this thread a fresh connection object
    that lacks the serialized copy, so the rollback restores nothing: the ISO list is then
    reloaded by the migration's own function, and the content-type cache (whose rows the
    flush removed) is cleared.
    """
    from importlib import import_module

    from django.apps import apps
    from django.contrib.contenttypes.models import ContentType
    from django.core.management.sql import emit_post_migrate_signal

    from seeds.load import seed
    from summits.models import Country

    if not Country.objects.exists():
        ContentType.objects.clear_cache()
        import_module("summits.migrations.0002_load_iso_countries").load_countries(apps, None)
    # A transactional test before this one may have left the content types and permissions
    # flushed (tests/admin/test_concurrency.py): what `migrate` makes after its migrations is
    # made again, so that accounts get their roles.
    ContentType.objects.clear_cache()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    return seed()
