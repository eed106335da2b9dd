"""Adding, correcting, withdrawing and verifying evidence items. Rules live in matrix.evidence_services."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from audit import hooks
from matrix import evidence_services, forms, permissions
from matrix.views.common import get_visible_subject, scope_description


def get_visible_evidence(user, subject_uuid, evidence_uuid):
    """An item is reached only through a subject the user may see (404 otherwise)."""
    subject = get_visible_subject(user, subject_uuid)
    item = get_object_or_404(subject.evidence.select_related("offence_type", "created_by"), uuid=evidence_uuid)
    item.subject = subject
    hooks.consulted(user, subject, obj=item, detail="Evidence item opened")
    return subject, item


def _page(request, template, **context):
    context.setdefault("scope", scope_description(request.user))
    return render(request, template, context)


def _done(request, subject, message):
    messages.success(request, message)
    return redirect("subject-detail", subject_uuid=subject.uuid)


@login_required
def evidence_add(request, subject_uuid):
    subject = get_visible_subject(request.user, subject_uuid)
    permissions.require_step("add_evidence", request.user, subject)
    form = forms.EvidenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            evidence_services.add_evidence(acting_user=request.user, subject=subject, **form.values())
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            return _done(request, subject, "Evidence item added.")
    return _page(request, "matrix/evidence_form.html", form=form, subject=subject)


@login_required
def evidence_edit(request, subject_uuid, evidence_uuid):
    subject, item = get_visible_evidence(request.user, subject_uuid, evidence_uuid)
    permissions.require_step("change_evidence", request.user, subject)
    # The form writes what was typed onto its instance; the page keeps showing the stored item.
    form = forms.EvidenceForm(request.POST or None, instance=copy.copy(item))
    if request.method == "POST" and form.is_valid():
        try:
            evidence_services.edit_evidence(acting_user=request.user, evidence=item, changes=form.values())
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            return _done(request, subject, "Evidence item corrected.")
    return _page(request, "matrix/evidence_form.html", form=form, subject=subject, item=item, editing=True)


@login_required
def evidence_withdraw(request, subject_uuid, evidence_uuid):
    subject, item = get_visible_evidence(request.user, subject_uuid, evidence_uuid)
    permissions.require_step("withdraw_evidence", request.user, subject)
    form = forms.WithdrawEvidenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            evidence_services.withdraw_evidence(
                acting_user=request.user, evidence=item, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            return _done(request, subject, "Evidence item withdrawn. It stays on the record with your reason.")
    return _page(request, "matrix/evidence_withdraw.html", form=form, subject=subject, item=item)


@login_required
def evidence_verify(request, subject_uuid, evidence_uuid):
    subject, item = get_visible_evidence(request.user, subject_uuid, evidence_uuid)
    permissions.require_step("verify_evidence", request.user, subject)
    form = forms.VerifySocialMediaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            evidence_services.verify_social_media(
                acting_user=request.user, evidence=item, method=form.cleaned_data["method"]
            )
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            return _done(request, subject, "Social media item verified.")
    return _page(request, "matrix/evidence_verify.html", form=form, subject=subject, item=item)
