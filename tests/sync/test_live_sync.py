"""The example client in docs/examples/sync_client.py, run against a live server while this
thread edits, publishes, unpublishes and deletes records (embedded ones included): once the
edits stop and it syncs once more, its copy equals a fresh download, record for record."""

import importlib.util
import threading
from pathlib import Path

import pytest
from django.db import connections

from agreements.models import Document
from records.models import Citation, Source
from records.services import records_publish, records_unpublish
from summits.models import Body, Meeting, MeetingPerson, Person

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "sync_client.py"


def load_example():
    spec = importlib.util.spec_from_file_location("sync_client", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def edits():
    """Writes of every sort an anonymous client can observe, one after another."""
    person = Person.objects.get(slug="ilham-aliyev")
    person.name += " (renamed)"
    yield person.save()
    document = Document.objects.published().order_by("pk").first()
    yield records_unpublish(queryset=Document.objects.filter(pk=document.pk), user=None)
    body = Body.objects.published().order_by("pk").first()
    body.name += " (renamed)"
    yield body.save()
    yield records_publish(queryset=Document.objects.filter(pk=document.pk), user=None)
    attendance = MeetingPerson.objects.order_by("pk").first()
    yield attendance.delete()
    citation = Citation.objects.order_by("pk").first()
    citation.quote = citation.quote[:-1]
    yield citation.save()
    meeting = Meeting.objects.create(slug="a-new-meeting", title="A new meeting", kind="talks")
    yield records_publish(queryset=Meeting.objects.filter(pk=meeting.pk), user=None)
    source = Source.objects.published().order_by("-pk").first()
    yield records_unpublish(queryset=Source.objects.filter(pk=source.pk), user=None)
    yield Document.objects.get(pk=document.pk).delete()
    meeting.title += " (edited)"
    yield meeting.save()
    yield records_unpublish(queryset=Person.objects.filter(pk=person.pk), user=None)
    yield Meeting.objects.get(pk=meeting.pk).delete()
    yield records_publish(queryset=Source.objects.filter(pk=source.pk), user=None)


@pytest.fixture
def unthrottled(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000000/minute"},
    }


def test_the_example_client_stays_in_step(live_seeded, live_server, unthrottled, tmp_path):
    example = load_example()
    base = live_server.url + "/api/v1/"
    copy = tmp_path / "copy.json"
    stop, failures, runs = threading.Event(), [], []

    def keep_syncing():
        try:
            while not stop.is_set():
                runs.append(example.run(base, copy))
        except Exception as error:  # reported by the main thread
            failures.append(error)
        finally:
            connections.close_all()

    client = threading.Thread(target=keep_syncing)
    client.start()
    try:
        for _ in edits():
            pass
    finally:
        stop.set()
        client.join(timeout=120)
    assert not failures, failures
    assert runs, "the client never finished a sync while records were edited"
    final = example.run(base, copy)
    fresh, _ = example.PactaClient(base).download()
    assert final["records"].keys() == fresh.keys()
    for resource, records in fresh.items():
        assert final["records"][resource] == records, resource
    assert "a-new-meeting" not in fresh["meetings"]
    assert "ilham-aliyev" not in fresh["persons"]
