import io

import qrcode
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

BACKUP_CODES = 10


class Command(BaseCommand):
    help = (
        "Enrol a staff member's first two-factor device: prints an authenticator QR code and "
        "otpauth:// link, and one-time backup codes. Further devices are added in the admin."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="authenticator", help="Device name shown at login.")

    @transaction.atomic
    def handle(self, *args, username: str, name: str, **options) -> None:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No account named {username!r}; create it with create_analyst.")
        if not user.is_staff:
            raise CommandError(f"{username!r} is not staff; only staff use the admin.")
        if TOTPDevice.objects.filter(user=user, name=name).exists():
            raise CommandError(
                f"{username!r} already has a device named {name!r}; choose another --name."
            )
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
        backup, _ = StaticDevice.objects.get_or_create(user=user, name="backup codes")
        backup.token_set.all().delete()
        codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
        backup.token_set.bulk_create([StaticToken(device=backup, token=code) for code in codes])

        qr = qrcode.QRCode(border=1)
        qr.add_data(device.config_url)
        picture = io.StringIO()
        qr.print_ascii(out=picture, invert=True)
        self.stdout.write("Scan this with an authenticator app (or open the link below):")
        self.stdout.write(picture.getvalue())
        self.stdout.write(device.config_url)
        self.stdout.write("\nOne-time backup codes (keep them somewhere safe):")
        for code in codes:
            self.stdout.write(f"  {code}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Enrolled device {name!r} and {BACKUP_CODES} backup codes for {username!r}."
            )
        )
