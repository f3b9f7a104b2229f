"""Publishing a meeting with the drafts it shows, and an Editor's slug change whose old
addresses redirect, done in a real browser."""

import re

import pytest

from records.roles import account_create

pytestmark = [pytest.mark.browser, pytest.mark.required]

PASSWORD = "correct horse battery staple 42"


def log_in(page, username: str, *, editor: bool = False) -> None:
    from django_otp.plugins.otp_static.models import StaticDevice

    user = account_create(username=username, password=PASSWORD, editor=editor)
    # Production settings (the suite's) require a second factor: a one-time backup code.
    device = StaticDevice.objects.create(user=user, name="backup codes")
    device.token_set.create(token=f"{username}-code")
    page.goto(page.live_url + "/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", f"{username}-code")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))


def test_a_meeting_is_published_with_the_drafts_it_shows(live_seeded, page, screenshot):
    from records.models import EditorialStatus
    from records.publishing import shown_drafts
    from summits.models import Meeting
    from tests.draft_world import MEETING, build_draft_world

    build_draft_world()
    meeting = Meeting.objects.get(slug=MEETING)
    drafts = shown_drafts([meeting])
    assert len(drafts) == 5
    history = {draft: draft.history.count() for draft in drafts}
    log_in(page, "alice")

    page.goto(f"{page.live_url}/admin/summits/meeting/{meeting.pk}/change/")
    page.get_by_role("button", name="Publish with what it shows").click()

    page.wait_for_selector("ul.shown-drafts")
    # The list is read at once (all_inner_texts does not wait): the whole page first.
    page.wait_for_load_state()
    listed = page.locator("ul.shown-drafts li").all_inner_texts()
    assert len(listed) == len(drafts)
    for draft in drafts:
        assert any(str(draft) in line for line in listed)
    screenshot("admin-publish-together")
    # Nothing is published before the analyst confirms.
    assert all(type(d).objects.get(pk=d.pk).status == EditorialStatus.DRAFT for d in drafts)
    page.get_by_role("button", name="Publish 5 records").click()

    page.wait_for_url(re.compile(r"/admin/summits/meeting/$"))
    assert "5 record(s) published together" in page.locator("ul.messagelist").inner_text()
    for draft in drafts:
        draft.refresh_from_db()
        assert draft.status == EditorialStatus.PUBLISHED
        assert draft.history.count() == history[draft] + 1
        assert draft.history.latest().history_user.username == "alice"
    page.goto(page.live_url + drafts[0].get_absolute_url())
    assert page.locator("h1").inner_text() == str(drafts[0])


def test_an_editor_changes_a_slug_and_the_old_addresses_redirect(live_seeded, page):
    from summits.models import Person

    person = Person.objects.get(slug="ilham-aliyev")
    log_in(page, "erin", editor=True)

    page.goto(f"{page.live_url}/admin/summits/person/{person.pk}/change/")
    page.fill("#id_slug", "ilham-heydar-oglu-aliyev")
    page.click("input[name=_save]")
    page.wait_for_url(re.compile(r"/admin/summits/person/$"))

    page.goto(page.live_url + "/persons/ilham-aliyev/?from=old-link")
    assert page.url == page.live_url + "/persons/ilham-heydar-oglu-aliyev/?from=old-link"
    assert page.locator("h1").inner_text() == person.name
    api = page.request.get(page.live_url + "/api/v1/persons/ilham-aliyev/", max_redirects=0)
    assert api.status == 301
    assert api.headers["location"] == "/api/v1/persons/ilham-heydar-oglu-aliyev/"
    moved = page.request.get(page.live_url + "/api/v1/persons/ilham-aliyev/")
    assert moved.json()["slug"] == "ilham-heydar-oglu-aliyev"
