"""What the incident-response commands share: find the account, call the service as the system, report."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError


class AccountCommand(BaseCommand):
    """``<command> USERNAME --reason "..."``: one service call with ``acting_user=None`` (the system), logged."""

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--reason", required=True, help="Why: kept in the history and the access log.")

    def handle(self, *args, username: str, reason: str, **options):
        users = get_user_model().objects
        try:
            user = users.get(username=username)
        except users.model.DoesNotExist as exc:
            raise CommandError(f"No user called {username!r}.") from exc
        try:
            done = self.perform(user, reason)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(done)

    def perform(self, user, reason: str) -> str:
        """Each command's one service call; returns the line to print. Every subclass defines it."""
        raise NotImplementedError
