from django.core.management.base import BaseCommand, CommandError

from records.roles import roles_ensure


class Command(BaseCommand):
    help = (
        "Create or correct the Analyst and Editor groups and their permissions. "
        "Idempotent: run it after every migrate."
    )

    def handle(self, *args, **options) -> None:
        try:
            reports = roles_ensure()
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        for report in reports:
            state = "created" if report.created else "checked"
            self.stdout.write(f"  {report.name:<8} {state}, {report.permissions} permissions")
        self.stdout.write(self.style.SUCCESS("Roles are in place: Analyst, Editor."))
