"""A public export is built once per data version and set of filters, written to a file while
the first request streams it, then served from that file with its ETag; the directory is kept
under PACTA_DOWNLOAD_FILES_MB (records/api/downloads.py). dataset.json's own file is tested
in test_dataset_file.py."""

import os
import time
from pathlib import Path

import pytest
from django.conf import settings

from records.api import downloads
from summits.models import Meeting
from tests.api.conftest import streamed

CSV = "/api/v1/meetings/export.csv"

pytestmark = pytest.mark.django_db


def files() -> list[Path]:
    # The built downloads; the stores of export lines are in a directory of their own.
    return sorted(path for path in Path(settings.PACTA_DATASET_DIR).glob("*") if path.is_file())


@pytest.mark.parametrize("suffix", ["csv", "jsonl"])
def test_an_export_is_built_once_then_served_from_disk(
    seeded, client, django_assert_max_num_queries, suffix
):
    url = f"/api/v1/meetings/export.{suffix}?country=AZ"
    first = client.get(url)
    body = streamed(first)
    [built] = files()
    assert built.name.startswith("meetings-") and built.suffix == f".{suffix}"
    assert built.read_bytes().decode("utf-8") == body  # CSV lines end in \r\n, kept
    # The throttle's count and the filter's country, nothing of the rows.
    with django_assert_max_num_queries(3):
        again = client.get(url)
        assert streamed(again) == body
    assert again["ETag"] == first["ETag"]
    assert again["Content-Type"] == first["Content-Type"]
    assert again["Content-Disposition"] == first["Content-Disposition"]
    assert again["Link"] == first["Link"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


def test_each_set_of_filters_has_its_file_and_other_parameters_none(seeded, client):
    everything = streamed(client.get(CSV))
    azerbaijan = streamed(client.get(CSV + "?country=AZ"))
    assert len(files()) == 2
    assert everything != azerbaijan
    assert streamed(client.get(CSV + "?cb=1&utm_source=x")) == everything
    assert streamed(client.get(CSV + "?country=AZ&cb=2")) == azerbaijan
    assert len(files()) == 2


def test_a_bad_filter_is_a_400_even_with_the_file_built(seeded, client):
    streamed(client.get(CSV))
    response = client.get(CSV + "?country=ZZ")
    assert response.status_code == 400
    assert "country" in response.json()


def test_a_write_builds_the_export_again(seeded, client):
    before = streamed(client.get(CSV))
    meeting = Meeting.objects.get(slug="az-kz-supreme-interstate-council-1")
    meeting.title = "Renamed by an analyst"
    meeting.save()
    after = streamed(client.get(CSV))
    assert "Renamed by an analyst" in after
    assert "Renamed by an analyst" not in before


def test_staff_get_a_fresh_export_with_drafts_never_the_file(seeded, client, admin_client):
    Meeting.objects.filter(slug="az-kz-supreme-interstate-council-1").update(status="draft")
    staff = streamed(admin_client.get(CSV))
    assert files() == []
    public = streamed(client.get(CSV))
    assert "az-kz-supreme-interstate-council-1" in staff
    assert "az-kz-supreme-interstate-council-1" not in public
    [built] = files()
    streamed(admin_client.get(CSV))
    assert files() == [built]


def test_with_no_room_every_download_is_built_afresh(seeded, client, settings):
    settings.PACTA_DOWNLOAD_FILES_MB = 0
    first = streamed(client.get(CSV))
    assert streamed(client.get(CSV)) == first
    assert files() == []


def aged(path: Path, seconds_ago: float, size: int = 10) -> Path:
    path.write_bytes(b"x" * size)
    moment = time.time() - seconds_ago
    os.utime(path, (moment, moment))
    return path


def test_pruning_keeps_the_recently_served_within_the_budget(tmp_path, settings):
    settings.PACTA_CACHE_SECONDS = 600
    settings.PACTA_DOWNLOAD_FILES_MB = 1
    megabyte = 1024 * 1024
    new = aged(tmp_path / "meetings-new.csv", 0, megabyte // 2)
    recent = aged(tmp_path / "documents-recent.csv", 10, megabyte // 4)
    older = aged(tmp_path / "projects-older.csv", 20, megabyte // 2)  # over the budget
    stale = aged(tmp_path / "dataset-stale.json", 601)  # unused for longer than answers live
    building = aged(tmp_path / ".building-live", 30)  # another process is writing it
    abandoned = aged(tmp_path / ".building-dead", downloads.ABANDONED_SECONDS + 1)
    downloads.pruned(tmp_path, keep=new)
    assert sorted(tmp_path.iterdir()) == sorted([new, recent, building])
    assert not older.exists() and not stale.exists() and not abandoned.exists()


def test_the_file_just_built_stays_whatever_its_size(tmp_path, settings):
    settings.PACTA_DOWNLOAD_FILES_MB = 1
    huge = aged(tmp_path / "meetings-huge.csv", 0, 2 * 1024 * 1024)
    other = aged(tmp_path / "meetings-other.csv", 5)
    downloads.pruned(tmp_path, keep=huge)
    assert list(tmp_path.iterdir()) == [huge]
    assert not other.exists()
