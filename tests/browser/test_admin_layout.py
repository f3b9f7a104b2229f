"""No admin form scrolls sideways at 1,280 px: every add and change page of every registered
model, measured in the browser."""

import pytest

from tests.browser.admin_pages import admin_form_pages, ensure_a_row_of_every_kind, staff_login

pytestmark = [pytest.mark.browser, pytest.mark.required]

# The widest element beyond the window, named, so that a failure says what to fix.
WIDEST = """() => {
  const limit = document.documentElement.clientWidth;
  let worst = null;
  for (const element of document.querySelectorAll('body *')) {
    const right = element.getBoundingClientRect().right;
    if (right > limit + 1 && (!worst || right > worst.right)) {
      worst = {right, tag: element.tagName, id: element.id, cls: element.className.toString()};
    }
  }
  return {scroll: document.documentElement.scrollWidth, client: limit, worst};
}"""


def test_no_admin_form_scrolls_sideways_at_1280px(live_seeded, page, screenshot):
    user = staff_login(page, "root", superuser=True)
    ensure_a_row_of_every_kind(user)
    pages = admin_form_pages(user)
    assert len(pages) > 30
    too_wide = []
    for admin_page in pages:
        response = page.goto(page.live_url + admin_page.path)
        assert response.status == 200, admin_page
        assert page.console_errors == [], admin_page
        measured = page.evaluate(WIDEST)
        if admin_page.name in ("agreements.Document change", "summits.Meeting change"):
            screenshot(admin_page.name.replace(".", "-").replace(" ", "-").lower() + "-1280")
        if measured["scroll"] > measured["client"]:
            too_wide.append((admin_page.name, measured))
    assert too_wide == [], "\n".join(f"{name}: {measured}" for name, measured in too_wide)
