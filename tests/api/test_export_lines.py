"""A public export's lines are kept per record between data versions, each with the
`updated_at` it was built at (records/api/lines.py): after a write, the next export builds
only the lines of the records whose public JSON the write changed, and is byte for byte the
export built afresh."""

import json
import os
import sqlite3
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from agreements.models import Document
from records.api import downloads, lines
from summits.models import Meeting, Person
from tests.api.conftest import streamed

pytestmark = pytest.mark.django_db


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Writes as a deployment commits them: the change tracking, which moves `updated_at`,
    runs when the transaction commits."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


EXPORTS = ["/api/v1/meetings/export.csv", "/api/v1/meetings/export.jsonl"]


def afresh(client, url: str) -> str:
    """The export built with nothing kept: no file, no lines."""
    kept = settings.PACTA_DOWNLOAD_FILES_MB
    settings.PACTA_DOWNLOAD_FILES_MB = 0
    try:
        return streamed(client.get(url))
    finally:
        settings.PACTA_DOWNLOAD_FILES_MB = kept


def stores() -> list[Path]:
    return sorted((Path(settings.PACTA_DATASET_DIR) / "lines").glob("*.sqlite3"))


@pytest.fixture
def built(monkeypatch) -> list[int]:
    """(model, id) of the records whose lines were built, in the order they were."""
    ids: list[tuple] = []
    build = lines.built_lines

    def counting(queryset, plan, encode, pks):
        ids.extend((queryset.model, pk) for pk in pks)
        return build(queryset, plan, encode, pks)

    monkeypatch.setattr(lines, "built_lines", counting)
    return ids


@pytest.mark.parametrize("url", EXPORTS)
def test_the_first_export_keeps_every_line_and_matches_one_built_afresh(seeded, client, url):
    body = streamed(client.get(url))
    assert body == afresh(client, url)
    [store] = stores()
    assert store.name.startswith("meetings-" + url.rsplit(".", 1)[1])


@pytest.mark.parametrize("url", EXPORTS)
def test_after_a_write_only_the_records_it_changed_are_built(
    seeded, client, url, built, committed
):
    streamed(client.get(url))
    everything = list(built)
    assert len(everything) == Meeting.objects.published().count()
    built.clear()
    meeting = Meeting.objects.published().get(slug="az-kz-supreme-interstate-council-1")
    with committed():
        meeting.title = "Renamed by an analyst"
        meeting.save()
    body = streamed(client.get(url))
    assert built == [(Meeting, meeting.pk)]
    assert "Renamed by an analyst" in body
    assert body == afresh(client, url)


def test_a_renamed_person_rebuilds_the_meetings_showing_them(seeded, client, built, committed):
    url = EXPORTS[1]  # the CSV names a person by slug, the JSON by name too
    streamed(client.get(url))
    built.clear()
    person = Person.objects.get(slug="ilham-aliyev")
    showing = set(
        Meeting.objects.published().filter(attendances__person=person).values_list("pk", flat=True)
    )
    assert showing
    with committed():
        person.name = "A Renamed Person"
        person.save()
    body = streamed(client.get(url))
    assert set(built) == {(Meeting, pk) for pk in showing}
    assert body.count("A Renamed Person") >= len(showing)
    assert body == afresh(client, url)


def test_a_document_unpublished_leaves_the_meetings_showing_it(seeded, client, committed):
    url = EXPORTS[1]
    streamed(client.get(url))
    document = Document.objects.published().filter(meeting__isnull=False).first()
    with committed():
        document.status = "draft"
        document.save()
    body = streamed(client.get(url))
    assert body == afresh(client, url)
    assert f'"{document.slug}"' not in body


def test_unpublished_and_deleted_meetings_leave_the_export(seeded, client, built, committed):
    url = EXPORTS[0]
    streamed(client.get(url))
    built.clear()
    first, second = Meeting.objects.published().order_by("pk")[:2]
    with committed():
        first.status = "draft"
        first.save()
        second.delete()
    body = streamed(client.get(url))
    assert first.slug not in body and second.slug not in body
    assert body == afresh(client, url)


def test_a_filtered_or_reordered_export_takes_the_kept_lines(seeded, client, built):
    streamed(client.get(EXPORTS[0]))
    built.clear()
    for url in (
        EXPORTS[0] + "?country=AZ",
        EXPORTS[0] + "?ordering=-date",
        EXPORTS[0] + "?q=council",
    ):
        body = streamed(client.get(url))
        assert built == [], url
        assert body == afresh(client, url)


def test_a_write_the_tracking_did_not_see_is_picked_up_after_record_changes(seeded, client):
    # queryset.update() bypasses the change tracking: `record_changes` reconciles, as after
    # any bulk load (records/tracking.py), and moves `updated_at` where the JSON changed.
    url = EXPORTS[0]
    streamed(client.get(url))
    Meeting.objects.filter(slug="az-kz-supreme-interstate-council-1").update(
        title="Bulk-loaded title"
    )
    call_command("record_changes", verbosity=0)
    body = streamed(client.get(url))
    assert "Bulk-loaded title" in body
    assert body == afresh(client, url)


def test_a_damaged_store_is_made_again(seeded, client, committed):
    url = EXPORTS[0]
    streamed(client.get(url))
    [store] = stores()
    for part in store.parent.glob(store.name + "*"):
        part.write_bytes(b"not a database" * 100)
    meeting = Meeting.objects.published().first()
    with committed():
        meeting.title = "After the damage"
        meeting.save()
    assert streamed(client.get(url)) == afresh(client, url)
    assert stores() == [store]


def test_a_store_that_cannot_be_made_costs_only_speed(seeded, client, built):
    url = EXPORTS[0]
    directory = Path(settings.PACTA_DATASET_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "lines").write_text("a file where the directory would be")
    assert streamed(client.get(url)) == afresh(client, url)
    assert len(built) == Meeting.objects.published().count()


def test_staff_exports_keep_no_lines(seeded, admin_client):
    streamed(admin_client.get(EXPORTS[0]))
    assert stores() == []


def test_another_host_has_its_own_store(seeded, client):
    streamed(client.get(EXPORTS[0]))
    streamed(client.get(EXPORTS[0], HTTP_HOST="127.0.0.1"))
    assert len(stores()) == 2


def test_a_store_unused_for_a_week_is_removed(seeded, client):
    streamed(client.get(EXPORTS[0]))
    [store] = stores()
    week = time.time() - downloads.UNUSED_LINES_SECONDS - 60
    os.utime(store, (week, week))
    downloads.pruned(Path(settings.PACTA_DATASET_DIR), keep=Path("nothing"))
    assert stores() == []
    assert list(store.parent.glob(store.name + "*")) == []


def without_build_time(body: str) -> dict:
    dataset = json.loads(body)
    dataset.pop("built_at")
    return dataset


def test_dataset_json_takes_the_json_lines_the_export_keeps(seeded, client, built, committed):
    streamed(client.get(EXPORTS[1]))
    built.clear()
    dataset = streamed(client.get("/api/v1/dataset.json"))
    # Every timestamped resource's lines but the meetings' were built; the meetings' were
    # kept by their JSON Lines export.
    meetings = {(Meeting, pk) for pk in Meeting.objects.published().values_list("pk", flat=True)}
    assert built and not meetings & set(built)
    assert without_build_time(dataset) == without_build_time(
        afresh(client, "/api/v1/dataset.json")
    )
    built.clear()
    meeting = Meeting.objects.published().get(slug="az-kz-supreme-interstate-council-1")
    with committed():
        meeting.title = "Renamed for the dataset"
        meeting.save()
    dataset = streamed(client.get("/api/v1/dataset.json"))
    assert (Meeting, meeting.pk) in built and len(built) < len(meetings)
    assert "Renamed for the dataset" in dataset
    assert without_build_time(dataset) == without_build_time(
        afresh(client, "/api/v1/dataset.json")
    )


def test_a_store_busy_with_another_worker_is_left_alone(seeded, client, built, monkeypatch):
    url = EXPORTS[0]
    streamed(client.get(url))
    [store] = stores()
    built.clear()
    opening = lines.LineStore.open

    def busy(self):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(lines.LineStore, "open", busy)
    body = streamed(client.get(url + "?country=AZ"))
    assert body == afresh(client, url + "?country=AZ")
    # Built without the store, which stays, with every line it kept.
    assert built
    assert stores() == [store]
    monkeypatch.setattr(lines.LineStore, "open", opening)
    built.clear()
    streamed(client.get(url + "?country=KZ"))
    assert built == []


def test_writes_that_find_the_store_busy_only_cost_keeping_those_lines(
    seeded, client, built, committed
):
    url = EXPORTS[0]
    streamed(client.get(url))
    [store] = stores()
    meeting = Meeting.objects.published().first()
    with committed():
        meeting.title = "Edited while the store is busy"
        meeting.save()
    built.clear()
    other = sqlite3.connect(store, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another worker writing its lines
    monkeypatch_busy = lines.BUSY_MS
    lines.BUSY_MS = 50
    try:
        body = streamed(client.get(url))
    finally:
        lines.BUSY_MS = monkeypatch_busy
        other.execute("ROLLBACK")
        other.close()
    assert built == [(Meeting, meeting.pk)]
    assert body == afresh(client, url)
    assert stores() == [store]


def test_any_change_to_the_projects_code_makes_a_new_store(settings, tmp_path):
    (tmp_path / "config").mkdir()
    source = tmp_path / "config" / "renderer.py"
    source.write_text("LABEL = 'Summit'\n")
    settings.BASE_DIR = tmp_path
    try:
        lines.code_digest.cache_clear()
        before = lines.code_digest()
        lines.code_digest.cache_clear()
        assert lines.code_digest() == before
        source.write_text("LABEL = 'Summit meeting'\n")
        lines.code_digest.cache_clear()
        assert lines.code_digest() != before
    finally:
        lines.code_digest.cache_clear()
