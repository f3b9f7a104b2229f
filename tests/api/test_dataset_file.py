"""The public dataset.json is built once per data version, written to a file while the first
request streams it (an atomic rename at the end), then served from that file with its ETag
(config/api.py)."""

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.signals import request_finished
from django.db import close_old_connections

from summits.models import Meeting
from tests.api.conftest import streamed

URL = "/api/v1/dataset.json"

pytestmark = pytest.mark.django_db


def files() -> list[Path]:
    # The built downloads; the stores of export lines are in a directory of their own.
    return sorted(path for path in Path(settings.PACTA_DATASET_DIR).glob("*") if path.is_file())


def test_the_file_is_built_once_then_served_from_disk(
    seeded, client, django_assert_max_num_queries
):
    first = client.get(URL)
    body = streamed(first)
    [built] = files()
    assert built.read_text(encoding="utf-8") == body
    with django_assert_max_num_queries(2):  # the throttle's count, nothing of the data
        again = client.get(URL)
        assert streamed(again) == body
    assert again["ETag"] == first["ETag"]
    assert again["Content-Disposition"] == 'attachment; filename="pacta-dataset.json"'
    assert again["Link"] == first["Link"]
    assert client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_a_write_builds_a_new_file(seeded, client, django_capture_on_commit_callbacks):
    before = json.loads(streamed(client.get(URL)))
    meeting = Meeting.objects.get(slug="az-kz-supreme-interstate-council-1")
    with django_capture_on_commit_callbacks(execute=True):
        meeting.title = "Renamed"
        meeting.save()
    after = json.loads(streamed(client.get(URL)))
    titles = {m["slug"]: m["title"] for m in after["meetings"]}
    assert titles["az-kz-supreme-interstate-council-1"] == "Renamed"
    assert after != before
    assert len(files()) >= 1


def test_an_interrupted_download_leaves_no_file(seeded, client):
    response = client.get(URL)
    next(iter(response.streaming_content))
    # The client goes away and the server closes the response, keeping the test's database
    # connection open as the test client itself does.
    request_finished.disconnect(close_old_connections)
    try:
        response.close()
    finally:
        request_finished.connect(close_old_connections)
    assert files() == []


def test_staff_get_a_fresh_build_with_drafts_never_the_file(seeded, client, admin_client):
    streamed(admin_client.get(URL))
    assert files() == []
    streamed(client.get(URL))
    [public] = files()
    streamed(admin_client.get(URL))
    assert files() == [public]
