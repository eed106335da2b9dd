"""Joiners, movers and leavers: every change to a user's account goes through one function here.

Each takes keyword-only arguments with ``acting_user`` (``None`` is the system: an operator's command
on the server) and ``reason``, checks ``accounts.permissions``, runs in one transaction, writes history
with the acting user and reason, and writes exactly one access-log entry: ``collect`` for a new account,
``alter`` for every change. Bad input is a ``ValidationError`` naming the field, and nothing changes.

Who may do what is decided in ``accounts.permissions``: a manager of users, never on their own account,
a superuser or a system account (those are the system's); the DPO and administrator roles, and accounts
holding them, are a DPO's alone, except that while no active DPO exists an administrator may create the
first DPO. A role also sets admin-site access (``accounts.roles.uses_admin_site``: the DPO's only).

Known limitation: whoever creates (or reactivates) an account is shown its one-time set-up link, to pass
on. Until set-up links are emailed to the person themselves (a later change), a creator could open the
link and choose the password themselves — an administrator creating the first DPO, say. This is not
prevented, only made visible: every creation and reactivation is logged with its actor, and every use of a
set-up link is logged as the account's own password choice, so an auditor sees who could have done it.

The receivers in ``accounts.receivers`` log the same changes made through other doors (the admin, the
shell); they stay quiet inside ``logged_by_service()`` so nothing here is logged twice.
"""

from contextlib import contextmanager
from dataclasses import dataclass

from axes.models import AccessAttempt
from axes.utils import reset as reset_axes_attempts
from django.contrib.auth import SESSION_KEY, get_user_model, password_validation
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.authtoken.models import Token

from accounts import details
from accounts import permissions as can
from accounts.models import write_user_version
from accounts.permissions import require_manager, require_may_change
from accounts.roles import Role, belongs_to_agency, role_of, uses_admin_site, works_in_boroughs
from audit.context import logged_by_service
from audit.log import record
from audit.models import Action
from core.history import delete_tracked, fit_change_reason, save_tracked
from core.text import require_text, validate_text
from matrix.models import Borough, BoroughUserGrant
from matrix.permissions import ACCESS_BOROUGH
from sharing.models import PartnerAgency, PartnerMembership

User = get_user_model()


class SetUpTokenGenerator(PasswordResetTokenGenerator):
    """One-time set-up links, distinct from password-reset links. A link stops working once a password is
    set (the token covers the password hash), when the account is deactivated, or after
    PASSWORD_RESET_TIMEOUT."""

    key_salt = "govmatrix.accounts.set-up"


set_up_tokens = SetUpTokenGenerator()


def set_up_link(user) -> str:
    """The path of the user's one-time set-up page (shown once to whoever created the account)."""
    uidb64 = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("person-set-up", kwargs={"uidb64": uidb64, "token": set_up_tokens.make_token(user)})


SYSTEM_ACTOR = "system"  # how the access log names acting_user=None: an operator's command on the server


@dataclass
class Entry:
    """The access-log entry a service writes as it finishes; the body may complete its detail."""

    detail: str


def _check_reason(reason) -> None:
    require_text(reason, "reason", "Say why you are making this change.", minimum=1)


@contextmanager
def _logged(user, *, acting_user, reason: str, detail: str = "", action: str = Action.ALTER):
    """Inside the service's transaction: when the body succeeds, one access-log entry about ``user``."""
    _check_reason(reason)
    entry = Entry(detail)
    with logged_by_service():
        yield entry
        record(action, actor=acting_user, username=SYSTEM_ACTOR, obj=user, detail=entry.detail, justification=reason)


@contextmanager
def _versioned(user, *, acting_user, reason: str, detail: str, action: str = Action.ALTER, history_type: str = "~"):
    """``_logged``, and one new version of the user once the body has changed their row and roles
    (simple-history's own versions are held back meanwhile, so one change reads as one version)."""
    with _logged(user, acting_user=acting_user, reason=reason, detail=detail, action=action) as entry:
        user.skip_history_when_saving = True
        try:
            yield entry
        finally:
            del user.skip_history_when_saving
        write_user_version(
            user, acting_user=acting_user, reason=fit_change_reason(user, reason), history_type=history_type
        )


def _locked(user):
    """The account re-read under a row lock: two administrators changing one account take turns."""
    return User.objects.select_for_update().get(pk=user.pk)


def _role_group(role) -> Group:
    if role not in Role.values:
        raise ValidationError({"role": "Choose one of the roles."})
    return Group.objects.get(name=role)


def _check_may_give(acting_user, role: str, *, creating: bool = False) -> None:
    """A privileged role is a DPO's to give (``accounts.permissions.may_give_role``); a refusal names the field."""
    if creating and role == Role.DPO:
        # Two administrators creating "the first DPO" at once take turns, so only one can.
        Group.objects.select_for_update().get(name=Role.DPO)
    if not can.may_give_role(acting_user, role, creating=creating):
        raise ValidationError({"role": can.PRIVILEGED_ROLE})


def _admin_site_access(user, role: str) -> str:
    """Sets ``is_staff`` as the role implies; says so for the log entry if it changed."""
    staff = uses_admin_site(role)
    if user.is_staff == staff:
        return ""
    user.is_staff = staff
    return "; admin site access granted" if staff else "; admin site access withdrawn"


def _check_scope(role: str, boroughs, partner) -> None:
    """A role's scope must fit it: boroughs only for borough roles, exactly one agency for partners."""
    if any(not isinstance(borough, Borough) for borough in boroughs):
        raise ValidationError({"boroughs": "Choose boroughs from the list."})
    if boroughs and not works_in_boroughs(role):
        raise ValidationError({"boroughs": "Only officers and supervisors work in boroughs; leave these unticked."})
    if belongs_to_agency(role) and not isinstance(partner, PartnerAgency):
        raise ValidationError({"partner": "A partner agency user must belong to an agency: choose it."})
    if partner is not None and not belongs_to_agency(role):
        raise ValidationError({"partner": "Only partner agency users belong to an agency; leave this empty."})


def check_username(username, *, for_the_system=False) -> None:
    """A new account's username: valid, not taken, and not a system name unless the system itself asks."""
    validate_text(username, "username")
    if not username:
        raise ValidationError({"username": "Enter a username."})
    if username.lower().startswith(can.SYSTEM_ACCOUNT_PREFIX) and not for_the_system:
        raise ValidationError({"username": f"Usernames starting {can.SYSTEM_ACCOUNT_PREFIX} are the system's own."})
    try:
        User._meta.get_field("username").run_validators(username)
    except ValidationError as error:
        raise ValidationError({"username": error.messages}) from error
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The username {username} is already taken: choose one nobody else has."})


def check_email(email) -> None:
    validate_text(email, "email")
    try:
        validate_email(email)
    except ValidationError as error:
        raise ValidationError({"email": "Enter a valid email address, like name@example.org."}) from error


def _add_grant(user, borough, *, acting_user, reason) -> BoroughUserGrant:
    permission = Permission.objects.get(content_type__app_label="matrix", codename=ACCESS_BOROUGH)
    grant = BoroughUserGrant(user=user, content_object=borough, permission=permission)
    save_tracked(grant, acting_user=acting_user, reason=reason)
    return grant


def _describe_scope(boroughs, partner) -> str:
    parts = [f"boroughs {', '.join(f'{b.name} ({b.code})' for b in boroughs)}"] if boroughs else []
    return "".join(f"; {part}" for part in parts + ([f"partner agency {partner.name}"] if partner else []))


@transaction.atomic
def create_user(*, username, email, role, boroughs=(), partner=None, acting_user, reason):
    """A joiner: an account with one role and its scope, no password yet. Returns the user and the path of
    their one-time set-up link, where they choose a password."""
    require_manager(acting_user)
    check_username(username, for_the_system=acting_user is None)
    check_email(email)
    group = _role_group(role)
    boroughs = list(boroughs)
    _check_scope(role, boroughs, partner)
    _check_may_give(acting_user, role, creating=True)
    user = User(username=username, email=email)
    user.set_unusable_password()
    access = _admin_site_access(user, role)
    detail = f"Created user {username} with role {role}{_describe_scope(boroughs, partner)}{access}"
    with _versioned(
        user, acting_user=acting_user, reason=reason, detail=detail, action=Action.COLLECT, history_type="+"
    ):
        user.save()
        user.groups.add(group)
        for borough in boroughs:
            _add_grant(user, borough, acting_user=acting_user, reason=reason)
        if partner is not None:
            save_tracked(PartnerMembership(user=user, partner=partner), acting_user=acting_user, reason=reason)
    return user, set_up_link(user)


@transaction.atomic
def change_role(*, user, role, acting_user, reason) -> None:
    """A mover between roles. Their scope must fit the new role first (withdraw boroughs, remove the agency).
    Admin-site access follows the new role."""
    require_may_change(acting_user, user)
    group = _role_group(role)
    _check_may_give(acting_user, role)
    user = _locked(user)
    old = role_of(user)
    if old == role:
        raise ValidationError({"role": f"{user.get_username()} already has this role."})
    if BoroughUserGrant.objects.filter(user=user).exists() and not works_in_boroughs(role):
        raise ValidationError({"role": "This role does not work in boroughs: withdraw their boroughs first."})
    if PartnerMembership.objects.filter(user=user).exists() and not belongs_to_agency(role):
        raise ValidationError({"role": "This role belongs to no agency: remove their partner agency first."})
    detail = f"Changed role of {user.get_username()} from {old or 'none'} to {role}"
    with _versioned(user, acting_user=acting_user, reason=reason, detail=detail) as entry:
        user.groups.remove(*user.groups.filter(name__in=Role.values))
        user.groups.add(group)
        access = _admin_site_access(user, role)
        if access:
            user.save(update_fields=["is_staff"])
            entry.detail += access


def _direct_grant(user, borough) -> BoroughUserGrant | None:
    if not isinstance(borough, Borough):
        return None
    grants = BoroughUserGrant.objects.select_related("user", "content_object", "permission")
    return grants.filter(user=user, content_object=borough, permission__codename=ACCESS_BOROUGH).first()


@transaction.atomic
def grant_borough(*, user, borough, acting_user, reason) -> None:
    require_may_change(acting_user, user)
    if not isinstance(borough, Borough):
        raise ValidationError({"borough": "Choose a borough from the list."})
    user = _locked(user)
    if not works_in_boroughs(role_of(user)):
        raise ValidationError({"borough": "Only officers and supervisors work in boroughs: change their role first."})
    if _direct_grant(user, borough) is not None:
        raise ValidationError({"borough": f"{user.get_username()} already works in {borough.name}."})
    with _logged(user, acting_user=acting_user, reason=reason) as entry:
        grant = _add_grant(user, borough, acting_user=acting_user, reason=reason)
        entry.detail = details.borough_grant(grant, "Granted", "to")


@transaction.atomic
def withdraw_borough(*, user, borough, acting_user, reason) -> None:
    require_may_change(acting_user, user)
    user = _locked(user)
    grant = _direct_grant(user, borough)
    if grant is None:
        raise ValidationError({"borough": "Choose one of the boroughs they work in."})
    with _logged(user, acting_user=acting_user, reason=reason, detail=details.borough_grant(grant, "Withdrew", "from")):
        delete_tracked(grant, acting_user=acting_user, reason=reason)


@transaction.atomic
def set_partner_membership(*, user, partner, acting_user, reason) -> None:
    """Joins a partner agency user to their agency, or moves them to another."""
    require_may_change(acting_user, user)
    if not isinstance(partner, PartnerAgency):
        raise ValidationError({"partner": "Choose an agency from the list."})
    user = _locked(user)
    if not belongs_to_agency(role_of(user)):
        raise ValidationError({"partner": "Only partner agency users belong to an agency: change their role first."})
    membership = PartnerMembership.objects.filter(user=user).first() or PartnerMembership(user=user)
    if membership.partner_id == partner.pk:
        raise ValidationError({"partner": f"{user.get_username()} already belongs to {partner.name}."})
    membership.partner = partner
    detail = details.partner_membership(user.get_username(), partner, "set to")
    with _logged(user, acting_user=acting_user, reason=reason, detail=detail):
        save_tracked(membership, acting_user=acting_user, reason=reason)


@transaction.atomic
def remove_partner_membership(*, user, acting_user, reason) -> None:
    require_may_change(acting_user, user)
    user = _locked(user)
    membership = PartnerMembership.objects.filter(user=user).select_related("partner").first()
    if membership is None:
        raise ValidationError({"partner": f"{user.get_username()} belongs to no agency."})
    detail = details.partner_membership(user.get_username(), membership.partner, "removed:")
    with _logged(user, acting_user=acting_user, reason=reason, detail=detail):
        delete_tracked(membership, acting_user=acting_user, reason=reason)


def _end_sessions(user) -> int:
    """Delete every live session signed in as ``user`` (database sessions: each is decoded to find its user)."""
    live = Session.objects.filter(expire_date__gt=timezone.now())
    keys = [
        session.session_key for session in live.iterator() if session.get_decoded().get(SESSION_KEY) == str(user.pk)
    ]
    Session.objects.filter(session_key__in=keys).delete()
    return len(keys)


@transaction.atomic
def deactivate_user(*, user, acting_user, reason) -> None:
    """A leaver: the account stays, with its history and grants, but can no longer be used. Their sessions
    end and their API token is revoked at once; the password is made unusable, so old set-up links die."""
    require_may_change(acting_user, user)
    user = _locked(user)
    if not user.is_active:
        raise ValidationError(f"{user.get_username()} is already deactivated.")
    with _versioned(user, acting_user=acting_user, reason=reason, detail=f"Deactivated {user.get_username()}") as entry:
        user.is_active = False
        user.set_unusable_password()
        user.save(update_fields=["is_active", "password"])
        sessions = _end_sessions(user)
        tokens, _ = Token.objects.filter(user=user).delete()
        entry.detail += f": {sessions} session(s) ended, {'API token revoked' if tokens else 'no API token held'}"


@transaction.atomic
def reactivate_user(*, user, acting_user, reason) -> str:
    """A returner: the account works again once they choose a new password through the new set-up link returned."""
    require_may_change(acting_user, user)
    user = _locked(user)
    if user.is_active:
        raise ValidationError(f"{user.get_username()} is already active.")
    detail = f"Reactivated {user.get_username()}; a new set-up link was issued"
    with _versioned(user, acting_user=acting_user, reason=reason, detail=detail):
        user.is_active = True
        user.save(update_fields=["is_active"])
    return set_up_link(user)


@transaction.atomic
def reset_lockout(*, user, acting_user, reason) -> int:
    """Clears django-axes' failed sign-ins for the username, from every address. Returns how many records."""
    require_may_change(acting_user, user)
    username = user.get_username()
    if not AccessAttempt.objects.filter(username=username).exists():
        raise ValidationError(f"{username} has no failed sign-ins to clear.")
    with _logged(user, acting_user=acting_user, reason=reason) as entry:
        cleared = reset_axes_attempts(username=username)
        entry.detail = f"Sign-in lockout reset for {username}: {cleared} failed-attempt record(s) cleared"
    return cleared


@transaction.atomic
def reset_second_factor(*, user, acting_user, reason) -> int:
    """Removes the user's authenticator app and recovery codes; they enrol again at their next sign-in."""
    require_may_change(acting_user, user)
    devices = [*TOTPDevice.objects.filter(user=user), *StaticDevice.objects.filter(user=user)]
    if not devices:
        raise ValidationError(f"{user.get_username()} has not set up two-factor authentication.")
    detail = f"Second factor reset for {user.get_username()}: {len(devices)} device(s) removed; they enrol again"
    with _logged(user, acting_user=acting_user, reason=reason, detail=detail):
        for device in devices:
            device.delete()
    return len(devices)


@transaction.atomic
def complete_set_up(*, user, password) -> None:
    """The joiner (or returner) chooses their password through their set-up link."""
    if not user.is_active:
        raise ValidationError("This account is closed. Ask an administrator.")
    validate_text(password, "new_password1")
    password_validation.validate_password(password, user)
    detail = f"Password chosen through the set-up link by {user.get_username()}"
    with _versioned(user, acting_user=user, reason="Password set through the set-up link", detail=detail):
        user.set_password(password)
        user.save(update_fields=["password"])


@transaction.atomic
def set_initial_password(*, user, password, acting_user, reason) -> None:
    """The system sets the first password of an account that has none (bootstrap_force's first administrator,
    whose operator typed it at the server, so no set-up link is needed). Nobody else sets another person's
    password: people choose their own through their set-up link."""
    can.require_system(acting_user)
    locked = _locked(user)
    if not locked.is_active:
        raise ValidationError({"password": f"{user.get_username()} is deactivated."})
    if locked.has_usable_password():
        raise ValidationError({"password": f"{user.get_username()} already has a password; they change it themselves."})
    validate_text(password, "password")
    try:
        password_validation.validate_password(password, locked)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    by = acting_user.get_username() if acting_user is not None else SYSTEM_ACTOR
    detail = f"Password set for {user.get_username()} by {by} (no set-up link needed)"
    with _versioned(user, acting_user=acting_user, reason=reason, detail=detail):
        user.set_password(password)
        user.save(update_fields=["password"])
