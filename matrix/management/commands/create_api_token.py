from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp import user_has_device
from rest_framework.authtoken.models import Token

from audit.log import record
from audit.models import Action


class Command(BaseCommand):
    help = (
        "Issue the API token of USERNAME and print it once; --rotate replaces it, --revoke withdraws it. "
        "Issuing and revoking are logged (never the token itself)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--rotate", action="store_true", help="Revoke any existing token and issue a new one.")
        action.add_argument("--revoke", action="store_true", help="Revoke the user's token; issue none.")

    def handle(self, *args, username: str, rotate: bool, revoke: bool, **options):
        users = get_user_model().objects
        if revoke:
            deleted, _ = Token.objects.filter(user__username=username).delete()
            if not deleted:
                raise CommandError(f"{username!r} has no API token to revoke.")
            record(Action.ALTER, username=username, detail="API token revoked")
            self.stdout.write(f"The API token of {username} is revoked; it stops working at once.")
            return
        try:
            user = users.get(username=username, is_active=True)
        except users.model.DoesNotExist as exc:
            raise CommandError(f"No active user called {username!r}.") from exc
        if settings.GOVMATRIX_REQUIRE_2FA and not user_has_device(user):
            # Token requests skip the second sign-in step, so only enrolled users may hold one.
            raise CommandError(f"{username} has not set up two-factor authentication; tokens go only to users who have.")
        if rotate:
            Token.objects.filter(user=user).delete()
        token, created = Token.objects.get_or_create(user=user)
        if not created:
            raise CommandError(f"{username} already has a token; use --rotate to replace it (the old one stops working).")
        record(Action.ALTER, actor=user, detail="API token rotated" if rotate else "API token issued")
        self.stdout.write(token.key)
