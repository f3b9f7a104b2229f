"""Compare every record's public JSON with what the change feed last reported, and report the
differences: after a bulk load (`generate_data`, a restore) that bypassed model signals, or
once after the migration that created the feed, so that it starts from the current data."""

from django.core.management.base import BaseCommand

from records.tracking import reconcile_everything


class Command(BaseCommand):
    help = "Report in the change feed every public change not reported yet."

    def handle(self, *args, **options) -> None:
        written = reconcile_everything()
        self.stdout.write(f"{len(written)} change(s) written to the feed.")
