"""One real article entered by hand, without the import assistant, counted: the forms an
analyst submits and the pages the browser loads.

The article is text 000 (AZERTAC, 21 October 2025): Aliyev's state visit to Kazakhstan, the
second meeting of the Supreme Interstate Council held during it, two documents (the roadmap
for cultural cooperation proposed there, the Treaty on Strategic Partnership whose 20th
anniversary the visit marks) and two projects (the joint investment fund, the Kurmangazy
Children's Creativity Center). The reference lists (countries, the two presidents, the
Council) exist already, as they do from the second article on. The test fills only what the
page does not already hold, so it measures any version of the admin the same way.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser.admin_pages import staff_login

pytestmark = [pytest.mark.browser, pytest.mark.required]

MAX_FORMS = 6
MAX_PAGE_LOADS = 25
TEXT = Path(__file__).resolve().parents[2] / "seeds" / "texts" / "000_e92ef147db92867a.txt"
CITATIONS = "records-citation-content_type-object_id"

HOST_QUOTE = (
    "I would like to once again welcome you on your official state visit to the Republic "
    "of Kazakhstan."
)
SESSION_QUOTE = (
    "On October 21, the second meeting of the Azerbaijan-Kazakhstan Supreme Interstate "
    "Council was held in Astana with the participation of President of the Republic of "
    "Azerbaijan Ilham Aliyev and President of the Republic of Kazakhstan Kassym-Jomart Tokayev."
)
TREATY_QUOTE = (
    "It is quite symbolic that your visit is taking place in the year marking the 20th "
    "anniversary of the Treaty on Strategic Partnership and Allied Relations between our "
    "countries."
)
FUND_QUOTE = "The joint investment fund we established also has tremendous potential."
CENTER_QUOTE = "The Kurmangazy Children’s Creativity Center is now fully operational."


@dataclass
class Count:
    page_loads: int = 0
    forms: int = 0
    fields: int = 0
    posted: list = field(default_factory=list)


class Analyst:
    """The analyst's hands: every value typed or chosen is counted as one field."""

    def __init__(self, page, count: Count):
        self.page, self.count = page, count

    def fill(self, selector: str, value: str) -> None:
        element = self.page.locator(selector)
        if element.evaluate("e => e.tagName") == "SELECT":
            element.select_option(value)
        else:
            element.fill(value)
        self.count.fields += 1

    def select(self, selector: str, value: str) -> None:
        self.page.locator(selector).select_option(value)
        self.count.fields += 1

    def choose(self, select_id: str, search: str, option: str) -> None:
        """An autocomplete (select2) box: open, type, pick."""
        page = self.page
        page.locator(f"#{select_id} + .select2 .select2-selection").click()
        page.locator(".select2-container--open .select2-search__field").last.fill(search)
        page.locator(".select2-results__option", has_text=option).first.click()
        self.count.fields += 1

    def holds(self, selector: str) -> bool:
        return bool(self.page.locator(selector).input_value())

    def add_row(self, prefix: str) -> int:
        """Click the inline's "Add another …" and return the new row's index."""
        page = self.page
        index = int(page.input_value(f"#id_{prefix}-TOTAL_FORMS"))
        page.locator(f"#{prefix}-group .add-row a").click()
        return index

    def row(self, prefix: str, index: int) -> int:
        """Row `index` of an inline, added when the page does not show it yet."""
        if self.page.locator(f"#id_{prefix}-{index}-id").count() == 0:
            return self.add_row(prefix)
        return index

    def infer(self, fact: str, reasoning: str) -> None:
        """Mark a fact inferred with its reasoning, unless the page already says how it is
        known (carried from the record it comes from)."""
        if self.page.locator(f"#id_basis__{fact}").input_value() != "stated":
            return
        self.select(f"#id_basis__{fact}", "inferred")
        self.fill(f"#id_basis_reasoning__{fact}", reasoning)

    def cite(self, index: int, quote: str, fact: str = "") -> None:
        index = self.row(CITATIONS, index)
        self.choose(f"id_{CITATIONS}-{index}-source", "AZERTAC", "AZERTAC")
        self.fill(f"#id_{CITATIONS}-{index}-quote", quote)
        if fact:
            self.fill(f"#id_{CITATIONS}-{index}-field", fact)

    def countries(self, prefix: str, rows: list[tuple[str, str, str]]) -> None:
        """Country rows (search, name, role), unless the page offers them already."""
        if self.page.locator(f"#id_{prefix}-0-country").count() and self.holds(
            f"#id_{prefix}-0-country"
        ):
            return
        for index, (search, name, role) in enumerate(rows):
            index = self.row(prefix, index)
            self.choose(f"id_{prefix}-{index}-country", search, name)
            self.select(f"#id_{prefix}-{index}-role", role)

    def save(self, button: str = "_save") -> None:
        page = self.page
        page.click(f"input[name={button}]")
        page.wait_for_load_state("load")
        errors = page.locator(".errornote, ul.errorlist")
        assert errors.count() == 0, errors.all_inner_texts()


def reference_lists_only():
    """The seed without any record an article brings: its reference lists stay."""
    from agreements.models import Document, Milestone, Package, Project, StatusEvent
    from records.models import Citation, Source
    from summits.models import Meeting

    for model in (Citation, StatusEvent, Milestone, Project, Document, Package, Meeting, Source):
        model.objects.all().delete()


def enter_the_article(page, hands: Analyst) -> None:
    url = page.live_url
    page.goto(url + "/admin/")

    # 1. The source, its text pasted.
    page.goto(url + "/admin/records/source/add/")
    hands.fill(
        "#id_title", "Second meeting of the Azerbaijan-Kazakhstan Supreme Interstate Council"
    )
    hands.fill("#id_publisher", "AZERTAC")
    hands.fill("#id_published_on", "2025-10-21")
    hands.fill("#id_text", TEXT.read_text(encoding="utf-8"))
    hands.save()

    # 2. The state visit.
    page.goto(url + "/admin/summits/meeting/add/")
    hands.fill("#id_title", "State visit of President Ilham Aliyev to Kazakhstan")
    hands.select("#id_kind", "state_visit")
    hands.fill("#id_start_date", "2025-10-20")
    hands.fill("#id_city", "Astana")
    if page.locator("#id_host_country").count():  # a second input for the host
        hands.choose("id_host_country", "Kazakh", "Kazakhstan")
    hands.countries(
        "participations", [("Kazakh", "Kazakhstan", "host"), ("Azerb", "Azerbaijan", "guest")]
    )
    for index, (search, name) in enumerate((("Aliyev", "Ilham Aliyev"), ("Tokayev", "Tokayev"))):
        row = hands.row("attendances", index)
        hands.choose(f"id_attendances-{row}-person", search, name)
    hands.cite(0, HOST_QUOTE, "host_country")
    hands.infer(
        "start_date", "Aliyev says on 21 October that they talked “both yesterday and today”."
    )
    hands.infer("city", "The Council meeting held during the visit was held in Astana.")
    hands.infer(
        "countries", "Tokayev (Kazakhstan) welcomes Aliyev (Azerbaijan) on his state visit."
    )
    hands.infer("persons", "Tokayev welcomes Aliyev on his state visit.")
    hands.save("_continue")
    visit_url = page.url

    # 3. The Council's session held during the visit, with the roadmap proposed there.
    offered = page.locator("a", has_text="Add a meeting held during this one")
    if offered.count():
        offered.click()
        page.wait_for_load_state("load")
    else:
        page.goto(url + "/admin/summits/meeting/add/")
    hands.fill(
        "#id_title", "Second meeting of the Azerbaijan-Kazakhstan Supreme Interstate Council"
    )
    hands.select("#id_kind", "body_session")
    hands.choose("id_body", "Supreme", "Supreme Interstate Council")
    hands.fill("#id_session_number", "2")
    if not hands.holds("#id_parent"):
        hands.choose("id_parent", "State visit", "State visit of President Ilham Aliyev")
    hands.fill("#id_start_date", "2025-10-21")
    hands.fill("#id_city", "Astana")
    if page.locator("#id_host_country").count() and not hands.holds("#id_host_country"):
        hands.choose("id_host_country", "Kazakh", "Kazakhstan")
    hands.countries(
        "participations", [("Kazakh", "Kazakhstan", "host"), ("Azerb", "Azerbaijan", "guest")]
    )
    if not (
        page.locator("#id_attendances-0-person").count()
        and hands.holds("#id_attendances-0-person")
    ):
        for index, (search, name) in enumerate(
            (("Tokayev", "Tokayev"), ("Aliyev", "Ilham Aliyev"))
        ):
            row = hands.row("attendances", index)
            hands.choose(f"id_attendances-{row}-person", search, name)
    hands.cite(0, SESSION_QUOTE, "city")
    hands.infer("start_date", "“On October 21”: the year is that of the visit, 2025.")
    hands.infer("body", "“the second meeting of the … Supreme Interstate Council”: that Council.")
    hands.infer("session_number", "“the second meeting” of the Council.")
    hands.infer("parent", "Tokayev opens the meeting by welcoming Aliyev on his state visit.")
    hands.infer("host_country", "Held in Astana, Kazakhstan's capital.")
    hands.infer("countries", "The Council of Azerbaijan and Kazakhstan met in Astana.")
    hands.infer("persons", "“with the participation of” Aliyev and Tokayev.")
    document = hands.add_row("documents")
    hands.fill(f"#id_documents-{document}-title", "Roadmap for cultural cooperation")
    hands.select(f"#id_documents-{document}-kind", "programme")
    if not hands.holds(f"#id_documents-{document}-date"):
        hands.fill(f"#id_documents-{document}-date", "2025-10-21")
    hands.save()

    # 4. The treaty the visit's year marks the 20th anniversary of.
    page.goto(url + "/admin/agreements/document/add/")
    hands.fill("#id_title", "Treaty on Strategic Partnership and Allied Relations")
    hands.select("#id_kind", "treaty")
    hands.select("#id_level", "interstate")
    hands.fill("#id_date", "2005-01-01")
    hands.select("#id_date_precision", "year")
    hands.infer("date", "Its 20th anniversary falls in the year of the visit, 2025.")
    for index, (search, name) in enumerate((("Azerb", "Azerbaijan"), ("Kazakh", "Kazakhstan"))):
        row = hands.row("party_roles", index)
        hands.choose(f"id_party_roles-{row}-country", search, name)
    hands.infer("parties", "“between our countries”, said by Tokayev to Aliyev.")
    hands.cite(0, TREATY_QUOTE)
    hands.save()

    # 5 and 6. The projects, each linked to the session.
    for name, kind, quote, rows in (
        (
            "Joint investment fund",
            "fund",
            FUND_QUOTE,
            [("Azerb", "Azerbaijan", "partner"), ("Kazakh", "Kazakhstan", "partner")],
        ),
        (
            "Kurmangazy Children’s Creativity Center",
            "gift",
            CENTER_QUOTE,
            [("Kazakh", "Kazakhstan", "donor"), ("Azerb", "Azerbaijan", "recipient")],
        ),
    ):
        page.goto(url + "/admin/agreements/project/add/")
        hands.fill("#id_name", name)
        hands.select("#id_kind", kind)
        for index, (search, country, role) in enumerate(rows):
            row = hands.row("country_roles", index)
            hands.choose(f"id_country_roles-{row}-country", search, country)
            hands.select(f"#id_country_roles-{row}-role", role)
        hands.choose("id_meetings", "Second meeting", "Second meeting of the Azerbaijan")
        hands.infer("countries", "Named in Aliyev's speech to Tokayev at the Council.")
        hands.infer("meetings", "Reported in the account of the Council's second meeting.")
        hands.cite(0, quote)
        hands.save()
    assert visit_url


def test_an_article_entered_by_hand_takes_few_forms_and_page_loads(live_seeded, page):
    from agreements.models import Document, Project
    from summits.models import Meeting

    reference_lists_only()
    staff_login(page, "alice")
    count = Count()

    def loaded(frame) -> None:
        if frame == page.main_frame:
            count.page_loads += 1

    def requested(request) -> None:
        if request.method == "POST" and request.resource_type == "document":
            count.forms += 1
            count.posted.append(re.sub(r"^https?://[^/]+", "", request.url))

    page.on("framenavigated", loaded)
    page.on("request", requested)
    enter_the_article(page, Analyst(page, count))

    visit = Meeting.objects.get(kind="state_visit")
    session = Meeting.objects.get(kind="body_session")
    assert session.parent == visit
    assert visit.host_country.code == session.host_country.code == "KZ"
    assert sorted(session.participations.values_list("country__code", "role")) == [
        ("AZ", "guest"),
        ("KZ", "host"),
    ]
    assert session.attendances.count() == 2
    roadmap = Document.objects.get(title="Roadmap for cultural cooperation")
    assert roadmap.meeting == session and roadmap.date == session.start_date
    assert Project.objects.filter(meetings=session).count() == 2
    report = (
        f"{count.forms} forms, {count.page_loads} page loads, {count.fields} fields "
        f"({', '.join(count.posted)})"
    )
    print(f"\nThe article by hand: {report}")
    assert count.forms <= MAX_FORMS, report
    assert count.page_loads <= MAX_PAGE_LOADS, report
