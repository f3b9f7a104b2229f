"""Issue 14's measure of the import assistant: an analyst imports a saved web page (an August
2024 report of a state visit with the first session of a Supreme Interstate Council and a
treaty signed), accepts, edits one proposal, merges one into the record the database already
has, rejects one and publishes, while page loads, clicks and typed characters are counted.
The target is at most 12 page loads and 40 clicks, against about 49 and 200 by hand."""

import datetime as dt
import re
from pathlib import Path

import pytest

from records.roles import account_create

pytestmark = pytest.mark.browser

PASSWORD = "correct horse battery staple 42"
PAGE = Path(__file__).resolve().parents[1] / "seeds" / "articles" / "tashkent_2024.html"
COUNCIL = "First meeting of the Azerbaijan-Uzbekistan Supreme Interstate Council"


class Counted:
    """The analyst's effort: every click and typed character goes through here."""

    def __init__(self, page):
        self.page, self.clicks, self.typed, self.loads = page, 0, 0, 0
        page.on("load", self._loaded)

    def _loaded(self, _page) -> None:
        self.loads += 1

    def click(self, selector) -> None:
        self.clicks += 1
        (self.page.locator(selector) if isinstance(selector, str) else selector).click()

    def type(self, selector: str, text: str) -> None:
        self.clicks += 1  # into the field
        self.typed += len(text)
        self.page.fill(selector, text)

    def choose_file(self, selector: str, path: Path) -> None:
        self.clicks += 2  # the file button, then the file in the dialog
        self.page.set_input_files(selector, str(path))


def test_an_analyst_imports_reviews_and_publishes_an_article(live_seeded, page, screenshot):
    from django_otp.plugins.otp_static.models import StaticDevice

    from agreements.models import Document, Package, Project
    from records.models import EditorialStatus, Source
    from seeds.models import ImportReview, Proposal
    from summits.models import Country, Meeting, MeetingCountry

    alice = account_create(username="alice", password=PASSWORD)
    StaticDevice.objects.create(user=alice, name="backup codes").token_set.create(token="e2e-code")
    # Another analyst entered the visit from an earlier report: the import should find it.
    known = Meeting.objects.create(
        slug="aliyev-state-visit-uzbekistan-2024",
        title="State visit of President Ilham Aliyev to Uzbekistan",
        kind="state_visit",
        start_date=dt.date(2024, 8, 22),
        host_country=Country.objects.get(code="UZ"),
    )
    for code, role in (("UZ", "host"), ("AZ", "guest")):
        country = Country.objects.get(code=code)
        MeetingCountry.objects.create(meeting=known, country=country, role=role)

    effort = Counted(page)
    page.goto(page.live_url + "/admin/login/")
    effort.type("#id_username", "alice")
    effort.type("#id_password", PASSWORD)
    effort.type("#id_otp_token", "e2e-code")
    effort.click("input[type=submit]")
    page.wait_for_url(re.compile(r"/admin/$"))

    effort.click("text=Import article")
    page.wait_for_url(re.compile(r"/import/$"))
    effort.choose_file("#id_upload", PAGE)
    effort.click("input[name=_import]")
    # The page's title, site, date and URL are shown before anything is stored.
    assert page.input_value("#id_published_on") == "2024-08-22"
    assert page.input_value("#id_publisher") == "Trend News Agency"
    screenshot("import-article-checked")
    effort.click("input[name=_import]")
    page.wait_for_url(re.compile(r"/review/"))
    screenshot("import-review-opened")

    review = ImportReview.objects.get()
    rows = {row.title: row for row in review.proposals.all()}

    def card(title_start: str):
        row = next(row for title, row in rows.items() if title.startswith(title_start))
        return row, page.locator(f"#proposal-{row.pk}")

    def decided(row, decision: str) -> None:
        page.locator(f"#proposal-{row.pk}.decision-{decision}").wait_for()

    # Merge the visit into the record the database has (its suggested target, facts ticked).
    visit, box = card("State visit")
    assert known.title in box.locator(".candidate").inner_text()
    effort.click(box.locator("button[value=merge]"))
    decided(visit, "merged")

    # Edit the council session's title in place, then accept it.
    session, box = card("First meeting")
    effort.click(box.locator("details.edit summary"))
    effort.type(f"#id_p{session.pk}-title", COUNCIL)
    effort.click(box.locator("button[value=edit]"))
    decided(session, "edited")

    # Reject the welcome ceremony; accept the plant on its own.
    ceremony, box = card("Welcome ceremony")
    effort.click(box.locator("button[value=reject]"))
    decided(ceremony, "rejected")
    plant, box = card("Joint textile plant")
    effort.click(box.locator("button[value=accept]"))
    decided(plant, "accepted")

    # The treaty and the package as proposed, then the article's records published together.
    effort.click("button[value=accept_all]")
    page.locator("button[value=publish]").wait_for()
    screenshot("import-review-decided")
    effort.click("button[value=publish]")
    page.locator(".review-bulk .published").wait_for()
    screenshot("import-review-published")

    review.refresh_from_db()
    assert review.published_by == alice
    assert not review.proposals.filter(decision=Proposal.Decision.PENDING).exists()
    known.refresh_from_db()
    council = Meeting.objects.get(title=COUNCIL)
    treaty = Document.objects.get(title__startswith="Treaty on Allied Relations")
    for record in (
        Source.objects.get(pk=review.source_id),
        known,
        council,
        treaty,
        Package.objects.get(announced_count=12),
        Project.objects.get(name__startswith="Joint textile plant"),
    ):
        assert record.status == EditorialStatus.PUBLISHED, record
    assert council.parent == known and council.session_number == 1
    # The merge added what the record lacked (the persons), ticked for the analyst.
    assert known.attendances.filter(person__slug="ilham-aliyev").exists()
    assert known.citations.filter(source_id=review.source_id).exists()
    assert not Meeting.objects.filter(title="Welcome ceremony").exists()

    print(
        f"\nimport assistant effort: {effort.loads} page loads, {effort.clicks} clicks, "
        f"{effort.typed} typed characters"
    )
    assert effort.loads <= 12
    assert effort.clicks <= 40
