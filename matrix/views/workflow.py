"""The workflow buttons on the subject page. Each parses its small form and calls matrix.workflow.

Whether a button is shown is a courtesy; the workflow functions decide. A refused step by the wrong
person is a 403 page that says why; a step refused for the record's state or the input is kept for one
redirect back to the subject page (config.failed_forms), which shows it in the error summary, so the
address bar never rests on /submit/ or /reject/. Either way nothing changes.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from config import failed_forms
from config.formats import written
from matrix import forms, publishing, services, workflow
from matrix.views.common import get_visible_subject
from matrix.views.subjects import failed_action_page


def _submit(user, subject, data):
    workflow.submit_subject(acting_user=user, subject=subject, expected_version=data["version"])
    # A criterion was met, so what can still be missing is the harm scoring method: say so rather than stay silent.
    missing = [rule.explained() for rule in publishing.unpublished_rules()]
    return " ".join(["Submitted for approval. A supervisor of the borough will decide it.", *missing])


def _approve(user, subject, data):
    workflow.approve_subject(acting_user=user, subject=subject, reason=data["reason"], expected_version=data["version"])
    return "Approved. The record is on the matrix and its first review is scheduled."


def _reject(user, subject, data):
    workflow.reject_subject(acting_user=user, subject=subject, reason=data["reason"], expected_version=data["version"])
    return "Rejected. The record has gone back to its officer with your reason."


def _review(user, subject, data):
    review = workflow.review_subject(
        acting_user=user,
        subject=subject,
        outcome=data["outcome"],
        justification=data["justification"],
        expected_version=data["version"],
    )
    if review.outcome == "retain":
        return f"Review recorded: retained. Next review due {written(review.next_review_due)}."
    return "Review recorded: removed from the matrix. The retention clock has started."


def _remove(user, subject, data):
    workflow.remove_subject(acting_user=user, subject=subject, reason=data["reason"], expected_version=data["version"])
    return "Removed from the matrix. The retention clock has started."


def _restrict(user, subject, data):
    workflow.restrict_processing(
        acting_user=user, subject=subject, reason=data["reason"], expected_version=data["version"]
    )
    return "Processing restricted. Nothing can be disclosed, and recipients of live disclosures have been told."


def _lift(user, subject, data):
    workflow.lift_restriction(
        acting_user=user, subject=subject, reason=data["reason"], expected_version=data["version"]
    )
    return "Restriction lifted."


PERFORM = {
    "submit": _submit,
    "approve": _approve,
    "reject": _reject,
    "review": _review,
    "remove": _remove,
    "restrict": _restrict,
    "lift": _lift,
}


@login_required
@require_POST
def subject_action(request, subject_uuid, action):
    if action not in PERFORM:
        raise Http404("No such action.")
    subject = get_visible_subject(request.user, subject_uuid)
    form = forms.ACTION_FORMS[action](request.POST, subject=subject)
    stale = False
    if form.is_valid():
        try:
            # PermissionDenied (wrong role, borough or four-eyes) propagates to the 403 page.
            done = PERFORM[action](request.user, subject, form.cleaned_data)
        except services.StaleVersion as refusal:
            form.add_error(None, str(refusal))
            stale = True
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("subject-detail", subject_uuid=subject.uuid)
    # The subject page shows the record as it is now: the refused step changed nothing.
    return failed_forms.refused(
        request,
        failed_action_page(subject),
        form,
        "subject-detail",
        subject_uuid=subject.uuid,
        context={"action": action, "keep_form": not stale},
    )
