"""The export cells themselves (records/api/downloads.py), without a database: each branch of
at_precision(), precision_column(), cited(), brief(), flat_cell(), safe_cell(), csv_lines(),
batches(), export_filename() and json_line(), pinned to exact outputs. These are the tests
`make mutate MUTATE=exports` runs first; the export tests only run for what they let through."""

import csv
import datetime
import io
import json

import pytest
from django.http import QueryDict
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.renderers import JSONRenderer

from records.api.downloads import (
    FORMULA_PREFIXES,
    JSONOnlyNegotiation,
    at_precision,
    batches,
    brief,
    cited,
    csv_lines,
    export_filename,
    flat_cell,
    json_line,
    precision_column,
    safe_cell,
    streaming,
)
from records.licence import link_header

QUOTE = {
    "quote": "The sides signed",
    "publisher": "AzerTac",
    "source_slug": "azertac-2025",
    "start": 8299,
    "end": 8388,
}


# at_precision


@pytest.mark.parametrize(
    ("precision", "shown"),
    [("year", "2024"), ("month", "2024-11"), ("day", "2024-11-12"), (None, "2024-11-12")],
)
def test_a_date_is_cut_to_its_precision(precision, shown):
    assert at_precision("2024-11-12", precision) == shown
    assert at_precision(datetime.date(2024, 11, 12), precision) == shown


@pytest.mark.parametrize("precision", ["year", "month", "day", None])
def test_no_date_is_an_empty_text_at_any_precision(precision):
    assert at_precision(None, precision) == ""


def test_a_precision_is_matched_exactly_not_by_prefix():
    assert at_precision("2024-11-12", "years") == "2024-11-12"
    assert at_precision("2024-11-12", "YEAR") == "2024-11-12"


# precision_column


def test_the_precision_of_a_date_column_is_named_from_its_stem_then_in_full():
    assert precision_column("start_date") == ("start_precision", "start_date_precision")
    assert precision_column("end_date") == ("end_precision", "end_date_precision")
    assert precision_column("published_on") == ("published_precision", "published_on_precision")


def test_a_column_named_date_has_one_precision_column():
    assert precision_column("date") == ("date_precision",)


def test_a_column_without_a_date_suffix_keeps_its_name_as_stem():
    assert precision_column("signed") == ("signed_precision",)


# cited


def test_a_quote_is_cited_with_its_publisher_and_place_in_the_source():
    assert cited(QUOTE) == "“The sides signed” — AzerTac, azertac-2025@8299-8388"


@pytest.mark.parametrize("publisher", [None, ""])
def test_a_quote_without_a_publisher_names_only_where_it_is(publisher):
    shown = cited({**QUOTE, "publisher": publisher})
    assert shown == "“The sides signed” — azertac-2025@8299-8388"


def test_a_quote_with_no_publisher_key_names_only_where_it_is():
    item = {key: value for key, value in QUOTE.items() if key != "publisher"}
    assert cited(item) == "“The sides signed” — azertac-2025@8299-8388"


def test_a_quote_for_a_field_says_which():
    assert cited({**QUOTE, "field": "start_date"}) == (
        "“The sides signed” — AzerTac, azertac-2025@8299-8388 (for start_date)"
    )


@pytest.mark.parametrize("field", [None, ""])
def test_a_quote_for_no_field_says_nothing_of_fields(field):
    shown = cited({**QUOTE, "field": field})
    assert shown == "“The sides signed” — AzerTac, azertac-2025@8299-8388"


def test_a_quote_missing_its_place_says_so_rather_than_failing():
    assert cited({"quote": "Q"}) == "“Q” — None@None-None"


# brief


def test_an_embedded_quote_is_cited_in_full():
    assert brief({**QUOTE, "field": "city"}) == cited({**QUOTE, "field": "city"})
    assert brief({**QUOTE, "slug": "ignored", "role": "host"}) == cited(QUOTE)


KEYS = ("slug", "country", "code", "status", "kind", "name", "title", "text")


@pytest.mark.parametrize("position", range(len(KEYS)))
def test_an_object_is_named_by_its_first_key_in_priority_order(position):
    item = {key: f"{key}-value" for key in KEYS[position:]}
    assert brief(item) == f"{KEYS[position]}-value"
    # The order of the dict's own keys does not matter.
    assert brief(dict(reversed(item.items()))) == f"{KEYS[position]}-value"


@pytest.mark.parametrize("empty", [None, ""])
def test_an_empty_key_gives_way_to_the_next(empty):
    assert brief({"slug": empty, "country": "KZ"}) == "KZ"
    assert brief({"slug": empty, "country": empty, "code": "ASEAN"}) == "ASEAN"


def test_a_key_that_is_zero_or_false_still_names_the_object():
    assert brief({"code": 0, "name": "Zero"}) == "0"
    assert brief({"status": False, "name": "No"}) == "False"


def test_an_object_with_no_naming_key_is_its_json_with_its_letters_kept():
    assert brief({"weird": "Łódź"}) == '{"weird": "Łódź"}'
    dated = {"slug": "", "at": datetime.date(2024, 1, 2)}
    assert brief(dated) == '{"slug": "", "at": "2024-01-02"}'
    assert brief({}) == "{}"


def test_a_role_follows_the_name_in_brackets():
    assert brief({"country": "KZ", "role": "host"}) == "KZ (host)"
    assert brief({"country": "KZ", "role": ""}) == "KZ"
    assert brief({"country": "KZ", "role": None}) == "KZ"


def test_a_role_alone_follows_the_objects_json():
    assert brief({"role": "host"}) == '{"role": "host"} (host)'


@pytest.mark.parametrize(
    ("precision", "shown"),
    [("year", "2024"), ("month", "2024-11"), ("day", "2024-11-12"), (None, "2024-11-12")],
)
def test_a_date_follows_the_name_at_its_precision(precision, shown):
    item = {"status": "signed", "date": "2024-11-12", "date_precision": precision}
    assert brief(item) == f"signed {shown}"


def test_a_date_without_a_precision_key_is_shown_in_full():
    assert brief({"status": "signed", "date": "2024-11-12"}) == "signed 2024-11-12"


def test_an_empty_date_adds_nothing():
    assert brief({"status": "signed", "date": None, "date_precision": "year"}) == "signed"
    assert brief({"status": "signed", "date": ""}) == "signed"


def test_a_role_comes_before_a_date():
    item = {"country": "KZ", "role": "host", "date": "2024-11-12", "date_precision": "year"}
    assert brief(item) == "KZ (host) 2024"


# flat_cell


def test_plain_values_are_flattened_to_their_text():
    assert flat_cell("=text") == "=text"
    assert flat_cell("") == ""
    assert flat_cell(None) == ""
    assert flat_cell(True) == "true"
    assert flat_cell(False) == "false"
    assert flat_cell(0) == "0"
    assert flat_cell(12) == "12"
    assert flat_cell(1.5) == "1.5"
    assert flat_cell(datetime.date(2024, 1, 2)) == "2024-01-02"


def test_a_list_of_quotes_is_one_quote_a_line():
    second = {**QUOTE, "quote": "Both; sides", "publisher": None, "field": "city"}
    assert flat_cell([QUOTE, second]) == (
        "“The sides signed” — AzerTac, azertac-2025@8299-8388\n"
        "“Both; sides” — azertac-2025@8299-8388 (for city)"
    )
    assert flat_cell([QUOTE]) == "“The sides signed” — AzerTac, azertac-2025@8299-8388"


def test_a_list_of_objects_is_their_briefs_joined_by_semicolons():
    value = [{"country": "KZ", "role": "host"}, {"country": "AZ"}, {"slug": "x", "quote": "Q"}]
    assert flat_cell(value) == "KZ (host);AZ;“Q” — None@None-None"


def test_a_list_of_mixed_values_flattens_each():
    value = ["a", 1, None, True, False, {"slug": "x"}, ["b", "c"]]
    assert flat_cell(value) == "a;1;;true;false;x;b;c"


def test_an_object_in_a_list_is_its_brief_even_when_shaped_like_a_basis():
    assert flat_cell([{"city": {"basis": "stated"}}, "a"]) == '{"city": {"basis": "stated"}};a'


def test_an_empty_list_is_an_empty_cell():
    assert flat_cell([]) == ""


def test_a_list_starting_with_a_value_is_joined_by_semicolons_even_with_quotes_later():
    assert flat_cell(["a", {**QUOTE}]) == "a;“The sides signed” — AzerTac, azertac-2025@8299-8388"


def test_a_basis_object_is_each_facts_basis():
    value = {"start_date": {"basis": "stated", "why": "said so"}, "city": {"basis": "inferred"}}
    assert flat_cell(value) == "start_date=stated;city=inferred"


def test_an_object_of_objects_without_a_basis_each_is_its_brief():
    assert flat_cell({"a": {"basis": "stated"}, "b": {"x": 1}}) == (
        '{"a": {"basis": "stated"}, "b": {"x": 1}}'
    )
    assert flat_cell({"a": {"basis": "stated"}, "b": "basis"}) == (
        '{"a": {"basis": "stated"}, "b": "basis"}'
    )


def test_an_object_is_its_brief():
    assert flat_cell({"country": "KZ", "role": "host"}) == "KZ (host)"
    assert flat_cell({}) == "{}"


# safe_cell


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_starting_like_a_formula_is_defused(prefix):
    assert safe_cell(f"{prefix}SUM(A1)") == f"'{prefix}SUM(A1)"


def test_the_formula_prefixes_are_exactly_these():
    assert FORMULA_PREFIXES == ("=", "+", "-", "@", "\t", "\r")


def test_a_cell_with_a_formula_sign_inside_is_left_alone():
    assert safe_cell("a=b") == "a=b"
    assert safe_cell(" =1") == " =1"
    assert safe_cell("") == ""


def test_values_are_flattened_before_they_are_defused():
    assert safe_cell(-5) == "'-5"
    assert safe_cell(5) == "5"
    assert safe_cell(None) == ""
    assert safe_cell(True) == "true"
    assert safe_cell([{"country": "KZ"}, "=x"]) == "KZ;=x"
    assert safe_cell(["=x", "y"]) == "'=x;y"
    assert safe_cell({"slug": "@home"}) == "'@home"


# batches


def test_records_are_sent_in_batches_of_the_size_asked():
    records = [{"n": n} for n in range(5)]
    assert list(batches(records, 2)) == [[{"n": 0}, {"n": 1}], [{"n": 2}, {"n": 3}], [{"n": 4}]]
    assert list(batches(iter(records), 5)) == [records]
    assert list(batches(records, 1)) == [[record] for record in records]
    assert list(batches([], 3)) == []


# csv_lines


COLUMNS = ["slug", "start_date", "start_precision", "date", "date_precision", "note"]


def test_csv_lines_are_the_header_then_each_batch():
    records = [
        {
            "slug": "a",
            "start_date": "2024-11-12",
            "start_precision": "year",
            "date": "2023-05-06",
            "date_precision": "month",
            "note": "=1+1",
        },
        {"slug": "b", "start_date": "2024-11-12", "start_precision": "day", "date": None},
        {"slug": "c", "start_date": "2024-11-12", "note": ["x", "y"]},
    ]
    assert list(csv_lines(COLUMNS, records, size=2)) == [
        "slug,start_date,start_precision,date,date_precision,note\r\n",
        "a,2024,year,2023-05,month,'=1+1\r\nb,2024-11-12,day,,,\r\n",
        "c,2024-11-12,,,,x;y\r\n",
    ]


CELL_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.text(),
    st.sampled_from([f"{prefix}x" for prefix in FORMULA_PREFIXES]),
    st.lists(st.one_of(st.text(), st.integers(), st.fixed_dictionaries({"code": st.text()}))),
    st.fixed_dictionaries({"slug": st.text(), "role": st.text()}),
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.fixed_dictionaries({"slug": CELL_VALUES, "note": CELL_VALUES}), max_size=8))
def test_csv_lines_write_each_cell_as_safe_cell_makes_it(records):
    # The inline path for plain strings and None must agree with safe_cell() on every value.
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["slug", "note"])
    writer.writerows(
        [[safe_cell(record[column]) for column in ("slug", "note")] for record in records]
    )
    assert "".join(csv_lines(["slug", "note"], records, size=3)) == buffer.getvalue()


def test_a_list_of_texts_is_defused_as_one_cell():
    assert safe_cell(["=SUM(A1)", "KZ"]) == "'=SUM(A1);KZ"
    assert safe_cell(["KZ", "=SUM(A1)"]) == "KZ;=SUM(A1)"


def test_a_date_column_without_its_precision_column_is_written_in_full():
    records = [
        {"start_date": "2024-11-12", "start_precision": "year", "published_on": "2020-02-03"}
    ]
    assert list(csv_lines(["start_date", "published_on"], records)) == [
        "start_date,published_on\r\n",
        "2024-11-12,2020-02-03\r\n",
    ]


def test_a_date_column_uses_its_full_precision_column_name_too():
    records = [{"published_on": "2020-02-03", "published_on_precision": "month"}]
    assert list(csv_lines(["published_on", "published_on_precision"], records)) == [
        "published_on,published_on_precision\r\n",
        "2020-02,month\r\n",
    ]


def test_any_column_beside_its_precision_column_is_cut_to_it():
    records = [{"code": "2024-11-12", "code_precision": "year", "other": "2024-11-12"}]
    assert list(csv_lines(["code", "code_precision", "other"], records)) == [
        "code,code_precision,other\r\n",
        "2024,year,2024-11-12\r\n",
    ]


def test_csv_lines_send_500_records_a_batch_by_default():
    records = [{"slug": str(n)} for n in range(501)]
    chunks = list(csv_lines(["slug"], records))
    assert len(chunks) == 3
    assert chunks[1] == "".join(f"{n}\r\n" for n in range(500))
    assert chunks[2] == "500\r\n"
    assert len(list(csv_lines(["slug"], records[:500]))) == 2


def test_no_records_is_the_header_alone():
    assert list(csv_lines(["slug", "title"], [])) == ["slug,title\r\n"]


# export_filename


def test_a_filename_says_what_was_filtered():
    params = QueryDict("country=AZ,KZ&year=2024")
    assert export_filename("meetings", params, "csv") == "pacta-meetings-country-AZ-KZ-2024.csv"


def test_a_filename_leaves_out_what_only_shapes_the_download():
    params = QueryDict("format=csv&page=2&page_size=10&cursor=abc&ordering=-date&kind=visit")
    assert export_filename("meetings", params, "jsonl") == "pacta-meetings-kind-visit.jsonl"


def test_a_filename_leaves_out_empty_parameters_and_goes_on():
    params = QueryDict("country=&q=+&kind=visit&status=&year=2020&year=")
    assert export_filename("documents", params, "csv") == "pacta-documents-kind-visit-2020.csv"


def test_a_filename_with_no_filters_is_the_resource():
    assert export_filename("persons", QueryDict(""), "csv") == "pacta-persons.csv"


def test_a_filename_transliterates_and_keeps_safe_characters_only():
    params = QueryDict("q=Қазақстан Ü/..&kind=ZAX-")
    named = export_filename("meetings", params, "csv")
    assert named == "pacta-meetings-q-Qazaqstan-U-kind-ZAX.csv"


def test_a_filename_is_cut_at_120_characters_without_a_trailing_dash():
    long = export_filename("meetings", QueryDict("q=" + "a" * 300), "csv")
    assert long == "pacta-meetings-q-" + "a" * 103 + ".csv"
    # The cut falls just after a dash: the dash goes too.
    cut = export_filename("meetings", QueryDict("q=" + "a" * 102 + "-" + "b" * 50), "csv")
    assert cut == "pacta-meetings-q-" + "a" * 102 + ".csv"


# json_line


def test_a_json_line_keeps_letters_encodes_dates_and_ends_the_line():
    record = {"name": "Łódź", "on": datetime.date(2024, 1, 2), "ok": True, "none": None}
    line = json_line(record)
    assert line == '{"name": "Łódź", "on": "2024-01-02", "ok": true, "none": null}\n'
    assert json.loads(line) == {"name": "Łódź", "on": "2024-01-02", "ok": True, "none": None}


# the response and its negotiation


def test_an_export_is_an_attachment_with_its_licence():
    response = streaming(iter(["a\n", "b\n"]), "text/csv; charset=utf-8", "pacta-x.csv")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="pacta-x.csv"'
    assert response["Link"] == link_header()
    assert b"".join(response.streaming_content) == b"a\nb\n"


def test_an_exports_errors_are_json_whatever_was_asked():
    negotiation = JSONOnlyNegotiation()
    renderer, media_type = negotiation.select_renderer(None, [])
    assert isinstance(renderer, JSONRenderer)
    assert media_type == "application/json"
    assert negotiation.select_parser(None, ["first", "second"]) == "first"
    assert negotiation.select_parser(None, []) is None
