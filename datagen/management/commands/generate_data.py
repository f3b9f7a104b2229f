from django.core.management.base import BaseCommand, CommandError

from datagen.generate import GenerateError, generate


class Command(BaseCommand):
    help = (
        "Write a synthetic, published database beside the seed: N meetings and persons, "
        "documents, projects, sources and citations in proportion. Deterministic for a --seed; "
        "atomic. For benchmarks and load tests, never for a database analysts work in."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--meetings", type=int, required=True, help="How many meetings.")
        parser.add_argument(
            "--seed", type=int, default=0, help="Random seed; the same seed, the same rows."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete previously generated rows (slugs starting with gen-) first.",
        )
        parser.add_argument(
            "--allow-analyst-data",
            action="store_true",
            help="Write even though analysts have edited records in this database.",
        )

    def handle(self, *args, meetings: int, seed: int, replace: bool, **options) -> None:
        try:
            report = generate(
                meetings=meetings,
                seed=seed,
                replace=replace,
                allow_analyst_data=options["allow_analyst_data"],
                log=lambda line: self.stdout.write(line) if options["verbosity"] else None,
            )
        except GenerateError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(self.style.SUCCESS(report.summary()))
