"""The strict Content-Security-Policy breaks nothing: a violation is a console error, and the
`page` fixture fails the test on any."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.required]


def test_the_interactive_api_docs_render_under_the_policy(live_seeded, page, screenshot):
    page.goto(page.live_url + "/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .opblock", timeout=20_000)
    assert page.locator(".opblock-summary-path").count() > 10
    screenshot("api-docs")


def test_the_admin_login_renders_under_the_policy(live_seeded, page):
    page.goto(page.live_url + "/admin/login/")
    assert page.locator("#id_otp_token").is_visible()
