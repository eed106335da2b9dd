from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp import user_has_device
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "Issue (or with --rotate, replace) the API token of USERNAME and print it once."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--rotate", action="store_true", help="Revoke any existing token and issue a new one.")

    def handle(self, *args, username: str, rotate: bool, **options):
        try:
            user = get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"No active user called {username!r}.") from exc
        if settings.GOVMATRIX_REQUIRE_2FA and not user_has_device(user):
            # Token requests skip the second sign-in step, so only enrolled users may hold one.
            raise CommandError(f"{username} has not set up two-factor authentication; tokens go only to users who have.")
        if rotate:
            Token.objects.filter(user=user).delete()
        token, created = Token.objects.get_or_create(user=user)
        if not created:
            raise CommandError(f"{username} already has a token; use --rotate to replace it (the old one stops working).")
        self.stdout.write(token.key)
