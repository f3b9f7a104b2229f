import pytest
from django.urls import reverse

from agreements.models import Document, Milestone
from records.models import EditorialStatus
from summits.models import Meeting

from .conftest import COUNCIL_1, COUNCIL_2, KURMANGAZY, count_queries, text_of

pytestmark = pytest.mark.django_db


def test_the_az_kz_page_lists_both_councils_and_the_kurmangazy_centre(client, seeded):
    response = client.get("/relations/az-kz/")
    assert response.status_code == 200
    html = response.content.decode()
    page = text_of(response)
    assert "Azerbaijan and Kazakhstan" in page
    assert f"/meetings/{COUNCIL_1}/" in html and f"/meetings/{COUNCIL_2}/" in html
    assert f"/projects/{KURMANGAZY}/" in html
    # A project's milestones sit under its one entry.
    assert "Completed" in page and "Operational" in page
    assert "/documents/az-kz-treaty-strategic-partnership-allied-relations/" in html
    # The signing shares the document's date: it is part of the document's entry.
    assert "Document · signed" in page
    assert "Document signed" not in page


def test_the_timeline_runs_in_date_order(client, seeded):
    timeline = client.get("/relations/az-kz/").context["timeline"]
    dates = [event.date for event in timeline if event.date]
    assert dates == sorted(dates)
    assert {"meeting", "document", "project"} <= {event.kind for event in timeline}


def test_one_entry_per_document_and_per_project(client, seeded):
    context = client.get("/relations/az-kz/").context
    timeline = context["timeline"]
    documents = [e.url for e in timeline if e.kind == "document"]
    projects = [e.url for e in timeline if e.kind == "project"]
    assert len(documents) == len(set(documents)) == context["document_count"]
    assert len(projects) == len(set(projects)) == len(context["projects"])
    # A later step of a document (on another date) is its own event, never its signing again.
    for event in timeline:
        if event.kind == "status":
            document = next(e for e in timeline if e.kind == "document" and e.url == event.url)
            assert event.date != document.date
    # Every milestone of a shared project is listed once, under its project.
    milestones = [m.pk for e in timeline for m in e.milestones]
    assert len(milestones) == len(set(milestones))
    assert set(milestones) == set(
        Milestone.objects.filter(project__in=context["projects"]).values_list("pk", flat=True)
    )


def test_an_undated_document_takes_the_date_of_its_first_step(client, seeded):
    document = Document.objects.filter(date__isnull=True, status_events__date__isnull=False)
    document = document.filter(party_roles__country__code="AZ").filter(
        party_roles__country__code="KZ"
    )
    document = document.distinct().first()
    if document is None:
        pytest.skip("the seed has no undated shared document with a dated step")
    timeline = client.get("/relations/az-kz/").context["timeline"]
    entry = next(e for e in timeline if e.url == document.get_absolute_url())
    first_step = document.status_events.exclude(date=None).order_by("date").first()
    assert entry.kind == "document" and entry.date == first_step.date
    assert first_step.get_status_display().lower() in entry.steps


def test_the_counts_link_to_the_lists_filtered_as_the_page_is(client, seeded):
    response = client.get("/relations/az-kz/")
    html = response.content.decode()
    context = response.context
    for name, key in (
        ("meeting-list", "meeting_count"),
        ("document-list", "document_count"),
        ("project-list", "project_count"),
    ):
        href = f'{reverse(name)}?countries=AZ%2CKZ"'
        assert href in html
        listed = client.get(href.rstrip('"'))
        assert listed.context["paginator"].count == context[key]


def test_the_pair_page_query_count_stays_fixed_as_data_grows(client, seeded):
    before = count_queries(client, "/relations/az-kz/")
    meeting = Meeting.objects.get(slug=COUNCIL_1)
    for n in range(3):
        copy = Meeting.objects.get(pk=meeting.pk)
        copy.pk = None
        copy.slug = f"{COUNCIL_1}-copy-{n}"
        copy.body, copy.session_number = None, None
        copy.save()
        for participation in meeting.participations.all():
            participation.pk = None
            participation.meeting = copy
            participation.save()
        milestone = Milestone.objects.filter(project__slug=KURMANGAZY).first()
        milestone.pk = None
        milestone.save()
    assert count_queries(client, "/relations/az-kz/") == before


def test_any_order_redirects_to_the_canonical_pair(client, seeded):
    response = client.get("/relations/kz-az/")
    assert response.status_code == 301 and response["Location"] == "/relations/az-kz/"
    assert client.get("/relations/AZ-KZ/").status_code == 301


@pytest.mark.parametrize(
    "path", ["/relations/az-az/", "/relations/az-zz/", "/relations/azk-kz/", "/relations/az/"]
)
def test_unknown_or_malformed_pairs_are_404(client, seeded, path):
    assert client.get(path).status_code == 404


def test_both_country_pages_link_to_the_pair(client, seeded):
    for code in ("az", "kz"):
        html = client.get(reverse("country-detail", kwargs={"code": code})).content.decode()
        assert 'href="/relations/az-kz/"' in html


def test_drafts_stay_off_the_pair_page(client, seeded):
    Meeting.objects.filter(slug=COUNCIL_1).update(status=EditorialStatus.DRAFT)
    Document.objects.filter(slug="az-kz-treaty-strategic-partnership-allied-relations").update(
        status=EditorialStatus.DRAFT
    )
    html = client.get("/relations/az-kz/").content.decode()
    assert COUNCIL_1 not in html
    assert "az-kz-treaty-strategic-partnership-allied-relations" not in html
