"""The scheduled review run and erasure after retention (docs/retention.md, The review run; DPA 2018 s.39).

``run_reviews`` is safe to run from cron as often as you like: a second run on the same day finds
nothing to change. Erasure overwrites personal data in the live rows and in their history rows,
leaving a pseudonymous tombstone (reference, borough, classification, dates) so the record of what
happened survives without identifying anyone. Each erasure is also appended to the erasure ledger, outside
the database, and ``replay_erasures`` makes them again after a restore (matrix/erasure_ledger.py).
"""

import ast
import re
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cache, partial
from pathlib import Path

import structlog
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils import timezone

from audit.log import record
from audit.models import AccessEvent, Action
from audit.triggers import erasure_window
from core.history import delete_tracked, save_tracked
from matrix import erasure_ledger, signals, workflow
from matrix.choices import Ethnicity, Gender, Status
from matrix.erasure_ledger import LedgerEntry
from matrix.models import Address, Evidence, Subject, SubjectReview
from matrix.services import (
    apply_harm,
    apply_lapse,
    assess_subject,
    current_criteria,
    current_harm_method,
)

ERASED = "[erased]"
SYSTEM_USERNAME = "system.run_reviews"
REPLAY_USERNAME = "system.replay_erasures"
RETENTION_ENDED = "Personal data erased after the retention period; tombstone kept"
REPLAYED = "Erasure replayed from the erasure ledger after a restore; tombstone kept"
DUE_SOON_DAYS = 14

logger = structlog.get_logger(__name__)


@dataclass
class ReviewRunReport:
    checked: int = 0
    rescored: int = 0
    newly_lapsed: int = 0
    zero_score: int = 0
    due_soon: int = 0
    overdue: int = 0
    erased: list[str] = field(default_factory=list)
    # Subjects whose re-check failed (their rows are as they were; the errors are in the application log).
    failed: list[str] = field(default_factory=list)

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
        ] + ([f"Could not be re-checked (see the application log): {', '.join(self.failed)}"] if self.failed else [])


def system_user(username: str = SYSTEM_USERNAME):
    """The account that signs scheduled changes in the history; it cannot sign in."""
    user, created = get_user_model().objects.get_or_create(username=username, defaults={"is_active": False})
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


@dataclass(frozen=True)
class _Recheck:
    rescored: bool
    newly_lapsed: bool
    zero_score: bool


def _recheck_one(pk: int, actor, criteria, method, today) -> _Recheck | None:
    """Re-apply the rules to one approved subject in a transaction of its own; None if no longer approved.

    Why the row is locked and read again: the list of ids is read without locks, so an officer's edit,
    a review or a removal may commit before the run reaches a subject. Read under ``select_for_update``
    (as every writer does, ``services.lock_subject``), the rules see the row as it now is, and saving only
    the fields the run changes (``update_fields``) cannot put anyone's change back.

    Why the version is not bumped: a recalculation is the system's doing, not an edit (as in
    ``services.refresh_assessment``). Every writer re-reads the row under this lock before applying its
    own change, so an editor who loaded the record before the run saves on top of the run's change and
    cannot overwrite it; bumping would refuse (409) every edit left open across the nightly run over a
    change the officer did not make, while protecting nothing more.
    """
    with transaction.atomic():
        subject = (
            Subject.objects.select_for_update(of=("self",))
            .select_related("borough")
            .only("borough__code", *[f.name for f in Subject._meta.concrete_fields])
            .filter(pk=pk, status=Status.APPROVED)
            .first()
        )
        if subject is None:
            return None
        evidence = list(subject.evidence.select_related("offence_type"))
        assessment = assess_subject(subject, evidence=evidence, criteria=criteria, method=method, today=today)
        reasons, fields = [], []
        rescored = _material_harm_change(subject, assessment.harm)
        if rescored:
            apply_harm(subject, assessment.harm)
            fields += ["harm_score", "harm_band", "harm_method_version", "harm_calculated_at"]
            reasons.append("harm score recalculated")
        was_lapsed = subject.criteria_lapsed_at is not None
        lapse_changed = apply_lapse(subject, assessment)
        if lapse_changed:
            fields.append("criteria_lapsed_at")
            reasons.append("no inclusion criterion is met any more" if not was_lapsed else "criteria met again")
        if reasons:
            note = f"Scheduled review run: {'; '.join(reasons)}"
            save_tracked(subject, acting_user=actor, reason=note, update_fields=fields)
            record(Action.ALTER, actor=actor, obj=subject, subject=subject, detail=note)
    return _Recheck(
        rescored=rescored,
        newly_lapsed=lapse_changed and not was_lapsed,
        zero_score=subject.is_perpetrator and subject.harm_score == 0,
    )


def _recheck_approved(report: ReviewRunReport, actor, today) -> None:
    """Re-check every approved subject, one transaction each: a failure undoes that subject only (listed in
    ``report.failed``), and the chain lock is not held for the whole run."""
    criteria = list(current_criteria())
    method = current_harm_method()
    approved = Subject.objects.filter(status=Status.APPROVED).order_by("pk").values_list("pk", "reference")
    last_pk = 0
    # Keyset pages of ids: the matrix is never held in memory, and no cursor stays open across transactions.
    while page := list(approved.filter(pk__gt=last_pk)[:500]):
        last_pk = page[-1][0]
        for pk, reference in page:
            try:
                result = _recheck_one(pk, actor, criteria, method, today)
            except Exception:  # noqa: BLE001 (one subject's failure must not stop the others)
                # The id only: logs carry no personal data (config/logs.py); the caller names the reference.
                logger.exception("review_run_subject_failed", subject_id=pk)
                report.failed.append(reference)
                continue
            if result is not None:
                report.checked += 1
                report.rescored += result.rescored
                report.newly_lapsed += result.newly_lapsed
                report.zero_score += result.zero_score


def run_reviews(*, today=None) -> ReviewRunReport:
    """The scheduled run; safe to repeat. A subject that cannot be re-checked keeps its row as it was and
    does not stop the run; it is listed in the report, and the command then exits with an error so the
    scheduler reports it instead of the subject silently dropping out of every nightly run."""
    today = today or timezone.localdate()
    actor = system_user()
    report = ReviewRunReport()
    _recheck_approved(report, actor, today)
    approved = Subject.objects.filter(status=Status.APPROVED)
    report.overdue = approved.filter(review_due__lt=today).count()
    report.due_soon = approved.filter(
        review_due__gte=today, review_due__lte=today + timedelta(days=DUE_SOON_DAYS)
    ).count()
    expired = Subject.objects.filter(status=Status.REMOVED, erased_at__isnull=True, retention_until__lte=today)
    for subject in expired.order_by("pk"):
        erase_subject(subject, acting_user=actor)
        report.erased.append(subject.reference)
    return report


@cache
def _code_texts() -> frozenset[str]:
    """Every string literal in the source of the project's own apps (not their tests or migrations).

    Read once per process from the source files themselves, so it is never a list kept by hand: a fixed
    reason added anywhere in the code is recognised the day it is written.
    """
    texts = set()
    for config in apps.get_app_configs():
        root = Path(config.path)
        if not root.is_relative_to(settings.BASE_DIR) or {"site-packages", ".venv"} & set(root.parts):
            continue  # a library's app, not the project's
        for path in root.rglob("*.py"):
            if {"migrations", "tests"} & set(path.relative_to(root).parts):
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            texts.update(
                node.value for node in ast.walk(tree) if isinstance(node, ast.Constant) and isinstance(node.value, str)
            )
    return frozenset(texts)


# A step's label written by the code before a typed reason: "Rejected: ", "Removed at review: ", "Withdrawn: ".
_STEP_LABEL = re.compile(r"[A-Z][A-Za-z -]{2,60}: ")
REASON_ERASED = "Reason erased with the record"
ERASED_AFTER_RETENTION = "Erased after the retention period"
SUBJECT_ERASED_AFTER_RETENTION = "Erased after the retention period (DPA 2018 s.39)"


def reason_without_typed_text(reason: str | None) -> str | None:
    """A history row's change reason with nothing a person typed left in it (at erasure).

    How the code's own reasons are told from typed text, without a hand list that drifts: a reason is the
    code's when it equals, whole, a string literal in the project's source (``_code_texts``), such as
    "Erased after the retention period" or "Review: retain"; it is kept. Any other reason is treated as
    typed: an officer's edit reason, or the code's label with typed text after it ("Rejected: <typed>"). It
    becomes the code's label alone when it starts with one (a literal such as "Rejected: ", or "Removed"
    joined to the typed text by ": ", so only the code's own words are kept), else ``REASON_ERASED``. So
    what is left is always text from the source; a fixed reason the code composes at run time ("Scheduled review run: harm score recalculated") is erased
    too: the rule fails safe. The step itself stays readable from the history row (its type and fields).
    """
    if not reason:
        return reason
    texts = _code_texts()
    if reason in texts:
        return reason
    label = next(
        (
            reason[:end]
            for end in range(len(reason) - 1, 2, -1)
            if reason[end - 2 : end] == ": "
            and {reason[:end], reason[: end - 2]} & texts
            and _STEP_LABEL.fullmatch(reason[:end])
        ),
        None,
    )
    return f"{label}{REASON_ERASED.lower()}" if label else REASON_ERASED


def redact_history_reasons(history) -> None:
    """Replace every change reason in ``history`` (history rows, inside an erasure window) by
    ``reason_without_typed_text``: one UPDATE per distinct reason. Sharing's erasure uses it too."""
    reasons = set(history.order_by().values_list("history_change_reason", flat=True).distinct())
    for reason in reasons:
        redacted = reason_without_typed_text(reason)
        if redacted != reason:
            history.filter(history_change_reason=reason).update(history_change_reason=redacted)


def _redact_history(model, ids, values: dict, erase_if_present=()) -> None:
    """The one path allowed to rewrite history rows (the database refuses any other): overwriting
    personal data on erasure, and every change reason of the rows (``reason_without_typed_text``). Runs
    inside erase_subject's transaction and erasure window."""
    history = model.history.model.objects.filter(id__in=ids)
    redact_history_reasons(history)
    if values:
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
SUBJECT_ERASE_IF_PRESENT = ("restriction_reason",)
EVIDENCE_ERASURE = {"summary": ERASED, "source_reference": ERASED}
EVIDENCE_ERASE_IF_PRESENT = (
    "handling_conditions",
    "social_media_url",
    "social_media_platform",
    "verification_method",
    "withdrawal_reason",
)
ADDRESS_ERASURE = {"line_1": ERASED, "line_2": "", "town": ERASED, "postcode": ERASED}
GRANT_ERASURE = {"justification": ERASED}


@transaction.atomic
def erase_subject(subject: Subject, *, acting_user, detail: str = RETENTION_ENDED) -> Subject:
    """Erase, and once that has committed, add it to the erasure ledger (which replays it after a restore).

    The texts typed about the subject that the access log refers to (audit.models.LoggedText) are emptied in
    the same window: the log keeps their commitments, so its chain still verifies."""
    from audit.log import erase_logged_texts

    subject = Subject.objects.select_for_update().get(pk=subject.pk)
    if subject.is_erased:
        return subject
    ledger = erasure_ledger.configured_path()
    erasure_ledger.require_writable(ledger)
    with erasure_window():
        _erase(subject, acting_user)
        # Copies made for others (disclosure snapshots) are erased in the same window and transaction.
        signals.subject_erased.send(Subject, subject=subject, acting_user=acting_user)
        erase_logged_texts(subject.uuid)
    event = record(Action.ERASE, actor=acting_user, obj=subject, subject=subject, detail=detail)
    entry = LedgerEntry.of(subject, event.sequence, event.entry_hash)
    transaction.on_commit(partial(erasure_ledger.append, [entry], ledger))
    return subject


def _ids(model, rows, subject: Subject, through: str = "subject") -> list[int]:
    """The ids of ``rows`` and of every row of ``model`` that belonged to the subject and has history
    (one since deleted, such as an address replaced by an edit, too)."""
    held = model.history.model.objects.filter(**{f"{through}_id": subject.pk}).values_list("id", flat=True)
    return sorted({row.pk for row in rows} | set(held.order_by().distinct()))


def _erase(subject: Subject, acting_user) -> None:
    from matrix.models import SubjectAccessGrant

    evidence = list(Evidence.objects.select_for_update().filter(subject=subject))
    for item in evidence:
        for name, value in EVIDENCE_ERASURE.items():
            setattr(item, name, value)
        for name in EVIDENCE_ERASE_IF_PRESENT:
            if getattr(item, name):
                setattr(item, name, ERASED)
        save_tracked(item, acting_user=acting_user, reason=ERASED_AFTER_RETENTION)
    _redact_history(Evidence, _ids(Evidence, evidence, subject), EVIDENCE_ERASURE, EVIDENCE_ERASE_IF_PRESENT)
    addresses = list(subject.addresses.all())
    address_ids = _ids(Address, addresses, subject)  # before delete(), which clears the primary keys
    for address in addresses:
        delete_tracked(address, acting_user=acting_user, reason=ERASED_AFTER_RETENTION)
    _redact_history(Address, address_ids, ADDRESS_ERASURE)
    reviews = list(subject.reviews.all())
    for review in reviews:
        review.justification = ERASED
        save_tracked(review, acting_user=acting_user, reason=ERASED_AFTER_RETENTION)
    _redact_history(SubjectReview, _ids(SubjectReview, reviews, subject), {"justification": ERASED})
    # Break-glass grants: the justification typed to see the record (the history keeps every renewal's).
    grants = SubjectAccessGrant.objects.filter(content_object=subject)
    grant_ids = _ids(SubjectAccessGrant, grants, subject, through="content_object")
    grants.update(**GRANT_ERASURE)
    _redact_history(SubjectAccessGrant, grant_ids, GRANT_ERASURE)
    for name, value in SUBJECT_ERASURE.items():
        setattr(subject, name, value)
    for name in SUBJECT_ERASE_IF_PRESENT:
        if getattr(subject, name):
            setattr(subject, name, ERASED)
    subject.erased_at = timezone.now()
    _redact_history(Subject, [subject.pk], SUBJECT_ERASURE, SUBJECT_ERASE_IF_PRESENT)
    save_tracked(subject, acting_user=acting_user, reason=SUBJECT_ERASED_AFTER_RETENTION)


@dataclass
class ReplayReport:
    listed: int = 0
    already_erased: int = 0
    erased_again: list[str] = field(default_factory=list)
    # Not in the database: created after its newest access-log entry (after the backup), or unaccounted for.
    created_after_backup: list[str] = field(default_factory=list)
    unaccounted: list[str] = field(default_factory=list)
    missing_from_ledger: int = 0

    def lines(self) -> list[str]:
        def named(references: list[str]) -> str:
            return f"{len(references)}" + (f" ({', '.join(references)})" if references else "")

        return [
            f"Subjects the ledger lists as erased: {self.listed}",
            f"Already erased in the database: {self.already_erased}",
            f"Erased again now: {named(self.erased_again)}",
            f"Not in the database, created after the backup was taken: {named(self.created_after_backup)}",
            f"Not in the database although created before the backup: {named(self.unaccounted)}",
            f"Erased in the database but missing from the ledger: {self.missing_from_ledger}",
        ]


def replay_erasures(path: Path) -> ReplayReport:
    """After a restore: erase again every subject the ledger lists that the database holds unerased.

    Idempotent. A subject the database lacks is harmless when it was created after the backup (its newest
    access-log entry, since every creation is logged); one created before means the ledger and the database
    do not belong together, which ``unaccounted`` reports.
    """
    entries = {entry.subject_uuid: entry for entry in erasure_ledger.read(path)}
    report = ReplayReport(listed=len(entries))
    backup_taken = AccessEvent.objects.aggregate(newest=Max("occurred_at"))["newest"]
    tombstones = set(Subject.objects.filter(erased_at__isnull=False).values_list("uuid", flat=True))
    report.missing_from_ledger = len(tombstones - entries.keys())
    held = Subject.objects.only("uuid", "reference", "status", "erased_at").in_bulk(list(entries), field_name="uuid")
    actor = system_user(REPLAY_USERNAME)
    for subject_uuid, entry in entries.items():
        subject = held.get(subject_uuid)
        if subject is None:
            created_after = backup_taken is None or entry.created_at > backup_taken
            (report.created_after_backup if created_after else report.unaccounted).append(entry.reference)
        elif subject.is_erased:
            report.already_erased += 1
        else:
            _erase_again(subject, actor)
            report.erased_again.append(subject.reference)
    return report


@transaction.atomic
def _erase_again(subject: Subject, actor) -> None:
    if subject.status != Status.REMOVED:
        # A backup older than the removal brings the record back live; only a removed record may be erased.
        subject = workflow.remove_erased_record(acting_user=actor, subject=subject)
    erase_subject(subject, acting_user=actor, detail=REPLAYED)


def export_missing_erasures(path: Path) -> list[str]:
    """Add to the ledger every erasure the database holds and the ledger lacks (a ledger lost or started late,
    or an append that failed); the references added. Nothing is erased. The ledger exists afterwards, even empty."""
    erasure_ledger.require_writable(path)
    listed = {entry.subject_uuid for entry in erasure_ledger.read(path)}
    erase_events = AccessEvent.objects.filter(action=Action.ERASE, subject_uuid=OuterRef("uuid")).order_by("-sequence")
    tombstones = (
        Subject.objects.filter(erased_at__isnull=False)
        .annotate(
            erase_sequence=Subquery(erase_events.values("sequence")[:1]),
            erase_hash=Subquery(erase_events.values("entry_hash")[:1]),
        )
        .only("uuid", "reference", "created_at", "erased_at")
        .order_by("erased_at", "pk")
    )
    missing = [
        LedgerEntry.of(subject, subject.erase_sequence, subject.erase_hash)
        for subject in tombstones
        if subject.uuid not in listed
    ]
    erasure_ledger.append(missing, path)
    return [entry.reference for entry in missing]
