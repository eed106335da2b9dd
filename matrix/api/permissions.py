from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission

from matrix import permissions
from matrix.models import Evidence


class SubjectAccess(BasePermission):
    """Role checks for the subjects API; borough scope is applied by the queryset (outsiders get 404)."""

    message = "Your role does not allow this action on subjects."

    def has_permission(self, request, view):
        user = request.user
        if request.method in SAFE_METHODS:
            return _reads_records(user)
        if request.method == "POST":
            return permissions.holds(user, permissions.ADD_SUBJECT)
        return permissions.holds(user, permissions.CHANGE_SUBJECT)

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        return permissions.can_edit_subject(request.user, obj)


# The step each viewset action is, in matrix.permissions.SUBJECT_STEPS: its role check is made on the object so
# that the wrong role is refused (403) before the request body is read, never answered with a 400 about a
# request it may not make. Four-eyes and the record's state stay with the services.
SUBJECT_ACTION_STEPS = {
    "submit": "submit",
    "approve": "approve",
    "reject": "reject",
    "review": "review",
    "remove": "remove",
    "restrict": "restrict",
    "lift": "lift",
}
EVIDENCE_ACTION_STEPS = {
    "partial_update": "change_evidence",
    "withdraw": "withdraw_evidence",
    "verify": "verify_evidence",
}


def _refused_step(permission: BasePermission, step: str | None, user, subject) -> bool:
    """Whether ``matrix.permissions`` refuses the step; the refusal's words become the 403's message."""
    if step is None:
        return False
    try:
        permissions.require_step(step, user, subject)
    except DjangoPermissionDenied as refusal:
        permission.message = str(refusal)
        return True
    return False


def _reads_records(user) -> bool:
    return permissions.holds(user, permissions.VIEW_SUBJECT) or permissions.holds(user, permissions.VIEW_ALL_SUBJECTS)


class RestrictionAccess(BasePermission):
    """Restriction of processing (DPA 2018 s.47): those who read records reach the record (outside their access
    it does not exist: 404), and the step's own rule refuses anyone else (403) before the body is read."""

    message = "Your role does not allow this action on matrix records."

    def has_permission(self, request, view):
        return _reads_records(request.user)

    def has_object_permission(self, request, view, obj):
        return not _refused_step(self, SUBJECT_ACTION_STEPS.get(view.action), request.user, obj)


class BreakGlassAccess(BasePermission):
    """Break glass is for the roles ``matrix.permissions.can_break_glass`` allows, refused before the body is read."""

    message = "Your role cannot use break-glass access."

    def has_permission(self, request, view):
        return permissions.can_break_glass(request.user)


class RecordWorkAccess(BasePermission):
    """Role gate for workflow steps, evidence and history: read roles may read, record-keeping roles may act.

    Which step a role may take, in which borough, and four-eyes are decided by the services, which
    raise PermissionDenied (403); borough scope is the queryset's (outsiders get 404).
    """

    message = "Your role does not allow this action on matrix records."

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return _reads_records(request.user)
        return permissions.holds(request.user, permissions.CHANGE_SUBJECT)

    def has_object_permission(self, request, view, obj):
        if isinstance(obj, Evidence):
            return not _refused_step(self, EVIDENCE_ACTION_STEPS.get(view.action), request.user, obj.subject)
        return not _refused_step(self, SUBJECT_ACTION_STEPS.get(view.action), request.user, obj)
