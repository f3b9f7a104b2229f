from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from seeds.backup import RestoreError, restore_database


class Command(BaseCommand):
    help = "Restore a `manage.py backup` file into an empty, migrated database (all or nothing)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options) -> None:
        if not path.exists():
            raise CommandError(f"{path}: no such file.")
        try:
            count = restore_database(path, log=self.stdout.write)
        except RestoreError as exc:
            raise CommandError(f"Nothing was restored. {exc}") from exc
        self.stdout.write(self.style.SUCCESS(f"Restored {count} rows from {path}."))
