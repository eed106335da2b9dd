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
