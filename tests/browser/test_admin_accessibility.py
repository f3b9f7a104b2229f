"""axe-core (bundled by axe-playwright-python, nothing downloaded) finds no critical or serious
accessibility failure on the admin: both login pages, the index, every changelist and every
add and change form."""

import pytest

from tests.browser.admin_pages import (
    admin_changelists,
    admin_form_pages,
    ensure_a_row_of_every_kind,
    staff_login,
)

pytestmark = [pytest.mark.browser, pytest.mark.required]

BLOCKING = {"critical", "serious"}


# axe's own checks apply styles the Content Security Policy refuses; the console errors they
# leave are axe's, not the page's (tests/browser/test_admin_layout.py watches the pages).
AXE_STYLE_REFUSED = "Applying inline style violates the following Content Security Policy"


def blocking_findings(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    errors_before = len(page.console_errors)
    results = Axe().run(page)
    page.console_errors[errors_before:] = [
        error
        for error in page.console_errors[errors_before:]
        if not error.startswith(AXE_STYLE_REFUSED)
    ]
    findings = []
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING:
            targets = [" ".join(map(str, node["target"])) for node in violation["nodes"][:3]]
            findings.append(
                f"{violation['id']} ({violation['impact']}, {len(violation['nodes'])} elements:"
                f" {'; '.join(targets)}): {violation['help']}"
            )
    return findings


def test_both_login_pages_pass_axe(live_seeded, page, settings):
    found = {}
    for two_factor in (True, False):
        settings.PACTA_REQUIRE_2FA = two_factor
        page.goto(page.live_url + "/admin/login/")
        assert page.locator("h1").count() == 1
        assert page.locator("#id_otp_token").count() == int(two_factor)
        found[f"login, two-factor {two_factor}"] = blocking_findings(page)
    assert found == {name: [] for name in found}


def test_every_admin_page_passes_axe(live_seeded, page):
    user = staff_login(page, "root", superuser=True)
    ensure_a_row_of_every_kind(user)
    pages = [("index", "/admin/")]
    pages += [(p.name, p.path) for p in admin_changelists(user)]
    pages += [(p.name, p.path) for p in admin_form_pages(user)]
    pages.append(("how to enter an article", "/admin/how-to-enter-an-article/"))
    found = {}
    for name, path in pages:
        response = page.goto(page.live_url + path)
        assert response.status == 200, name
        page.wait_for_load_state("load")
        if findings := blocking_findings(page):
            found[name] = findings
    report = "\n".join(f"{name}:\n  " + "\n  ".join(lines) for name, lines in found.items())
    assert found == {}, report
