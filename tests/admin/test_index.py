"""The admin index in the order of the work, with the analyst's drafts and the latest imports,
and the page that says how to enter an article."""

import re

from records.models import EditorialStatus, Source
from seeds.models import ImportReview
from summits.models import Meeting
from tests.admin.conftest import change_url


def section_order(html: str) -> list[str]:
    return re.findall(r'<th scope="row" id="[^"]+">\s*<a href="/admin/\w+/(\w+)/"', html)


def test_the_index_lists_the_work_in_its_order(seeded, analyst_client):
    response = analyst_client.get("/admin/")
    assert response.status_code == 200
    names = [app["name"] for app in response.context["app_list"]]
    assert names[:4] == [
        "The work, in its order",
        "Reference lists",
        "Rows inside records",
        "Imports",
    ]
    order = section_order(response.content.decode())
    work = order[: order.index("project") + 1]
    assert work == ["source", "meeting", "document", "package", "project"]
    references = order[len(work) : len(work) + 5]
    assert references == ["body", "person", "organization", "country", "sector"]
    # Every model the analyst may see is still listed, once.
    assert len(order) == len(set(order))
    assert {"citation", "statusevent", "milestone", "importreview"} <= set(order)


def test_an_app_page_keeps_djangos_list(seeded, analyst_client):
    response = analyst_client.get("/admin/summits/")
    assert [app["app_label"] for app in response.context["app_list"]] == ["summits"]


def test_my_drafts_lists_the_drafts_i_edited_and_no_one_elses(
    seeded, analyst, analyst_client, second_analyst
):
    from tests.admin.conftest import client_for

    meeting = Meeting.objects.order_by("pk").first()
    response = analyst_client.get(change_url(meeting))
    assert response.status_code == 200
    # Edited by alice and unpublished: hers; another draft edited by bob is not.
    Meeting.objects.filter(pk=meeting.pk).update(status=EditorialStatus.DRAFT)
    meeting.refresh_from_db()
    meeting._history_user = analyst
    meeting.save()
    other = Meeting.objects.exclude(pk=meeting.pk).order_by("pk").first()
    other.status = EditorialStatus.DRAFT
    other._history_user = second_analyst
    other.save()

    drafts = analyst_client.get("/admin/").context["my_drafts"]
    assert [draft["record"].pk for draft in drafts] == [meeting.pk]
    assert drafts[0]["url"] == change_url(meeting)
    bobs = client_for(second_analyst).get("/admin/").context["my_drafts"]
    assert [draft["record"].pk for draft in bobs] == [other.pk]
    assert Meeting.objects.drafts_by(analyst).count() == 1


def test_recent_imports_are_on_the_index(seeded, analyst, analyst_client):
    source = Source.objects.order_by("pk").first()
    review = ImportReview.objects.create(source=source, created_by=analyst)
    html = analyst_client.get("/admin/").content.decode()
    assert 'id="recent-imports"' in html
    assert review.get_absolute_url() in html


def test_the_how_to_page_is_linked_from_the_index(seeded, analyst_client):
    index = analyst_client.get("/admin/").content.decode()
    assert 'href="/admin/how-to-enter-an-article/"' in index
    page = analyst_client.get("/admin/how-to-enter-an-article/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<h1>How to enter an article</h1>" in text
    assert "joined by Parent" in text and "Level of a document" in text


def test_the_how_to_page_needs_a_login(client):
    response = client.get("/admin/how-to-enter-an-article/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
