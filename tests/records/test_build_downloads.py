"""`manage.py build_downloads` builds every public download for the current data version, as
its first anonymous request would (records/management/commands/build_downloads.py): the
readers that come after get the files, and after a write only the changed lines are built."""

from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from records import registry
from tests.api.conftest import streamed

pytestmark = pytest.mark.django_db


def build(**options) -> str:
    out = StringIO()
    call_command("build_downloads", stdout=out, **options)
    return out.getvalue()


def test_every_download_is_built_then_served_from_its_file(seeded, client):
    report = build(base_url="http://testserver")
    downloads = 2 * len(registry.resources()) + 1
    assert f"{downloads} download(s) built and 0 already current" in report.splitlines()[-1]
    assert f"[{downloads}/{downloads}] /api/v1/dataset.json: built" in report
    built = sorted(Path(settings.PACTA_DATASET_DIR).glob("*.*"))
    assert len(built) == downloads
    csv = client.get("/api/v1/meetings/export.csv")
    # Served from the file the command wrote, with the same bytes.
    assert hasattr(csv, "file_to_stream")
    [written] = [
        path for path in built if path.name.startswith("meetings-") and path.suffix == ".csv"
    ]
    assert streamed(csv) == written.read_bytes().decode()
    assert "0 download(s) built and" in build(base_url="http://testserver").splitlines()[-1]


def test_the_downloads_hold_links_to_the_given_address(seeded, settings):
    settings.ALLOWED_HOSTS = ["pacta.example.org"]
    build(base_url="https://pacta.example.org")
    [csv] = [
        path for path in Path(settings.PACTA_DATASET_DIR).glob("meetings-*.csv") if path.is_file()
    ]
    assert "https://pacta.example.org/api/v1/meetings/" in csv.read_text(encoding="utf-8")


@pytest.mark.parametrize("base_url", ["pacta.example.org", "ftp://pacta.example.org", "https://"])
def test_a_base_url_that_is_no_web_address_is_refused(seeded, base_url):
    with pytest.raises(CommandError, match="http"):
        build(base_url=base_url)


def test_a_host_the_site_does_not_serve_is_refused(seeded, settings):
    settings.ALLOWED_HOSTS = ["pacta.example.org"]
    with pytest.raises(CommandError, match="DJANGO_ALLOWED_HOSTS"):
        build(base_url="https://elsewhere.example.com")
    assert list(Path(settings.PACTA_DATASET_DIR).glob("*.*")) == []
