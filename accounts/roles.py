"""The roles (groups created by migration) a person can be given, and what each implies for their scope.

Everyone holds exactly one role. Borough grants make sense only for the roles that work in boroughs;
a partner-agency user belongs to exactly one agency; the others (oversight, the DPO, administration)
are not borough-bound and hold no borough grants.

Two roles are privileged: the DPO and the administrator manage users. Who may give them, and who may
change an account that holds one, is decided in ``accounts.permissions`` (only a DPO, with one exception
so a new force can start).

A role also decides admin-site access (``is_staff``): the DPO edits criteria drafts and records
information-sharing agreements in /admin/, so the ``dpo`` role implies ``is_staff=True``; every other
role implies ``is_staff=False``. ``accounts.services`` sets it whenever it gives a role, as part of
that change.
"""

from django.db import models


class Role(models.TextChoices):
    OFFICER = "officer", "Officer"
    SUPERVISOR = "supervisor", "Supervisor"
    PARTNER = "partner", "Partner agency user"
    AUDITOR = "auditor", "Auditor (read-only oversight)"
    DPO = "dpo", "Data protection officer"
    ADMINISTRATOR = "administrator", "Administrator (manages users; sees no records)"


BOROUGH_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR})
PRIVILEGED_ROLES = frozenset({Role.DPO, Role.ADMINISTRATOR})
ADMIN_SITE_ROLES = frozenset({Role.DPO})


def works_in_boroughs(role: str) -> bool:
    return role in BOROUGH_ROLES


def belongs_to_agency(role: str) -> bool:
    return role == Role.PARTNER


def is_privileged(role: str | None) -> bool:
    return role in PRIVILEGED_ROLES


def uses_admin_site(role: str | None) -> bool:
    """The ``is_staff`` flag a holder of ``role`` has."""
    return role in ADMIN_SITE_ROLES


def role_of(user) -> str | None:
    return user.groups.filter(name__in=Role.values).values_list("name", flat=True).first()


def holds_role(user, role: str) -> bool:
    return user.groups.filter(name=role).exists()
