"""Who may use the governance pages. The public pages need no permission at all (no sign-in).

The impact assessment register: the DPO keeps it (adds new versions), auditors read it. The
disproportionality view: supervisors (their boroughs and London), auditors and the DPO (every borough).
Role checks use ``matrix.permissions.holds``, which ignores the superuser flag.
"""

from django.core.exceptions import PermissionDenied

from matrix.permissions import holds, list_boroughs_for
from transparency.models.population import LONDON_CODE

VIEW_REGISTER = "transparency.view_impactassessment"
ADD_ASSESSMENT = "transparency.add_impactassessment"
VIEW_DISPROPORTIONALITY = "transparency.view_disproportionality"
LONDON_NAME = "London (all boroughs)"


def can_view_disproportionality(user) -> bool:
    return holds(user, VIEW_DISPROPORTIONALITY)


def disproportionality_areas(user) -> list[tuple[str, str]]:
    """(code, name) of the areas the user may compare: London as a whole, then the boroughs they may see."""
    if not can_view_disproportionality(user):
        return []
    return [(LONDON_CODE, LONDON_NAME), *list_boroughs_for(user).order_by("name").values_list("code", "name")]


def can_view_register(user) -> bool:
    return holds(user, VIEW_REGISTER)


def can_record_assessment(user) -> bool:
    return holds(user, VIEW_REGISTER) and holds(user, ADD_ASSESSMENT)


def require(allowed: bool, what: str) -> None:
    if not allowed:
        raise PermissionDenied(f"Only the data protection officer's role can {what}.")
