"""Officers request disclosures, supervisors decide them, everyone with access reads the register."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit import hooks
from audit.hooks import describe_query
from matrix.forms.base import add_service_errors
from matrix.pagination import keyset_page
from matrix.views.common import PAGE_SIZE, get_visible_subject, scope_description
from sharing import permissions, queries, services
from sharing.forms import DisclosureRequestForm, ReasonForm, RegisterFilterForm
from sharing.models import Disclosure
from sharing.snapshot import build_snapshot


@login_required
def disclosure_request(request, subject_uuid):
    subject = get_visible_subject(request.user, subject_uuid)
    if not permissions.can_request(request.user, subject):
        raise PermissionDenied("Only officers and supervisors of the subject's borough can request a disclosure.")
    form = DisclosureRequestForm(request.POST or None, subject=subject)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("action") == "preview":
                services.check_disclosure_rules(
                    subject=subject, partner=data["agreement"].partner, agreement=data["agreement"],
                    lawful_basis=data["lawful_basis"], purpose=data["purpose"], fields=data["fields"],
                    expiry=data["expiry"] or services.default_expiry(data["agreement"]),
                )
                preview = build_snapshot(subject, data["fields"], data["agreement"])
            else:
                disclosure = services.request_disclosure(
                    acting_user=request.user, subject=subject, agreement=data["agreement"],
                    lawful_basis=data["lawful_basis"], purpose=data["purpose"], fields=data["fields"],
                    expiry=data["expiry"],
                )
                messages.success(request, f"Disclosure {disclosure.reference} requested. A supervisor must approve it.")
                return redirect("disclosure-detail", disclosure_uuid=disclosure.uuid)
        except ValidationError as error:
            add_service_errors(form, error)
    return render(
        request,
        "sharing/request.html",
        {"subject": subject, "form": form, "preview": preview, "scope": scope_description(request.user)},
    )


@login_required
def disclosure_register(request):
    if not permissions.can_read_register(request.user):
        raise PermissionDenied("The disclosure register is for police and oversight roles.")
    filters = RegisterFilterForm(request.GET or None)
    cleaned = filters.cleaned_data if filters.is_valid() else {}
    rows, next_cursor = keyset_page(
        queries.register(request.user, cleaned), queries.REQUESTED_NEWEST, request.GET.get("after"), PAGE_SIZE
    )
    hooks.searched(request.user, detail=f"Disclosure register: {describe_query(request.GET)}", results=len(rows))
    return render(
        request,
        "sharing/register.html",
        {
            "filters": filters,
            "disclosures": rows,
            "next_cursor": next_cursor,
            "ending_soon": services.agreements_ending_soon(),
            "query": request.GET.copy(),
            "scope": scope_description(request.user),
        },
    )


@login_required
def disclosure_queue(request):
    if not permissions.holds(request.user, permissions.APPROVE_DISCLOSURE):
        raise PermissionDenied("Only supervisors decide disclosures.")
    return render(
        request,
        "sharing/queue.html",
        {"disclosures": queries.approval_queue(request.user)[:100], "scope": scope_description(request.user)},
    )


def get_visible_disclosure(user, disclosure_uuid) -> Disclosure:
    disclosure = (
        permissions.disclosures_visible_to(user)
        .select_related(*queries.LIST_RELATED, "agreement", "revoked_by")
        .filter(uuid=disclosure_uuid)
        .first()
    )
    if disclosure is None:
        hooks.denied(user, detail="Disclosure record requested outside the user's access")
        raise Http404("No such disclosure.")
    return disclosure


@login_required
def disclosure_detail(request, disclosure_uuid):
    disclosure = get_visible_disclosure(request.user, disclosure_uuid)
    hooks.consulted(request.user, disclosure.subject, obj=disclosure, detail="Disclosure record viewed")
    return render(
        request,
        "sharing/detail.html",
        {
            "disclosure": disclosure,
            "notices": disclosure.notices.all(),
            "can_decide": permissions.can_decide(request.user, disclosure)
            and disclosure.requested_by_id != request.user.pk,
            "can_revoke": permissions.can_decide(request.user, disclosure),
            "reason_form": ReasonForm(),
            "scope": scope_description(request.user),
        },
    )


DECISIONS = {
    "approve": lambda user, disclosure, reason: services.approve_disclosure(acting_user=user, disclosure=disclosure),
    "refuse": lambda user, disclosure, reason: services.refuse_disclosure(acting_user=user, disclosure=disclosure, reason=reason),
    "revoke": lambda user, disclosure, reason: services.revoke_disclosure(acting_user=user, disclosure=disclosure, reason=reason),
}


@login_required
@require_POST
def disclosure_decide(request, disclosure_uuid, decision):
    disclosure = get_visible_disclosure(request.user, disclosure_uuid)
    try:
        DECISIONS[decision](request.user, disclosure, request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Disclosure {disclosure.reference}: {decision} recorded.")
    return redirect("disclosure-detail", disclosure_uuid=disclosure.uuid)
