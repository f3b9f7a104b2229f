from urllib.parse import urlencode

import pytest
from django.http import QueryDict

from summits.filters import BodyFilter, CountryFilter, MeetingFilter, PersonFilter
from summits.models import Meeting

pytestmark = pytest.mark.usefixtures("seeded")


def slugs(filterset) -> set[str]:
    assert filterset.is_valid(), filterset.errors
    return {record.slug for record in filterset.qs}


def query(**params) -> QueryDict:
    """Parameters as a request carries them."""
    return QueryDict(urlencode(params))


def meetings(**params) -> set[str]:
    return slugs(MeetingFilter(query(**params), queryset=Meeting.objects.published()))


def test_the_pair_az_kz_has_both_council_sessions_and_the_visits():
    pair = meetings(countries="AZ,KZ")
    assert {"az-kz-supreme-interstate-council-1", "az-kz-supreme-interstate-council-2"} <= pair
    assert "japarov-official-visit-azerbaijan-2022" not in pair


def test_countries_means_all_and_country_means_any():
    assert meetings(countries="AZ,KZ") < meetings(country="AZ,KZ")
    assert "japarov-official-visit-azerbaijan-2022" in meetings(country="KG,BY")


def test_codes_are_case_insensitive():
    assert meetings(countries="az,kz") == meetings(countries="AZ,KZ")


def test_the_pair_with_a_date_range_and_a_body():
    found = meetings(
        countries="AZ,KZ",
        date_from="2024-01-01",
        date_to="2025-12-31",
        body="az-kz-supreme-interstate-council",
    )
    assert found == {"az-kz-supreme-interstate-council-1", "az-kz-supreme-interstate-council-2"}


def test_year_kind_person_sector_and_source():
    assert meetings(year="2018", kind="official_visit") == {"aliyev-official-visit-belarus-2018"}
    assert "tokayev-official-visit-armenia-2024" in meetings(person="nikol-pashinyan")
    assert "az-kz-supreme-interstate-council-1" in meetings(sector="trade")
    from_text_002 = meetings(source="anadolu-2024-04-15-tokayev-yerevan-peace-treaty")
    assert "tokayev-official-visit-armenia-2024" in from_text_002
    assert "az-kz-supreme-interstate-council-2" not in from_text_002


def test_search_covers_titles_summaries_and_quotes():
    assert "az-kz-supreme-interstate-council-2" in meetings(q="Supreme Interstate second")
    assert "aliyev-official-visit-belarus-2018" in meetings(q="Palace of Independence")


def test_ordering_is_whitelisted():
    found = MeetingFilter({"ordering": "-date"}, queryset=Meeting.objects.all())
    assert found.is_valid()
    assert not MeetingFilter({"ordering": "summary"}, queryset=Meeting.objects.all()).is_valid()


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("country", "XX"),
        ("countries", "AZ,Kazakhstan"),
        ("date_from", "yesterday"),
        ("date_to", "2021-02-30"),
        ("year", str(10**20)),
        ("year", "-5"),
        ("q", "peace\x00"),
        ("body", "council\x00"),
        ("person", "../etc"),
        ("kind", "picnic"),
        ("updated_since", "soon"),
        ("session_number", str(10**12)),
    ],
)
def test_bad_input_is_a_form_error_naming_the_field(param, value):
    filterset = MeetingFilter(query(**{param: value}), queryset=Meeting.objects.all())
    assert not filterset.is_valid()
    assert param in filterset.errors


def test_persons_bodies_and_countries_filter_too():
    from summits.models import Body, Country, Person

    assert "nikol-pashinyan" in slugs(
        PersonFilter({"country": "AM"}, queryset=Person.objects.all())
    )
    assert slugs(BodyFilter({"country": "KG"}, queryset=Body.objects.all())) == {
        body.slug for body in Body.objects.filter(members__code="KG")
    }
    active = CountryFilter({"active": "true"}, queryset=Country.objects.all())
    assert active.is_valid()
    assert {"AZ", "KZ", "BY", "AM", "KG"} <= {country.code for country in active.qs}
