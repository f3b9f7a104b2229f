"""Cite by selection without a script: a passage's offsets lead to the record's page with the
citation filled in; nothing is copied by hand."""

from records.models import Source
from summits.models import Meeting
from tests.admin.conftest import change_url, form_data

SLUG = "az-kz-supreme-interstate-council-2"
SOURCE = "azertac-2025-10-21-supreme-interstate-council"
PREFIX = "records-citation-content_type-object_id"


def cite_url(source) -> str:
    return change_url(source)


def test_uncited_sentences_link_to_the_citing_page(seeded, analyst_client):
    source = Source.objects.get(slug=SOURCE)
    page = analyst_client.get(change_url(source)).content.decode()
    sentence = analyst_client.get(change_url(source)).context["uncited_sentences"][0]
    assert f'{cite_url(source)}?cite_start={sentence.start}&amp;cite_end={sentence.end}"' in page
    assert f'data-cite-url="{cite_url(source)}"' in page


def test_a_passage_is_cited_for_an_existing_record(seeded, analyst_client):
    source, meeting = Source.objects.get(slug=SOURCE), Meeting.objects.get(slug=SLUG)
    quote = "The President of Kazakhstan delivered a speech first."
    start = source.text.index(quote)
    end = start + len(quote)
    response = analyst_client.get(cite_url(source), {"cite_start": start, "cite_end": end})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<mark id="cited-passage">{quote}</mark>' in page
    assert 'name="kind" value="meeting"' in page
    assert "/admin/summits/meeting/add/?cite_source=" in page
    response = analyst_client.get(
        cite_url(source),
        {"cite_start": start, "cite_end": end, "kind": "meeting", "meeting-record": meeting.pk},
    )
    assert response.status_code == 302
    target = response["Location"]
    assert target.startswith(change_url(meeting) + f"?cite_source={source.pk}&cite_start={start}")
    response = analyst_client.get(target)
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == PREFIX
    )
    new_row = formset.extra_forms[0]
    assert new_row["quote"].value() == quote
    assert new_row["source"].value() == source.pk
    assert new_row["occurrence"].value() == 1
    data = form_data(response)
    index = int(data[f"{PREFIX}-TOTAL_FORMS"])
    data[f"{PREFIX}-TOTAL_FORMS"] = str(index + 1)
    data.update(
        {
            f"{PREFIX}-{index}-source": str(source.pk),
            f"{PREFIX}-{index}-quote": new_row["quote"].value(),
            f"{PREFIX}-{index}-occurrence": "1",
            f"{PREFIX}-{index}-field": "persons",
        }
    )
    response = analyst_client.post(target, data)
    assert response.status_code == 302
    citation = meeting.citations.get(quote=quote)
    assert (citation.start, citation.end, citation.field) == (start, end, "persons")


def test_offsets_outside_the_text_go_back_to_the_source(seeded, analyst_client):
    source = Source.objects.get(slug=SOURCE)
    for params in ({"cite_start": 5, "cite_end": 10**6}, {"cite_start": "x", "cite_end": 3}):
        response = analyst_client.get(cite_url(source), params)
        assert response.status_code == 302
        assert response["Location"] == change_url(source)


def test_a_new_record_opens_with_the_citation_filled_in(seeded, analyst_client):
    source = Source.objects.get(slug=SOURCE)
    quote = "The President of Kazakhstan delivered a speech first."
    start = source.text.index(quote)
    params = {"cite_source": source.pk, "cite_start": start, "cite_end": start + len(quote)}
    response = analyst_client.get("/admin/summits/meeting/add/", params)
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == PREFIX
    )
    assert formset.extra_forms[0]["quote"].value() == quote


def test_the_citing_page_reads_no_list_of_records(seeded, analyst_client):
    """The record boxes are autocompletes: the page's cost does not grow with the records."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    source = Source.objects.get(slug=SOURCE)
    params = {"cite_start": 0, "cite_end": 40}
    with CaptureQueriesContext(connection) as captured:
        assert analyst_client.get(cite_url(source), params).status_code == 200
    # Session, account and permissions, the source (twice: the admin's object and the text).
    assert len(captured) <= 8, [query["sql"] for query in captured]
