"""Citing in a real browser: select a passage on a source's page and cite it without copying;
a quote with a look-alike letter and one with a missing word are each explained, and the
look-alike's one-click fix puts the source's exact text in."""

import re

import pytest

from records.roles import account_create

pytestmark = [pytest.mark.browser]

PASSWORD = "correct horse battery staple 42"
MEETING = "az-kz-supreme-interstate-council-2"
PREFIX = "records-citation-content_type-object_id"
# "С" in "Сouncil" is Cyrillic, as in the agency text of issue 15.
TEXT = (
    "Baku, 3 March. The leaders met at the Uzbekistan–Azerbaijan Supreme Interstate "
    "\u0421ouncil in Baku.\n\nThe President of Azerbaijan hosted a dinner for the guests. "
    "Both sides praised the growing trade between the two countries."
)


@pytest.fixture
def analyst_page(live_seeded, page):
    from django_otp.plugins.otp_static.models import StaticDevice

    from records.models import Source

    analyst = account_create(username="carol", password=PASSWORD)
    device = StaticDevice.objects.create(user=analyst, name="backup codes")
    device.token_set.create(token="pacta-cite-code")
    page.source = Source.objects.create(title="An agency text", slug="agency-text", text=TEXT)
    page.goto(page.live_url + "/admin/login/")
    page.fill("#id_username", "carol")
    page.fill("#id_password", PASSWORD)
    page.fill("#id_otp_token", "pacta-cite-code")
    page.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))
    return page


def choose(page, select_id: str, search: str, option: str) -> None:
    """Pick `option` in one of the admin's autocomplete (select2) boxes."""
    page.locator(f"#{select_id} + .select2 .select2-selection").click()
    page.locator(".select2-container--open .select2-search__field").fill(search)
    page.locator(".select2-results__option", has_text=option).first.click()


def save_and_leave(page) -> None:
    """Save the change form; it must be accepted (the errors shown say why if not)."""
    page.click("input[name=_save]")
    page.wait_for_load_state()
    errors = page.locator(".errornote, ul.errorlist").all_inner_texts()
    assert re.search(r"/admin/summits/meeting/(#.*)?$", page.url), errors


def select_text(page, passage: str) -> None:
    """Select `passage` in the source's text as a mouse would."""
    page.evaluate(
        """(passage) => {
            const box = document.querySelector(".source-text");
            const walker = document.createTreeWalker(box, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
                const at = node.data.indexOf(passage);
                if (at >= 0) {
                    const range = document.createRange();
                    // A sloppy selection: the space before the passage comes along.
                    range.setStart(node, Math.max(at - 1, 0));
                    range.setEnd(node, at + passage.length);
                    const selection = window.getSelection();
                    selection.removeAllRanges();
                    selection.addRange(range);
                    return;
                }
            }
            throw new Error("passage not in the text");
        }""",
        passage,
    )


def test_a_selected_passage_is_cited_without_copying(analyst_page, screenshot):
    from summits.models import Meeting

    page, source = analyst_page, analyst_page.source
    meeting = Meeting.objects.get(slug=MEETING)
    passage = "The President of Azerbaijan hosted a dinner for the guests."
    page.goto(f"{page.live_url}/admin/records/source/{source.pk}/change/")
    select_text(page, passage)
    offer = page.locator("#cite-selection")
    offer.wait_for(state="visible")
    assert offer.locator(".cite-selection-length").inner_text() == str(len(passage))
    offer.locator("a").click()
    page.wait_for_selector("#cited-passage")
    assert page.locator("#cited-passage").inner_text() == passage
    choose(page, "id_meeting-record", "Supreme", meeting.title[:20])
    page.locator("fieldset", has=page.locator("#id_meeting-record")).locator(
        "input[type=submit]"
    ).click()
    page.wait_for_url(re.compile(rf"/admin/summits/meeting/{meeting.pk}/change/\?cite_source="))
    count = meeting.citations.count()
    row = f"id_{PREFIX}-{count}"
    assert page.input_value(f"#{row}-quote") == passage
    page.locator(f"#{row}-field").select_option("persons")
    screenshot("admin-cite-by-selection")
    save_and_leave(page)
    citation = meeting.citations.get(source=source)
    start = TEXT.index(passage)
    assert (citation.start, citation.end, citation.field) == (
        start,
        start + len(passage),
        "persons",
    )


def test_an_uncited_sentence_is_a_link_to_cite_it(analyst_page):
    page, source = analyst_page, analyst_page.source
    page.goto(f"{page.live_url}/admin/records/source/{source.pk}/change/")
    sentence = "Both sides praised the growing trade between the two countries."
    page.locator("a.cite-sentence", has_text=sentence).click()
    assert page.locator("#cited-passage").inner_text() == sentence


def add_quote(page, meeting, source, quote: str) -> str:
    page.goto(f"{page.live_url}/admin/summits/meeting/{meeting.pk}/change/")
    row = f"id_{PREFIX}-{meeting.citations.count()}"
    choose(page, f"{row}-source", "agency", "An agency text")
    page.fill(f"#{row}-quote", quote)
    page.click("input[name=_save]")
    return row


def test_a_look_alike_letter_is_explained_and_fixed_in_one_click(analyst_page, screenshot):
    from summits.models import Meeting

    page, source = analyst_page, analyst_page.source
    meeting = Meeting.objects.get(slug=MEETING)
    typed = "the Uzbekistan-Azerbaijan Supreme Interstate Council in Baku"
    row = add_quote(page, meeting, source, typed)
    error = page.locator("ul.errorlist", has_text="not found verbatim").first
    error.wait_for()
    text = error.inner_text()
    assert "look-alike letter from another alphabet" in text
    assert "Cyrillic capital letter es" in text
    assert "a different dash" in text
    screenshot("admin-quote-look-alike")
    error.locator("button.quote-fix").click()
    exact = "the Uzbekistan–Azerbaijan Supreme Interstate \u0421ouncil in Baku"
    assert page.input_value(f"#{row}-quote") == exact
    save_and_leave(page)
    citation = meeting.citations.get(source=source)
    assert citation.quote == exact
    assert TEXT[citation.start : citation.end] == exact


def test_a_missing_word_is_explained_without_a_fix(analyst_page, screenshot):
    from summits.models import Meeting

    page, source = analyst_page, analyst_page.source
    meeting = Meeting.objects.get(slug=MEETING)
    add_quote(page, meeting, source, "The President of Azerbaijan hosted dinner for the guests.")
    error = page.locator("ul.errorlist", has_text="not found verbatim").first
    error.wait_for()
    assert "leaves out “a” after “hosted”" in error.inner_text()
    assert error.locator("button.quote-fix").count() == 0
    screenshot("admin-quote-missing-word")
    assert not meeting.citations.filter(source=source).exists()
