from rest_framework.permissions import SAFE_METHODS, BasePermission

from matrix import permissions
from matrix.models import Evidence


class SubjectAccess(BasePermission):
    """Role checks for the subjects API; borough scope is applied by the queryset (outsiders get 404)."""

    message = "Your role does not allow this action on subjects."

    def has_permission(self, request, view):
        user = request.user
        if request.method in SAFE_METHODS:
            return permissions.holds(user, permissions.VIEW_SUBJECT) or permissions.holds(
                user, permissions.VIEW_ALL_SUBJECTS
            )
        if request.method == "POST":
            return permissions.holds(user, permissions.ADD_SUBJECT)
        return permissions.holds(user, permissions.CHANGE_SUBJECT)

    def has_object_permission(self, request, view, obj):
        if request.method in SAFE_METHODS:
            return True
        return permissions.can_edit_subject(request.user, obj)


# The role check each step's service makes, with the service's words, keyed by the viewset action. It is
# repeated on the object so that the wrong role is refused (403) before the request body is read, never
# answered with a 400 about a request it may not make. Four-eyes and the record's state stay with the services.
SUBJECT_STEP_CHECKS = {
    "submit": (permissions.can_edit_subject, "You can only submit subjects of boroughs you work in."),
    "approve": (permissions.can_approve, "Only a supervisor of {borough} can approve this record."),
    "reject": (permissions.can_approve, "Only a supervisor of {borough} can reject this record."),
    "review": (permissions.can_review, "Only a supervisor of {borough} can review this record."),
    "remove": (permissions.can_review, "Only a supervisor of {borough} can remove this record."),
}
CHANGE_EVIDENCE = "You can only change evidence on subjects of boroughs you work in."
EVIDENCE_STEP_CHECKS = {
    "partial_update": (permissions.can_edit_subject, CHANGE_EVIDENCE),
    "withdraw": (permissions.can_edit_subject, CHANGE_EVIDENCE),
    "verify": (permissions.can_verify, "Only a supervisor of the subject's borough can verify social media."),
}


class RecordWorkAccess(BasePermission):
    """Role gate for workflow steps, evidence and history: read roles may read, record-keeping roles may act.

    Which step a role may take, in which borough, and four-eyes are decided by the services, which
    raise PermissionDenied (403); borough scope is the queryset's (outsiders get 404).
    """

    message = "Your role does not allow this action on matrix records."

    def has_permission(self, request, view):
        user = request.user
        if request.method in SAFE_METHODS:
            return permissions.holds(user, permissions.VIEW_SUBJECT) or permissions.holds(
                user, permissions.VIEW_ALL_SUBJECTS
            )
        return permissions.holds(user, permissions.CHANGE_SUBJECT)

    def has_object_permission(self, request, view, obj):
        if isinstance(obj, Evidence):
            step, subject = EVIDENCE_STEP_CHECKS.get(view.action), obj.subject
        else:
            step, subject = SUBJECT_STEP_CHECKS.get(view.action), obj
        if step is None:
            return True
        allowed, refusal = step
        if allowed(request.user, subject):
            return True
        self.message = refusal.format(borough=subject.borough.name)
        return False
