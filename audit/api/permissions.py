from rest_framework.permissions import BasePermission

from audit.permissions import REFUSAL, can_read_log


class AuditLogAccess(BasePermission):
    """The auditor and DPO roles, read-only. A refusal is a 403, logged by the API's exception handler."""

    message = REFUSAL

    def has_permission(self, request, view):
        return can_read_log(request.user) and request.method in ("GET", "HEAD", "OPTIONS")
