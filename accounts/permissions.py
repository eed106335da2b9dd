"""Who may manage users: one place for the pages, the commands and anything else that calls the services.

The ``administrator`` role and the DPO hold ``accounts.manage_users``; the administrator holds nothing
else, so managing accounts never reaches personal data. ``acting_user=None`` is the system itself: an
operator's command on the server (first run, incident response), which the access log records as such,
and which may do everything below.

- Nobody changes their own account here (four-eyes): another administrator does it.
- Nobody manages a superuser or a system account (a username starting ``system.``, such as the one that
  signs bootstrap_force's and the daily jobs' changes): only the system does.
- The privileged roles (``dpo``, ``administrator``, ``accounts.roles.PRIVILEGED_ROLES``) are a DPO's to
  give and take: only a DPO creates an account with one, changes anyone's role to or from one, or changes
  an account holding one (deactivate, reactivate, reset its lockout or second factor). So an administrator
  cannot make themselves or a friend a DPO, nor lock the DPO out.
- One exception lets a new force start: while no active DPO exists, an administrator may create the first
  DPO's account (and nothing else privileged).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied

from accounts.roles import Role, holds_role, is_privileged, role_of
from matrix.permissions import holds

MANAGE_USERS = "accounts.manage_users"
SYSTEM_ACCOUNT_PREFIX = "system."  # matrix.retention.system_user's accounts: they sign the system's changes

NOT_A_MANAGER = "Only an administrator or the data protection officer can manage users."
OWN_ACCOUNT = "Nobody can change their own account: ask another administrator (four-eyes)."
PROTECTED_ACCOUNT = (
    "{username} is a superuser or a system account: only an operator's command on the server can change it."
)
PRIVILEGED_ACCOUNT = (
    "{username} is a data protection officer or an administrator: only the data protection officer can change "
    "their account."
)
PRIVILEGED_ROLE = "Only the data protection officer can give or take away the DPO and administrator roles."


def can_manage_users(user) -> bool:
    return holds(user, MANAGE_USERS)


def is_system_account(account) -> bool:
    return account.get_username().startswith(SYSTEM_ACCOUNT_PREFIX)


def is_protected(account) -> bool:
    """A superuser or a system account: managed by the system only."""
    return account.is_superuser or is_system_account(account)


def is_system(acting_user) -> bool:
    """The system acting: no user (an operator's command), or a system account that cannot sign in and so
    only ever acts through code on the server (bootstrap_force signs its changes with one)."""
    return acting_user is None or (is_system_account(acting_user) and not acting_user.is_active)


def is_dpo(user) -> bool:
    return user is not None and user.is_active and holds_role(user, Role.DPO)


def active_dpo_exists() -> bool:
    return get_user_model().objects.filter(is_active=True, groups__name=Role.DPO).exists()


def refusal(acting_user, account) -> str | None:
    """Why ``acting_user`` may not change ``account`` (any action), or None if they may."""
    if acting_user is None:
        return None
    if not can_manage_users(acting_user):
        return NOT_A_MANAGER
    if acting_user.pk == account.pk:
        return OWN_ACCOUNT
    if is_protected(account):
        return PROTECTED_ACCOUNT.format(username=account.get_username())
    if is_privileged(role_of(account)) and not is_dpo(acting_user):
        return PRIVILEGED_ACCOUNT.format(username=account.get_username())
    return None


def may_change(acting_user, account) -> bool:
    """Whether ``acting_user`` may change ``account``: see the rules above."""
    return refusal(acting_user, account) is None


def may_give_role(acting_user, role: str, *, creating: bool = False) -> bool:
    """Whether ``acting_user`` may give ``role`` (to a new account if ``creating``). The account's own role is
    ``may_change``'s business: a privileged account is changed by a DPO only, whatever the new role."""
    if acting_user is None or not is_privileged(role) or is_dpo(acting_user):
        return True
    return creating and role == Role.DPO and holds_role(acting_user, Role.ADMINISTRATOR) and not active_dpo_exists()


def roles_to_offer(acting_user, *, creating: bool = False) -> list[tuple[str, str]]:
    """The role choices a form offers ``acting_user`` (the service checks again)."""
    return [(value, label) for value, label in Role.choices if may_give_role(acting_user, value, creating=creating)]


def require_manager(acting_user) -> None:
    if acting_user is not None and not can_manage_users(acting_user):
        raise PermissionDenied(NOT_A_MANAGER)


def require_may_change(acting_user, account) -> None:
    reason = refusal(acting_user, account)
    if reason is not None:
        raise PermissionDenied(reason)


def require_system(acting_user) -> None:
    if not is_system(acting_user):
        raise PermissionDenied("Only an operator's command on the server can do this.")
