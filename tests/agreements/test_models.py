import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from agreements.models import Document, DocumentRelation, Package, StatusEvent

pytestmark = pytest.mark.usefixtures("empty_db")


def make_document(slug: str) -> Document:
    return Document.objects.create(slug=slug, title=slug, kind=Document.Kind.AGREEMENT)


def test_a_document_cannot_relate_to_itself():
    document = make_document("d")
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentRelation.objects.create(
            from_document=document, to_document=document, kind=DocumentRelation.Kind.AMENDS
        )


def test_a_relation_is_recorded_once():
    first, second = make_document("a"), make_document("b")
    DocumentRelation.objects.create(from_document=first, to_document=second, kind="amends")
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentRelation.objects.create(from_document=first, to_document=second, kind="amends")


def test_status_history_is_in_date_order_with_undated_last():
    document = make_document("peace")
    StatusEvent.objects.create(document=document, status="signed")
    StatusEvent.objects.create(document=document, status="initialed", date=dt.date(2025, 8, 8))
    StatusEvent.objects.create(document=document, status="proposed", date=dt.date(2024, 4, 15))
    assert [event.status for event in document.status_events.all()] == [
        "proposed",
        "initialed",
        "signed",
    ]


def test_package_says_how_many_of_its_documents_are_identified():
    package = Package(slug="p", title="p", announced_count=10)
    assert package.identified_display(1) == "1 of 10 identified"
    package.announced_count = None
    assert package.identified_display(2) == "2 identified, total not stated"
