"""Sign-in and failed sign-in are logged (s.62 and OWASP ASVS V7)."""

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from audit.log import record
from audit.models import Action, Outcome


@receiver(user_logged_in, dispatch_uid="audit.login")
def log_login(sender, request, user, **kwargs):
    record(Action.LOGIN, actor=user)


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def log_login_failed(sender, credentials, request=None, **kwargs):
    # The attempted username is kept (it may be mistyped, so it is not resolved to an account).
    record(Action.LOGIN_FAILED, username=str(credentials.get("username", ""))[:150], outcome=Outcome.REFUSED)
