"""Citing a record: the text, BibTeX and CSL-JSON, without the database."""

import datetime as dt
import json

from records.citing import RecordCitation

CITATION = RecordCitation(
    title="Treaty on 100% {strategic} partnership & allied_relations #1",
    kind="document",
    slug="az-kz-treaty",
    url="https://pacta.example/documents/az-kz-treaty/",
    accessed=dt.date(2026, 11, 30),
    changed=dt.date(2025, 10, 22),
    data_version=1042,
)


def test_the_text_names_the_version_and_the_last_change():
    text = CITATION.as_text()
    assert text.startswith('Pacta. "Treaty on 100% {strategic} partnership')
    assert "Document. Last changed 2025-10-22. Data version 1042." in text
    assert text.endswith("https://pacta.example/documents/az-kz-treaty/ (accessed 2026-11-30).")


def test_bibtex_escapes_what_would_break_the_entry():
    entry = CITATION.as_bibtex()
    assert entry.startswith("@misc{pacta-az-kz-treaty,\n")
    assert r"title = {Treaty on 100\% \{strategic\} partnership \& allied\_relations \#1}" in entry
    assert "version = {1042}" in entry and "date = {2025-10-22}" in entry
    assert "urldate = {2026-11-30}" in entry and "year = {2025}" in entry
    # Balanced braces: the entry ends where it should.
    unescaped = entry.replace(r"\{", "").replace(r"\}", "")
    assert unescaped.count("{") == unescaped.count("}")
    assert entry.rstrip().endswith("}")


def test_csl_json_is_one_dataset_item():
    (item,) = json.loads(CITATION.as_csl_json())
    assert item["id"] == "pacta-az-kz-treaty" and item["type"] == "dataset"
    assert item["title"] == CITATION.title
    assert item["version"] == "1042"
    assert item["issued"] == {"date-parts": [[2025, 10, 22]]}
    assert item["accessed"] == {"date-parts": [[2026, 11, 30]]}
    assert item["URL"] == CITATION.url and item["author"] == [{"literal": "Pacta"}]


def test_a_record_without_a_change_date_is_cited_without_one():
    undated = RecordCitation(**{**CITATION.__dict__, "changed": None})
    assert "Last changed" not in undated.as_text()
    assert "issued" not in undated.as_csl() and "year =" not in undated.as_bibtex()
