import datetime as dt
import re

import pytest
from django.urls import reverse

from records.models import EditorialStatus
from summits.models import Country, Meeting, MeetingCountry

from .conftest import COUNCIL_1, COUNCIL_2, count_queries, outline, text_of

pytestmark = pytest.mark.django_db


def test_the_list_shows_published_meetings_with_their_countries(client, seeded):
    response = client.get(reverse("meeting-list"))
    assert response.status_code == 200
    page = text_of(response)
    assert "Second meeting of the Azerbaijan-Kazakhstan Supreme Interstate Council" in page
    # Each meeting's row links its countries (the facet alone names Belarus too).
    assert (
        '<p class="meta">Countries: <a href="/countries/by/">Belarus</a>, '
        '<a href="/countries/az/">Azerbaijan</a>\n</p>'
    ) in response.content.decode()
    assert f"{Meeting.objects.published().count()} records" in page
    assert outline(response).h1 == 1


def test_filter_by_country_keeps_only_its_meetings_and_lives_in_the_url(client, seeded):
    response = client.get(reverse("meeting-list"), {"country": "kz"})
    shown = set(response.context["object_list"].values_list("slug", flat=True))
    expected = set(
        Meeting.objects.published()
        .filter(participations__country__code="KZ")
        .values_list("slug", flat=True)
    )
    assert shown == expected and COUNCIL_1 in shown and COUNCIL_2 in shown
    assert "aliyev-official-visit-belarus-2018" not in shown
    # The form shows the country picked by its name.
    assert re.search(r'<option value="KZ" selected>Kazakhstan</option>', response.content.decode())


def test_facet_counts_say_what_a_click_would_give(client, seeded):
    response = client.get(reverse("meeting-list"), {"country": "KZ"})
    facets = {facet.param: values for facet, values in response.context["facets"]}

    countries = {value.value: value for value in facets["country"]}
    # The country facet ignores its own parameter: each count is that country's total.
    for code in ("AZ", "KZ", "BY"):
        expected = Meeting.objects.published().filter(participations__country__code=code).count()
        assert countries[code].count == expected
    assert countries["KZ"].selected and "country" not in countries["KZ"].url
    # A click adds a country to those chosen; it does not replace them.
    assert countries["BY"].url == "?country=KZ,BY"

    # The other facets count within the current filter (meetings with Kazakhstan).
    kz = Meeting.objects.published().filter(participations__country__code="KZ")
    years = {value.value: value.count for value in facets["year"]}
    assert years == {
        str(year): kz.filter(start_date__year=year).count()
        for year in kz.exclude(start_date=None)
        .dates("start_date", "year")
        .values_list("start_date__year", flat=True)
    }
    kinds = {value.value: value.count for value in facets["kind"]}
    assert kinds["body_session"] == kz.filter(kind="body_session").count()
    assert sum(kinds.values()) == kz.count()
    assert "Kazakhstan" in text_of(response)


def test_year_and_kind_filters_combine(client, seeded):
    response = client.get(reverse("meeting-list"), {"year": 2024, "kind": "body_session"})
    shown = list(response.context["object_list"].values_list("slug", flat=True))
    assert shown == [COUNCIL_1]


def test_an_invalid_filter_is_a_400_with_the_message_beside_the_field(client, seeded):
    response = client.get(reverse("meeting-list"), {"country": "ZZ", "year": "x"})
    assert response.status_code == 400
    page = text_of(response)
    assert "Unknown country code: ZZ" in page
    assert "Give years from 1 to 9999, comma-separated (2023,2024)." in page
    assert list(response.context["object_list"]) == []


def test_sorting_by_title(client, seeded):
    response = client.get(reverse("meeting-list"), {"ordering": "title"})
    titles = [meeting.title for meeting in response.context["object_list"]]
    assert titles == sorted(titles)
    response = client.get(reverse("meeting-list"), {"ordering": "-date"})
    dates = [m.start_date for m in response.context["object_list"] if m.start_date]
    assert dates == sorted(dates, reverse=True)


def test_pagination_keeps_the_filters(client, seeded):
    az = Country.objects.get(code="AZ")
    extra = Meeting.objects.bulk_create(
        Meeting(
            slug=f"extra-{n}",
            title=f"Extra meeting {n}",
            kind="talks",
            start_date=dt.date(2020, 1, 1),
            status=EditorialStatus.PUBLISHED,
        )
        for n in range(30)
    )
    MeetingCountry.objects.bulk_create(MeetingCountry(meeting=m, country=az) for m in extra)
    response = client.get(reverse("meeting-list"), {"country": "AZ", "ordering": "title"})
    assert response.context["is_paginated"]
    assert "?country=AZ&amp;ordering=title&amp;page=2" in response.content.decode()
    second = client.get(reverse("meeting-list"), {"country": "AZ", "ordering": "title", "page": 2})
    assert second.status_code == 200
    assert client.get(reverse("meeting-list"), {"page": 99}).status_code == 404


def test_export_links_carry_exactly_the_filters(client, seeded):
    response = client.get(reverse("meeting-list"), {"country": "KZ", "year": "2024", "page": "1"})
    links = dict(response.context["export_links"])
    assert links["CSV"] == reverse("api:meeting-export-csv") + "?country=KZ&year=2024"
    assert links["JSON Lines"] == reverse("api:meeting-export-jsonl") + "?country=KZ&year=2024"
    exported = client.get(links["CSV"])
    assert exported.status_code == 200
    body = b"".join(exported.streaming_content) if exported.streaming else exported.content
    assert COUNCIL_1.encode() in body and b"aliyev-official-visit-belarus-2018" not in body


def test_the_detail_shows_facts_with_quotes_dates_and_a_citation(client, seeded):
    meeting = Meeting.objects.get(slug=COUNCIL_2)
    response = client.get(meeting.get_absolute_url())
    assert response.status_code == 200
    page = text_of(response)
    assert "21 Oct 2025" in page
    assert "year inferred: The text gives only" in page
    assert "as written: “October 21”" in page
    assert "“I welcome you to the second meeting of the Supreme Interstate Council.”" in page
    html = response.content.decode()
    citation = meeting.citations.get(field="session_number")
    assert f"{citation.source.get_absolute_url()}#c{citation.pk}" in html
    assert 'datetime="2025-10-21"' in html
    changed = meeting.updated_at.date().isoformat()
    assert f'Pacta. "{meeting.title}." Meeting. Last changed {changed}. Data version ' in page
    assert f"http://testserver{meeting.get_absolute_url()} (accessed" in page
    assert f"(accessed {dt.date.today().isoformat()})" in page
    assert reverse("api:meeting-detail", kwargs={"slug": meeting.slug}) in html
    assert reverse("pair-detail", kwargs={"first": "az", "second": "kz"}) in html
    assert "Roadmap for cultural cooperation" in page


def test_a_draft_is_404_for_the_public_and_visible_to_staff(client, staff_client, seeded):
    Meeting.objects.filter(slug=COUNCIL_1).update(status=EditorialStatus.DRAFT)
    url = reverse("meeting-detail", kwargs={"slug": COUNCIL_1})
    from django.test import Client

    anonymous = Client()
    response = anonymous.get(url)
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    listed = anonymous.get(reverse("meeting-list"))
    assert COUNCIL_1 not in listed.content.decode()
    # The draft does not leak through the published meeting that contains it either.
    parent = anonymous.get(
        reverse("meeting-detail", kwargs={"slug": "tokayev-visit-azerbaijan-2024"})
    )
    assert COUNCIL_1 not in parent.content.decode()

    preview = staff_client.get(url)
    assert preview.status_code == 200
    assert "Staff preview" in preview.content.decode()


def test_unknown_slug_is_404(client, seeded):
    assert client.get("/meetings/no-such-meeting/").status_code == 404


def _add_meetings(count: int) -> None:
    az, kz = Country.objects.get(code="AZ"), Country.objects.get(code="KZ")
    meetings = Meeting.objects.bulk_create(
        Meeting(
            slug=f"bulk-{n}",
            title=f"Bulk meeting {n}",
            kind="talks",
            start_date=dt.date(2019, 1, 1) + dt.timedelta(days=n),
            status=EditorialStatus.PUBLISHED,
        )
        for n in range(count)
    )
    MeetingCountry.objects.bulk_create(
        MeetingCountry(meeting=m, country=c) for m in meetings for c in (az, kz)
    )


@pytest.mark.parametrize("params", ["", "?country=AZ&year=2019&kind=talks"])
def test_the_list_costs_the_same_queries_for_one_or_many_rows(client, seeded, params):
    _add_meetings(1)
    few = count_queries(client, reverse("meeting-list") + params)
    _add_meetings_more = Meeting.objects.count()
    assert _add_meetings_more
    az, kz = Country.objects.get(code="AZ"), Country.objects.get(code="KZ")
    more = Meeting.objects.bulk_create(
        Meeting(
            slug=f"many-{n}",
            title=f"Many meeting {n}",
            kind="talks",
            start_date=dt.date(2019, 6, 1),
            status=EditorialStatus.PUBLISHED,
        )
        for n in range(40)
    )
    MeetingCountry.objects.bulk_create(
        MeetingCountry(meeting=m, country=c) for m in more for c in (az, kz)
    )
    many = count_queries(client, reverse("meeting-list") + params)
    assert few == many
    assert many <= 16


def test_the_list_is_in_the_apis_order_with_undated_meetings_last(client, seeded):
    Meeting.objects.create(
        slug="undated-talks", title="Talks of an unknown date", kind="talks", status="published"
    )
    listed = [
        meeting.slug for meeting in client.get(reverse("meeting-list")).context["object_list"]
    ]
    # PostgreSQL would put an undated meeting first in a descending order, SQLite last.
    assert listed[-1] == "undated-talks"
    api = client.get("/api/v1/meetings/", {"page_size": 50}).json()
    assert listed == [record["slug"] for record in api["results"]]
