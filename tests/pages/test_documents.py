import pytest
from django.urls import reverse

from agreements.models import Document, Package, StatusEvent
from records.models import EditorialStatus

from .conftest import count_queries, text_of

pytestmark = pytest.mark.django_db

TREATY = "az-kz-treaty-strategic-partnership-allied-relations"


def test_the_list_filters_by_status_with_counts(client, seeded):
    response = client.get(reverse("document-list"), {"status": "signed"})
    assert response.status_code == 200
    shown = set(response.context["object_list"].values_list("pk", flat=True))
    signed = set(
        StatusEvent.objects.filter(status="signed", document__status="published").values_list(
            "document", flat=True
        )
    )
    assert shown == signed
    facets = {facet.param: values for facet, values in response.context["facets"]}
    statuses = {value.value: value.count for value in facets["status"]}
    # The status facet ignores its own parameter: counts over every published document.
    for status, count in statuses.items():
        assert count == (
            Document.objects.published().filter(status_events__status=status).distinct().count()
        )
    kinds = {value.value: value.count for value in facets["kind"]}
    assert sum(kinds.values()) == len(shown)


def test_pair_filter_countries_needs_both(client, seeded):
    response = client.get(reverse("document-list"), {"countries": "AZ,KZ"})
    slugs = set(response.context["object_list"].values_list("slug", flat=True))
    assert TREATY in slugs
    for document in response.context["object_list"]:
        codes = set(document.party_roles.values_list("country__code", flat=True))
        assert {"AZ", "KZ"} <= codes


def test_the_detail_shows_status_history_date_precision_and_json(client, seeded):
    document = Document.objects.get(slug=TREATY)
    response = client.get(document.get_absolute_url())
    page = text_of(response)
    assert response.status_code == 200
    assert "2005 · as written: “the 20th anniversary” (year inferred: Tokayev says" in page
    assert "Status history" in page
    for event in document.status_events.all():
        assert event.get_status_display() in page
    assert 'datetime="2005"' in response.content.decode()
    assert reverse("api:document-detail", kwargs={"slug": TREATY}) in response.content.decode()


def test_a_package_says_how_many_documents_are_identified(client, seeded):
    package = Package.objects.get(slug="az-kg-package-2022-04-20")
    response = client.get(package.get_absolute_url())
    identified = package.documents.filter(status=EditorialStatus.PUBLISHED).count()
    assert f"{identified} of 10 identified" in text_of(response)
    listing = text_of(client.get(reverse("package-list")))
    assert f"{identified} of 10 identified" in listing
    assert "total not stated" in listing


def test_a_draft_document_is_404_and_hidden_from_its_package(client, seeded):
    document = Document.objects.filter(package__isnull=False).first()
    Document.objects.filter(pk=document.pk).update(status=EditorialStatus.DRAFT)
    assert client.get(document.get_absolute_url()).status_code == 404
    package_page = client.get(document.package.get_absolute_url()).content.decode()
    assert document.get_absolute_url() not in package_page


def test_document_and_package_lists_cost_a_fixed_number_of_queries(client, seeded):
    first = {
        "documents": count_queries(client, reverse("document-list")),
        "packages": count_queries(client, reverse("package-list")),
    }
    source = Document.objects.get(slug=TREATY)
    parties = list(source.party_roles.all())
    created = Document.objects.bulk_create(
        Document(slug=f"bulk-doc-{n}", title=f"Bulk {n}", kind="memorandum", status="published")
        for n in range(30)
    )
    Document.parties.through.objects.bulk_create(
        Document.parties.through(document=d, country=p.country) for d in created for p in parties
    )
    StatusEvent.objects.bulk_create(StatusEvent(document=d, status="signed") for d in created)
    Package.objects.bulk_create(
        Package(slug=f"bulk-pkg-{n}", title=f"Bulk {n}", status="published") for n in range(30)
    )
    assert count_queries(client, reverse("document-list")) == first["documents"] <= 17
    assert count_queries(client, reverse("package-list")) == first["packages"] <= 10
