"""Concurrent writers lose nothing: 25 threads, each with its own connection, 5 citations each."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections

from records.models import Citation, Source
from records.services import citation_create
from summits.models import Meeting

WORKERS, EACH = 25, 5


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_25_workers_adding_5_citations_each_to_one_meeting_leave_125():
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers with one lock; this is about PostgreSQL")
    source = Source.objects.create(
        slug="concurrency-source",
        title="t",
        publisher="p",
        text=" ".join(f"sentence-{n}." for n in range(WORKERS * EACH)),
    )
    meeting = Meeting.objects.create(slug="busy-meeting", title="Busy", kind="talks")

    def work(worker: int) -> int:
        try:
            for n in range(EACH):
                citation_create(
                    record=meeting, source=source, quote=f"sentence-{worker * EACH + n}."
                )
            return EACH
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        written = sum(pool.map(work, range(WORKERS)))

    assert written == WORKERS * EACH
    citations = Citation.objects.filter(object_id=meeting.pk, source=source)
    assert citations.count() == WORKERS * EACH
    assert len({citation.quote for citation in citations}) == WORKERS * EACH
    for citation in citations:
        assert source.text[citation.start : citation.end] == citation.quote
