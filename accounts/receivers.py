"""Access-log entries for account changes made through any door other than ``accounts.services``.

One design: a change of a role, a borough grant, a partner membership, an account's status flags, or the
permissions held directly by a user or by a group (a role) is logged by whoever makes it, exactly once.

- The services (the People pages and the operators' commands) make the change and write one entry
  with the acting user and reason, inside ``audit.context.logged_by_service()``.
- These receivers log the same kinds of change made anywhere else — the admin site, the shell, a data
  fix, the test factories — and stay quiet inside a service. The actor is the signed-in user of the
  request (simple-history's request middleware already finds it for the admin's history), or nobody
  (the system) outside a request.

History needs no receiver: simple-history versions the grant and membership rows and each user's
roles and direct permissions (accounts.models) whichever door changed them. Groups have no history; a
change of a group's permissions is in the access log.
"""

from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from simple_history.models import HistoricalRecords

from accounts import details
from audit.context import is_logged_by_service
from audit.log import record
from audit.models import Action
from matrix.models import BoroughGroupGrant, BoroughUserGrant
from sharing.models import PartnerMembership

User = get_user_model()
STATUS_FLAGS = {
    "is_active": ("reactivated", "deactivated"),
    "is_staff": ("admin site access granted", "admin site access withdrawn"),
    "is_superuser": ("superuser status granted", "superuser status withdrawn"),
}


def _request():
    return getattr(HistoricalRecords.context, "request", None)


def _door_actor():
    user = getattr(_request(), "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def _log(detail: str, obj=None) -> None:
    if not is_logged_by_service():
        record(Action.ALTER, actor=_door_actor(), obj=obj, detail=detail)


@receiver(post_save, sender=BoroughUserGrant, dispatch_uid="accounts.user_grant_saved")
@receiver(post_save, sender=BoroughGroupGrant, dispatch_uid="accounts.group_grant_saved")
def log_grant_saved(sender, instance, created, raw=False, **kwargs):
    if not raw:
        verb, preposition = ("Granted", "to") if created else ("Changed a grant to", "for")
        _log(details.borough_grant(instance, verb, preposition), instance)


@receiver(post_delete, sender=BoroughUserGrant, dispatch_uid="accounts.user_grant_deleted")
@receiver(post_delete, sender=BoroughGroupGrant, dispatch_uid="accounts.group_grant_deleted")
def log_grant_deleted(sender, instance, **kwargs):
    _log(details.borough_grant(instance, "Withdrew", "from"), instance)


@receiver(post_save, sender=PartnerMembership, dispatch_uid="accounts.membership_saved")
def log_membership_saved(sender, instance, created, raw=False, **kwargs):
    if not raw:
        _log(details.partner_membership(instance.user.get_username(), instance.partner, "set to"), instance)


@receiver(post_delete, sender=PartnerMembership, dispatch_uid="accounts.membership_deleted")
def log_membership_deleted(sender, instance, **kwargs):
    _log(details.partner_membership(instance.user.get_username(), instance.partner, "removed:"), instance)


def _m2m_change(sender, instance, action, reverse, model, pk_set, *, forward: str, backward: str):
    """What a many-to-many change did, from either side: ``(verb, the rows on the other side)``, or None when
    there is nothing to log (a service logs it, or this is a ``pre_`` signal). ``forward`` and ``backward``
    name the relation's managers on each side; before a clear, the rows about to go are remembered."""
    if is_logged_by_service():
        return None
    remembered = f"_cleared_{sender._meta.model_name}"
    if action == "pre_clear":
        instance.__dict__[remembered] = list(getattr(instance, backward if reverse else forward).all())
        return None
    if action not in ("post_add", "post_remove", "post_clear"):
        return None
    if action == "post_clear":
        others = instance.__dict__.pop(remembered, [])
    else:
        others = list(model.objects.filter(pk__in=pk_set))
    return ("added" if action == "post_add" else "removed"), others


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="accounts.roles_changed")
def log_roles_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """From the user's side (``user.groups.add``) or the group's (``group.user_set.add``)."""
    change = _m2m_change(sender, instance, action, reverse, model, pk_set, forward="groups", backward="user_set")
    if change is None:
        return
    verb, others = change
    if reverse:
        for user in others:
            _log(details.roles(user.get_username(), verb, [instance.name]), user)
    elif others:
        _log(details.roles(instance.get_username(), verb, [group.name for group in others]), instance)


def _with_content_types(permissions):
    return Permission.objects.filter(pk__in=[p.pk for p in permissions]).select_related("content_type")


@receiver(m2m_changed, sender=User.user_permissions.through, dispatch_uid="accounts.user_permissions_changed")
def log_user_permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """A permission held by a user directly, from the user's side (the admin's user form) or the permission's."""
    change = _m2m_change(
        sender, instance, action, reverse, model, pk_set, forward="user_permissions", backward="user_set"
    )
    if change is None:
        return
    verb, others = change
    if reverse:
        [name] = details.permission_names(_with_content_types([instance]))
        for user in others:
            _log(details.permissions(f"user {user.get_username()}", verb, [name]), user)
    elif others:
        names = details.permission_names(_with_content_types(others))
        _log(details.permissions(f"user {instance.get_username()}", verb, names), instance)


@receiver(m2m_changed, sender=Group.permissions.through, dispatch_uid="accounts.group_permissions_changed")
def log_group_permissions_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """A permission given to a group (a role: everyone in it holds it), from the group's side (the admin's group
    form) or the permission's."""
    change = _m2m_change(sender, instance, action, reverse, model, pk_set, forward="permissions", backward="group_set")
    if change is None:
        return
    verb, others = change
    if reverse:
        [name] = details.permission_names(_with_content_types([instance]))
        for group in others:
            _log(details.permissions(f"group {group.name}", verb, [name]), group)
    elif others:
        _log(
            details.permissions(f"group {instance.name}", verb, details.permission_names(_with_content_types(others))),
            instance,
        )


@receiver(pre_save, sender=User, dispatch_uid="accounts.status_before")
def remember_status(sender, instance, update_fields=None, raw=False, **kwargs):
    if raw or is_logged_by_service() or instance.pk is None:
        return
    if update_fields is not None and not set(update_fields) & set(STATUS_FLAGS):
        return  # a sign-in stamping last_login, say: no query
    instance._status_before = User.objects.filter(pk=instance.pk).values(*STATUS_FLAGS).first()


@receiver(post_save, sender=User, dispatch_uid="accounts.status_after")
def log_status_changed(sender, instance, created, raw=False, **kwargs):
    """Deactivation, reactivation and the admin-site flags. An account created with no privilege is not
    logged here: it has no access until a role or grant is added, which is."""
    if raw or is_logged_by_service():
        return
    before = instance.__dict__.pop("_status_before", None)
    if created:
        before = {flag: User._meta.get_field(flag).default for flag in STATUS_FLAGS}
    elif before is None:
        return  # the save could not change a flag (see remember_status)
    changes = [
        words[0] if getattr(instance, flag) else words[1]
        for flag, words in STATUS_FLAGS.items()
        if getattr(instance, flag) != before[flag]
    ]
    if changes:
        prefix = "Account created" if created else "Account changed"
        _log(f"{prefix}: {instance.get_username()}: {'; '.join(changes)}", instance)


def _clearing_a_lockout() -> bool:
    """Axes deletes attempts itself while people sign in and out (logged as sign-ins). A deletion outside
    any request (``axes_reset_username``, the shell) or in the admin is someone clearing a lockout."""
    request = _request()
    if request is None:
        return True
    match = getattr(request, "resolver_match", None)
    return match is not None and match.namespace == "admin"


@receiver(post_delete, sender=AccessAttempt, dispatch_uid="accounts.lockout_cleared")
def log_lockout_cleared(sender, instance, **kwargs):
    if _clearing_a_lockout():
        _log(f"Failed sign-in attempts cleared for {instance.username} (lockout reset)")
