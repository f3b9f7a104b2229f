"""Citations checked verbatim with offsets filled in; sources added once, shown annotated."""

from django.core.files.uploadedfile import SimpleUploadedFile

from records.models import Citation, Source
from summits.models import Meeting
from tests.admin.conftest import change_url, changelist_url, form_data

SLUG = "az-kz-supreme-interstate-council-2"
SOURCE = "azertac-2025-10-21-supreme-interstate-council"
PREFIX = "records-citation-content_type-object_id"


def _with_new_citation(client, meeting, source, quote, occurrence=1):
    data = form_data(client.get(change_url(meeting)))
    index = int(data[f"{PREFIX}-TOTAL_FORMS"])
    data[f"{PREFIX}-TOTAL_FORMS"] = str(index + 1)
    data[f"{PREFIX}-{index}-source"] = str(source.pk)
    data[f"{PREFIX}-{index}-quote"] = quote
    data[f"{PREFIX}-{index}-field"] = "city"
    data[f"{PREFIX}-{index}-occurrence"] = str(occurrence)
    return client.post(change_url(meeting), data)


def test_a_cited_quote_is_located_and_its_offsets_stored(seeded, analyst_client):
    meeting, source = Meeting.objects.get(slug=SLUG), Source.objects.get(slug=SOURCE)
    quote = "The President of Kazakhstan delivered a speech first."
    response = _with_new_citation(analyst_client, meeting, source, quote)
    assert response.status_code == 302
    citation = meeting.citations.get(quote=quote)
    assert (citation.start, citation.end) == (
        source.text.index(quote),
        source.text.index(quote) + len(quote),
    )
    assert source.text[citation.start : citation.end] == quote
    meeting.refresh_from_db()
    assert "citations" in meeting.analyst_edited


def test_a_quote_not_in_the_source_is_refused_with_a_clear_error(seeded, analyst_client):
    meeting, source = Meeting.objects.get(slug=SLUG), Source.objects.get(slug=SOURCE)
    count = meeting.citations.count()
    response = _with_new_citation(
        analyst_client, meeting, source, "The President of Kazakhstan spoke last."
    )
    assert response.status_code == 200
    assert f"The quote is not found verbatim in source “{SOURCE}”" in response.content.decode()
    assert meeting.citations.count() == count
    formset = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == PREFIX
    )
    assert formset.forms[-1]["quote"].value() == "The President of Kazakhstan spoke last."


def test_a_near_miss_shows_the_exact_passage_to_copy(seeded, analyst_client):
    meeting, source = Meeting.objects.get(slug=SLUG), Source.objects.get(slug=SOURCE)
    response = _with_new_citation(
        analyst_client, meeting, source, "the president of Kazakhstan  delivered a speech first."
    )
    assert response.status_code == 200
    assert "“The President of Kazakhstan delivered a speech first.”" in (response.content.decode())


def test_an_occurrence_beyond_the_count_is_refused(seeded, analyst_client):
    meeting, source = Meeting.objects.get(slug=SLUG), Source.objects.get(slug=SOURCE)
    response = _with_new_citation(
        analyst_client, meeting, source, "The President of Kazakhstan", occurrence=50
    )
    assert response.status_code == 200
    assert "so occurrence 50 does not exist" in response.content.decode()


def _add_source(client, **fields):
    data = {
        "title": "A new article",
        "slug": "new-article",
        "publisher": "Kazinform",
        "published_on": "2025-10-22",
        "published_precision": "day",
        "url": "https://example.org/news/1",
        "language": "en",
        "status": "draft",
        "text": "",
    }
    data.update(fields)
    return client.post(changelist_url(Source) + "add/", data)


def test_add_source_from_pasted_text_with_browser_line_breaks(seeded, analyst_client):
    response = _add_source(analyst_client, text="First line.\r\nSecond line.\r\n")
    assert response.status_code == 302
    source = Source.objects.get(slug="new-article")
    assert source.text == "First line.\nSecond line.\n"
    assert source.publisher == "Kazinform"
    assert str(source.published_on) == "2025-10-22"
    assert source.url == "https://example.org/news/1"


def test_add_source_from_an_uploaded_utf8_file(seeded, analyst_client):
    upload = SimpleUploadedFile("article.txt", "Астана, 22 октября.\n".encode())
    response = _add_source(analyst_client, upload=upload)
    assert response.status_code == 302
    assert Source.objects.get(slug="new-article").text == "Астана, 22 октября.\n"


def test_a_file_that_is_not_utf8_is_refused(seeded, analyst_client):
    upload = SimpleUploadedFile("article.txt", "Astana, café".encode("latin-1"))
    response = _add_source(analyst_client, upload=upload)
    assert response.status_code == 200
    assert "The file is not UTF-8 text" in response.content.decode()
    assert not Source.objects.filter(slug="new-article").exists()


def test_a_text_already_stored_is_refused_with_a_link_to_it(seeded, analyst_client):
    existing = Source.objects.get(slug=SOURCE)
    pasted = existing.text.replace("\n", "\r\n")  # as a browser sends a pasted textarea
    response = _add_source(analyst_client, text=pasted)
    assert response.status_code == 200
    page = response.content.decode()
    assert "This text is already stored as" in page
    assert f'<a href="{change_url(existing)}">' in page
    form = response.context["adminform"].form
    assert form["title"].value() == "A new article"  # nothing the analyst typed is lost
    assert Source.objects.filter(slug="new-article").count() == 0

    upload = SimpleUploadedFile("same.txt", existing.text.encode())
    assert (
        "This text is already stored as"
        in _add_source(analyst_client, upload=upload).content.decode()
    )


def test_the_text_of_a_stored_source_cannot_be_edited(seeded, analyst_client):
    source = Source.objects.get(slug=SOURCE)
    response = analyst_client.get(change_url(source))
    assert "text" not in response.context["adminform"].form.fields
    data = form_data(response)
    data["text"] = "Rewritten."
    assert analyst_client.post(change_url(source), data).status_code == 302
    source.refresh_from_db()
    assert source.text.startswith("Astana, October 21")


def test_the_source_page_marks_every_cited_passage_and_lists_the_rest(seeded, analyst_client):
    source = Source.objects.get(slug=SOURCE)
    citations = Citation.objects.filter(source=source)
    response = analyst_client.get(change_url(source))
    page = response.content.decode()
    legend = response.context["citation_legend"]
    assert len(legend) == citations.count() > 0
    assert page.count('<mark class="cited"') >= 1
    assert page.count('<sup class="cite-ref">') == citations.count()
    meeting = Meeting.objects.get(slug=SLUG)
    assert f'href="{change_url(meeting)}"' in page
    uncited = response.context["uncited_sentences"]
    assert uncited
    for passage in uncited:
        assert source.text[passage.start : passage.end] == passage.text
        assert not any(c.start < passage.end and passage.start < c.end for c in citations)


def test_a_hostile_text_is_escaped_on_the_source_page(seeded, analyst_client):
    text = 'Breaking: <script>alert("x")</script> talks held. <img src=x onerror=alert(1)>\n'
    _add_source(analyst_client, text=text)
    source = Source.objects.get(slug="new-article")
    meeting = Meeting.objects.get(slug=SLUG)
    from records.services import citation_create

    citation_create(record=meeting, source=source, quote='<script>alert("x")</script>')
    page = analyst_client.get(change_url(source)).content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
