from accounts import services
from accounts.management.commands._account_command import AccountCommand


class Command(AccountCommand):
    help = (
        "Remove USERNAME's authenticator app and recovery codes (a lost phone), logged with the reason. They set "
        "up two-factor authentication again at their next sign-in."
    )

    def perform(self, user, reason):
        removed = services.reset_second_factor(user=user, acting_user=None, reason=reason)
        return f"{user.get_username()} enrols again at their next sign-in ({removed} device(s) removed)."
