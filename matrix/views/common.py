"""What every browser page shares: whose data it shows, and the one door to a subject."""

from audit import hooks
from matrix import permissions
from matrix.models import Subject

PAGE_SIZE = 25


def scope_description(user) -> str:
    """Whose data a page shows and why, in one sentence (every page says so)."""
    if permissions.holds(user, permissions.VIEW_ALL_SUBJECTS):
        return "all boroughs, read-only, because your role is audit and oversight"
    names = [borough.name for borough in permissions.boroughs_for(user)]
    if not names:
        return "no boroughs: your account has not been granted access to any borough's records"
    return f"{', '.join(names)}, the borough(s) you have been granted access to"


def get_visible_subject(user, subject_uuid) -> Subject:
    """A subject outside the user's access is a 404, never a 403 that confirms it exists."""
    subject = (
        Subject.objects.visible_to(user)
        .select_related("borough", "created_by", "submitted_by", "approved_by")
        .filter(uuid=subject_uuid)
        .first()
    )
    if subject is None:
        raise hooks.deny_missing_subject(user, subject_uuid, "Subject page requested outside the user's access")
    return subject
