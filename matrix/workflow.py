"""The record workflow of docs/rules.md (The record workflow, Reviews and lapse): submit, approve or reject,
review, remove.

draft → submitted → approved → removed, or submitted → rejected → (edited) → draft.
Each step locks the subject, checks role, borough and four-eyes here (not in views), writes one new
version with its reason, and either completes or leaves nothing behind.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.log import record
from audit.models import Action
from core.history import save_tracked
from core.text import require_text, validate_text
from matrix import permissions, publishing, signals
from matrix.choices import Status
from matrix.models import ReviewOutcome, Subject, SubjectReview
from matrix.services import (
    apply_harm,
    assess_subject,
    check_victimisation_link,
    commit_step,
    current_criteria,
    lock_subject,
)


class InvalidTransition(ValidationError):
    """The record is not in a state where this step makes sense."""


# The statuses each step starts from: the services refuse any other, and the subject page offers a step only here.
STEP_FROM = {
    "submit": (Status.DRAFT, Status.REJECTED),
    "approve": (Status.SUBMITTED,),
    "reject": (Status.SUBMITTED,),
    "review": (Status.APPROVED,),
    "remove": (Status.APPROVED,),
}


def step_open(step: str, subject: Subject) -> bool:
    """Whether ``subject`` is in a state the step starts from (who may take it is matrix.permissions')."""
    return subject.status in STEP_FROM[step]


def _require_status(subject: Subject, *allowed: str, action: str) -> None:
    if subject.status not in allowed:
        names = " or ".join(Status(value).label.lower() for value in allowed)
        raise InvalidTransition(
            f"Only a record that is {names} can be {action}; {subject.reference} is {subject.get_status_display().lower()}."
        )


def _require_reason(text: str, field: str, what: str) -> str:
    return require_text(text, field, f"Give {what} (at least {{minimum}} characters); it is kept on the record.")


def _step(subject: Subject, acting_user, reason: str, *, what: str = "", justification: str = "") -> Subject:
    """Save the step as a new version (history keeps ``reason``) and log it, in the caller's transaction."""
    commit_step(subject, acting_user=acting_user, reason=reason)
    record(
        Action.ALTER,
        actor=acting_user,
        obj=subject,
        subject=subject,
        justification=justification,
        detail=(what or reason)[:300],
    )
    return subject


def next_review_date():
    return timezone.localdate() + timedelta(days=settings.GOVMATRIX_REVIEW_PERIOD_DAYS)


def _unmet_criteria_message(assessment) -> str:
    if not assessment.criteria:
        if not current_criteria().exists():
            return publishing.CRITERIA_UNPUBLISHED.explained()
        return "No published inclusion criterion applies to this classification."
    reasons = "; ".join(f"{r.criterion.title}: {' '.join(r.reasons)}" for r in assessment.criteria)
    return f"No inclusion criterion for this classification is met. {reasons}"


@transaction.atomic
def submit_subject(*, acting_user, subject: Subject, expected_version: int | None = None) -> Subject:
    subject = lock_subject(subject, expected_version)
    permissions.require_step("submit", acting_user, subject)
    _require_status(subject, *STEP_FROM["submit"], action="submitted")
    check_victimisation_link(subject)
    assessment = assess_subject(subject)
    if not assessment.criteria_met:
        raise ValidationError(_unmet_criteria_message(assessment))
    apply_harm(subject, assessment.harm)
    subject.status, subject.submitted_by, subject.submitted_at = Status.SUBMITTED, acting_user, timezone.now()
    return _step(subject, acting_user, "Submitted for approval")


def _require_decider(acting_user, subject: Subject, action: str) -> None:
    permissions.require_step(action, acting_user, subject)
    permissions.require_not_own_record(acting_user, subject, action)


@transaction.atomic
def approve_subject(*, acting_user, subject: Subject, reason: str = "", expected_version: int | None = None) -> Subject:
    subject = lock_subject(subject, expected_version)
    _require_decider(acting_user, subject, "approve")
    _require_status(subject, *STEP_FROM["approve"], action="approved")
    # The evidence may have changed since submission: the rules are applied again at the moment of decision.
    assessment = assess_subject(subject)
    if not assessment.criteria_met:
        raise ValidationError(_unmet_criteria_message(assessment))
    apply_harm(subject, assessment.harm)
    subject.status, subject.approved_by, subject.approved_at = Status.APPROVED, acting_user, timezone.now()
    subject.review_due, subject.criteria_lapsed_at, subject.rejection_reason = next_review_date(), None, ""
    met = ", ".join(f"{r.criterion.code} v{r.criterion.version}" for r in assessment.criteria if r.met)
    reason = validate_text(reason or "", "reason").strip()
    label = f"Approved (criteria met: {met})"
    return _step(subject, acting_user, label + (f": {reason}" if reason else ""), what=label, justification=reason)


@transaction.atomic
def reject_subject(*, acting_user, subject: Subject, reason: str, expected_version: int | None = None) -> Subject:
    subject = lock_subject(subject, expected_version)
    _require_decider(acting_user, subject, "reject")
    _require_status(subject, *STEP_FROM["reject"], action="rejected")
    reason = _require_reason(reason, "reason", "the reason for rejecting it, for the officer")
    subject.status, subject.rejection_reason = Status.REJECTED, reason
    return _step(subject, acting_user, f"Rejected: {reason}", what="Rejected", justification=reason)


@transaction.atomic
def review_subject(
    *, acting_user, subject: Subject, outcome: str, justification: str, expected_version: int | None = None
) -> SubjectReview:
    subject = lock_subject(subject, expected_version)
    permissions.require_step("review", acting_user, subject)
    permissions.require_not_own_record(acting_user, subject, "review")
    _require_status(subject, *STEP_FROM["review"], action="reviewed")
    if outcome not in ReviewOutcome.values:
        raise ValidationError({"outcome": "Choose retain or remove."})
    justification = _require_reason(justification, "justification", "the justification for this outcome")
    now = timezone.now()
    review = SubjectReview(
        subject=subject, outcome=outcome, justification=justification, reviewed_by=acting_user, reviewed_at=now
    )
    if outcome == ReviewOutcome.RETAIN:
        assessment = assess_subject(subject)
        if not assessment.criteria_met:
            raise ValidationError(
                {
                    "outcome": "The record no longer meets any inclusion criterion, so it cannot be retained. "
                    + _unmet_criteria_message(assessment)
                }
            )
        review.next_review_due = subject.review_due = next_review_date()
        subject.last_reviewed_at = now
        apply_harm(subject, assessment.harm)
        save_tracked(review, acting_user=acting_user, reason="Review: retain")
        _step(
            subject,
            acting_user,
            f"Reviewed: retained. {justification}",
            what="Reviewed: retained",
            justification=justification,
        )
        return review
    save_tracked(review, acting_user=acting_user, reason="Review: remove")
    subject.last_reviewed_at = now
    _remove(subject, acting_user=acting_user, label="Removed at review", typed=justification)
    return review


@transaction.atomic
def remove_subject(*, acting_user, subject: Subject, reason: str, expected_version: int | None = None) -> Subject:
    subject = lock_subject(subject, expected_version)
    permissions.require_step("remove", acting_user, subject)
    permissions.require_not_own_record(acting_user, subject, "remove")
    reason = _require_reason(reason, "reason", "the reason for removal")
    return _remove(subject, acting_user=acting_user, label="Removed", typed=reason)


@transaction.atomic
def remove_erased_record(*, acting_user, subject: Subject) -> Subject:
    """A record erased before a restore that came back in an earlier state, from a backup older than its removal:
    removed again at once, its retention over, so that the erasure can be replayed (only removed records are
    erased). No role check: it carries out an erasure already made (``retention.replay_erasures``)."""
    subject = lock_subject(subject)
    return _remove(
        subject,
        acting_user=acting_user,
        label="Removed again: erased before the database was restored",
        from_statuses=[status for status in Status if status != Status.REMOVED],
        retention_days=0,
    )


def _remove(
    subject: Subject,
    *,
    acting_user,
    label: str,
    typed: str = "",
    from_statuses=STEP_FROM["remove"],
    retention_days: int | None = None,
) -> Subject:
    """``label`` is the step's own words (logged as the entry's detail); ``typed`` what the person wrote (the
    justification, stored beside the log so it is erased with the record)."""
    reason = f"{label}: {typed}" if typed else label
    _require_status(subject, *from_statuses, action="removed")
    now = timezone.now()
    subject.status, subject.removed_at, subject.criteria_lapsed_at = Status.REMOVED, now, None
    subject.review_due = None
    if retention_days is None:
        retention_days = settings.GOVMATRIX_RETENTION_DAYS
    subject.retention_until = timezone.localdate(now) + timedelta(days=retention_days)
    _step(subject, acting_user, reason, what=label, justification=typed)
    signals.subject_removed.send(Subject, subject=subject, acting_user=acting_user, reason=reason)
    return subject


def restriction_refusal(subject: Subject, *, lift: bool) -> str | None:
    """Why processing cannot be restricted (or the restriction lifted) now, or None: the service refuses with
    these words and the subject page offers the step only where there is none."""
    if subject.is_erased:
        return f"{subject.reference} has been erased: nothing is left to restrict."
    if lift and not subject.is_restricted:
        return f"Processing of {subject.reference} is not restricted."
    if not lift and subject.is_restricted:
        return f"Processing of {subject.reference} is already restricted."
    return None


def _refuse_transition(refusal: str | None) -> None:
    if refusal:
        raise InvalidTransition(refusal)


@transaction.atomic
def restrict_processing(*, acting_user, subject: Subject, reason: str, expected_version: int | None = None) -> Subject:
    """s.47: keep the record but stop disclosing it (e.g. while its accuracy is contested); recipients are told."""
    subject = lock_subject(subject, expected_version)
    permissions.require_step("restrict", acting_user, subject)
    _refuse_transition(restriction_refusal(subject, lift=False))
    reason = _require_reason(reason, "reason", "the reason for restricting processing")
    subject.restricted_at, subject.restriction_reason = timezone.now(), reason
    _step(subject, acting_user, f"Processing restricted: {reason}", what="Processing restricted", justification=reason)
    signals.subject_restricted.send(Subject, subject=subject, acting_user=acting_user, reason=reason)
    return subject


@transaction.atomic
def lift_restriction(*, acting_user, subject: Subject, reason: str, expected_version: int | None = None) -> Subject:
    subject = lock_subject(subject, expected_version)
    permissions.require_step("lift", acting_user, subject)
    _refuse_transition(restriction_refusal(subject, lift=True))
    reason = _require_reason(reason, "reason", "the reason for lifting the restriction")
    subject.restricted_at, subject.restriction_reason = None, ""
    return _step(subject, acting_user, f"Restriction lifted: {reason}", what="Restriction lifted", justification=reason)
