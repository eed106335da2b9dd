from accounts import services
from accounts.management.commands._account_command import AccountCommand


class Command(AccountCommand):
    help = (
        "Clear USERNAME's failed sign-ins (the django-axes lockout) from every address, logged with the reason. "
        "Use this rather than axes_reset_username: that one logs each cleared record, but with no reason."
    )

    def perform(self, user, reason):
        cleared = services.reset_lockout(user=user, acting_user=None, reason=reason)
        return f"{user.get_username()} can sign in again ({cleared} failed-attempt record(s) cleared)."
