"""Adding, correcting, withdrawing and verifying evidence. Each step is one transaction with history,
and ends by recomputing the subject's harm score and criteria-lapse flag."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audit.log import record
from audit.models import Action
from core.history import save_tracked
from core.text import require_text, validate_text
from matrix import permissions, signals
from matrix.choices import Status, Verification
from matrix.models import Evidence, Subject
from matrix.services import lock_subject, refresh_assessment
from matrix.validators import check_input

EVIDENCE_EDITABLE_FIELDS = frozenset(
    {
        "summary",
        "information_date",
        "source_type",
        "source_reference",
        "source_evaluation",
        "intelligence_assessment",
        "handling_code",
        "handling_conditions",
        "nature",
        "offence_type",
        "relates_to_victimisation",
        "social_media_url",
        "social_media_platform",
        "captured_on",
    }
)
# Evidence a decision has rested on is corrected by withdrawal and a new item, never rewritten.
EDITABLE_SUBJECT_STATUSES = frozenset({Status.DRAFT, Status.REJECTED})


def _validated(evidence: Evidence) -> None:
    evidence.full_clean(exclude=["subject", "created_by"], validate_unique=False, validate_constraints=False)


SUBJECT_REMOVED = "The subject has been removed; its evidence can no longer change."
VERIFIED_BY_SOMEONE_ELSE = "Someone other than the person who recorded the item must verify it."


# Why an item cannot take a step now, or None: the services refuse with these words and the subject page
# offers a step only where there is none, so the two cannot disagree. Who may take it is matrix.permissions'.
def edit_refusal(subject: Subject, evidence: Evidence) -> str | None:
    if subject.status == Status.REMOVED:
        return SUBJECT_REMOVED
    if subject.status not in EDITABLE_SUBJECT_STATUSES:
        return (
            "Evidence can be edited only while the record is a draft or rejected. Once submitted, withdraw the "
            "item with a reason and add a corrected one, so the record shows what each decision rested on."
        )
    if evidence.is_withdrawn:
        return "A withdrawn item cannot be edited."
    return None


def withdraw_refusal(subject: Subject, evidence: Evidence) -> str | None:
    if subject.status == Status.REMOVED:
        return SUBJECT_REMOVED
    if evidence.is_withdrawn:
        return "This item has already been withdrawn."
    return None


def verify_refusal(user, subject: Subject, evidence: Evidence) -> str | None:
    if subject.status == Status.REMOVED:
        return SUBJECT_REMOVED
    if not evidence.is_social_media:
        return "Only social media items need verification."
    if evidence.verification == Verification.VERIFIED:
        return "This item is already verified."
    if evidence.is_withdrawn:
        return "A withdrawn item cannot be verified."
    if evidence.created_by_id == user.pk:
        return VERIFIED_BY_SOMEONE_ELSE
    return None


def _refuse_if(refusal: str | None) -> None:
    if refusal:
        raise ValidationError(refusal)


def _require_editor(acting_user, subject: Subject) -> None:
    permissions.require_step("add_evidence", acting_user, subject)
    _refuse_if(SUBJECT_REMOVED if subject.status == Status.REMOVED else None)


def _check_fields(fields: dict) -> None:
    if not isinstance(fields, dict):
        raise ValidationError("Send the changes as field names and their new values.")
    unknown = set(fields) - EVIDENCE_EDITABLE_FIELDS
    if unknown:
        raise ValidationError(f"These evidence fields cannot be set: {', '.join(sorted(unknown))}.")
    check_input(Evidence, fields)


@transaction.atomic
def add_evidence(*, acting_user, subject: Subject, reason: str = "Evidence added", **fields) -> Evidence:
    _check_fields(fields)
    subject = lock_subject(subject)
    _require_editor(acting_user, subject)
    evidence = Evidence(subject=subject, created_by=acting_user, **fields)
    if evidence.is_social_media:
        evidence.verification = Verification.UNVERIFIED
    _validated(evidence)
    save_tracked(evidence, acting_user=acting_user, reason=reason)
    refresh_assessment(subject, acting_user=acting_user, reason=f"Recalculated: {reason.lower()}")
    record(
        Action.COLLECT, actor=acting_user, obj=evidence, subject=subject, detail=f"Evidence added ({evidence.grading})"
    )
    return evidence


@transaction.atomic
def edit_evidence(*, acting_user, evidence: Evidence, changes: dict, reason: str = "Evidence corrected") -> Evidence:
    _check_fields(changes)
    subject = lock_subject(evidence.subject)
    permissions.require_step("change_evidence", acting_user, subject)
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    _refuse_if(edit_refusal(subject, evidence))
    changed = {name for name, value in changes.items() if getattr(evidence, name) != value}
    if not changed:
        # Saving an unchanged form is not a correction: keep the verification and write no history.
        return evidence
    for name in changed:
        setattr(evidence, name, changes[name])
    # Any change to a social-media item means it must be verified again.
    evidence.verification = Verification.UNVERIFIED if evidence.is_social_media else Verification.NOT_REQUIRED
    evidence.verified_by = evidence.verified_at = None
    evidence.verification_method = ""
    _validated(evidence)
    save_tracked(evidence, acting_user=acting_user, reason=reason)
    refresh_assessment(subject, acting_user=acting_user, reason=f"Recalculated: {reason.lower()}")
    _log_correction(acting_user, subject, evidence, typed=reason, detail="Evidence corrected", notice_reason=reason)
    return evidence


def _log_correction(acting_user, subject: Subject, evidence: Evidence, *, typed: str, detail: str, notice_reason: str):
    """Log a correction or withdrawal (what was typed is the justification) and tell whoever was sent the item."""
    record(Action.ALTER, actor=acting_user, obj=evidence, subject=subject, justification=typed, detail=detail)
    signals.evidence_corrected.send(
        Evidence, subject=subject, evidence=evidence, acting_user=acting_user, reason=notice_reason
    )


@transaction.atomic
def withdraw_evidence(*, acting_user, evidence: Evidence, reason: str) -> Evidence:
    reason = require_text(reason, "reason", "Say why the item is withdrawn; the reason stays on the record.", minimum=1)
    subject = lock_subject(evidence.subject)
    permissions.require_step("withdraw_evidence", acting_user, subject)
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    _refuse_if(withdraw_refusal(subject, evidence))
    evidence.withdrawn_at, evidence.withdrawn_by, evidence.withdrawal_reason = timezone.now(), acting_user, reason
    save_tracked(evidence, acting_user=acting_user, reason=f"Withdrawn: {reason}")
    # Withdrawal can leave an approved subject meeting no criterion: it is flagged at once.
    refresh_assessment(subject, acting_user=acting_user, reason="Recalculated: evidence withdrawn")
    _log_correction(
        acting_user, subject, evidence, typed=reason, detail="Evidence withdrawn", notice_reason=f"Withdrawn: {reason}"
    )
    return evidence


@transaction.atomic
def verify_social_media(*, acting_user, evidence: Evidence, method: str) -> Evidence:
    method = validate_text(method or "", "method").strip()
    subject = lock_subject(evidence.subject)
    permissions.require_step("verify_evidence", acting_user, subject)
    evidence = Evidence.objects.select_for_update().get(pk=evidence.pk)
    _refuse_if(verify_refusal(acting_user, subject, evidence))
    method = require_text(method, "method", "Describe how the material was verified (at least {minimum} characters).")
    evidence.verification, evidence.verified_by, evidence.verified_at = (
        Verification.VERIFIED,
        acting_user,
        timezone.now(),
    )
    evidence.verification_method = method
    save_tracked(evidence, acting_user=acting_user, reason="Social media verified")
    refresh_assessment(subject, acting_user=acting_user, reason="Recalculated: social media verified")
    record(
        Action.ALTER,
        actor=acting_user,
        obj=evidence,
        subject=subject,
        justification=method,
        detail="Social media verified",
    )
    return evidence
