import pytest

pytestmark = pytest.mark.browser


def test_a_seeded_meeting_page_opens_in_chromium(live_seeded, page, screenshot):
    page.goto(page.live_url + "/meetings/az-kz-supreme-interstate-council-2/")
    assert "Supreme Interstate Council" in page.locator("h1").inner_text()
    screenshot("meeting-detail")
