"""Sign-in and failed sign-in are logged (s.62 and OWASP ASVS V7); every history row carries the request id
its access-log entries carry."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django_otp.plugins.otp_totp.models import TOTPDevice
from simple_history.signals import pre_create_historical_record

from audit.context import current, is_logged_by_service
from audit.log import record
from audit.models import Action, Outcome


@receiver(pre_create_historical_record, dispatch_uid="audit.history_request_id")
def stamp_request_id(sender, history_instance, **kwargs):
    """The request id of core.history.RequestStamped (empty outside a request: a command, a migration)."""
    request = current()
    history_instance.history_request_id = request.request_id if request else None


@receiver(user_logged_in, dispatch_uid="audit.login")
def log_login(sender, request, user, **kwargs):
    record(Action.LOGIN, actor=user)


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def log_login_failed(sender, credentials, request=None, **kwargs):
    # The attempted username is kept (it may be mistyped, so it is not resolved to an account).
    record(Action.LOGIN_FAILED, username=str(credentials.get("username", ""))[:150], outcome=Outcome.REFUSED)


@receiver(user_locked_out, dispatch_uid="audit.locked_out")
def log_lockout(sender, request, username, ip_address, **kwargs):
    record(
        Action.DENIED,
        username=str(username or "")[:150],
        outcome=Outcome.REFUSED,
        detail="Sign-in locked out after repeated failures",
    )


@receiver(post_delete, sender=TOTPDevice, dispatch_uid="audit.second_factor_reset")
def log_second_factor_reset(sender, instance, **kwargs):
    if is_logged_by_service():
        return  # accounts.services.reset_second_factor logs the whole reset once
    record(Action.ALTER, username=instance.user.get_username(), detail="Two-factor device removed (reset)")
