"""The partner portal: only live disclosures to the partner's own agency, only their snapshots."""

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render

from sharing import permissions
from sharing.snapshot import snapshot_rows


def _partner(user):
    partner = permissions.partner_of(user)
    if partner is None:
        raise PermissionDenied("The partner portal is for partner agency accounts.")
    return partner


def _scope(partner) -> str:
    return f"{partner.name}: only what was lawfully disclosed to your agency, for as long as it was disclosed"


@login_required
def portal_home(request):
    partner = _partner(request.user)
    disclosures = (
        permissions.partner_disclosures(request.user)
        .select_related("lawful_basis")
        .order_by("expires_at")[:200]
    )
    return render(request, "sharing/portal_home.html", {"partner": partner, "disclosures": disclosures, "scope": _scope(partner)})


def _live_disclosure(user, disclosure_uuid):
    """Another agency's, an expired or a revoked disclosure does not exist for this partner (404)."""
    return get_object_or_404(
        permissions.partner_disclosures(user).select_related("lawful_basis", "partner"), uuid=disclosure_uuid
    )


@login_required
def portal_detail(request, disclosure_uuid):
    partner = _partner(request.user)
    disclosure = _live_disclosure(request.user, disclosure_uuid)
    return render(
        request,
        "sharing/portal_detail.html",
        {
            "partner": partner,
            "disclosure": disclosure,
            "notices": disclosure.notices.all(),
            "scope": _scope(partner),
        },
    )


@login_required
def portal_export(request, disclosure_uuid):
    """A CSV in which every row names the recipient agency and the disclosure reference."""
    partner = _partner(request.user)
    disclosure = _live_disclosure(request.user, disclosure_uuid)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{disclosure.reference}.csv"'
    writer = csv.writer(response)
    marking = [partner.name, disclosure.reference]
    writer.writerow(["Recipient agency", "Disclosure reference", "Item", "Value"])
    writer.writerow([*marking, "Lawful basis", disclosure.lawful_basis.citation])
    writer.writerow([*marking, "Purpose", disclosure.purpose])
    writer.writerow([*marking, "Expires", disclosure.expires_at.isoformat()])
    for label, value in snapshot_rows(disclosure.snapshot):
        writer.writerow([*marking, label, value])
    for item in (disclosure.snapshot["fields"].get("evidence") or {}).get("items", []):
        conditions = f" CONDITIONS: {item['handling_conditions']}" if item["handling_conditions"] else ""
        writer.writerow(
            [*marking, f"Evidence {item['information_date']} ({item['grading']}, {item['nature']})",
             f"{item['summary']}{conditions}"]
        )
    for notice in disclosure.notices.all():
        writer.writerow([*marking, f"Notice {notice.created_at:%Y-%m-%d}", notice.message])
    return response
