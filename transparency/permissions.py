"""Who may use the governance pages. The public pages need no permission at all (no sign-in).

The impact assessment register: the DPO keeps it (adds new versions), auditors read it. Role checks
use ``matrix.permissions.holds``, which ignores the superuser flag.
"""

from django.core.exceptions import PermissionDenied

from matrix.permissions import holds

VIEW_REGISTER = "transparency.view_impactassessment"
ADD_ASSESSMENT = "transparency.add_impactassessment"


def can_view_register(user) -> bool:
    return holds(user, VIEW_REGISTER)


def can_record_assessment(user) -> bool:
    return holds(user, VIEW_REGISTER) and holds(user, ADD_ASSESSMENT)


def require(allowed: bool, what: str) -> None:
    if not allowed:
        raise PermissionDenied(f"Only the data protection officer's role can {what}.")
