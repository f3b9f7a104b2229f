"""Status events and milestones are cited on their document's and project's page; saving one
on its own page returns to the record it belongs to."""

from agreements.models import Document, Milestone, StatusEvent
from records.models import Source
from tests.admin.conftest import change_url, form_data

PREFIX = "records-citation-content_type-object_id"
TEXT = "The agreement was ratified by parliament on 3 March. Work on the plant began in May."


def citations_formset(response):
    return next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == PREFIX
    )


def add_row(client, record, **row):
    response = client.get(change_url(record))
    data = form_data(response)
    index = int(data[f"{PREFIX}-TOTAL_FORMS"])
    data[f"{PREFIX}-TOTAL_FORMS"] = str(index + 1)
    data.update({f"{PREFIX}-{index}-{name}": str(value) for name, value in row.items()})
    return client.post(change_url(record), data)


def test_a_status_event_is_cited_on_its_documents_page(seeded, analyst_client):
    event = StatusEvent.objects.select_related("document").first()
    document = event.document
    source = Source.objects.create(title="A parliament text", slug="parliament", text=TEXT)
    response = analyst_client.get(change_url(document))
    target = f"agreements.statusevent:{event.pk}"
    choices = dict(citations_formset(response).empty_form.fields["target"].choices)
    assert choices[""] == "this document"
    assert choices[target] == f"status event: {event}"
    response = add_row(
        analyst_client,
        document,
        target=target,
        source=source.pk,
        quote="ratified by parliament on 3 March",
        field="date",
        occurrence="",
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    citation = event.citations.get(source=source)
    assert citation.field == "date"
    assert not document.citations.filter(source=source).exists()
    document.refresh_from_db()
    assert "status_history" in document.analyst_edited
    # Shown again on the document's page, as the event's.
    rows = citations_formset(analyst_client.get(change_url(document))).initial_forms
    (row,) = [row for row in rows if row.instance.pk == citation.pk]
    assert row["target"].value() == target


def test_a_parts_field_must_be_one_of_the_parts_facts(seeded, analyst_client):
    milestone = Milestone.objects.select_related("project").first()
    source = Source.objects.create(title="A plant text", slug="plant", text=TEXT)
    response = add_row(
        analyst_client,
        milestone.project,
        target=f"agreements.milestone:{milestone.pk}",
        source=source.pk,
        quote="Work on the plant began in May.",
        field="location_city",  # the project's fact, not the milestone's
        occurrence="",
    )
    assert response.status_code == 200
    assert "“location_city” is not a field of a milestone" in response.content.decode()
    assert (
        not milestone.citations.exists() or not milestone.citations.filter(source=source).exists()
    )


def test_saving_a_part_on_its_own_page_returns_to_its_record(seeded, analyst_client):
    event = StatusEvent.objects.select_related("document").first()
    url = change_url(event)
    data = form_data(analyst_client.get(url))
    response = analyst_client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == change_url(event.document)
    data = form_data(analyst_client.get(url))
    data["_continue"] = "Save and continue editing"
    response = analyst_client.post(url, data)
    assert response["Location"] == url
    milestone = Milestone.objects.select_related("project").first()
    response = analyst_client.post(
        change_url(milestone), form_data(analyst_client.get(change_url(milestone)))
    )
    assert response["Location"] == change_url(milestone.project)


def test_records_without_cited_parts_have_no_target_column(seeded, analyst_client):
    meeting = Document.objects.exclude(meeting=None).first().meeting
    formset = citations_formset(analyst_client.get(change_url(meeting)))
    assert "target" not in formset.empty_form.fields


def test_a_parts_quote_costs_the_document_page_what_its_own_quote_does(seeded, analyst_client):
    """Each row's source box (the admin's autocomplete) reads its one source; a part's quote
    adds nothing to that, however many parts and quotes there are."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    event = StatusEvent.objects.select_related("document").first()
    document = event.document
    source = Source.objects.create(title="A parliament text", slug="parliament", text=TEXT)
    quotes = ("The agreement was ratified", "ratified by parliament on 3 March", "on 3 March.")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert analyst_client.get(change_url(document)).status_code == 200
        return len(captured)

    before = queries()
    for quote in quotes:
        event.citations.create(source=source, quote=quote, field="date")
    with_parts = queries()
    for quote in quotes:
        document.citations.create(source=source, quote=quote, field="date")
    assert with_parts - before == queries() - with_parts == len(quotes)


def test_a_document_without_steps_shows_its_quote_for_column_with_one_choice(
    seeded, analyst_client
):
    document = Document.objects.filter(status_events__isnull=True).first()
    if document is None:
        document = StatusEvent.objects.first().document
        document.status_events.all().delete()
    response = analyst_client.get(change_url(document))
    assert response.status_code == 200
    choices = citations_formset(response).empty_form.fields["target"].choices
    assert list(choices) == [("", "this document")]
