"""Issue 19: a streamed download that fails half-way fails for the client too, one nobody reads
is dropped after a while, and the public sources list counts only quotes of published records.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

import config.api as api
from agreements.models import Document
from records.api import viewsets as api_support
from records.models import Citation, Source


@pytest.fixture
def failing_second_record(monkeypatch):
    real = api_support.json_line
    calls = []

    def fail_on_second(record: dict) -> str:
        calls.append(record)
        if len(calls) == 2:
            raise RuntimeError("the database went away half-way")
        return real(record)

    monkeypatch.setattr(api_support, "json_line", fail_on_second)
    monkeypatch.setattr(api, "json_line", fail_on_second)
    return calls


@pytest.mark.parametrize("url", ["/api/v1/persons/export.jsonl", "/api/v1/dataset.json"])
def test_a_stream_that_fails_half_way_is_not_ended_cleanly(seeded, failing_second_record, url):
    response = Client().get(url)
    assert response.streaming
    # The failure reaches the server, which drops the connection without the chunked
    # terminator; ending the body cleanly here would hand the client a truncated file as a 200.
    with pytest.raises(RuntimeError, match="half-way"):
        b"".join(response.streaming_content)


class RecordingSocket:
    timeout: float | None = None

    def settimeout(self, value: float | None) -> None:
        self.timeout = value


def test_a_download_under_gunicorn_gets_an_idle_timeout(seeded, settings):
    settings.PACTA_STREAM_IDLE_SECONDS = 7
    client_socket = RecordingSocket()
    response = Client().get("/api/v1/persons/export.csv", **{"gunicorn.socket": client_socket})
    assert response.streaming
    assert client_socket.timeout == 7
    page = RecordingSocket()
    Client().get("/api/v1/persons/", **{"gunicorn.socket": page})
    assert page.timeout is None  # only streams: a plain answer is written at once


def _published(record) -> bool:
    # A status event or milestone is published with its document or project.
    owner = getattr(record, "document", None) or getattr(record, "project", None) or record
    return owner.status == "published"


def test_the_sources_list_counts_only_quotes_cited_by_published_records(client, seeded):
    source = Source.objects.published().filter(passages__isnull=False).distinct().first()
    cited = list(Citation.objects.filter(source=source).order_by("pk"))
    document = next(c.record for c in cited if isinstance(c.record, Document))
    Document.objects.filter(pk=document.pk).update(status="draft")
    expected = sum(1 for c in Citation.objects.filter(source=source) if _published(c.record))
    assert expected < len(cited)
    response = client.get(reverse("source-list"), {"q": source.title})
    row = next(row for row in response.context["object_list"] if row.pk == source.pk)
    assert row.citation_count == expected
