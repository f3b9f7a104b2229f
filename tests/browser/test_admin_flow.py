"""An analyst's day in one go: log in, add a meeting with two countries and a cited quote,
publish it, and find it on its public page."""

import re

import pytest

from records.roles import account_create

pytestmark = [pytest.mark.browser, pytest.mark.required]

PASSWORD = "correct horse battery staple 42"
TITLE = "Talks on the Middle Corridor in Astana"
QUOTE = "The President of Kazakhstan delivered a speech first."


def choose(page, select_id: str, search: str, option: str) -> None:
    """Pick `option` in one of the admin's autocomplete (select2) boxes."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-results__option", has_text=option).first.click()


def test_an_analyst_adds_cites_and_publishes_a_meeting(live_seeded, page, screenshot):
    from django_otp.plugins.otp_static.models import StaticDevice

    from records.models import EditorialStatus
    from summits.models import Meeting

    alice = account_create(username="alice", password=PASSWORD)
    # Production settings (the suite's) require a second factor: a one-time backup code.
    device = StaticDevice.objects.create(user=alice, name="backup codes")
    device.token_set.create(token="pacta-e2e-code")

    page.goto(page.live_url + "/admin/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", "pacta-e2e-code")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))

    page.goto(page.live_url + "/admin/summits/meeting/add/")
    page.fill("#id_title", TITLE)
    page.locator("#id_kind").select_option("talks")
    page.fill("#id_start_date", "2025-10-21")
    page.fill("#id_city", "Astana")
    # Left empty, the slug is made from the title on save, transliterated (records/slugs.py).
    assert page.input_value("#id_slug") == ""
    slug = "talks-on-the-middle-corridor-in-astana"

    choose(page, "id_participations-0-country", "Kazakh", "Kazakhstan")
    page.locator("#id_participations-0-role").select_option("host")
    choose(page, "id_participations-1-country", "Azerb", "Azerbaijan")
    page.locator("#id_participations-1-role").select_option("guest")

    citation = "id_records-citation-content_type-object_id-0"
    choose(page, f"{citation}-source", "azertac", "AZERTAC")
    page.fill(f"#{citation}-quote", QUOTE)
    # The quote states neither the day, nor the city, nor the host (the country with role
    # Host): saved as stated, they are refused (docs/editorial-policy.md); the analyst says
    # how each is known instead.
    page.click("input[name=_save]")
    refusal = page.wait_for_selector("ul.errorlist.nonform").inner_text()
    assert refusal.startswith("Stated without a quote: start date, city, host country.")
    for fact, reasoning in (
        ("start_date", "The talks are reported in the text of 21 October, on that day."),
        ("city", "Reported from Astana (the dateline), where the Council met."),
        ("host_country", "Held in Astana, Kazakhstan's capital."),
    ):
        page.locator(f"#id_basis__{fact}").select_option("inferred")
        page.fill(f"#id_basis_reasoning__{fact}", reasoning)
    screenshot("admin-meeting-add")
    page.click("input[name=_save]")

    page.wait_for_url(re.compile(r"/admin/summits/meeting/$"))
    assert "was added successfully" in page.locator("ul.messagelist").inner_text()
    meeting = Meeting.objects.get(slug=slug)
    assert meeting.status == EditorialStatus.DRAFT
    assert sorted(meeting.participations.values_list("country__code", "role")) == [
        ("AZ", "guest"),
        ("KZ", "host"),
    ]
    citation_row = meeting.citations.get()
    assert citation_row.source.text[citation_row.start : citation_row.end] == QUOTE
    assert meeting.basis_of("city")["basis"] == "inferred"
    # The host country is the one entered with role Host, not a second input.
    assert meeting.host_country.code == "KZ"

    row = page.locator("#result_list tr", has_text=TITLE)
    row.locator("input.action-select").check()
    page.locator("select[name=action]").select_option("publish_selected")
    page.click("button[name=index]")
    assert "1 meeting published (0 already were)." in page.locator("ul.messagelist").inner_text()
    screenshot("admin-meeting-published")
    meeting.refresh_from_db()
    assert meeting.status == EditorialStatus.PUBLISHED

    # Seen as the public sees it: logged out, so drafts would be hidden.
    page.click("#logout-form button")
    page.goto(page.live_url + f"/meetings/{slug}/")
    assert TITLE in page.locator("h1").inner_text()
    screenshot("admin-meeting-public")
