import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from records.cache import bump_data_version
from records.models import Citation, EditorialStatus, Source, TextUse
from records.passages import marked as segments
from summits.models import Country, Meeting, MeetingCountry

from .conftest import AZERTAC, COUNCIL_2, text_of

pytestmark = pytest.mark.django_db


class TestSegments:
    def test_plain_and_cited_stretches_cover_the_text_exactly(self):
        parts = segments("abcdefghij", [(2, 4, "x"), (6, 9, "y")])
        assert [(p.text, p.citations) for p in parts] == [
            ("ab", []),
            ("cd", ["x"]),
            ("ef", []),
            ("ghi", ["y"]),
            ("j", []),
        ]

    def test_overlapping_and_nested_quotes_merge_into_one_mark(self):
        parts = segments("abcdefghij", [(1, 5, "a"), (3, 8, "b"), (4, 6, "c")])
        assert [(p.text, p.citations) for p in parts] == [
            ("a", []),
            ("bcdefgh", ["a", "b", "c"]),
            ("ij", []),
        ]

    def test_same_span_twice_and_offsets_out_of_range(self):
        parts = segments("abc", [(0, 2, "a"), (0, 2, "b"), (2, 99, "c"), (5, 7, "gone")])
        assert "".join(p.text for p in parts) == "abc"
        assert parts[0].citations == ["a", "b"] and parts[1].citations == ["c"]


def test_the_source_page_marks_every_cited_passage_and_links_its_record(client, seeded):
    # A text whose licence allows republishing it is shown whole (press texts, by default,
    # show their cited passages only: tests/sync/test_quotes_only.py).
    Source.objects.filter(slug=AZERTAC).update(text_use=TextUse.FULL)
    source = Source.objects.get(slug=AZERTAC)
    response = client.get(source.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    citation = Citation.objects.get(
        source=source,
        quote="I welcome you to the second meeting of the Supreme Interstate Council.",
    )
    mark = re.search(rf'<mark id="c{citation.pk}">(.*?)</mark>', html, re.S)
    assert mark is not None
    assert f'href="/meetings/{COUNCIL_2}/"' in mark.group(1)
    assert citation.quote in mark.group(1)
    # Every citation of the source is reachable by its anchor.
    ids = set(re.findall(r'id="c(\d+)"', html))
    assert {str(pk) for pk in source.passages.values_list("pk", flat=True)} <= ids
    # The text is verbatim: removing the markup gives the stored text back.
    body = re.search(r'<div class="source-text"[^>]*>(.*?)</div>', html, re.S).group(1)
    body = re.sub(r'<sup class="refs">.*?</sup>', "", body)
    from html import unescape

    assert unescape(re.sub(r"<[^>]+>", "", body)) == source.text


def test_status_events_and_milestones_link_to_their_document_and_project(client, seeded):
    source = Source.objects.get(slug="astana-2024-03-11-supreme-interstate-council-baku")
    html = client.get(source.get_absolute_url()).content.decode()
    assert "Milestone of project (completed)" in html
    assert 'href="/projects/kurmangazy-childrens-creativity-center-fuzuli/"' in html


def test_overlapping_citations_do_not_break_the_markup(client, seeded):
    source = Source.objects.get(slug=AZERTAC)
    meeting = Meeting.objects.get(slug=COUNCIL_2)
    kind = ContentType.objects.get_for_model(Meeting)
    outer = Citation.objects.create(
        source=source,
        content_type=kind,
        object_id=meeting.pk,
        quote="I welcome you to the second meeting",
    )
    visit = Meeting.objects.get(slug="aliyev-state-visit-kazakhstan-2025")
    inner = Citation.objects.create(
        source=source,
        content_type=kind,
        object_id=visit.pk,
        quote="second meeting of the Supreme Interstate Council.",
    )
    html = client.get(source.get_absolute_url()).content.decode()
    assert html.count("<mark") == html.count("</mark>")
    assert f'id="c{outer.pk}"' in html and f'id="c{inner.pk}"' in html
    # The link's name starts with the number it shows: "2 (also supports …)".
    assert re.search(
        r'>2<span class="visually-hidden"> \(also supports Meeting: '
        r"State visit of President Ilham Aliyev to Kazakhstan\)</span></a>",
        html,
    )


def test_a_hostile_source_text_is_shown_as_text(client, seeded):
    hostile = Source.objects.create(
        slug="hostile",
        title="<script>alert('title')</script>",
        text="Before <script>alert(1)</script> and <b>bold</b> after.",
        status=EditorialStatus.PUBLISHED,
    )
    meeting = Meeting.objects.create(
        slug="hostile-meeting", title="A meeting", kind="talks", status=EditorialStatus.PUBLISHED
    )
    Citation.objects.create(
        source=hostile,
        content_type=ContentType.objects.get_for_model(Meeting),
        object_id=meeting.pk,
        quote="<script>alert(1)</script>",
    )
    response = client.get(hostile.get_absolute_url())
    html = response.content.decode()
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;bold&lt;/b&gt;" in html
    # The quote shows escaped on the record's page as well.
    record = client.get(meeting.get_absolute_url()).content.decode()
    assert "<script>" not in record and "“&lt;script&gt;alert(1)&lt;/script&gt;”" in record


def test_a_draft_source_is_404_and_its_quotes_are_hidden(client, seeded):
    source = Source.objects.get(slug=AZERTAC)
    Source.objects.filter(pk=source.pk).update(status=EditorialStatus.DRAFT)
    assert client.get(source.get_absolute_url()).status_code == 404
    meeting_page = client.get(reverse("meeting-detail", kwargs={"slug": COUNCIL_2}))
    assert source.get_absolute_url() not in meeting_page.content.decode()


def test_the_source_list_has_year_and_publisher_facets(client, seeded):
    response = client.get(reverse("source-list"), {"year": 2024})
    slugs = {source.slug for source in response.context["object_list"]}
    assert slugs == {
        "astana-2024-03-11-supreme-interstate-council-baku",
        "anadolu-2024-04-15-tokayev-yerevan-peace-treaty",
    }
    facets = {facet.param: values for facet, values in response.context["facets"]}
    assert {v.value: v.count for v in facets["year"]}["2025"] == 1
    assert "quotes cited" in text_of(response)


def test_a_hostile_country_name_in_the_network_stays_text(client, seeded):
    evil = Country.objects.create(code="XX", name="<script>alert(2)</script>")
    meeting = Meeting.objects.create(
        slug="evil-meeting", title="Evil", kind="talks", status=EditorialStatus.PUBLISHED
    )
    MeetingCountry.objects.create(meeting=meeting, country=evil)
    MeetingCountry.objects.create(meeting=meeting, country=Country.objects.get(code="AZ"))
    html = client.get(reverse("home")).content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in html


def listed_counts(client) -> dict[str, int]:
    rows = client.get(reverse("source-list")).context["object_list"]
    return {source.slug: source.citation_count for source in rows}


def test_the_source_list_counts_each_pages_quotes_of_published_records_only(
    client, admin_client, seeded
):
    source = Source.objects.get(slug=AZERTAC)
    quotes = Citation.objects.filter(source=source)
    meeting = Meeting.objects.get(slug=COUNCIL_2)
    on_meeting = quotes.filter(
        content_type=ContentType.objects.get_for_model(Meeting), object_id=meeting.pk
    ).count()
    assert on_meeting > 0
    before = listed_counts(client)[AZERTAC]
    assert before == quotes.count()
    Meeting.objects.filter(pk=meeting.pk).update(status=EditorialStatus.DRAFT)
    bump_data_version()  # as a save does; update() sends no signal
    # The public count drops by the draft's quotes (its parts' quotes too); staff count all.
    public = listed_counts(client)
    assert public[AZERTAC] <= before - on_meeting
    assert listed_counts(admin_client)[AZERTAC] == quotes.count()
    # Every other source's count is what its quotes of published records make.
    for slug, count in public.items():
        assert count <= Citation.objects.filter(source__slug=slug).count()
