"""Who may handle subject access requests (DPA 2018 s.45): the DPO role, nobody else.

One place for the pages and any API alike. Role checks use ``matrix.permissions.holds``, which
ignores the superuser flag: an administrator gathers nobody's data without the role.
"""

from django.core.exceptions import PermissionDenied

from matrix.permissions import holds

VIEW = "audit.view_subjectaccessrequest"
OPEN = "audit.add_subjectaccessrequest"
CHANGE = "audit.change_subjectaccessrequest"
REPORT = "audit.generate_subject_access_report"


def can_view(user) -> bool:
    return holds(user, VIEW)


def can_open(user) -> bool:
    return holds(user, VIEW) and holds(user, OPEN)


def can_change(user) -> bool:
    return holds(user, VIEW) and holds(user, CHANGE)


def can_report(user) -> bool:
    return holds(user, VIEW) and holds(user, REPORT)


def require(allowed: bool, what: str = "handle subject access requests") -> None:
    if not allowed:
        raise PermissionDenied(f"Only the data protection officer can {what}.")
