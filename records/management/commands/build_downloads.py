"""Build the public downloads now, as their first anonymous request would: every resource's
CSV and JSON Lines export and dataset.json, each written to its file for the current data
version, with its export lines kept (records/api/lines.py).

After a deployment every line is built again (the store's name holds the project's code),
which took 30–60 s for 100,000 meetings' CSV; run this once after deploying, or after a bulk
load, so that no reader waits for it. The downloads' links are absolute, so the command is
given the public address they are served at."""

from __future__ import annotations

import os
import time
from urllib.parse import urlsplit

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import DisallowedHost
from django.core.management.base import BaseCommand, CommandError
from django.test.client import RequestFactory
from django.urls import resolve, reverse

from records import registry


def download_paths() -> list[str]:
    """Every public download's path: the exports in the registry's order, then dataset.json."""
    paths = [
        reverse(f"api:{kind.basename}-export-{suffix}")
        for kind in registry.resources()
        for suffix in ("csv", "jsonl")
    ]
    return [*paths, reverse("api:dataset")]


class Command(BaseCommand):
    help = (
        "Build every public download (the exports and dataset.json) for the current data "
        "version, as served at --base-url, so that no reader waits for one."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            required=True,
            help="The public address of the site, e.g. https://pacta.example.org (the "
            "downloads hold absolute links; its host must be in DJANGO_ALLOWED_HOSTS).",
        )

    def handle(self, *args, base_url: str, **options) -> None:
        parts = urlsplit(base_url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise CommandError(f"--base-url must be an http(s) address, not {base_url!r}.")
        factory = RequestFactory()
        paths = download_paths()
        started, built, served, size = time.monotonic(), 0, 0, 0
        for number, path in enumerate(paths, 1):
            request = factory.get(path, secure=parts.scheme == "https", HTTP_HOST=parts.netloc)
            request.user = AnonymousUser()
            try:
                request.get_host()
            except DisallowedHost as error:
                raise CommandError(f"{error} (set DJANGO_ALLOWED_HOSTS)") from None
            began = time.monotonic()
            response = resolve(path).func(request)
            if response.status_code != 200:
                raise CommandError(f"{path}: answered {response.status_code}")
            # A file already built for this version is answered from disk: only its size is
            # read. (Not response.close(): it would signal the end of a request, which closes
            # the database connection of a command that is not serving one.)
            fresh = not hasattr(response, "file_to_stream")
            if fresh:
                length = sum(len(chunk) for chunk in response.streaming_content)
            else:
                with response.file_to_stream as file:
                    length = os.fstat(file.fileno()).st_size
            built, served, size = built + fresh, served + (not fresh), size + length
            self.stdout.write(
                f"[{number}/{len(paths)}] {path}: {'built' if fresh else 'already built'}, "
                f"{length / 1e6:.1f} MB in {time.monotonic() - began:.1f} s"
            )
        self.stdout.write(
            f"{built} download(s) built and {served} already current, {size / 1e6:.1f} MB "
            f"in {time.monotonic() - started:.1f} s."
        )
