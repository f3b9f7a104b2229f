"""The lists' filters as people use them: names to pick, countries several at once (any or all
of them), facets that add values, named orders, and one clean address per filter state that
the API reads unchanged."""

import re

import pytest
from django.core.cache import cache
from django.urls import reverse

from agreements.models import Document, Package
from records.models import EditorialStatus
from summits.models import Meeting, MeetingCountry, Person

from .conftest import count_queries, counted_calls, text_of

pytestmark = pytest.mark.django_db


def facets_of(response) -> dict:
    return {
        facet.param: {v.value: v for v in values} for facet, values in response.context["facets"]
    }


def with_all(model, relation: str, codes: list[str]):
    rows = model.objects.published()
    for code in codes:
        rows = rows.filter(pk__in=model.objects.filter(**{f"{relation}__code": code}).values("pk"))
    return set(rows.values_list("slug", flat=True))


def with_any(model, relation: str, codes: list[str]):
    rows = model.objects.published().filter(**{f"{relation}__code__in": codes})
    return set(rows.values_list("slug", flat=True))


def listed(response) -> set[str]:
    return {record.slug for record in response.context["paginator"].object_list}


def test_empty_parameters_redirect_to_the_clean_address(client, seeded):
    response = client.get("/meetings/?q=&country=&countries=AZ%2CKZ&year=&kind=&ordering=")
    assert response.status_code == 302
    assert response["Location"] == "/meetings/?countries=AZ,KZ"
    assert client.get("/meetings/?q=&year=")["Location"] == "/meetings/"


def test_countries_picked_several_times_become_one_parameter(client, seeded):
    response = client.get("/documents/?country=AZ&country=KZ&country_mode=all")
    assert response["Location"] == "/documents/?country=AZ,KZ&country_mode=all"


def test_a_clean_address_is_answered_as_it_is(client, seeded):
    response = client.get("/meetings/?country=AZ,KZ&country_mode=all")
    assert response.status_code == 200
    # Only what is set counts in the summary of the folded filters.
    assert response.context["more_set"] == 2
    assert "More filters (2 set)" in text_of(response)


@pytest.mark.parametrize(
    ("url", "model", "relation"),
    [
        ("meeting-list", Meeting, "participations__country"),
        ("document-list", Document, "party_roles__country"),
        ("package-list", Package, "meeting__participations__country"),
    ],
)
def test_all_of_the_countries_and_any_of_them(client, seeded, url, model, relation):
    # Two countries of one record, and a third no record shares with both.
    first = model.objects.published().filter(**{f"{relation}__isnull": False}).first()
    codes = sorted(
        set(model.objects.filter(pk=first.pk).values_list(f"{relation}__code", flat=True))
    )[:2]
    assert len(codes) == 2
    every = client.get(reverse(url), {"country": ",".join(codes), "country_mode": "all"})
    some = client.get(reverse(url), {"country": ",".join(codes)})
    assert listed(every) == with_all(model, relation, codes)
    assert listed(some) == with_any(model, relation, codes)
    assert listed(every) and listed(every) < listed(some)


def test_the_api_reads_the_same_country_mode(client, seeded):
    api = client.get("/api/v1/meetings/?country=AZ,KZ&country_mode=all&page_size=100").json()
    assert {row["slug"] for row in api["results"]} == with_all(
        Meeting, "participations__country", ["AZ", "KZ"]
    )
    bad = client.get("/api/v1/meetings/?country=AZ&country_mode=some")
    assert bad.status_code == 400 and "country_mode" in bad.json()


def test_a_country_facet_click_adds_and_in_all_mode_counts_what_it_would_leave(client, seeded):
    response = client.get("/meetings/?country=AZ,KZ&country_mode=all")
    countries = facets_of(response)["country"]
    both = with_all(Meeting, "participations__country", ["AZ", "KZ"])
    assert countries["AZ"].selected and countries["KZ"].selected
    assert countries["AZ"].url == "?country=KZ&country_mode=all"
    for code, value in countries.items():
        if code in ("AZ", "KZ"):
            assert value.count == len(both)
            continue
        # What adding it would leave: meetings with Azerbaijan, Kazakhstan and it.
        assert value.count == len(with_all(Meeting, "participations__country", ["AZ", "KZ", code]))
        assert value.url == f"?country=AZ,KZ,{code}&country_mode=all"


def test_a_kind_facet_click_adds_a_kind(client, seeded):
    response = client.get("/meetings/?kind=state_visit")
    kinds = facets_of(response)["kind"]
    other = next(value for key, value in kinds.items() if key != "state_visit")
    assert other.url == f"?kind=state_visit&kind={other.value}"
    assert kinds["state_visit"].url == "?"


def test_pickers_offer_names_and_send_slugs(client, seeded):
    hidden = Person.objects.published().order_by("name").last()
    Person.objects.filter(pk=hidden.pk).update(status=EditorialStatus.DRAFT)
    person = Person.objects.published().filter(attendances__isnull=False).first()
    html = client.get("/meetings/").content.decode()
    picker = re.search(r'<select name="person"[^>]*class="picker"[^>]*>(.*?)</select>', html, re.S)
    assert picker, "the person filter is a picker of names"
    assert f'<option value="{person.slug}">{person.name}</option>' in picker.group(1)
    assert f'value="{hidden.slug}"' not in picker.group(1)
    for name in ("body", "organization", "source", "sector"):
        assert re.search(rf'<select name="{name}"[^>]*class="picker"', html), name
    documents = client.get("/documents/").content.decode()
    for name in ("meeting", "package", "person", "body"):
        assert re.search(rf'<select name="{name}"[^>]*class="picker"', documents), name
    chosen = client.get(f"/meetings/?person={person.slug}")
    assert f'<option value="{person.slug}" selected>' in chosen.content.decode()
    assert listed(chosen) == set(
        Meeting.objects.published().filter(persons=person).values_list("slug", flat=True)
    )


def test_countries_are_picked_by_name_and_orders_are_named(client, seeded):
    html = client.get("/meetings/").content.decode()
    assert re.search(r'<select name="country"[^>]*multiple', html)
    assert '<option value="AZ">Azerbaijan</option>' in html
    text = text_of(client.get("/meetings/"))
    for words in ("Newest first", "Oldest first", "Title, A to Z", "any of them", "all of them"):
        assert words in text
    # The browser shows dates in the reader's own form: no help text may say otherwise.
    assert "YYYY" not in text and "prefix with -" not in text and "Slug of" not in text
    assert 'type="date"' in html


def test_the_page_query_string_works_on_the_api(client, seeded):
    person = Person.objects.published().filter(attendances__isnull=False).first()
    query = f"country=AZ,KZ&country_mode=all&person={person.slug}&ordering=-date"
    page = client.get(f"/meetings/?{query}")
    api = client.get(f"/api/v1/meetings/?{query}&page_size=100").json()
    assert [r.slug for r in page.context["paginator"].object_list] == [
        row["slug"] for row in api["results"]
    ]


def test_a_list_searched_shows_where_the_words_matched(client, seeded):
    response = client.get("/meetings/?q=Kurmangazy")
    html = response.content.decode()
    assert re.search(r'<p class="snippet">[^<]*<mark>Kurmangazy</mark>', html)
    # Without a query, no snippet.
    assert '<p class="snippet">' not in client.get("/meetings/").content.decode()


def test_a_searched_list_costs_the_same_queries_for_few_or_many_rows(client, seeded):
    def grow(start: int, count: int) -> None:
        Meeting.objects.bulk_create(
            Meeting(
                slug=f"snip-{n}",
                title=f"Snippetcorn meeting {n}",
                summary=f"About snippetcorn {n}.",
                kind="talks",
                status=EditorialStatus.PUBLISHED,
            )
            for n in range(start, start + count)
        )

    grow(0, 3)
    few = count_queries(client, "/meetings/?q=snippetcorn")
    grow(3, 200)
    cache.clear()
    many = count_queries(client, "/meetings/?q=snippetcorn")
    cache.clear()
    assert few == many


def test_years_several_at_once_on_the_pages_and_the_api(client, seeded):
    response = client.get("/meetings/?year=2024")
    years = facets_of(response)["year"]
    assert years["2024"].selected and years["2025"].url == "?year=2024,2025"
    both = client.get("/meetings/?year=2024,2025")
    expected = set(
        Meeting.objects.published()
        .filter(start_date__year__in=[2024, 2025])
        .values_list("slug", flat=True)
    )
    assert listed(both) == expected
    api = client.get("/api/v1/meetings/?year=2024,2025&page_size=100").json()
    assert {row["slug"] for row in api["results"]} == expected
    assert client.get("/meetings/?year=2024&year=2025")["Location"] == "/meetings/?year=2024,2025"
    for bad in ("20x4", "2024,,99999", ",".join(["2000"] * 11)):
        refused = client.get("/api/v1/meetings/", {"year": bad})
        assert refused.status_code == 400 and "year" in refused.json(), bad
    # Projects and packages read the years through milestones and meetings.
    for url in ("/api/v1/projects/?year=2018,2024", "/api/v1/packages/?year=2018,2022"):
        assert client.get(url).json()["count"] > 0, url


def test_a_long_picker_lists_the_first_names_the_chosen_one_and_lets_the_script_ask(
    client, seeded, monkeypatch
):
    import records.listing

    monkeypatch.setattr(records.listing, "PICKER_LIMIT", 2)
    cache.clear()
    last = Person.objects.published().order_by("name").last()
    html = client.get(f"/meetings/?person={last.slug}").content.decode()
    picker = re.search(r'<select name="person"([^>]*)>(.*?)</select>', html, re.S)
    options = re.findall(r'<option value="([^"]*)"', picker.group(2))
    assert len(options) == 1 + 2 + 1  # "Any", the first two names, the chosen one
    assert options[-1] == last.slug
    # More names than listed: the script may ask the API (same origin) for the others.
    assert 'data-search-url="/api/v1/persons/"' in picker.group(1)
    assert "data-complete" not in picker.group(1)
    cache.clear()


# The filter form's HTML, cached per filter state and data version -----------------------------


@pytest.fixture
def form_renders(monkeypatch):
    """How many times a list page's filter form was rendered rather than taken from the cache."""
    from records.listing import FacetedListView

    return counted_calls(monkeypatch, FacetedListView, "render_filter_form")


def form_html(response) -> str:
    body = response.content.decode()
    start = body.index('<form method="get" action="/')
    return body[start : body.index("</form>", start)]


@pytest.fixture
def facet_renders(monkeypatch):
    """How many times a list page's facets were counted and rendered, not taken from the
    cache."""
    from records.listing import FacetedListView

    return counted_calls(monkeypatch, FacetedListView, "facet_values")


def facets_html(response) -> str:
    body = response.content.decode()
    start = body.index('<section class="facet"')
    return body[start : body.index("<form", start)]


def test_the_form_and_the_facets_are_made_once_for_every_page_of_a_filter_state(
    client, seeded, form_renders, facet_renders
):
    first = client.get("/meetings/?ordering=-date")
    second = client.get("/meetings/?ordering=-date&page=1")
    assert first.status_code == second.status_code == 200
    assert len(form_renders) == len(facet_renders) == 1
    assert form_html(first) == form_html(second)
    assert facets_html(first) == facets_html(second)
    assert "{#" not in second.content.decode()  # no template comment leaks into the page
    assert 'value="-date" selected' in form_html(second)
    # Each facet link keeps the state and drops the page.
    assert 'href="?ordering=-date&amp;country=' in facets_html(second)
    assert "page=" not in facets_html(second)


def test_another_filter_state_gets_a_form_of_its_own(client, seeded, form_renders):
    plain = client.get("/meetings/")
    filtered = client.get("/meetings/?year=2024")
    assert len(form_renders) == 2
    assert 'name="year" value="2024"' in form_html(filtered)
    assert 'name="year" value="2024"' not in form_html(plain)


def test_a_write_renders_the_form_again_with_the_new_names(client, seeded, form_renders):
    client.get("/meetings/")
    Person.objects.create(slug="zz-new-person", name="Zz New Person", status="published")
    again = client.get("/meetings/?page=1")
    assert len(form_renders) == 2
    assert "Zz New Person" in form_html(again)


def test_a_draft_named_in_the_staff_form_never_reaches_an_anonymous_one(
    staff_client, seeded, form_renders
):
    from django.test import Client

    Person.objects.create(slug="zz-draft-person", name="Zz Draft Person", status="draft")
    staff = staff_client.get("/meetings/")
    anonymous = Client().get("/meetings/?page=1")
    assert "Zz Draft Person" in form_html(staff)
    assert "Zz Draft Person" not in form_html(anonymous)
    assert len(form_renders) == 2


# Each field's HTML, kept per value: a new filter state renders only the fields it sets -------


@pytest.fixture
def field_renders(monkeypatch):
    """The names of the fields rendered afresh, one list per rendering of a form."""
    from records import listing

    calls = []
    friendlier = listing.friendlier_widgets

    def counted(form, filterset=None, viewer=None, names=None):
        calls.append(sorted(names))
        return friendlier(form, filterset, viewer, names)

    monkeypatch.setattr(listing, "friendlier_widgets", counted)
    return calls


def test_a_new_filter_state_renders_only_the_fields_it_sets(client, seeded, field_renders):
    cache.clear()
    client.get("/meetings/")
    every_field = field_renders[0]
    assert {"q", "country", "year", "ordering"} <= set(every_field)
    filtered = client.get("/meetings/?year=2024&ordering=-date")
    assert field_renders[1:] == [["ordering", "year"]]
    # The same HTML as a form rendered whole, with nothing kept.
    cache.clear()
    fresh = client.get("/meetings/?ordering=-date&year=2024")
    assert field_renders[2] == every_field
    assert form_html(filtered) == form_html(fresh)
    assert 'name="year" value="2024"' in form_html(filtered)
    assert 'value="-date" selected' in form_html(filtered)


def test_a_field_kept_for_one_viewer_is_not_shown_to_another(staff_client, seeded, field_renders):
    from django.test import Client

    cache.clear()
    Person.objects.create(slug="zz-draft-person", name="Zz Draft Person", status="draft")
    staff = staff_client.get("/meetings/")
    anonymous = Client().get("/meetings/?year=2024")
    assert "Zz Draft Person" in form_html(staff)
    assert "Zz Draft Person" not in form_html(anonymous)
    # The anonymous form had none of the staff's fields to reuse.
    assert field_renders[1] == field_renders[0]


def test_a_form_with_errors_is_rendered_whole_every_time(client, seeded, field_renders):
    cache.clear()
    client.get("/meetings/")
    first = client.get("/meetings/?year=notayear")
    second = client.get("/meetings/?year=notayear")
    assert first.status_code == second.status_code == 400
    assert field_renders[1] == field_renders[2] == field_renders[0]
    assert "has-error" in form_html(second)
    assert '<details class="more-filters" open>' in form_html(second)


# The facets' HTML, kept per filter state beside the form -----------------------------------


def test_the_facets_are_counted_again_for_another_state_or_after_a_write(
    client, seeded, facet_renders
):
    client.get("/meetings/")
    client.get("/meetings/?year=2024")
    assert len(facet_renders) == 2
    meeting = Meeting.objects.published().filter(participations__country__code="KZ").first()
    MeetingCountry.objects.filter(meeting=meeting, country__code="KZ").delete()
    client.get("/meetings/?page=1")
    assert len(facet_renders) == 3


def test_facets_kept_for_staff_are_not_shown_to_the_public(staff_client, seeded, facet_renders):
    from django.test import Client

    Meeting.objects.filter(pk=Meeting.objects.published().first().pk).update(status="draft")
    staff = staff_client.get("/meetings/")
    public = Client().get("/meetings/?page=1")
    assert len(facet_renders) == 2
    kinds = [
        {value.value: value.count for value in facets_of(response)["kind"].values()}
        for response in (staff, public)
    ]
    assert kinds[0] != kinds[1]
