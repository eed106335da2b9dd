"""The workflow buttons on the subject page. Each parses its small form and calls matrix.workflow.

Whether a button is shown is a courtesy; the workflow functions decide. A refused step by the wrong
person is a 403 page that says why; a step refused for the record's state or the input is shown on
the subject page in the error summary. Either way nothing changes.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from matrix import forms, publishing, services, workflow
from matrix.views.common import get_visible_subject
from matrix.views.subjects import subject_page


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
        return f"Review recorded: retained. Next review due {review.next_review_due:%d %B %Y}."
    return "Review recorded: removed from the matrix. The retention clock has started."


def _remove(user, subject, data):
    workflow.remove_subject(acting_user=user, subject=subject, reason=data["reason"], expected_version=data["version"])
    return "Removed from the matrix. The retention clock has started."


def _restrict(user, subject, data):
    workflow.restrict_processing(acting_user=user, subject=subject, reason=data["reason"], expected_version=data["version"])
    return "Processing restricted. Nothing can be disclosed, and recipients of live disclosures have been told."


def _lift(user, subject, data):
    workflow.lift_restriction(acting_user=user, subject=subject, reason=data["reason"], expected_version=data["version"])
    return "Restriction lifted."


ACTIONS = {
    "submit": (forms.SubmitForm, _submit),
    "approve": (forms.ApproveForm, _approve),
    "reject": (forms.RejectForm, _reject),
    "review": (forms.ReviewForm, _review),
    "remove": (forms.RemoveForm, _remove),
    "restrict": (forms.RestrictForm, _restrict),
    "lift": (forms.LiftRestrictionForm, _lift),
}


@login_required
@require_POST
def subject_action(request, subject_uuid, action):
    if action not in ACTIONS:
        raise Http404("No such action.")
    form_class, perform = ACTIONS[action]
    subject = get_visible_subject(request.user, subject_uuid)
    form = form_class(request.POST, subject=subject)
    stale = False
    if form.is_valid():
        try:
            # PermissionDenied (wrong role, borough or four-eyes) propagates to the 403 page.
            done = perform(request.user, subject, form.cleaned_data)
        except services.StaleVersion as refusal:
            form.add_error(None, str(refusal))
            stale = True
        except ValidationError as error:
            forms.add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("subject-detail", subject_uuid=subject.uuid)
    # The page shows the record as it is now: the refused step changed nothing.
    return subject_page(
        request, get_visible_subject(request.user, subject_uuid), failed=form, keep_failed_form=not stale
    )
