"""Every state change to matrix records goes through one function here (Zulip-style actions).

Each takes a keyword-only ``acting_user``, checks access through ``matrix.permissions``, runs in one
transaction, and records history with the acting user and a change reason, so the browser, the API
and management commands cannot disagree or leave half a change behind.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from audit import hooks
from audit.log import record
from audit.models import Action
from core.history import save_tracked
from core.text import validate_text
from matrix import permissions, rules, signals
from matrix.choices import Status
from matrix.models import (
    Borough,
    HarmScoringMethod,
    InclusionCriterion,
    ReferenceCounter,
    Subject,
    SubjectAccessGrant,
)
from matrix.validators import check_input

# Changing who someone is classified as, or which borough holds them, needs a supervisor's approval again.
REAPPROVAL_FIELDS = frozenset({"classification", "borough"})


class StaleVersion(Exception):
    """The record changed since the editor loaded it; nothing was written."""

    def __init__(self, subject: Subject, expected_version: int):
        self.current_version = subject.version
        self.expected_version = expected_version
        super().__init__(
            f"{subject.reference} was changed by someone else (now version {subject.version}, you edited "
            f"version {expected_version}). Reload it, check their change, then make yours again."
        )


def reference_series(prefix: str = "") -> str:
    return f"{prefix or settings.GOVMATRIX_REFERENCE_PREFIX}-{timezone.localdate().year}"


def allocate_reference_numbers(series: str, count: int = 1) -> range:
    """Reserve ``count`` consecutive numbers in a series; must run inside the caller's transaction."""
    ReferenceCounter.objects.get_or_create(series=series)
    # The UPDATE takes the row lock, so concurrent allocators queue instead of colliding.
    ReferenceCounter.objects.filter(series=series).update(last_number=F("last_number") + count)
    last = ReferenceCounter.objects.get(series=series).last_number
    return range(last - count + 1, last + 1)


def format_reference(series: str, number: int) -> str:
    return f"{series}-{number:06d}"


def next_reference(prefix: str = "") -> str:
    series = reference_series(prefix)
    return format_reference(series, allocate_reference_numbers(series)[0])


def current_criteria():
    return InclusionCriterion.objects.current().order_by("code")


def current_harm_method() -> HarmScoringMethod | None:
    return HarmScoringMethod.objects.current().prefetch_related("weights").first()


@dataclass(frozen=True)
class SubjectAssessment:
    """Everything the rules say about one subject today: item verdicts, criteria and harm."""

    verdicts: dict
    criteria: list
    harm: rules.HarmAssessment

    @property
    def criteria_met(self) -> bool:
        return rules.criteria_met(self.criteria)


def assess_subject(subject: Subject, *, evidence=None, criteria=None, method=None, today=None) -> SubjectAssessment:
    """Apply the rules to a subject. Callers that already hold the rows pass them in to avoid queries."""
    today = today or timezone.localdate()
    items = list(evidence if evidence is not None else subject.evidence.select_related("offence_type"))
    criteria = list(criteria if criteria is not None else current_criteria())
    method = method if method is not None else current_harm_method()
    weights = {w.offence_type_id: w.weight for w in method.weights.all()} if method else {}
    return SubjectAssessment(
        verdicts={item.pk: rules.item_verdict(item) for item in items},
        criteria=rules.evaluate_criteria(subject.classification, criteria, items, today),
        harm=rules.assess_harm(subject.classification, items, method, weights, today),
    )


def apply_harm(subject: Subject, harm: rules.HarmAssessment) -> bool:
    """Copy a computed harm assessment onto the subject; True when anything changed."""
    new = (harm.score, harm.band, harm.method_version)
    if (subject.harm_score, subject.harm_band, subject.harm_method_version) == new:
        return False
    subject.harm_score, subject.harm_band, subject.harm_method_version = new
    subject.harm_calculated_at = timezone.now()
    return True


def _validated(instance, *, exclude=()) -> None:
    instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)


def check_victimisation_link(subject: Subject) -> None:
    if subject.also_victim and not (
        subject.pk and subject.evidence.active().filter(relates_to_victimisation=True).exists()
    ):
        raise ValidationError(
            {
                "also_victim": "A perpetrator can be recorded as also a victim only with at least one evidence "
                "item about their victimisation. Add that item first."
            }
        )


def _require_borough_access(acting_user, borough: Borough) -> None:
    if not permissions.can_create_subject_in(acting_user, borough):
        raise ValidationError({"borough": f"You cannot record subjects in {borough.name}."})


@transaction.atomic
def create_subject(*, acting_user, reason: str = "Created as a draft", **fields) -> Subject:
    unknown = set(fields) - set(Subject.EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be set when creating a subject: {', '.join(sorted(unknown))}.")
    borough = fields.get("borough")
    if not isinstance(borough, Borough):
        raise ValidationError({"borough": "Choose the borough that holds this subject."})
    check_input(Subject, fields)
    _require_borough_access(acting_user, borough)
    subject = Subject(created_by=acting_user, **fields)
    _validated(subject, exclude=["reference", "created_by"])
    check_victimisation_link(subject)
    subject.reference = next_reference()
    apply_harm(subject, assess_subject(subject, evidence=[]).harm)
    save_tracked(subject, acting_user=acting_user, reason=reason)
    record(Action.COLLECT, actor=acting_user, obj=subject, subject=subject, detail="Subject recorded as a draft")
    return subject


def check_version(expected_version) -> None:
    if isinstance(expected_version, bool) or not isinstance(expected_version, int):
        raise ValidationError({"version": "Send the version number of the record you edited."})


def lock_subject(subject: Subject, expected_version: int | None = None) -> Subject:
    """Re-read the subject under a row lock; refuse if the caller edited an older version."""
    if expected_version is not None:
        check_version(expected_version)
    # Lock the subject row only: locking the joined borough would queue every step in the borough.
    locked = Subject.objects.select_for_update(of=("self",)).select_related("borough").get(pk=subject.pk)
    if expected_version is not None and locked.version != expected_version:
        raise StaleVersion(locked, expected_version)
    return locked


def commit_step(subject: Subject, *, acting_user, reason: str) -> Subject:
    """Save a user's change to a subject as a new version."""
    subject.version += 1
    subject.updated_at = timezone.now()
    save_tracked(subject, acting_user=acting_user, reason=reason)
    return subject


def apply_lapse(subject: Subject, assessment: SubjectAssessment) -> bool:
    """Flag (or clear) an approved subject that no longer meets any criterion; True when it changed."""
    lapsed = subject.status == Status.APPROVED and not assessment.criteria_met
    if lapsed == (subject.criteria_lapsed_at is not None):
        return False
    subject.criteria_lapsed_at = timezone.now() if lapsed else None
    return True


def refresh_assessment(subject: Subject, *, acting_user, reason: str) -> SubjectAssessment:
    """Recompute the harm score and the criteria-lapse flag after the evidence or the rules changed.

    A recalculation is the system's doing, not an edit, so it does not bump the record's version.
    """
    assessment = assess_subject(subject)
    changed = apply_harm(subject, assessment.harm)
    changed = apply_lapse(subject, assessment) or changed
    if changed:
        save_tracked(subject, acting_user=acting_user, reason=reason)
    return assessment


@transaction.atomic
def update_subject(*, acting_user, subject: Subject, expected_version: int, changes: dict, reason: str) -> Subject:
    """Apply an edit made against ``expected_version``; refuse it if anyone saved in between."""
    if not isinstance(changes, dict):
        raise ValidationError("Send the changes as field names and their new values.")
    unknown = set(changes) - set(Subject.EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    check_input(Subject, changes)
    check_version(expected_version)
    locked = lock_subject(subject)
    if not permissions.can_edit_subject(acting_user, locked):
        raise PermissionDenied("You can only edit subjects of boroughs you work in.")
    if locked.version != expected_version:
        raise StaleVersion(locked, expected_version)
    if locked.status == Status.REMOVED:
        raise ValidationError("A removed subject cannot be edited.")
    if "borough" in changes and changes["borough"] != locked.borough:
        _require_borough_access(acting_user, changes["borough"])
    changed = {name for name, value in changes.items() if getattr(locked, name) != value}
    if not changed:
        return locked
    for name in changed:
        setattr(locked, name, changes[name])
    _validated(locked)
    check_victimisation_link(locked)
    assessment = assess_subject(locked)
    apply_harm(locked, assessment.harm)
    if locked.status == Status.REJECTED:
        locked.status = Status.DRAFT
    elif locked.status in (Status.SUBMITTED, Status.APPROVED) and changed & REAPPROVAL_FIELDS:
        reason = _send_back_for_approval(locked, assessment, acting_user, reason)
    commit_step(locked, acting_user=acting_user, reason=reason)
    record(
        Action.ALTER,
        actor=acting_user,
        obj=locked,
        subject=locked,
        justification=reason,
        detail=f"Edited: {', '.join(sorted(changed))}; status now {locked.status}",
    )
    signals.subject_corrected.send(Subject, subject=locked, acting_user=acting_user, changed_fields=changed)
    return locked


def _send_back_for_approval(subject: Subject, assessment: SubjectAssessment, acting_user, reason: str) -> str:
    """A new classification or borough is a new decision: it leaves the matrix until a supervisor approves it."""
    subject.approved_by = subject.approved_at = subject.review_due = subject.criteria_lapsed_at = None
    if assessment.criteria_met:
        subject.status, subject.submitted_by, subject.submitted_at = Status.SUBMITTED, acting_user, timezone.now()
        return f"{reason} (classification or borough changed: sent back for approval)"
    subject.status = Status.DRAFT
    return f"{reason} (classification or borough changed and no criterion is met: returned to draft)"


# A break-glass justification shorter than this says nothing an auditor can check.
BREAK_GLASS_MINIMUM_JUSTIFICATION = 20


def example_reference() -> str:
    """A reference in this force's current series, for help texts and messages."""
    return format_reference(reference_series(), 123)


BREAK_GLASS_UNKNOWN_REFERENCE = (
    "No record has this reference. Enter it as it is written on the record, for example {example}."
)


def find_break_glass_subject(*, acting_user, reference: str) -> Subject:
    """The subject a break-glass request names, for every door to ``grant_break_glass`` (page and API).

    Found by its exact reference (any case, spaces around ignored) among every borough's records, since
    reaching one outside the user's boroughs is the point; never by name. An erased record has nothing left
    to open. A reference that names no record is refused on the ``reference`` field, and the refusal is
    logged (outside any transaction of the caller's, so it stays logged); the text typed is not logged.
    """
    permissions.require_break_glass(acting_user)
    text = validate_text(reference or "", "reference").strip().upper()
    subject = (
        Subject.objects.select_related("borough").filter(reference=text, erased_at__isnull=True).first()
        if text
        else None
    )
    if subject is None:
        hooks.denied(acting_user, detail="Break glass refused: the reference given names no record (no such record)")
        raise ValidationError({"reference": BREAK_GLASS_UNKNOWN_REFERENCE.format(example=example_reference())})
    return subject


@transaction.atomic
def grant_break_glass(*, acting_user, subject: Subject, justification: str, hours: int) -> SubjectAccessGrant:
    """Give the acting user time-limited read access to one subject outside their boroughs."""
    permissions.require_break_glass(acting_user)
    justification = validate_text(justification or "", "justification").strip()
    errors = {}
    if len(justification) < BREAK_GLASS_MINIMUM_JUSTIFICATION:
        errors["justification"] = (
            f"Explain why you need this record (at least {BREAK_GLASS_MINIMUM_JUSTIFICATION} characters); it is logged."
        )
    max_hours = settings.GOVMATRIX_BREAK_GLASS_MAX_HOURS
    if isinstance(hours, bool) or not isinstance(hours, int) or not 1 <= hours <= max_hours:
        errors["hours"] = f"Break-glass access lasts between 1 and {max_hours} hours."
    if errors:
        raise ValidationError(errors)
    if permissions.works_in_borough(acting_user, subject.borough):
        raise ValidationError("You already work in this subject's borough; break-glass access is not needed.")
    now = timezone.now()
    # One row per user and subject (guardian's uniqueness); a renewed grant updates it and history keeps both.
    grant = SubjectAccessGrant.objects.select_for_update().filter(user=acting_user, content_object=subject).first()
    if grant is None:
        grant = SubjectAccessGrant(
            user=acting_user, content_object=subject, permission=permissions.view_subject_permission()
        )
    grant.justification, grant.granted_by, grant.granted_at = justification, acting_user, now
    grant.expires_at = now + timedelta(hours=hours)
    save_tracked(grant, acting_user=acting_user, reason="Break-glass access")
    permissions.forget_scope(acting_user)
    record(
        Action.CONSULT,
        actor=acting_user,
        obj=grant,
        subject=subject,
        justification=justification,
        detail=f"Break-glass access granted for {hours} hour(s) outside the user's boroughs",
    )
    return grant
