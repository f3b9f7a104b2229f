import getpass

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from records.roles import AccountError, account_create


class Command(BaseCommand):
    help = (
        "Create a staff account in the Analyst group (or Editor with --editor), with a "
        "password typed at the prompt. No password is ever taken from the command line."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--editor", action="store_true", help="Put the account in Editor.")
        parser.add_argument("--email", default="")

    def handle(self, *args, username: str, editor: bool, email: str, **options) -> None:
        # Refuse a taken name before anyone types a password for nothing.
        if get_user_model()._default_manager.filter(username__iexact=username.strip()).exists():
            raise CommandError(f"The username {username!r} is taken; no account created.")
        try:
            password = getpass.getpass("Password: ")
            again = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt) as exc:
            raise CommandError("No password given; no account created.") from exc
        if password != again:
            raise CommandError("The two passwords differ; no account created.")
        try:
            user = account_create(username=username, password=password, editor=editor, email=email)
        except AccountError as exc:
            raise CommandError(f"{exc} No account created.") from exc
        role = "Editor" if editor else "Analyst"
        self.stdout.write(
            self.style.SUCCESS(
                f"{role} account {user.get_username()!r} created; log in at /admin/."
            )
        )
