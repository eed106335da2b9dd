from accounts import services
from accounts.management.commands._account_command import AccountCommand


class Command(AccountCommand):
    help = (
        "Deactivate USERNAME at once (a leaver, or a compromised account): ends their sessions, revokes their API "
        "token and makes their password unusable. The account and its history are kept. Logged."
    )

    def perform(self, user, reason):
        services.deactivate_user(user=user, acting_user=None, reason=reason)
        return f"{user.get_username()} is deactivated: sessions ended, API token revoked."
