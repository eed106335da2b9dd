"""Who may read the access log: the auditor and DPO roles, read-only. One place for the pages and the API.

Role checks use ``matrix.permissions.holds``, which ignores the superuser flag: an administrator reads
nobody's access history without the role.
"""

from django.core.exceptions import PermissionDenied

from matrix.permissions import holds

VIEW_LOG = "audit.view_audit_log"
REFUSAL = "Only auditors and the data protection officer can read the access log."


def can_read_log(user) -> bool:
    return holds(user, VIEW_LOG)


def require_log_reader(user) -> None:
    if not can_read_log(user):
        raise PermissionDenied(REFUSAL)
