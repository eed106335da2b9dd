"""The roles (groups created by migration) a person can be given, and what each implies for their scope.

Everyone holds exactly one role. Borough grants make sense only for the roles that work in boroughs;
a partner-agency user belongs to exactly one agency; the others (oversight, the DPO, administration)
are not borough-bound and hold no borough grants.
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


def works_in_boroughs(role: str) -> bool:
    return role in BOROUGH_ROLES


def belongs_to_agency(role: str) -> bool:
    return role == Role.PARTNER
