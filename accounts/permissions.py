"""Who may manage users: one place for the pages, the commands and anything else that calls the services.

The ``administrator`` role and the DPO hold ``accounts.manage_users``; the administrator holds nothing
else, so managing accounts never reaches personal data. Nobody changes their own account here
(four-eyes): another administrator does it. ``acting_user=None`` is the system itself: an operator's
command on the server (first run, incident response), which the access log records as such.
"""

from django.core.exceptions import PermissionDenied

from matrix.permissions import holds

MANAGE_USERS = "accounts.manage_users"


def can_manage_users(user) -> bool:
    return holds(user, MANAGE_USERS)


def may_change(acting_user, account) -> bool:
    """Whether ``acting_user`` may change ``account``: a manager of users, and not their own account."""
    return can_manage_users(acting_user) and acting_user.pk != account.pk


def require_manager(acting_user) -> None:
    if acting_user is not None and not can_manage_users(acting_user):
        raise PermissionDenied("Only an administrator or the data protection officer can manage users.")


def require_may_change(acting_user, account) -> None:
    require_manager(acting_user)
    if acting_user is not None and acting_user.pk == account.pk:
        raise PermissionDenied("Nobody can change their own account: ask another administrator (four-eyes).")
