"""The record-file checks need no database."""

import datetime as dt

from seeds.records import check_records

TEXTS = {"src": "President Ilham Aliyev met President Kassym-Jomart Tokayev in Astana."}


def base(**sections):
    data = {
        "sources": [{"slug": "src", "file": "x.txt", "title": "t", "publisher": "p"}],
        "countries": [],
        "sectors": [],
        "persons": [],
        "organizations": [],
        "bodies": [],
        "meetings": [],
        "packages": [],
        "documents": [],
        "projects": [],
    }
    data.update(sections)
    return data


def test_a_clean_file_has_no_problems():
    meeting = {
        "slug": "talks",
        "title": "Talks",
        "kind": "talks",
        "start": {"date": dt.date(2025, 10, 21), "precision": "day"},
        "countries": [{"country": "KZ", "role": "host"}],
        "city": "Astana",
        # Every fact is stated by a quote cited for it, or says how else it is known.
        "basis": {
            "start_date": {"basis": "outside", "reasoning": "Known from the press service."},
            "countries": {"basis": "inferred", "reasoning": "Astana is Kazakhstan's capital."},
        },
        "cite": [
            {"source": "src", "quote": "met President Kassym-Jomart Tokayev"},
            {"source": "src", "quote": "in Astana", "field": "city"},
        ],
    }
    assert check_records(base(meetings=[meeting]), TEXTS) == []


def test_a_quote_not_in_the_text_is_named_with_its_record():
    meeting = {
        "slug": "talks",
        "title": "Talks",
        "kind": "talks",
        "cite": [{"source": "src", "quote": "met in Baku"}],
    }
    [problem] = check_records(base(meetings=[meeting]), TEXTS)
    assert problem.startswith("meetings/talks:")
    assert "'met in Baku'" in problem
    assert "'src'" in problem


def test_dangling_references_and_bad_codes_are_reported():
    meeting = {
        "slug": "talks",
        "title": "Talks",
        "kind": "talks",
        "body": "no-such-body",
        "host_country": "Kazakhstan",
        "start": {"date": "21 October", "precision": "day"},
    }
    problems = check_records(base(meetings=[meeting]), TEXTS)
    assert any("'no-such-body' is not in bodies" in p for p in problems)
    assert any("'Kazakhstan' is not an ISO 3166-1 alpha-2 code" in p for p in problems)
    assert any("start must be" in p for p in problems)


def test_duplicate_and_malformed_slugs_are_reported():
    person = {"slug": "Ilham Aliyev", "name": "x"}
    problems = check_records(base(persons=[person, dict(person)]), TEXTS)
    assert any("lowercase" in p for p in problems)
    assert any("duplicate slug" in p for p in problems)


def test_an_inferred_year_needs_its_reason():
    document = {
        "slug": "treaty",
        "title": "Treaty",
        "kind": "treaty",
        "date": {"date": dt.date(2005, 1, 1), "precision": "year"},
        "year_inferred": True,
        "basis": {"date": {"basis": "inferred", "reasoning": "The 20th anniversary in 2025."}},
    }
    [problem] = check_records(base(documents=[document]), TEXTS)
    assert "inference" in problem
