"""The citation forms say why a quote fails, offer the source's exact text, ask which
occurrence, refuse short quotes, and take the field from the cited record's facts."""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType

from records.admin import FieldReviewFilter
from records.models import Citation, Source
from summits.models import Meeting
from tests.admin.conftest import change_url, changelist_url, form_data

SLUG = "az-kz-supreme-interstate-council-2"
PREFIX = "records-citation-content_type-object_id"
TEXT = (
    "Baku, 3 March. The leaders met at the Uzbekistan–Azerbaijan Supreme Interstate "
    "\u0421ouncil in Baku. The sides signed the agreement. The sides signed the agreement. "
    "The President of Azerbaijan hosted a dinner for the guests."
)


def agency_source() -> Source:
    # "С" above is Cyrillic, as in the agency text of the issue.
    return Source.objects.create(title="An agency text", slug="agency-text", text=TEXT)


def post_citation(client, meeting, source, quote, *, field="city", occurrence="", extra=None):
    data = form_data(client.get(change_url(meeting)))
    index = int(data[f"{PREFIX}-TOTAL_FORMS"])
    data[f"{PREFIX}-TOTAL_FORMS"] = str(index + 1)
    data[f"{PREFIX}-{index}-source"] = str(source.pk)
    data[f"{PREFIX}-{index}-quote"] = quote
    data[f"{PREFIX}-{index}-field"] = field
    data[f"{PREFIX}-{index}-occurrence"] = occurrence
    data.update({key.format(index=index): value for key, value in (extra or {}).items()})
    return client.post(change_url(meeting), data), index


def test_a_look_alike_letter_is_explained_and_the_exact_text_offered(seeded, analyst_client):
    meeting, source = Meeting.objects.get(slug=SLUG), agency_source()
    typed = "the Uzbekistan-Azerbaijan Supreme Interstate Council in Baku"
    response, index = post_citation(analyst_client, meeting, source, typed)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Cyrillic capital letter es" in page
    assert "Latin capital letter c" in page
    assert "a different dash" in page
    exact = "the Uzbekistan–Azerbaijan Supreme Interstate \u0421ouncil in Baku"
    assert f'name="{PREFIX}-{index}-use_source_text"' in page
    assert not meeting.citations.filter(source=source).exists()
    # The button's own submission (no script) stores the source's text, verbatim.
    response, _ = post_citation(
        analyst_client,
        meeting,
        source,
        typed,
        extra={f"{PREFIX}-{{index}}-use_source_text": f"1:{exact}"},
    )
    assert response.status_code == 302
    citation = meeting.citations.get(source=source)
    assert citation.quote == exact
    assert TEXT[citation.start : citation.end] == exact


def test_a_missing_word_is_named_without_a_fix(seeded, analyst_client):
    meeting, source = Meeting.objects.get(slug=SLUG), agency_source()
    response, _index = post_citation(
        analyst_client,
        meeting,
        source,
        "The President of Azerbaijan hosted dinner for the guests.",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "The quote is not found verbatim in source “agency-text”" in page
    assert "leaves out “a” after “hosted”" in page
    assert "use_source_text" not in page
    # Said once, and nothing else is wrong with the row.
    assert page.count("not found verbatim") == 1
    assert "This field cannot be null" not in page


def test_a_repeated_quote_asks_which_occurrence(seeded, analyst_client):
    meeting, source = Meeting.objects.get(slug=SLUG), agency_source()
    quote = "The sides signed the agreement."
    response, _ = post_citation(analyst_client, meeting, source, quote)
    page = response.content.decode()
    assert response.status_code == 200
    assert "appears 2 times in source “agency-text”. Which one do you cite?" in page
    assert page.count('class="quote-occurrence"') == 2
    response, _ = post_citation(analyst_client, meeting, source, quote, occurrence="2")
    assert response.status_code == 302
    citation = meeting.citations.get(source=source)
    assert citation.start == TEXT.index(quote, TEXT.index(quote) + 1)


def test_a_short_quote_is_refused(seeded, analyst_client):
    meeting, source = Meeting.objects.get(slug=SLUG), agency_source()
    response, _ = post_citation(analyst_client, meeting, source, "in Baku")
    assert response.status_code == 200
    assert "A quote needs at least 3 words" in response.content.decode()


def test_the_field_is_a_choice_of_the_records_facts(seeded, analyst_client):
    meeting, source = Meeting.objects.get(slug=SLUG), agency_source()
    response, _ = post_citation(analyst_client, meeting, source, "in Baku. The", field="ctiy")
    assert response.status_code == 200
    assert "Select a valid choice. ctiy is not one of the available choices." in (
        response.content.decode()
    )
    options = response.context["inline_admin_formsets"][-1].formset.empty_form.fields["field"]
    assert ("city", "city") in options.choices
    assert options.choices[0] == ("", "whole record")


def test_the_stand_alone_page_checks_the_field_against_the_kind_chosen(seeded, analyst_client):
    meeting, source = Meeting.objects.get(slug=SLUG), agency_source()
    content_type = ContentType.objects.get_for_model(Meeting)
    data = {
        "source": source.pk,
        "quote": "hosted a dinner for the guests",
        "occurrence": "",
        "field": "place_city",  # a document's fact, not a meeting's
        "content_type": content_type.pk,
        "object_id": meeting.pk,
    }
    response = analyst_client.post("/admin/records/citation/add/", data)
    assert response.status_code == 200
    assert "place_city is not one of the available choices" in response.content.decode()
    data["field"] = "host_country"
    response = analyst_client.post("/admin/records/citation/add/", data)
    assert response.status_code == 302
    assert meeting.citations.get(source=source).field == "host_country"


def test_a_stored_unknown_field_is_kept_and_does_not_block_the_record(seeded, analyst_client):
    meeting, source = Meeting.objects.get(slug=SLUG), agency_source()
    citation = Citation.objects.create(
        source=source,
        content_type=ContentType.objects.get_for_model(Meeting),
        object_id=meeting.pk,
        quote="hosted a dinner for the guests",
    )
    Citation.objects.filter(pk=citation.pk).update(field="zzz")
    page = analyst_client.get(change_url(meeting))
    assert "zzz (not a field of a meeting: choose one)" in page.content.decode()
    response = analyst_client.post(change_url(meeting), form_data(page))
    assert response.status_code == 302
    assert Citation.objects.get(pk=citation.pk).field == "zzz"
    listed = analyst_client.get(
        changelist_url(Citation), {FieldReviewFilter.parameter_name: "unknown"}
    )
    assert list(listed.context["cl"].result_list) == [Citation.objects.get(pk=citation.pk)]


def test_the_migration_maps_clear_typos_and_keeps_the_rest(seeded):
    migration = __import__(
        "records.migrations.0006_citation_field_is_a_fact_of_its_record", fromlist=["map_fields"]
    )
    meeting, source = Meeting.objects.get(slug=SLUG), agency_source()
    rows = {}
    for stored in ("ctiy", "Start date", "host-country", "zzz", "date"):
        citation = Citation.objects.create(
            source=source,
            content_type=ContentType.objects.get_for_model(Meeting),
            object_id=meeting.pk,
            quote="hosted a dinner for the guests",
        )
        Citation.objects.filter(pk=citation.pk).update(field=stored)
        rows[stored] = citation.pk
    migration.map_fields(apps, None)
    after = {stored: Citation.objects.get(pk=pk).field for stored, pk in rows.items()}
    assert after == {
        "ctiy": "city",
        "Start date": "start_date",
        "host-country": "host_country",
        "zzz": "zzz",
        "date": "date",
    }


def test_a_malformed_kind_on_the_stand_alone_page_is_a_form_error(seeded, analyst_client):
    source = agency_source()
    data = {"source": source.pk, "quote": "hosted a dinner for the guests", "field": "city"}
    for kind in ("abc", "-1", "99999999"):
        response = analyst_client.post(
            "/admin/records/citation/add/", {**data, "content_type": kind, "object_id": "1"}
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["content_type"]
