"""Every access decision about disclosures, used by the pages and the API alike.

``can_*`` answer the question (to show or hide a form); ``require_*`` refuse with the words the person
reads (PermissionDenied, 403). The services call ``require_*`` before any change, and so do the pages
that must refuse before reading a form.
"""

from django.core.exceptions import PermissionDenied

from matrix import permissions as matrix_permissions
from matrix.models import Subject
from sharing.models import Disclosure, PartnerAgency

REQUEST_DISCLOSURE = "sharing.add_disclosure"
APPROVE_DISCLOSURE = "sharing.approve_disclosure"
VIEW_ALL_DISCLOSURES = "sharing.view_all_disclosures"
USE_PARTNER_PORTAL = "sharing.use_partner_portal"

holds = matrix_permissions.holds


def can_request(user, subject: Subject) -> bool:
    return holds(user, REQUEST_DISCLOSURE) and matrix_permissions.works_in_borough(user, subject.borough)


def can_decide(user, disclosure: Disclosure) -> bool:
    return holds(user, APPROVE_DISCLOSURE) and matrix_permissions.works_in_borough(user, disclosure.subject.borough)


def can_approve_or_refuse(user, disclosure: Disclosure) -> bool:
    """Four eyes: a supervisor of the borough who did not request it (revoking needs only can_decide)."""
    return can_decide(user, disclosure) and disclosure.requested_by_id != user.pk


def require_request(user, subject: Subject) -> None:
    if not can_request(user, subject):
        raise PermissionDenied("Only officers and supervisors of the subject's borough can request a disclosure.")


def require_decide(user, disclosure: Disclosure, action: str) -> None:
    """A supervisor of the subject's borough (revoking needs no more)."""
    if not can_decide(user, disclosure):
        raise PermissionDenied(f"Only a supervisor of {disclosure.subject.borough.name} can {action} this disclosure.")


def require_approve_or_refuse(user, disclosure: Disclosure, action: str) -> None:
    require_decide(user, disclosure, action)
    if not can_approve_or_refuse(user, disclosure):
        raise PermissionDenied(f"You cannot {action} a disclosure you requested: another supervisor must.")


def require_supervisor(user) -> None:
    if not holds(user, APPROVE_DISCLOSURE):
        raise PermissionDenied("Only supervisors decide disclosures.")


def can_read_register(user) -> bool:
    return holds(user, VIEW_ALL_DISCLOSURES) or holds(user, "sharing.view_disclosure")


def disclosures_visible_to(user):
    """The disclosure register: everything for oversight roles, else disclosures of subjects the user can see."""
    if holds(user, VIEW_ALL_DISCLOSURES):
        return Disclosure.objects.all()
    if not can_read_register(user):
        return Disclosure.objects.none()
    return Disclosure.objects.filter(subject__in=Subject.objects.visible_to(user))


def partner_of(user) -> PartnerAgency | None:
    if not holds(user, USE_PARTNER_PORTAL):
        return None
    membership = getattr(user, "partner_membership", None)
    return membership.partner if membership else None


def partner_disclosures(user, at=None):
    """What a partner may see: live disclosures to their own agency, nothing else, ever."""
    partner = partner_of(user)
    if partner is None:
        return Disclosure.objects.none()
    return Disclosure.objects.live(at).filter(partner=partner)


REGISTER_PARTNER = "sharing.add_partneragency"


def can_register_partner(user) -> bool:
    return holds(user, REGISTER_PARTNER)


def require_register_partner(user) -> None:
    if not can_register_partner(user):
        raise PermissionDenied("Only the data protection officer's role can register partner agencies.")
