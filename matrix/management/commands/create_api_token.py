from django.core.management.base import BaseCommand, CommandError

from config.tokens import TokenRefused, issue_token, revoke_token


class Command(BaseCommand):
    help = (
        "Issue the API token of USERNAME and print it once; --rotate replaces it, --revoke withdraws it. When a "
        "second factor is required (production mode), only users who have set one up get a token. Issuing and "
        "revoking are logged (never the token itself)."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--rotate", action="store_true", help="Revoke any existing token and issue a new one.")
        action.add_argument("--revoke", action="store_true", help="Revoke the user's token; issue none.")

    def handle(self, *args, username: str, rotate: bool, revoke: bool, **options):
        try:
            if revoke:
                revoke_token(username)
                self.stdout.write(f"The API token of {username} is revoked; it stops working at once.")
            else:
                self.stdout.write(issue_token(username, rotate=rotate).key)
        except TokenRefused as exc:
            raise CommandError(str(exc)) from exc
