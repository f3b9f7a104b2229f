"""A researcher's path through the public pages in headless Chromium, without any request
leaving 127.0.0.1 and without a console error (both checked by the `page` fixture)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.required]

PHONE = {"width": 390, "height": 844}


def loaded(page, part: str) -> None:
    """Wait until the address holds `part` and its page has loaded. A click returns once the
    next page starts loading; a count read then (count() does not wait) may see half of a
    long page, as CI once did on a source page under load."""
    page.wait_for_url(lambda url: part in url, wait_until="load")


def test_home_to_a_quote_highlighted_in_its_source(live_seeded, page, screenshot):
    page.goto(page.live_url + "/")
    assert page.locator("h1").count() == 1
    screenshot("home")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Meetings").click()
    loaded(page, "/meetings/")
    assert page.locator("h1").inner_text() == "Meetings"
    page.locator(".facet").filter(has_text="Country").get_by_role(
        "link", name="Kazakhstan"
    ).click()
    loaded(page, "country=KZ")
    screenshot("meetings-filtered")
    titles = page.locator(".records h3").all_inner_texts()
    assert "Second meeting of the Azerbaijan-Kazakhstan Supreme Interstate Council" in titles
    assert "Negotiations" not in " ".join(titles)

    page.get_by_role(
        "link", name="Second meeting of the Azerbaijan-Kazakhstan Supreme Interstate Council"
    ).click()
    loaded(page, "/meetings/az-kz-supreme-interstate-council-2/")
    assert "year inferred" in page.locator(".facts").inner_text()
    screenshot("meeting-detail")

    quote = page.locator(".quotes").first.get_by_role("link").first
    quote.click()
    loaded(page, "/sources/azertac-2025-10-21-supreme-interstate-council/#c")
    fragment = page.url.split("#", 1)[1]
    target = page.locator(f"[id='{fragment}']")
    assert target.count() == 1
    assert page.locator("mark").count() > 10
    assert page.locator(f"mark#{fragment}, mark:has(#{fragment})").count() == 1
    screenshot("source-detail")


def test_the_network_and_the_timeline_render_and_lead_on(live_seeded, page, screenshot):
    page.goto(page.live_url + "/")
    network = page.locator("svg.network")
    timeline = page.locator("svg.timeline")
    assert network.is_visible() and timeline.is_visible()
    assert timeline.locator("rect").count() > 3
    box = network.bounding_box()
    assert box["width"] > 300 and box["height"] > 200

    edge = network.locator("a.edge[href='/relations/az-kz/']")
    assert "Azerbaijan and Kazakhstan" in edge.get_attribute("aria-label")
    edge.locator("line.tie").click(force=True)
    page.wait_for_url("**/relations/az-kz/")
    assert page.locator("h1").inner_text() == "Azerbaijan and Kazakhstan"
    assert "Kurmangazy" in page.locator(".pair-timeline").first.inner_text() + page.inner_text(
        "main"
    )
    screenshot("pair-az-kz")

    page.goto(page.live_url + "/")
    page.locator("svg.network a.node[href='/countries/kz/'] circle").click()
    page.wait_for_url("**/countries/kz/")
    assert page.locator("h1").inner_text() == "Kazakhstan"
    screenshot("country-kz")


def test_keyboard_reaches_the_skip_link_and_the_network(live_seeded, page):
    page.goto(page.live_url + "/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused.strip() == "Skip to content"
    focusable_links = page.evaluate(
        "Array.from(document.querySelectorAll('svg.network a')).filter(a => a.tabIndex >= 0)"
        ".length"
    )
    assert focusable_links > 5


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("documents", "/documents/"),
        ("document-detail", "/documents/az-kz-treaty-strategic-partnership-allied-relations/"),
        ("project-detail", "/projects/kurmangazy-childrens-creativity-center-fuzuli/"),
        ("package-detail", "/packages/az-kg-package-2022-04-20/"),
        ("search", "/search/?q=Kurmangazy"),
        ("about", "/about/"),
        ("not-found", "/meetings/no-such-meeting/"),
    ],
)
def test_more_pages_render_for_a_person_to_look_at(live_seeded, page, screenshot, name, path):
    response = page.goto(page.live_url + path)
    assert response.status == (404 if name == "not-found" else 200)
    if name == "not-found":
        # The browser logs the 404 status itself; that one message is the expected outcome.
        assert len(page.console_errors) == 1 and "404" in page.console_errors[0]
        page.console_errors.clear()
    assert page.locator("h1").count() == 1
    screenshot(name)


@pytest.mark.parametrize(
    ("name", "path"),
    [
        ("phone-home", "/"),
        ("phone-meetings", "/meetings/?country=AZ"),
        ("phone-meeting-detail", "/meetings/az-kz-supreme-interstate-council-1/"),
        ("phone-source", "/sources/astana-2024-03-11-supreme-interstate-council-baku/"),
        ("phone-pair", "/relations/az-kz/"),
    ],
)
def test_pages_fit_a_phone_width(live_seeded, page, screenshot, name, path):
    page.set_viewport_size(PHONE)
    page.goto(page.live_url + path)
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 390px"
    screenshot(name)
