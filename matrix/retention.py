"""The scheduled review run and erasure after retention (SPEC §3.4-3.5, DPA 2018 s.39).

``run_reviews`` is safe to run from cron as often as you like: a second run on the same day finds
nothing to change. Erasure overwrites personal data in the live rows and in their history rows,
leaving a pseudonymous tombstone (reference, borough, classification, dates) so the record of what
happened survives without identifying anyone.
"""

import re
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from audit.log import record
from audit.models import Action
from audit.triggers import erasure_window
from matrix import signals
from matrix.choices import Ethnicity, Gender, Status
from matrix.models import Address, Evidence, Subject, SubjectReview
from matrix.services import (
    apply_harm,
    apply_lapse,
    assess_subject,
    current_criteria,
    current_harm_method,
    save_tracked,
)

ERASED = "[erased]"
SYSTEM_USERNAME = "system.run_reviews"
DUE_SOON_DAYS = 14


@dataclass
class ReviewRunReport:
    checked: int = 0
    rescored: int = 0
    newly_lapsed: int = 0
    zero_score: int = 0
    due_soon: int = 0
    overdue: int = 0
    erased: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"Approved subjects checked: {self.checked}",
            f"Harm score re-banded or re-scored under a new method: {self.rescored}",
            f"Newly flagged because no criterion is met any more: {self.newly_lapsed}",
            f"Approved perpetrators with a zero harm score (removal review): {self.zero_score}",
            f"Reviews due within {DUE_SOON_DAYS} days: {self.due_soon}",
            f"Reviews overdue: {self.overdue}",
            f"Erased after the retention period: {len(self.erased)}"
            + (f" ({', '.join(self.erased)})" if self.erased else ""),
        ]


def system_user():
    """The account that signs scheduled changes in the history; it cannot sign in."""
    user, created = get_user_model().objects.get_or_create(username=SYSTEM_USERNAME, defaults={"is_active": False})
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _material_harm_change(subject: Subject, harm) -> bool:
    """Scores decay a little every day; the stored score changes when its meaning does (band, zero, method)."""
    if not harm.applicable or harm.score is None:
        return subject.harm_score is not None
    return (
        subject.harm_band != harm.band
        or subject.harm_method_version != harm.method_version
        or (subject.harm_score == 0) != (harm.score == 0)
    )


def _recheck_approved(report: ReviewRunReport, actor, today) -> None:
    criteria = list(current_criteria())
    method = current_harm_method()
    approved = (
        Subject.objects.filter(status=Status.APPROVED)
        .select_related("borough")
        .only("borough__code", *[f.name for f in Subject._meta.concrete_fields])
        .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.select_related("offence_type")))
        .order_by("pk")
    )
    for subject in approved.iterator(chunk_size=500):
        report.checked += 1
        assessment = assess_subject(
            subject, evidence=subject.evidence.all(), criteria=criteria, method=method, today=today
        )
        reasons = []
        if _material_harm_change(subject, assessment.harm):
            apply_harm(subject, assessment.harm)
            report.rescored += 1
            reasons.append("harm score recalculated")
        was_lapsed = subject.criteria_lapsed_at is not None
        if apply_lapse(subject, assessment):
            reasons.append("no inclusion criterion is met any more" if not was_lapsed else "criteria met again")
            report.newly_lapsed += int(not was_lapsed)
        if reasons:
            note = f"Scheduled review run: {'; '.join(reasons)}"
            save_tracked(subject, acting_user=actor, reason=note)
            record(Action.ALTER, actor=actor, obj=subject, subject=subject, detail=note)
        if subject.is_perpetrator and subject.harm_score == 0:
            report.zero_score += 1


def run_reviews(*, today=None) -> ReviewRunReport:
    today = today or timezone.localdate()
    actor = system_user()
    report = ReviewRunReport()
    with transaction.atomic():
        _recheck_approved(report, actor, today)
    approved = Subject.objects.filter(status=Status.APPROVED)
    report.overdue = approved.filter(review_due__lt=today).count()
    report.due_soon = approved.filter(review_due__gte=today, review_due__lte=today + timedelta(days=DUE_SOON_DAYS)).count()
    expired = Subject.objects.filter(status=Status.REMOVED, erased_at__isnull=True, retention_until__lte=today)
    for subject in expired.order_by("pk"):
        erase_subject(subject, acting_user=actor)
        report.erased.append(subject.reference)
    return report


def _reason_without_detail(reason: str | None) -> str:
    """Keep what kind of step it was ("Rejected", "Reviewed"); drop the free text that may name people."""
    if not reason:
        return reason or ""
    head = re.split(r"[:(]", reason, maxsplit=1)[0].strip()
    # The history column holds 100 characters (PostgreSQL enforces it): a long head is cut to make room.
    return head if head == reason.strip() else f"{head[:84]} [detail erased]"


def _redact_history(model, ids, values: dict, erase_if_present=()) -> None:
    """The one path allowed to rewrite history rows (the database refuses any other): overwriting
    personal data on erasure. Runs inside erase_subject's transaction and erasure window."""
    history = model.history.model.objects.filter(id__in=ids)
    for row in history.only("history_id", "history_change_reason"):
        redacted = _reason_without_detail(row.history_change_reason)
        if redacted != row.history_change_reason:
            model.history.model.objects.filter(history_id=row.history_id).update(history_change_reason=redacted)
    history.update(**values)
    for name in erase_if_present:
        history.exclude(**{name: ""}).update(**{name: ERASED})


SUBJECT_ERASURE = {
    "family_name": ERASED,
    "given_names": ERASED,
    "aliases": "",
    "date_of_birth": None,
    "gender": Gender.NOT_STATED,
    "ethnicity": Ethnicity.NOT_STATED,
    "rejection_reason": "",
}
EVIDENCE_ERASURE = {"summary": ERASED, "source_reference": ERASED}
EVIDENCE_ERASE_IF_PRESENT = (
    "handling_conditions",
    "social_media_url",
    "social_media_platform",
    "verification_method",
    "withdrawal_reason",
)
ADDRESS_ERASURE = {"line_1": ERASED, "line_2": "", "town": ERASED, "postcode": ERASED}


@transaction.atomic
def erase_subject(subject: Subject, *, acting_user) -> Subject:
    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    if subject.is_erased:
        return subject
    with erasure_window():
        _erase(subject, acting_user)
        # Copies made for others (disclosure snapshots) are erased in the same window and transaction.
        signals.subject_erased.send(Subject, subject=subject, acting_user=acting_user)
    record(Action.ERASE, actor=acting_user, obj=subject, subject=subject,
           detail="Personal data erased after the retention period; tombstone kept")
    return subject


def _erase(subject: Subject, acting_user) -> None:
    evidence = list(Evidence.objects.select_for_update().filter(subject=subject))
    for item in evidence:
        for name, value in EVIDENCE_ERASURE.items():
            setattr(item, name, value)
        for name in EVIDENCE_ERASE_IF_PRESENT:
            if getattr(item, name):
                setattr(item, name, ERASED)
        save_tracked(item, acting_user=acting_user, reason="Erased after the retention period")
    _redact_history(Evidence, [item.pk for item in evidence], EVIDENCE_ERASURE, EVIDENCE_ERASE_IF_PRESENT)
    addresses = list(subject.addresses.all())
    address_ids = [address.pk for address in addresses]  # delete() clears the primary keys
    for address in addresses:
        address._history_user, address._change_reason = acting_user, "Erased after the retention period"
        address.delete()
    _redact_history(Address, address_ids, ADDRESS_ERASURE)
    reviews = list(subject.reviews.all())
    for review in reviews:
        review.justification = ERASED
        save_tracked(review, acting_user=acting_user, reason="Erased after the retention period")
    _redact_history(SubjectReview, [r.pk for r in reviews], {"justification": ERASED})
    for name, value in SUBJECT_ERASURE.items():
        setattr(subject, name, value)
    subject.erased_at = timezone.now()
    _redact_history(Subject, [subject.pk], SUBJECT_ERASURE)
    save_tracked(subject, acting_user=acting_user, reason="Erased after the retention period (DPA 2018 s.39)")
