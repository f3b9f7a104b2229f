"""A researcher slicing the lists in headless Chromium, on a desktop and a 390 px phone: two
countries at once (all of them), a person picked by name, clean addresses, search with its
snippets and a misspelled name, and a CSV that keeps quotes and dates as precise as known.
The `page` fixture fails a test on a console error or a request leaving 127.0.0.1."""

import csv
import io
from urllib.parse import urlsplit

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.required]

SIZES = {"desktop": {"width": 1280, "height": 900}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(params=list(SIZES))
def sized(request, page):
    page.set_viewport_size(SIZES[request.param])
    page.size_name = request.param
    # On a phone the filters are behind a button (results first: tests/browser/
    # test_pictures_and_phones.py clicks it); here they are what is tested, so they start open.
    page.add_init_script(
        "document.addEventListener('DOMContentLoaded', () => document"
        ".querySelectorAll('details.filter-panel').forEach((panel) => { panel.open = true; }));"
    )
    return page


def clean(url: str) -> str:
    """An address without its host or fragment: a facet link adds #facet-<name>, where the
    page puts the reader back (static/js/facet-focus.js)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def address(page) -> str:
    parts = urlsplit(page.url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def open_more_filters(page) -> None:
    # On a phone the whole filter panel is behind its own button first (results come first).
    more = page.locator("details.more-filters > summary")
    if not more.is_visible():
        page.locator("details.filter-panel > summary").click()
    details = page.locator("details.more-filters")
    if details.get_attribute("open") is None:
        more.click()


def both_countries(*codes):
    from summits.models import Meeting

    rows = Meeting.objects.published()
    for code in codes:
        rows = rows.filter(pk__in=Meeting.objects.filter(countries__code=code).values("pk"))
    return rows


def test_two_countries_all_of_them(live_seeded, sized, screenshot):
    page = sized
    page.goto(page.live_url + "/meetings/")
    facet = page.locator(".facet").filter(has_text="Country")
    facet.get_by_role("link", name="Azerbaijan").click()
    page.wait_for_url(lambda url: clean(url) == "/meetings/?country=AZ")
    # A second country adds to the first.
    page.locator(".facet").filter(has_text="Country").get_by_role(
        "link", name="Kazakhstan"
    ).click()
    page.wait_for_url(lambda url: clean(url) == "/meetings/?country=AZ,KZ")
    open_more_filters(page)
    page.get_by_label("all of them").check()
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(lambda url: clean(url) == "/meetings/?country=AZ,KZ&country_mode=all")
    expected = both_countries("AZ", "KZ").count()
    assert expected >= 2
    heading = page.locator("#results-heading").inner_text()
    assert heading == f"{expected} matching records"
    screenshot(f"meetings-az-and-kz-{page.size_name}")
    # The same address answers on the API.
    api = page.request.get(page.live_url + "/api/v1/meetings/?country=AZ,KZ&country_mode=all")
    assert api.json()["count"] == expected


def test_a_person_picked_by_name(live_seeded, sized, screenshot):
    page = sized
    page.goto(page.live_url + "/meetings/")
    open_more_filters(page)
    page.get_by_label("Find in Person").fill("toka")
    picker = page.locator("select[name=person]")
    visible = picker.evaluate("s => Array.from(s.options).filter(o => !o.hidden).map(o => o.text)")
    assert visible == ["Any", "Kassym-Jomart Tokayev"]
    picker.select_option(label="Kassym-Jomart Tokayev")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(lambda url: clean(url) == "/meetings/?person=kassym-jomart-tokayev")
    from summits.models import Meeting

    expected = Meeting.objects.published().filter(persons__slug="kassym-jomart-tokayev").count()
    assert page.locator("#results-heading").inner_text() == f"{expected} matching records"
    chosen = page.locator("select[name=person]").evaluate("s => s.selectedOptions[0].text")
    assert chosen == "Kassym-Jomart Tokayev"
    screenshot(f"meetings-person-picker-{page.size_name}")


def test_addresses_stay_clean(live_seeded, sized):
    page = sized
    page.goto(page.live_url + "/documents/?q=&country=&countries=AZ%2CKZ&year=&kind=")
    assert address(page) == "/documents/?countries=AZ,KZ"
    page.goto(page.live_url + "/documents/")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert address(page) == "/documents/"
    page.locator("form.filter-form [name=q]").fill("treaty")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_url(lambda url: clean(url) == "/documents/?q=treaty")
    assert "(1 set)" not in page.locator("details.more-filters summary").inner_text()


def test_search_with_snippets_and_a_misspelled_name(live_seeded, sized, screenshot):
    page = sized
    page.goto(page.live_url + "/search/")
    page.locator("#q").fill("Tokaev")
    page.locator("#q").press("Enter")
    page.wait_for_url(lambda url: clean(url) == "/search/?q=Tokaev")
    offer = page.locator(".did-you-mean a")
    assert offer.inner_text() == "Tokayev"
    offer.click()
    page.wait_for_url(lambda url: clean(url) == "/search/?q=Tokayev")
    marks = page.locator(".snippet mark")
    assert marks.count() > 0
    assert {text.casefold() for text in marks.all_inner_texts()} == {"tokayev"}
    meetings = page.locator(".search-group").filter(has_text="Meetings").locator("li > a")
    assert meetings.count() >= 6  # Tokayev took part in six; titles alone name three
    screenshot(f"search-tokayev-{page.size_name}")


def test_csv_keeps_quotes_and_dates_as_precise_as_known(live_seeded, sized, tmp_path):
    page = sized
    page.goto(page.live_url + "/meetings/?country=AZ,KZ&country_mode=all")
    with page.expect_download() as started:
        page.locator(".downloads").get_by_role("link", name="CSV").click()
    download = started.value
    assert download.suggested_filename == "pacta-meetings-country-AZ-KZ-country-mode-all.csv"
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert len(rows) == both_countries("AZ", "KZ").count()
    widths = {"year": 4, "month": 7, "day": 10}
    for row in rows:
        if row["start_date"]:
            assert len(row["start_date"]) == widths[row["start_precision"]], row["slug"]
        quotes = row["citations"].split("\n")
        assert quotes and all(quote.startswith("“") and "@" in quote for quote in quotes)
