"""The import assistant's review, as an analyst goes through it with the test client: import
an article, accept, edit, merge, reject, leave and resume, publish the article's records."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.urls import reverse

from agreements.models import Document, Package, Project
from records.models import Citation, EditorialStatus, Source
from seeds.models import ImportReview, Proposal
from summits.models import Meeting
from tests.admin.conftest import client_for

ARTICLE = Path(__file__).resolve().parents[1] / "seeds" / "articles" / "tashkent_2024.txt"
IMPORT_URL = "/admin/seeds/importreview/import/"
COUNCIL = "First meeting of the Azerbaijan-Uzbekistan Supreme Interstate Council"


def import_article(client, text: str | None = None):
    return client.post(
        IMPORT_URL,
        {
            "text": text if text is not None else ARTICLE.read_text(),
            "publisher": "Trend News Agency",
            "published_on": "2024-08-22",
            "url": "https://en.trend.az/azerbaijan/politics/aliyev-uzbekistan-state-visit",
        },
    )


def decide(client, review: ImportReview, proposal: Proposal | None, action: str, **data):
    payload = {"action": action, **data}
    if proposal is not None:
        payload["proposal"] = proposal.pk
    return client.post(review.get_absolute_url(), payload)


def proposal(review: ImportReview, kind: str, title_start: str) -> Proposal:
    return next(
        row for row in review.proposals.filter(kind=kind) if row.title.startswith(title_start)
    )


@pytest.fixture
def review(seeded, analyst_client) -> ImportReview:
    response = import_article(analyst_client)
    assert response.status_code == 302
    return ImportReview.objects.get()


def test_the_admin_index_links_to_the_import(seeded, analyst_client):
    response = analyst_client.get(reverse("admin:index"))
    assert IMPORT_URL.encode() in response.content
    assert analyst_client.get(IMPORT_URL).status_code == 200


def test_an_import_stores_a_draft_source_and_opens_its_review(review, analyst_client):
    source = review.source
    assert source.status == EditorialStatus.DRAFT
    assert source.publisher == "Trend News Agency"
    assert source.title == "Azerbaijani President Ilham Aliyev pays state visit to Uzbekistan"
    kinds = sorted(review.proposals.values_list("kind", flat=True))
    assert kinds.count("meeting") >= 2 and "document" in kinds and "package" in kinds
    page = analyst_client.get(review.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    # Every proposal is on the page, and its quotes are marked in the text.
    for row in review.proposals.all():
        assert f'id="proposal-{row.pk}"' in html
    assert '<mark class="quote kind-document">' in html
    assert "Treaty on Allied Relations" in html
    assert "inferred" in html and "stated" in html


def test_the_same_text_twice_is_refused(review, analyst_client):
    response = import_article(analyst_client)
    assert response.status_code == 400
    assert "This text is already stored as source" in response.content.decode()
    assert Source.objects.filter(publisher="Trend News Agency").count() == 1
    assert ImportReview.objects.count() == 1


def test_an_empty_import_is_a_clear_400(seeded, analyst_client):
    response = import_article(analyst_client, text="   ")
    assert response.status_code == 400
    assert "Paste the article" in response.content.decode()


def test_accept_edit_merge_reject_resume_and_publish(review, analyst_client, analyst):
    visit = proposal(review, "meeting", "State visit")
    session = proposal(review, "meeting", "First meeting")
    ceremony = proposal(review, "meeting", "Welcome ceremony")
    plant = proposal(review, "project", "Joint textile plant")
    existing = Project.objects.order_by("pk").first()
    existing_name, cited_before = existing.name, existing.citations.count()

    # Accept: a draft meeting with its countries, persons and every quote as a citation.
    assert decide(analyst_client, review, visit, "accept").status_code == 302
    visit.refresh_from_db()
    meeting = visit.record
    assert visit.decision == Proposal.Decision.ACCEPTED and visit.decided_by == analyst
    assert meeting.status == EditorialStatus.DRAFT and meeting.kind == "state_visit"
    assert str(meeting.start_date) == "2024-08-22" and meeting.year_inferred
    assert sorted(meeting.participations.values_list("country__code", "role")) == [
        ("AZ", "guest"),
        ("UZ", "host"),
    ]
    assert meeting.attendances.filter(person__slug="ilham-aliyev").exists()
    for citation in meeting.citations.all():
        assert review.source.text[citation.start : citation.end] == citation.quote

    # Edit in place: the analyst's title and city; the session is held during the visit.
    prefix = f"p{session.pk}"
    edited = decide(
        analyst_client,
        review,
        session,
        "edit",
        **{
            f"{prefix}-title": COUNCIL,
            f"{prefix}-kind": "body_session",
            f"{prefix}-start": "2024-08-22",
            f"{prefix}-end": "",
            f"{prefix}-city": "Tashkent",
        },
    )
    assert edited.status_code == 302
    session.refresh_from_db()
    council = session.record
    assert session.decision == Proposal.Decision.EDITED
    assert council.title == COUNCIL
    assert council.city == "Tashkent" and council.parent == meeting
    assert council.body is not None and council.session_number == 1
    # The date was left as proposed, so how its year was inferred stays with it.
    assert str(council.start_date) == "2024-08-22" and council.inference

    # Merge into an existing record: the quotes and the ticked facts only.
    merged = decide(
        analyst_client, review, plant, "merge", other=existing.slug, fact=["countries"]
    )
    assert merged.status_code == 302
    plant.refresh_from_db()
    existing.refresh_from_db()
    assert plant.decision == Proposal.Decision.MERGED and plant.record == existing
    assert existing.name == existing_name  # the name was not ticked
    assert existing.citations.count() > cited_before
    assert set(existing.countries.values_list("code", flat=True)) >= {"AZ", "UZ"}

    # Reject.
    assert decide(analyst_client, review, ceremony, "reject").status_code == 302
    ceremony.refresh_from_db()
    assert ceremony.decision == Proposal.Decision.REJECTED and ceremony.record is None

    # Leave and resume: the review lists what was decided, and what is pending.
    resumed = client_for(analyst).get(review.get_absolute_url())
    decided = resumed.context["decided"]
    assert {view.proposal.pk for view in decided} == {visit.pk, session.pk, plant.pk, ceremony.pk}
    assert resumed.context["pending"] == review.proposals.filter(decision="pending").count() > 0
    assert "Decided (4 of" in resumed.content.decode()

    # Publishing waits for every decision; nothing is published before.
    early = decide(analyst_client, review, None, "publish")
    assert early.status_code == 409
    assert not Meeting.objects.filter(pk=meeting.pk, status="published").exists()

    assert decide(analyst_client, review, None, "accept_all").status_code == 302
    treaty = Document.objects.get(title__startswith="Treaty on Allied Relations")
    package = Package.objects.get(announced_count=12)
    assert treaty.status == EditorialStatus.DRAFT and treaty.meeting in (meeting, council)
    assert treaty.status_events.filter(status="signed").exists()
    assert package.meeting in (meeting, council)
    assert not review.proposals.filter(decision="pending").exists()

    published = decide(analyst_client, review, None, "publish")
    assert published.status_code == 302
    review.refresh_from_db()
    assert review.published_by == analyst and review.published_at is not None
    for record in (review.source, meeting, council, council.body, treaty, package):
        record.refresh_from_db()
        assert record.status == EditorialStatus.PUBLISHED, record
    # The public page of the visit shows its quotes from the now published source.
    assert Citation.objects.filter(source=review.source).visible_to(None).count() > 0


def test_a_decision_is_taken_once(review, analyst_client):
    row = review.proposals.first()
    decide(analyst_client, review, row, "reject")
    again = decide(analyst_client, review, row, "accept")
    assert again.status_code == 409
    assert "already decided" in again.content.decode()


def test_a_bad_edit_is_a_400_with_the_form(review, analyst_client):
    row = proposal(review, "meeting", "State visit")
    prefix = f"p{row.pk}"
    response = decide(
        analyst_client,
        review,
        row,
        "edit",
        **{f"{prefix}-title": "", f"{prefix}-kind": "picnic", f"{prefix}-start": "soon"},
    )
    assert response.status_code == 400
    row.refresh_from_db()
    assert row.is_pending and not Meeting.objects.filter(title="").exists()


def test_merging_into_an_unknown_record_is_a_400(review, analyst_client):
    row = proposal(review, "project", "Joint textile plant")
    response = decide(analyst_client, review, row, "merge", other="no-such-project")
    assert response.status_code == 400


def test_permissions_are_checked_on_every_post(review, analyst_client):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    # May open reviews and change sources, but not add meetings nor change the records.
    reader = get_user_model().objects.create_user("mallory", password="x" * 20, is_staff=True)
    reader.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="records", codename__in=["view_source", "change_source"]
        )
    )
    client = client_for(reader)
    assert client.get(review.get_absolute_url()).status_code == 200
    visit = proposal(review, "meeting", "State visit")
    assert decide(client, review, visit, "accept").status_code == 403
    assert decide(client, review, visit, "merge", other="any").status_code == 403
    assert decide(client, review, None, "accept_all").status_code == 403
    assert client.post(IMPORT_URL, {"text": "A text."}).status_code == 403
    visit.refresh_from_db()
    assert visit.is_pending and not Meeting.objects.filter(title=visit.title).exists()
    # Rejecting is a change of the review's source, which this account may make…
    for row in review.proposals.exclude(pk=visit.pk):
        assert decide(client, review, row, "reject").status_code == 302
    # …but publishing a meeting an analyst accepted needs the change of meetings.
    assert decide(analyst_client, review, visit, "accept").status_code == 302
    assert decide(client, review, None, "publish").status_code == 403
    assert not Meeting.objects.filter(title=visit.title, status="published").exists()


def test_an_upload_fills_the_form_from_the_page_for_the_analyst_to_check(seeded, analyst_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = (ARTICLE.parent / "tashkent_2024.html").read_bytes()
    upload = SimpleUploadedFile("report.html", page, content_type="text/html")
    shown = analyst_client.post(IMPORT_URL, {"upload": upload})
    assert shown.status_code == 200
    form = shown.context["form"]
    # What the page said is in the form, the text included, so no second upload is needed;
    # nothing is stored before the analyst has seen it.
    assert form["publisher"].value() == "Trend News Agency"
    assert form["published_on"].value() == "2024-08-22"
    assert "Treaty on Allied Relations" in form["text"].value()
    assert "Oil prices rise" not in form["text"].value()
    assert not ImportReview.objects.exists()
    fields = ("text", "title", "publisher", "published_on", "url")
    done = analyst_client.post(IMPORT_URL, {name: form[name].value() for name in fields})
    assert done.status_code == 302
    review = ImportReview.objects.get()
    assert review.source.url.startswith("https://en.trend.az/")
    assert review.source.published_on.isoformat() == "2024-08-22"


def test_an_upload_without_a_date_asks_for_it_and_keeps_the_text(seeded, analyst_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = (ARTICLE.parent / "tashkent_2024.html").read_text()
    undated = page.replace("2024", "").replace("August 22", "On Thursday")
    upload = SimpleUploadedFile("report.html", undated.encode(), content_type="text/html")
    asked = analyst_client.post(IMPORT_URL, {"upload": upload})
    assert asked.status_code == 400
    form = asked.context["form"]
    assert "published_on" in form.errors and "publisher" not in form.errors
    assert "Treaty on Allied Relations" in form["text"].value()
    assert not ImportReview.objects.exists()


def test_a_merge_adds_a_new_status_to_a_known_document_with_its_quote(seeded, analyst_client):
    from agreements.models import StatusEvent

    text = (
        "Armenia and Azerbaijan sign their peace agreement\n\n"
        "Yerevan, March 14 — The foreign ministers of Armenia and Azerbaijan met in Geneva "
        "today. The peace agreement between Azerbaijan and Armenia was signed by the two "
        "ministers, the Armenian Foreign Ministry said."
    )
    assert import_article(analyst_client, text=text).status_code == 302
    review = ImportReview.objects.get()
    row = review.proposals.get(kind="document")
    known = Document.objects.get(slug="armenia-azerbaijan-peace-agreement")
    assert row.payload["merge_candidates"][0]["slug"] == known.slug
    page = analyst_client.get(review.get_absolute_url())
    view = next(v for _, items in page.context["groups"] for v in items if v.proposal == row)
    assert "status" in view.ticked  # the known document lacks it: ticked for the analyst
    title_before = known.title

    response = decide(analyst_client, review, row, "merge", target=known.slug, fact=["status"])
    assert response.status_code == 302
    known.refresh_from_db()
    assert known.title == title_before
    signed = StatusEvent.objects.get(document=known, status="signed")
    quote = signed.citations.get()
    assert "was signed by the two ministers" in quote.quote
    assert known.citations.filter(source=review.source).exists()


def test_a_rejection_can_be_reconsidered_until_the_review_is_published(review, analyst_client):
    ceremony = proposal(review, "meeting", "Welcome ceremony")
    decide(analyst_client, review, ceremony, "reject")
    assert decide(analyst_client, review, ceremony, "reopen").status_code == 302
    ceremony.refresh_from_db()
    assert ceremony.is_pending and ceremony.decided_by is None
    decide(analyst_client, review, ceremony, "reject")
    decide(analyst_client, review, None, "accept_all")
    assert decide(analyst_client, review, None, "publish").status_code == 302
    assert decide(analyst_client, review, ceremony, "reopen").status_code == 409
    ceremony.refresh_from_db()
    assert ceremony.decision == Proposal.Decision.REJECTED
