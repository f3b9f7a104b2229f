from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from seeds.load import DEFAULT_RECORDS, DEFAULT_TEXTS, SeedError, seed


class Command(BaseCommand):
    help = (
        "Load the seed texts and the curated records, published. Idempotent and atomic; "
        "fields an analyst changed after seeding are kept and reported."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--check",
            action="store_true",
            help="Validate the record file and the texts, load them in a rolled-back "
            "transaction, and write nothing.",
        )
        parser.add_argument("--records", type=Path, default=DEFAULT_RECORDS)
        parser.add_argument("--texts", type=Path, default=DEFAULT_TEXTS)

    def handle(self, *args, check: bool, records: Path, texts: Path, **options) -> None:
        try:
            report = seed(
                records_path=records,
                texts_dir=texts,
                check_only=check,
                log=lambda line: self.stdout.write(line) if options["verbosity"] else None,
            )
        except SeedError as exc:
            raise CommandError(f"Nothing was written. {exc}") from exc
        for kept in report.kept:
            self.stdout.write(self.style.WARNING(f"  kept an analyst's edit: {kept}"))
        self.stdout.write(self.style.SUCCESS(report.summary()))
