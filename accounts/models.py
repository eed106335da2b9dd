"""The permission to manage users, and the history of every account (django.contrib.auth's User).

User history lives in this app (``register(..., app="accounts")``), with each version's roles and the
permissions held directly: the ``groups`` and ``user_permissions`` many-to-manys are tracked, so who held
which role or permission when can be read back. Password hashes are
never copied into the (append-only, never erased) history, and a sign-in, which saves only
``last_login``, writes no version.
"""

from django.contrib.auth import get_user_model
from django.db import models
from simple_history import register

from core.history import History, tracked

UNVERSIONED_FIELDS = ("password", "last_login")


class UserAdministration(models.Model):
    """No table: it only carries the ``manage_users`` permission, which a role (group) is granted."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            (
                "manage_users",
                "Create users, set their role, boroughs and partner agency, deactivate leavers, reset lockouts "
                "and second factors",
            )
        ]


class UserHistory(History):
    """simple-history for User, with two corrections.

    - A save of nothing but unversioned fields (a sign-in stamping ``last_login``) adds no version.
    - A role or permission changed from the other side (``group.user_set.add(user)``,
      ``permission.user_set.add(user)``) versions each user concerned; simple-history would otherwise try to
      version the Group or Permission (django-simple-history issue 1048).
    """

    def post_save(self, instance, created, using=None, update_fields=None, **kwargs):
        if update_fields is not None and set(update_fields) <= set(UNVERSIONED_FIELDS):
            return
        super().post_save(instance, created, using=using, **kwargs)

    def m2m_changed(self, instance, action, attr, pk_set, reverse, **kwargs):
        if not reverse:
            return super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
        if action == "pre_clear":
            instance._members_before_clear = set(instance.user_set.values_list("pk", flat=True))
            return None
        if action == "post_clear":
            pk_set = instance.__dict__.pop("_members_before_clear", set())
        if action in ("post_add", "post_remove", "post_clear"):
            for user in get_user_model().objects.filter(pk__in=pk_set):
                self.create_historical_record(user, "~")
        return None


USER_HISTORY = UserHistory(m2m_fields=["groups", "user_permissions"], excluded_fields=list(UNVERSIONED_FIELDS))
# ``register`` builds its tracker from ``records_class``; handing it this one keeps it reachable, so a
# service that changes the row and the roles together writes a single version (``write_user_version``).
register(get_user_model(), app="accounts", records_class=lambda **config: USER_HISTORY)


def write_user_version(user, *, acting_user, reason: str, history_type: str = "~") -> None:
    """One version of ``user`` as it is now, roles included, with who changed it and why."""
    with tracked(user, acting_user=acting_user, reason=reason):
        USER_HISTORY.create_historical_record(user, history_type)
