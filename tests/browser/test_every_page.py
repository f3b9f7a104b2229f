"""Every public page type, at a desktop and a phone width: axe-core finds no violation, no
page scrolls sideways, and a screenshot is saved for a person to look at
(artifacts/screenshots/, ignored by git). The `page` fixture also fails a test on a console
error or on any request leaving the server's origin."""

import pytest
from axe_playwright_python.sync_playwright import Axe

pytestmark = [pytest.mark.browser, pytest.mark.required]

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}
NARROWEST = {"width": 320, "height": 700}

# The elements that stick out past the right edge, deepest first, for the failure message.
STICKING_OUT = """() => Array.from(document.querySelectorAll('body *'))
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .filter(e => !e.closest('.chart-scroll, .table-scroll, .swagger-ui'))
  .slice(-3).map(e => e.tagName.toLowerCase() + '.' + e.className + ' ' +
    Math.round(e.getBoundingClientRect().right))"""


def page_types() -> list[tuple[str, str]]:
    """(name, path) of one page of every public type: each kind's list and one published
    record of it (read from the registry, so a new kind is covered), and the pages above them."""
    from django.urls import reverse

    from records import registry

    pages = [
        ("home", "/"),
        ("search", "/search/?q=Kurmangazy"),
        ("about", "/about/"),
        ("countries", reverse("country-list")),
        ("country", "/countries/kz/"),
        ("pair", "/relations/az-kz/"),
        ("api-docs", "/api/v1/docs/"),
        ("not-found", "/meetings/no-such-meeting/"),
    ]
    for kind in registry.kinds():
        pages.append((kind.plural, reverse(kind.list_url_name)))
        record = kind.model.objects.published().order_by("pk").first()
        if record is not None:
            pages.append((f"{kind.plural}-detail", record.get_absolute_url()))
    return pages


def violations_of(page) -> list[str]:
    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(", ".join(node["target"]) for node in v["nodes"][:5])
        for v in results.response["violations"]
    ]


def sideways(page, path, width) -> list[str]:
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    if overflow <= 0:
        return []
    return [f"{path} at {width}: scrolls sideways by {overflow}px: {page.evaluate(STICKING_OUT)}"]


@pytest.mark.parametrize("width", WIDTHS)
def test_every_page_type_is_accessible_and_fits(live_seeded, page, screenshot, width):
    page.set_viewport_size(WIDTHS[width])
    failures = []
    for name, path in page_types():
        response = page.goto(page.live_url + path)
        expected = 404 if name == "not-found" else 200
        assert response.status == expected, path
        if name == "not-found":
            # The browser logs the 404 status itself: the one expected console message.
            page.console_errors[:] = [e for e in page.console_errors if "404" not in e]
        if name == "api-docs":
            page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
        for violation in violations_of(page):
            failures.append(f"{path} at {width}: {violation}")
        failures += sideways(page, path, width)
        screenshot(f"{width}-{name}")
        if width == "phone":
            page.set_viewport_size(NARROWEST)
            failures += sideways(page, path, "320px")
            page.set_viewport_size(WIDTHS[width])
    assert failures == [], "\n".join(failures)
