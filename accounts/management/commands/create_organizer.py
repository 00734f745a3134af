import secrets

from django.core.management.base import BaseCommand
from django.core.validators import validate_email

from accounts.domain import make_organizer


class Command(BaseCommand):
    help = "Create (or reset) an organizer account with a verified email, and print its login."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--password", help="Default: a new random password, printed.")
        parser.add_argument(
            "--keep-password",
            action="store_true",
            help="If the account exists, keep its password (print nothing secret).",
        )

    def handle(self, *args, email: str, password: str | None, keep_password: bool, **options):
        validate_email(email)
        password = password or secrets.token_urlsafe(12)
        user, created = make_organizer(email=email, password=password, keep_password=keep_password)
        if created or not keep_password:
            self.stdout.write(self.style.SUCCESS(f"Organizer login: {user.email} / {password}"))
        else:
            self.stdout.write(f"Organizer login: {user.email} (password unchanged)")
