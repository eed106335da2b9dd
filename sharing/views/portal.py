"""The partner portal: only live disclosures to the partner's own agency, only their snapshots.

Every list, view and export here is logged with the recipient agency (DPA 2018 s.62)."""

import csv

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit import hooks
from audit.log import record
from audit.models import Action
from config import failed_forms
from config.form_messages import SpecificMessages
from sharing import permissions
from sharing.snapshot import snapshot_rows


class ExportForm(SpecificMessages, forms.Form):
    justification = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        min_length=10,
        label="Why do you need a copy?",
        error_messages={"min_length": "Say why you need a copy in at least 10 characters"},
        help_text="Recorded with the export. Keep the copy only as long as that purpose needs it.",
    )


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
    disclosures = list(
        permissions.partner_disclosures(request.user).select_related("lawful_basis").order_by("expires_at")[:200]
    )
    record(
        Action.SEARCH,
        actor=request.user,
        recipient=partner.name,
        detail=f"Partner portal list; {len(disclosures)} shown",
    )
    return render(
        request, "sharing/portal_home.html", {"partner": partner, "disclosures": disclosures, "scope": _scope(partner)}
    )


def _live_disclosure(user, disclosure_uuid):
    """Another agency's, an expired or a revoked disclosure does not exist for this partner (404)."""
    disclosure = (
        permissions.partner_disclosures(user)
        .select_related("lawful_basis", "partner", "subject__borough")
        .filter(uuid=disclosure_uuid)
        .first()
    )
    if disclosure is None:
        hooks.denied(user, detail="Partner asked for a disclosure that is not live for their agency")
        raise Http404("No such disclosure.")
    return disclosure


def _page(request, partner, disclosure, export_form):
    return render(
        request,
        "sharing/portal_detail.html",
        {
            "partner": partner,
            "disclosure": disclosure,
            "notices": disclosure.notices.all(),
            "export_form": export_form,
            "scope": _scope(partner),
        },
    )


def _export_page(disclosure) -> str:
    return f"partner-export:{disclosure.uuid}"


@login_required
def portal_detail(request, disclosure_uuid):
    partner = _partner(request.user)
    disclosure = _live_disclosure(request.user, disclosure_uuid)
    record(
        Action.CONSULT,
        actor=request.user,
        obj=disclosure,
        subject=disclosure.subject,
        recipient=partner.name,
        detail=f"Partner viewed disclosure {disclosure.reference}",
    )
    refused = failed_forms.recall(request, _export_page(disclosure), lambda data, context: ExportForm(data))
    return _page(request, partner, disclosure, ExportForm() if refused is None else refused)


@login_required
@require_POST
def portal_export(request, disclosure_uuid):
    """A CSV in which every row names the recipient agency and the disclosure reference."""
    partner = _partner(request.user)
    disclosure = _live_disclosure(request.user, disclosure_uuid)
    form = ExportForm(request.POST)
    if not form.is_valid():
        # Back to the disclosure, with the error summary: the address never rests on the file's URL.
        return failed_forms.refused(
            request, _export_page(disclosure), form, "partner-disclosure", disclosure_uuid=disclosure.uuid
        )
    record(
        Action.EXPORT,
        actor=request.user,
        obj=disclosure,
        subject=disclosure.subject,
        recipient=partner.name,
        justification=form.cleaned_data["justification"],
        detail=f"Partner exported disclosure {disclosure.reference} as CSV",
    )
    return _csv(partner, disclosure)


# A cell starting with one of these is run as a formula by spreadsheet programs (CSV injection, OWASP).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


class _InertWriter:
    """csv.writer whose cells can never start a formula in the recipient's spreadsheet."""

    def __init__(self, stream):
        self._writer = csv.writer(stream)

    def writerow(self, row):
        self._writer.writerow([_cell(value) for value in row])


def _iso(moment) -> str:
    """A date-time for the file: ISO 8601 in local time with its offset, to the second (dates stay YYYY-MM-DD)."""
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _csv(partner, disclosure) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{disclosure.reference}.csv"'
    writer = _InertWriter(response)
    marking = [partner.name, disclosure.reference]
    writer.writerow(["Recipient agency", "Disclosure reference", "Item", "Value"])
    writer.writerow([*marking, "Lawful basis", disclosure.lawful_basis.citation])
    writer.writerow([*marking, "Purpose", disclosure.purpose])
    writer.writerow([*marking, "Expires", _iso(disclosure.expires_at)])
    for label, value in snapshot_rows(disclosure.snapshot):
        writer.writerow([*marking, label, value])
    for item in (disclosure.snapshot["fields"].get("evidence") or {}).get("items", []):
        conditions = f" CONDITIONS: {item['handling_conditions']}" if item["handling_conditions"] else ""
        writer.writerow(
            [
                *marking,
                f"Evidence {item['information_date']} ({item['grading']}, {item['nature']})",
                f"{item['summary']}{conditions}",
            ]
        )
    for notice in disclosure.notices.all():
        writer.writerow([*marking, f"Notice {_iso(notice.created_at)}", notice.message])
    return response
