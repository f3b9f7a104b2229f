"""The pictures read on a phone, the pair page lists each event once, the filters step aside
on a phone and give the focus back, and the citation copies: in headless Chromium, without a
request leaving the server's origin or a console error (the `page` fixture)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.required]

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
NARROW = {"width": 360, "height": 780}
PAIR = "/relations/az-kz/"

# Each chart text's size on screen: its CSS font size times the scale the SVG is drawn at.
RENDERED_SIZES = """() => Array.from(document.querySelectorAll('svg.chart text'))
  .filter(t => t.textContent.trim() && getComputedStyle(t).display !== 'none')
  .map(t => [t.textContent.trim(),
             parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a])"""


@pytest.mark.parametrize("path", ["/", "/countries/kz/", PAIR])
def test_chart_text_is_legible_at_360px(live_seeded, page, path):
    page.set_viewport_size(NARROW)
    page.goto(page.live_url + path)
    sizes = page.evaluate(RENDERED_SIZES)
    assert len(sizes) > 5
    small = [(text, size) for text, size in sizes if size is None or size < 11]
    assert small == [], f"chart text under 11px at 360px on {path}"
    keys = page.evaluate(
        "Array.from(document.querySelectorAll('.chart-key li, .chart-key dd'))"
        ".map(e => parseFloat(getComputedStyle(e).fontSize))"
    )
    assert keys and min(keys) >= 12
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def test_the_timeline_shows_only_years_with_data_and_marks_the_breaks(live_seeded, page):
    page.goto(page.live_url + PAIR)
    timeline = page.locator("svg.timeline")
    years = timeline.locator("text.year").all_text_contents()
    assert years == sorted(years) and len(set(years)) == len(years)
    gaps = timeline.locator("text.gap-label").all_text_contents()
    assert gaps and all("nothing recorded" in gap for gap in gaps)
    # Every bar carries its value, and the name spoken for the picture is short.
    assert timeline.locator("rect.bar").count() == timeline.locator("text.value").count()
    name = page.evaluate(
        "document.getElementById(document.querySelector('svg.timeline')"
        ".getAttribute('aria-labelledby')).textContent"
    )
    assert len(name) < 120


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_pair_page_lists_each_document_and_project_once(live_seeded, page, viewport):
    page.set_viewport_size(viewport)
    page.goto(page.live_url + PAIR)
    entries = page.locator(".pair-timeline > li")
    kinds = entries.evaluate_all("items => items.map(li => li.className)")
    links = entries.evaluate_all(
        "items => items.map(li => li.querySelector(':scope > a').getAttribute('href'))"
    )
    documents = [href for kind, href in zip(kinds, links, strict=True) if kind == "event-document"]
    projects = [href for kind, href in zip(kinds, links, strict=True) if kind == "event-project"]
    assert documents and len(documents) == len(set(documents))
    assert projects and len(projects) == len(set(projects))
    assert "event-milestone" not in kinds
    assert page.get_by_text("Document signed", exact=False).count() == 0
    # The summary's counts lead to the lists filtered as the page is.
    count = page.locator("header .meta a").first
    meetings = int(count.inner_text().split()[0])
    count.click()
    page.wait_for_url("**/meetings/?countries=AZ%2CKZ")
    assert page.locator(".records > li.record").count() == meetings


def test_on_a_phone_the_results_come_first_and_the_focus_returns_to_the_facet(live_seeded, page):
    page.set_viewport_size(PHONE)
    page.goto(page.live_url + "/meetings/")
    results = page.locator("#results-heading").bounding_box()
    assert results["y"] < PHONE["height"] / 2, "the results start below half the first screen"
    panel = page.locator("details.filter-panel")
    assert panel.get_attribute("open") is None
    panel.locator(":scope > summary").click()
    facet = page.locator(".facet").filter(has_text="Country")
    facet.get_by_role("link", name="Kazakhstan").first.click()
    page.wait_for_url("**country=KZ**")
    focused = page.evaluate(
        "[document.activeElement.closest('.facet') && document.activeElement"
        ".closest('.facet').getAttribute('aria-labelledby'),"
        " document.activeElement.textContent]"
    )
    assert focused[0] == "facet-country" and "Kazakhstan" in focused[1]
    assert page.evaluate("document.activeElement.getAttribute('aria-current')") == "true"


def test_desktop_shows_the_filters_beside_the_results(live_seeded, page):
    page.goto(page.live_url + "/meetings/")
    assert page.locator(".filter-panel > summary").is_hidden()
    assert page.locator(".facet").first.is_visible()


def test_the_citation_copies_with_one_click(live_seeded, page):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(page.live_url + "/documents/az-kz-treaty-strategic-partnership-allied-relations/")
    button = page.get_by_role("button", name="Copy the citation")
    button.click()
    status = page.locator(".cite .copy-status").first
    status.wait_for(state="visible")
    page.wait_for_function("document.querySelector('.cite .copy-status').textContent !== ''")
    assert status.inner_text() == "Copied."
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#cite-text").inner_text()
    assert "Data version" in copied and "Last changed" in copied


def test_without_a_script_the_citation_is_there_to_select(browser, live_seeded, live_server):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + "/documents/az-kz-treaty-strategic-partnership-allied-relations/")
    assert page.locator("#cite-text").is_visible()
    assert page.locator("button.copy-button").first.is_hidden()
    context.close()


def test_pictures_and_the_chosen_facet_keep_their_colours_in_forced_colors(live_seeded, page):
    page.emulate_media(forced_colors="active")
    page.goto(page.live_url + "/meetings/?country=KZ")
    selected = page.locator(".facet a.selected").first
    background = selected.evaluate("a => getComputedStyle(a).backgroundColor")
    assert background not in ("rgba(0, 0, 0, 0)", "transparent")
    page.goto(page.live_url + "/")
    body = page.evaluate("getComputedStyle(document.body).backgroundColor")
    fills = page.evaluate(
        "Array.from(document.querySelectorAll('svg.chart text')).slice(0, 20)"
        ".map(t => getComputedStyle(t).fill)"
    )
    assert fills and all(fill != body for fill in fills)
