from rest_framework.permissions import SAFE_METHODS, BasePermission

from matrix import permissions


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
