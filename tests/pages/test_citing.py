"""Citing from a record page: the citation names the data version and the last change, the
downloads, and each quote printed once."""

import collections
import json
import re

import pytest

from agreements.models import Document
from records.changes import latest_change
from summits.models import Meeting

from .conftest import COUNCIL_2, count_queries, text_of

pytestmark = pytest.mark.django_db

TREATY = "/documents/az-kz-treaty-strategic-partnership-allied-relations/"


def test_the_citation_names_the_data_version_and_the_last_change(client, seeded):
    meeting = Meeting.objects.get(slug=COUNCIL_2)
    response = client.get(meeting.get_absolute_url())
    page = text_of(response)
    version = latest_change()
    assert f"Data version {version}." in page
    assert f"Last changed {meeting.updated_at.date().isoformat()}." in page
    html = response.content.decode()
    assert f'href="/api/v1/changes/?since={version}"' in html
    assert 'data-copy="cite-text" hidden' in html and 'id="cite-text"' in html
    assert 'href="?cite=bibtex" download="pacta-' in html


@pytest.mark.parametrize(
    ("chosen", "content_type", "extension"),
    [
        ("bibtex", "application/x-bibtex; charset=utf-8", "bib"),
        ("csl-json", "application/vnd.citationstyles.csl+json", "json"),
    ],
)
def test_a_record_downloads_as_bibtex_and_csl_json(
    client, seeded, chosen, content_type, extension
):
    response = client.get(f"{TREATY}?cite={chosen}")
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == (
        f'attachment; filename="pacta-az-kz-treaty-strategic-partnership-allied-relations.'
        f'{extension}"'
    )
    body = response.content.decode()
    document = Document.objects.get(slug="az-kz-treaty-strategic-partnership-allied-relations")
    if chosen == "csl-json":
        (item,) = json.loads(body)
        assert item["title"] == document.title
        assert item["URL"] == f"http://testserver{TREATY}"
        assert item["version"] == str(latest_change())
    else:
        assert body.startswith("@misc{pacta-az-kz-treaty-strategic-partnership-allied-relations,")


def test_an_unknown_citation_format_is_a_clear_400(client, seeded):
    response = client.get(f"{TREATY}?cite=ris")
    assert response.status_code == 400
    assert "bibtex, csl-json" in response.content.decode()


def test_a_draft_has_no_citation_download_for_the_public(client, seeded):
    Document.objects.filter(slug="az-kz-treaty-strategic-partnership-allied-relations").update(
        status="draft"
    )
    assert client.get(f"{TREATY}?cite=bibtex").status_code == 404


def test_no_quote_is_printed_twice_on_any_document_page(client, seeded):
    for document in Document.objects.published():
        html = client.get(document.get_absolute_url()).content.decode()
        quotes = re.findall(r"<blockquote[^>]*><p>(.*?)</p></blockquote>", html, re.S)
        twice = [quote for quote, n in collections.Counter(quotes).items() if n > 1]
        assert twice == [], document.slug
        # Where a passage backs a second fact, that place points to where it is printed.
        for earlier in re.findall(r'class="quote-again"><a href="#q(\d+)"', html):
            assert f'id="q{earlier}"' in html


def test_the_citation_costs_one_query_whatever_the_data(client, seeded):
    before = count_queries(client, TREATY)
    Meeting.objects.filter(slug=COUNCIL_2).update(title="Renamed")  # more changes in the feed
    assert count_queries(client, TREATY) == before


def test_an_anonymous_reader_downloads_a_citation_through_the_page_cache(client, seeded):
    # The page cache keeps only the parameters a view declares: `cite` must be one of them,
    # or the anonymous reader would get the page instead of the file.
    meeting = Meeting.objects.published().first()
    page = client.get(meeting.get_absolute_url())
    bibtex = client.get(meeting.get_absolute_url() + "?cite=bibtex")
    assert page["Content-Type"].startswith("text/html")
    assert bibtex.status_code == 200
    assert not bibtex["Content-Type"].startswith("text/html")
    assert b"@" in bibtex.content
