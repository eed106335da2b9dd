from django.core.management.base import BaseCommand, CommandError

# config is listed before rest_framework.authtoken in INSTALLED_APPS so that this command replaces DRF's
# (Django takes a command from the first app that has it).


class Command(BaseCommand):
    help = "Refused: API tokens are issued with `manage.py create_api_token USERNAME`."

    def add_arguments(self, parser):
        # DRF's arguments, so that whatever an operator types is answered by the refusal, not a usage error.
        parser.add_argument("username", nargs="?")
        parser.add_argument("-r", "--reset", action="store_true")

    def handle(self, *args, **options):
        raise CommandError(
            "drf_create_token is disabled: it would give a token to a user without a second factor and log nothing. "
            "Use `manage.py create_api_token USERNAME` (or --rotate to replace a token)."
        )
