"""Disclosure lists for the register, the approval queue and the partner portal."""

from datetime import datetime, time

from django.db.models import Q
from django.utils import timezone

from core.pagination import NEWEST, KeysetOrder
from matrix.permissions import boroughs_for
from sharing import permissions
from sharing.choices import DisclosureStatus
from sharing.models import Disclosure

REQUESTED_NEWEST = KeysetOrder("requested", "requested_at", True, NEWEST.parse, NEWEST.render)
LIST_RELATED = ("subject__borough", "partner", "lawful_basis", "requested_by", "decided_by")


def register(user, filters: dict):
    rows = permissions.disclosures_visible_to(user).select_related(*LIST_RELATED)
    if filters.get("partner"):
        rows = rows.filter(partner=filters["partner"])
    if filters.get("lawful_basis"):
        rows = rows.filter(lawful_basis=filters["lawful_basis"])
    if filters.get("borough"):
        rows = rows.filter(subject__borough__code=filters["borough"])
    status = filters.get("status")
    if status == "live":
        rows = rows.live()
    elif status:
        rows = rows.filter(status=status)
    tz = timezone.get_current_timezone()
    if filters.get("requested_from"):
        rows = rows.filter(requested_at__gte=datetime.combine(filters["requested_from"], time.min, tz))
    if filters.get("requested_to"):
        rows = rows.filter(requested_at__lte=datetime.combine(filters["requested_to"], time.max, tz))
    return rows


def approval_queue(user):
    """Requests a supervisor may decide: their boroughs, not their own."""
    if not permissions.holds(user, permissions.APPROVE_DISCLOSURE):
        return Disclosure.objects.none()
    return (
        Disclosure.objects.filter(status=DisclosureStatus.REQUESTED, subject__borough__in=boroughs_for(user))
        .filter(~Q(requested_by=user))
        .select_related(*LIST_RELATED)
        .order_by("requested_at")
    )
