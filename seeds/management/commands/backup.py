import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from seeds.backup import export_database


class Command(BaseCommand):
    help = "Export the whole database as one deterministic JSON file (natural foreign keys)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--output", "-o", type=Path, help="File to write; default stdout.")

    def handle(self, *args, output: Path | None, **options) -> None:
        log = (lambda line: self.stderr.write(line)) if output else (lambda line: None)
        if output is None:
            export_database(sys.stdout)
            return
        tmp = output.with_suffix(output.suffix + ".partial")
        with tmp.open("w", encoding="utf-8", newline="\n") as handle:
            count = export_database(handle, log)
        # A crash half-way must not leave a truncated file under the real name.
        tmp.replace(output)
        self.stderr.write(self.style.SUCCESS(f"Exported {count} rows to {output}."))
