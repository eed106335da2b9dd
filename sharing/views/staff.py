"""Officers request disclosures, supervisors decide them, everyone with access reads the register."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from audit import hooks
from audit.hooks import describe_query
from config import failed_forms
from core.pagination import keyset_page, page_links
from matrix.forms.base import add_service_errors
from matrix.models import Subject
from matrix.views.common import PAGE_SIZE, get_visible_subject, scope_description
from sharing import permissions, queries, services
from sharing.choices import DisclosureStatus
from sharing.forms import (
    DecisionForm,
    DisclosureRequestForm,
    ReasonForm,
    RegisterFilterForm,
)
from sharing.models import Disclosure
from sharing.snapshot import build_snapshot


@login_required
def disclosure_request(request, subject_uuid):
    subject = get_visible_subject(request.user, subject_uuid)
    permissions.require_request(request.user, subject)
    # Reached for one agreement (?agreement=), the form offers only the fields that agreement allows.
    initial = {"agreement": request.GET["agreement"]} if request.GET.get("agreement") else {}
    form = DisclosureRequestForm(request.POST or None, subject=subject, initial=initial)
    preview = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("action") == "preview":
                services.check_disclosure_rules(
                    subject=subject,
                    partner=data["agreement"].partner,
                    agreement=data["agreement"],
                    lawful_basis=data["lawful_basis"],
                    purpose=data["purpose"],
                    fields=data["fields"],
                    expiry=data["expiry"] or services.default_expiry(data["agreement"]),
                )
                preview = build_snapshot(subject, data["fields"], data["agreement"])
            else:
                disclosure = services.request_disclosure(
                    acting_user=request.user,
                    subject=subject,
                    agreement=data["agreement"],
                    lawful_basis=data["lawful_basis"],
                    purpose=data["purpose"],
                    fields=data["fields"],
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
    filters = RegisterFilterForm(request.GET or None, user=request.user)
    if filters.is_bound:
        filters.is_valid()  # a bad value in one filter is reported and ignored; the others still apply
    cleaned = getattr(filters, "cleaned_data", {})
    rows, next_cursor = keyset_page(
        queries.register(request.user, cleaned), queries.REQUESTED_NEWEST, request.GET.get("after"), PAGE_SIZE
    )
    hooks.searched(request.user, detail=f"Disclosure register: {describe_query(request.GET)}", results=len(rows))
    mark_openable_subjects(request.user, rows)
    return render(
        request,
        "sharing/register.html",
        {
            "filters": filters,
            "disclosures": rows,
            "next_cursor": next_cursor,
            "ending_soon": services.agreements_ending_soon(),
            **page_links(request, "after", next_cursor),
            "scope": scope_description(request.user),
        },
    )


@login_required
def disclosure_queue(request):
    permissions.require_supervisor(request.user)
    disclosures = list(queries.approval_queue(request.user)[:100])
    mark_openable_subjects(request.user, disclosures)
    return render(request, "sharing/queue.html", {"disclosures": disclosures, "scope": scope_description(request.user)})


def mark_openable_subjects(user, disclosures) -> None:
    """Set ``subject_openable`` on each row: its subject's reference links to the record only where the
    viewer may open it (oversight roles read every disclosure, not always every record)."""
    openable = (
        set(
            Subject.objects.visible_to(user)
            .filter(pk__in={disclosure.subject_id for disclosure in disclosures})
            .values_list("pk", flat=True)
        )
        if disclosures
        else set()
    )
    for disclosure in disclosures:
        disclosure.subject_openable = disclosure.subject_id in openable


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


DECISIONS = {
    "approve": lambda user, disclosure, reason: services.approve_disclosure(acting_user=user, disclosure=disclosure),
    "refuse": lambda user, disclosure, reason: services.refuse_disclosure(
        acting_user=user, disclosure=disclosure, reason=reason
    ),
    "revoke": lambda user, disclosure, reason: services.revoke_disclosure(
        acting_user=user, disclosure=disclosure, reason=reason
    ),
}
DONE = {"approve": "approved", "refuse": "refused", "revoke": "revoked"}
REASON_LABELS = {"refuse": "Reason for refusing", "revoke": "Reason for revoking"}


def decision_form(decision: str, data=None):
    """The form behind one decision's button; ids are prefixed by the decision ("refuse-reason")."""
    if decision == "approve":
        return DecisionForm(data, auto_id="approve-%s")
    return ReasonForm(data, label=REASON_LABELS[decision], auto_id=f"{decision}-%s")


def failed_decision_page(decision: str, disclosure) -> str:
    return f"disclosure-{decision}:{disclosure.uuid}"


@login_required
def disclosure_detail(request, disclosure_uuid):
    disclosure = get_visible_disclosure(request.user, disclosure_uuid)
    hooks.consulted(request.user, disclosure.subject, obj=disclosure, detail="Disclosure record viewed")
    forms, failed = {}, None
    for decision in DECISIONS:
        kept = failed_forms.recall(
            request,
            failed_decision_page(decision, disclosure),
            lambda data, context, d=decision: decision_form(d, data),
        )
        if kept is not None:
            failed = kept
        forms[decision] = kept if kept is not None else decision_form(decision)
    can_decide = permissions.can_approve_or_refuse(request.user, disclosure)
    deciding = can_decide and disclosure.status == DisclosureStatus.REQUESTED
    return render(
        request,
        "sharing/detail.html",
        {
            "disclosure": disclosure,
            "notices": disclosure.notices.all(),
            "can_decide": can_decide,
            "can_revoke": permissions.can_decide(request.user, disclosure),
            # What approving now would send: the snapshot approval takes, drawn as the partner portal draws it.
            "preview": build_snapshot(disclosure.subject, disclosure.fields, disclosure.agreement)
            if deciding
            else None,
            "decision_forms": forms,
            "failed_form": failed,
            "scope": scope_description(request.user),
        },
    )


@login_required
@require_POST
def disclosure_decide(request, disclosure_uuid, decision):
    """Approve, refuse or revoke; a refused decision goes back to the record with the error summary (PRG)."""
    disclosure = get_visible_disclosure(request.user, disclosure_uuid)
    form = decision_form(decision, request.POST)
    form.is_valid()  # the form only carries the reason: whether it is enough is the service's rule
    try:
        DECISIONS[decision](request.user, disclosure, request.POST.get("reason", ""))
    except ValidationError as error:
        add_service_errors(form, error)
        return failed_forms.refused(
            request,
            failed_decision_page(decision, disclosure),
            form,
            "disclosure-detail",
            disclosure_uuid=disclosure.uuid,
        )
    messages.success(request, f"Disclosure {disclosure.reference} {DONE[decision]}.")
    return redirect("disclosure-detail", disclosure_uuid=disclosure.uuid)
