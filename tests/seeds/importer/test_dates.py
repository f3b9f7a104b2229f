"""The date resolver on short texts of our own: no database."""

import datetime as dt

from seeds.importer import dates


def resolved(text: str, **kwargs) -> list[dates.DateValue]:
    ref = dates.reference(text, **kwargs)
    return dates.resolve_all(dates.find_dates(text), ref, text)


def test_a_date_with_day_and_year_is_stated():
    [value] = resolved("On April 20, 2022, the presidents met in Baku.")
    assert (value.start, value.precision, value.basis) == (dt.date(2022, 4, 20), "day", "stated")
    assert value.text == "April 20, 2022"


def test_a_date_without_year_takes_the_publication_year_and_says_so():
    [value] = resolved("On October 21, the council met.", published=dt.date(2025, 10, 22))
    assert value.start == dt.date(2025, 10, 21)
    assert value.basis == "inferred"
    assert "2025-10-22" in value.reasoning


def test_a_date_without_year_before_new_year_is_the_last_one():
    [value] = resolved("The summit was held on December 30.", published=dt.date(2026, 1, 3))
    assert value.start == dt.date(2025, 12, 30)


def test_a_dateline_without_year_takes_the_year_of_publication():
    ref = dates.reference(
        "Text.", published=dt.date(2025, 10, 21), dateline="Astana, October 21, AZERTAC"
    )
    assert ref.date == dt.date(2025, 10, 21)
    assert "dateline" in ref.reasoning


def test_ranges_in_both_orders():
    [day_month] = resolved("Talks on 21-22 October 2025 in Tashkent.")
    assert (day_month.start, day_month.end, day_month.basis) == (
        dt.date(2025, 10, 21),
        dt.date(2025, 10, 22),
        "stated",
    )
    [month_day] = resolved(
        "The visit on October 21–22 was fruitful.", published=dt.date(2025, 10, 23)
    )
    assert (month_day.start, month_day.end) == (dt.date(2025, 10, 21), dt.date(2025, 10, 22))
    assert month_day.basis == "inferred"


def test_yesterday_and_today_spans_two_days_before_the_reference():
    [value] = resolved(
        "We have had the opportunity, both yesterday and today, to exchange views.",
        published=dt.date(2025, 10, 21),
    )
    assert (value.start, value.end) == (dt.date(2025, 10, 20), dt.date(2025, 10, 21))
    assert value.basis == "inferred" and "yesterday" in value.reasoning


def test_tomorrow_and_a_weekday():
    [tomorrow] = resolved("Tomorrow we will open the school.", published=dt.date(2024, 3, 11))
    assert tomorrow.start == dt.date(2024, 3, 12)
    [monday] = resolved("The president on Monday said so.", published=dt.date(2024, 4, 17))
    assert monday.start == dt.date(2024, 4, 15)


def test_year_from_a_current_year_clue():
    text = "Trade grew thus far in 2018. The talks took place on 19 November."
    ref = dates.reference(text)
    assert ref.year == 2018
    value = next(v for v in resolved(text) if v.precision == "day")
    assert value.start == dt.date(2018, 11, 19)
    assert value.basis == "inferred" and "thus far in 2018" in value.reasoning


def test_year_from_an_anniversary():
    ref = dates.reference("The visit falls on the 20th anniversary of the Treaty of 2005.")
    assert ref.year == 2025
    known = dates.reference(
        "This year marks the 10th anniversary of the Treaty on Strategic Partnership.",
        known_year=lambda words: 2013 if "Strategic Partnership" in words else None,
    )
    assert known.year == 2023


def test_months_and_seasons():
    [last] = resolved("Last November, we signed it.", published=dt.date(2025, 10, 21))
    assert (last.start, last.precision) == (dt.date(2024, 11, 1), "month")
    [upcoming] = resolved(
        "He will host the upcoming conference in November.", published=dt.date(2024, 3, 11)
    )
    assert upcoming.start == dt.date(2024, 11, 1)
    [season] = resolved("A war in the fall of 2020 ended.")
    assert (season.start, season.precision, season.basis) == (
        dt.date(2020, 1, 1),
        "year",
        "stated",
    )


def test_no_reference_no_guess():
    """Without publication date, dateline or clue, a date without year is not resolved."""
    assert resolved("The talks took place on 19 November.") == []
