"""Subject access requests (DPA 2018 s.45): open, match, verify, close, and the report, each logged.

Every change goes through one function here with a keyword-only ``acting_user``: it checks the role
(audit.permissions), runs in one transaction, keeps history with who and why, and writes its
access-log entry in the same transaction. Generating a report gathers a person's data from every
table, so it needs a stated justification and is logged as a combination (s.62).
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audit import permissions as can
from audit.log import record
from audit.models import Action, SarStatus, SubjectAccessRequest
from audit.sar_report import build_report
from core.history import save_tracked, tracked
from core.text import require_text
from matrix.models import Subject
from matrix.services import next_reference

__all__ = [
    "build_report",
    "open_request",
    "find_subjects",
    "match_subject",
    "unmatch_subject",
    "verify_identity",
    "complete_request",
    "refuse_request",
    "generate_report",
    "request_lists",
    "viewed",
]

SAR_PREFIX = "SAR"
DUE_SOON_DAYS = 7
SEARCH_LIMIT = 20
CLOSED_SHOWN = 50


def _require_text(text: str, field: str, what: str) -> str:
    return require_text(text, field, f"Give {what} (at least {{minimum}} characters).")


def _lock(sar: SubjectAccessRequest) -> SubjectAccessRequest:
    return SubjectAccessRequest.objects.select_for_update().get(pk=sar.pk)


def _require_open(sar: SubjectAccessRequest, action: str) -> None:
    if not sar.is_open:
        raise ValidationError(f"{sar.reference} is closed ({sar.get_status_display().lower()}); it cannot be {action}.")


def _visible_subject(user, subject: Subject) -> Subject:
    found = Subject.objects.visible_to(user).select_related("borough").filter(pk=subject.pk).first()
    if found is None:
        raise PermissionDenied("That record is outside your access.")
    return found


@transaction.atomic
def open_request(
    *, acting_user, requester_name: str, requester_contact: str, received_on, notes: str = ""
) -> SubjectAccessRequest:
    can.require_request_handler(can.can_open_request(acting_user), "open subject access requests")
    errors = {}
    if not (requester_name or "").strip():
        errors["requester_name"] = "Enter the applicant's name as they gave it."
    if not (requester_contact or "").strip():
        errors["requester_contact"] = "Enter where the response should go."
    if received_on is None:
        errors["received_on"] = "Enter the date the request was received."
    elif received_on > timezone.localdate():
        errors["received_on"] = "The date received cannot be in the future."
    if errors:
        raise ValidationError(errors)
    sar = SubjectAccessRequest(
        reference=next_reference(SAR_PREFIX),
        requester_name=requester_name.strip(),
        requester_contact=requester_contact.strip(),
        received_on=received_on,
        notes=(notes or "").strip(),
        created_by=acting_user,
    )
    save_tracked(sar, acting_user=acting_user, reason="Subject access request received")
    record(
        Action.COLLECT, actor=acting_user, obj=sar, detail=f"Subject access request opened; due {sar.due_on:%Y-%m-%d}"
    )
    return sar


def find_subjects(user, *, reference: str = "", family_name: str = "", given_names: str = "", date_of_birth=None):
    """Candidate records for a request: an exact reference, or a family name (or alias) with the date of birth.

    Erased records keep only their reference, so only a reference finds them. The caller logs the search.
    """
    can.require_request_handler(can.can_change_request(user), "search for the records a request concerns")
    subjects = Subject.objects.visible_to(user).select_related("borough")
    if (reference or "").strip():
        subjects = subjects.filter(reference__iexact=reference.strip())
    elif (family_name or "").strip() and date_of_birth:
        subjects = subjects.filter(
            _name_matches(family_name.strip(), (given_names or "").strip()), date_of_birth=date_of_birth
        )
    else:
        raise ValidationError("Search by reference, or by family name and date of birth.")
    return list(subjects.order_by("reference")[:SEARCH_LIMIT])


def _name_matches(family_name: str, given_names: str) -> Q:
    """People give the name they use: a recorded alias matches as well as the recorded name."""
    match = Q(family_name__iexact=family_name) | Q(aliases__icontains=family_name)
    if given_names:
        match &= Q(given_names__icontains=given_names) | Q(aliases__icontains=given_names)
    return match


@transaction.atomic
def match_subject(*, acting_user, sar: SubjectAccessRequest, subject: Subject) -> SubjectAccessRequest:
    can.require_request_handler(can.can_change_request(acting_user), "record which records a request concerns")
    sar = _lock(sar)
    _require_open(sar, "changed")
    subject = _visible_subject(acting_user, subject)
    if sar.subjects.filter(pk=subject.pk).exists():
        raise ValidationError(f"{subject.reference} is already matched to {sar.reference}.")
    with tracked(sar, acting_user=acting_user, reason=f"Matched to {subject.reference}"):
        sar.subjects.add(subject)
    record(
        Action.ALTER, actor=acting_user, obj=sar, subject=subject, detail="Record matched to a subject access request"
    )
    return sar


@transaction.atomic
def unmatch_subject(*, acting_user, sar: SubjectAccessRequest, subject: Subject) -> SubjectAccessRequest:
    can.require_request_handler(can.can_change_request(acting_user), "record which records a request concerns")
    sar = _lock(sar)
    _require_open(sar, "changed")
    if not sar.subjects.filter(pk=subject.pk).exists():
        raise ValidationError(f"{subject.reference} is not matched to {sar.reference}.")
    with tracked(sar, acting_user=acting_user, reason=f"Match with {subject.reference} withdrawn"):
        sar.subjects.remove(subject)
    record(
        Action.ALTER,
        actor=acting_user,
        obj=sar,
        subject=subject,
        detail="Record unmatched from a subject access request",
    )
    return sar


@transaction.atomic
def verify_identity(*, acting_user, sar: SubjectAccessRequest, method: str) -> SubjectAccessRequest:
    can.require_request_handler(can.can_change_request(acting_user), "verify an applicant's identity")
    sar = _lock(sar)
    _require_open(sar, "changed")
    sar.identity_method = _require_text(method, "method", "how the applicant's identity was verified")
    sar.identity_verified, sar.identity_verified_by, sar.identity_verified_at = True, acting_user, timezone.now()
    save_tracked(sar, acting_user=acting_user, reason="Applicant's identity verified")
    # The method may describe the applicant's documents: it stays on the request, not in the log.
    record(Action.ALTER, actor=acting_user, obj=sar, detail="Applicant's identity verified")
    return sar


def _close(sar, *, acting_user, status: str, reason: str) -> SubjectAccessRequest:
    sar.status, sar.completed_on, sar.closed_by = status, timezone.localdate(), acting_user
    save_tracked(sar, acting_user=acting_user, reason=reason)
    return sar


@transaction.atomic
def complete_request(*, acting_user, sar: SubjectAccessRequest) -> SubjectAccessRequest:
    """The response has been sent to the applicant."""
    can.require_request_handler(can.can_change_request(acting_user), "complete subject access requests")
    sar = _lock(sar)
    _require_open(sar, "completed")
    if not sar.identity_verified:
        raise ValidationError("Verify the applicant's identity before anything is sent to them.")
    late = " (after its deadline)" if sar.is_overdue() else ""
    _close(sar, acting_user=acting_user, status=SarStatus.COMPLETED, reason=f"Response sent{late}")
    record(Action.ALTER, actor=acting_user, obj=sar, detail=f"Subject access request completed{late}")
    return sar


@transaction.atomic
def refuse_request(*, acting_user, sar: SubjectAccessRequest, reason: str) -> SubjectAccessRequest:
    """Refused in whole (e.g. manifestly unfounded, s.53, or restricted under s.45(4)); the reason is kept."""
    can.require_request_handler(can.can_change_request(acting_user), "refuse subject access requests")
    sar = _lock(sar)
    _require_open(sar, "refused")
    sar.refusal_reason = _require_text(reason, "reason", "the reason for refusing, citing the provision relied on")
    _close(sar, acting_user=acting_user, status=SarStatus.REFUSED, reason=f"Refused: {sar.refusal_reason}")
    record(
        Action.ALTER,
        actor=acting_user,
        obj=sar,
        justification=sar.refusal_reason,
        detail="Subject access request refused",
    )
    return sar


@transaction.atomic
def generate_report(
    *, acting_user, sar: SubjectAccessRequest, subject: Subject, justification: str, output: str = "html"
) -> dict:
    """Gather everything held on one matched person, logged as a combination with the justification."""
    can.require_request_handler(can.can_report_on_request(acting_user), "generate subject access reports")
    justification = _require_text(justification, "justification", "the justification for gathering this person's data")
    sar = SubjectAccessRequest.objects.get(pk=sar.pk)  # decide on the request as it is now, not as the caller saw it
    subject = _visible_subject(acting_user, subject)
    if not sar.subjects.filter(pk=subject.pk).exists():
        raise ValidationError(f"{subject.reference} is not matched to {sar.reference}; match it first.")
    if not sar.identity_verified:
        raise ValidationError("Verify the applicant's identity before gathering anyone's data for them.")
    report = build_report(sar, subject)
    record(
        Action.COMBINE,
        actor=acting_user,
        obj=sar,
        subject=subject,
        justification=justification,
        detail=f"Subject access report generated ({output})",
    )
    report["report"]["generated_by"] = acting_user.get_username()
    return report


def request_lists(user, today=None) -> dict:
    """The request list: overdue, due within 7 days, other open, and the latest closed (two queries)."""
    can.require_request_handler(can.can_view_requests(user))
    today = today or timezone.localdate()
    soon = today + timedelta(days=DUE_SOON_DAYS)
    lists = {"overdue": [], "due_soon": [], "open": [], "today": today, "soon": soon}
    for sar in SubjectAccessRequest.objects.filter(status=SarStatus.OPEN).order_by("due_on", "pk"):
        key = "overdue" if sar.due_on < today else "due_soon" if sar.due_on <= soon else "open"
        lists[key].append(sar)
    lists["closed"] = list(
        SubjectAccessRequest.objects.exclude(status=SarStatus.OPEN).order_by("-completed_on", "-pk")[:CLOSED_SHOWN]
    )
    return lists


def viewed(user, sar: SubjectAccessRequest) -> None:
    """Reading a request is logged like any other consultation."""
    record(Action.CONSULT, actor=user, obj=sar, detail="Subject access request viewed")
