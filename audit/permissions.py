"""Every access decision of the audit app, for the pages and the API alike: who may read the access log (the
auditor and DPO roles, read-only) and who may handle subject access requests (DPA 2018 s.45: the DPO role,
nobody else).

Role checks use ``matrix.permissions.holds``, which ignores the superuser flag: an administrator reads
nobody's access history, and gathers nobody's data, without the role.
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


# Subject access requests (DPA 2018 s.45).
VIEW_REQUESTS = "audit.view_subjectaccessrequest"
OPEN_REQUEST = "audit.add_subjectaccessrequest"
CHANGE_REQUEST = "audit.change_subjectaccessrequest"
REPORT_ON_REQUEST = "audit.generate_subject_access_report"


def can_view_requests(user) -> bool:
    return holds(user, VIEW_REQUESTS)


def can_open_request(user) -> bool:
    return holds(user, VIEW_REQUESTS) and holds(user, OPEN_REQUEST)


def can_change_request(user) -> bool:
    return holds(user, VIEW_REQUESTS) and holds(user, CHANGE_REQUEST)


def can_report_on_request(user) -> bool:
    return holds(user, VIEW_REQUESTS) and holds(user, REPORT_ON_REQUEST)


def require_request_handler(allowed: bool, what: str = "handle subject access requests") -> None:
    if not allowed:
        raise PermissionDenied(f"Only the data protection officer can {what}.")
