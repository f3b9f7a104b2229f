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


# SQLite's plan for a country within a date range (summits.filters.CountryCodesFilter) --------


def meetings_sql(**params) -> str:
    filterset = MeetingFilter(query(**params), queryset=Meeting.objects.published())
    assert filterset.is_valid(), filterset.errors
    return str(filterset.qs.query)


@pytest.mark.parametrize(
    "params",
    [
        {"country": "KZ", "year": "2024"},
        {"countries": "AZ,KZ", "date_from": "2022-01-01", "date_to": "2024-12-31"},
        {"country": "AZ,KZ", "year": "2022,2024"},
        {"country": "KZ", "date_from": "2000-01-01", "date_to": "2030-12-31"},
        {"country": "KZ", "date_from": "2024-01-01"},
        {"country": "AZ,KZ", "country_mode": "all", "year": "2024"},
    ],
)
def test_a_country_within_dates_finds_what_each_filter_finds_alone(params):
    found = meetings(**params)
    dates = {key: value for key, value in params.items() if key in DATE_FILTERS}
    others = {key: value for key, value in params.items() if key not in DATE_FILTERS}
    assert found
    assert found == meetings(**others) & meetings(**dates)


DATE_FILTERS = ("year", "date_from", "date_to")


def test_a_pair_within_a_year_is_its_sessions_and_visits_of_that_year():
    assert meetings(countries="AZ,KZ", year="2024") == {
        "az-kz-supreme-interstate-council-1",
        "kurmangazy-center-inauguration-2024",
        "tokayev-visit-azerbaijan-2024",
    }


def test_on_sqlite_a_narrow_date_range_leads_and_the_links_lead_otherwise(db):
    from django.db import connection

    narrow = meetings_sql(country="KZ", year="2024")
    pair = meetings_sql(countries="AZ,KZ", date_from="2022-01-01", date_to="2024-12-31")
    wide = meetings_sql(country="KZ", date_from="2000-01-01", date_to="2030-12-31")
    open_end = meetings_sql(country="KZ", date_from="2024-01-01")
    alone = meetings_sql(country="KZ")
    unindexed = '+"summits_meeting"."id" IN'
    if connection.vendor == "sqlite":
        assert unindexed in narrow
        assert pair.count(unindexed) == 2
    else:
        assert unindexed not in narrow and unindexed not in pair
    for sql in (wide, open_end, alone):
        assert unindexed not in sql
        assert '"summits_meeting"."id" IN' in sql


def test_range_days_counts_each_year_and_needs_both_ends():
    from datetime import date

    from summits.filters import range_days

    assert range_days({}) is None
    assert range_days({"year": [2024]}) == 366
    assert range_days({"year": [2020, 2024]}) == 732
    assert range_days({"date_from": date(2024, 1, 1)}) is None
    assert range_days({"date_from": date(2024, 1, 1), "date_to": date(2024, 1, 31)}) == 31
    assert range_days({"date_from": date(2024, 2, 1), "date_to": date(2024, 1, 1)}) == 0
    both = {"year": [2024], "date_from": date(2024, 3, 1), "date_to": date(2024, 3, 10)}
    assert range_days(both) == 10
