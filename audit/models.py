"""The DPA 2018 s.62 log: who collected, altered, consulted, disclosed, combined, erased or exported what.

Append-only (database triggers refuse UPDATE and DELETE) and hash-chained (each entry seals the one
before it), so an auditor can prove the record of access has not been altered. Entries hold
identifiers and the stated justification, never personal data itself.

Also here: subject access requests (s.45), tracked against their one-month deadline.
"""

import calendar
import uuid
from datetime import date

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from config.formats import written
from core.history import History
from matrix.choices import values


class Action(models.TextChoices):
    COLLECT = "collect", "Collection"
    ALTER = "alter", "Alteration"
    CONSULT = "consult", "Consultation"
    DISCLOSE = "disclose", "Disclosure"
    COMBINE = "combine", "Combination"
    ERASE = "erase", "Erasure"
    EXPORT = "export", "Export"
    SEARCH = "search", "Search"
    LOGIN = "login", "Sign-in"
    LOGIN_FAILED = "login_failed", "Failed sign-in"
    DENIED = "denied", "Access denied"


class Outcome(models.TextChoices):
    SUCCESS = "success", "Succeeded"
    REFUSED = "refused", "Refused"


class AccessEvent(models.Model):
    append_only = True  # audit/triggers.py refuses UPDATE, DELETE and TRUNCATE in the database
    sequence = models.PositiveBigIntegerField(unique=True, editable=False)
    occurred_at = models.DateTimeField(default=timezone.now, editable=False)
    # Plain values, not foreign keys: the log must outlive users and is never updated.
    actor_id = models.PositiveBigIntegerField(null=True, blank=True)
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=12, choices=Action.choices)
    object_type = models.CharField(max_length=40, blank=True)
    object_uuid = models.UUIDField(null=True, blank=True)
    subject_uuid = models.UUIDField(null=True, blank=True)
    subject_reference = models.CharField(max_length=16, blank=True)
    borough_code = models.CharField(max_length=9, blank=True)
    justification = models.TextField(blank=True)
    recipient = models.CharField(max_length=200, blank=True)
    request_id = models.UUIDField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices, default=Outcome.SUCCESS)
    detail = models.CharField(max_length=300, blank=True)
    previous_hash = models.CharField(max_length=64, editable=False)
    entry_hash = models.CharField(max_length=64, unique=True, editable=False)

    class Meta:
        ordering = ["-sequence"]
        # Every list of entries is newest first by sequence; each filter has an index in that order.
        indexes = [
            models.Index(fields=["actor_id", "-sequence"], name="event_actor"),
            models.Index(fields=["actor_username", "-sequence"], name="event_actor_username"),
            models.Index(fields=["subject_uuid", "-sequence"], name="event_subject"),
            models.Index(fields=["subject_reference", "-sequence"], name="event_subject_reference"),
            models.Index(fields=["action", "-sequence"], name="event_action"),
            models.Index(fields=["borough_code", "-sequence"], name="event_borough"),
            models.Index(fields=["outcome", "-sequence"], name="event_outcome"),
            models.Index(fields=["-occurred_at"], name="event_time"),
        ]
        permissions = [("view_audit_log", "Search and export the access log (audit and oversight)")]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=values(Action)), name="event_action_valid"),
            models.CheckConstraint(condition=Q(outcome__in=values(Outcome)), name="event_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} by {self.actor_username or 'anonymous'}"


class LoggedText(models.Model):
    """Text a person typed about a subject (a reason, a purpose, a justification), kept beside the access log.

    The log's chained ``justification`` holds only a reference to this row: the commitment
    ``sha256(nonce || text)`` (audit/log.py), so the hash chain covers the commitment, never the text. When
    the subject is erased the text and nonce are emptied and ``erased_at`` is set (matrix/retention.py); the
    chain still verifies, and what is left cannot be tested against a guess (the nonce is gone). That is
    the only change the database allows (audit/triggers.py), inside an erasure window; DELETE is refused.
    """

    erasable_only = True  # audit/triggers.py: UPDATE only inside an erasure window; no DELETE, no TRUNCATE

    digest = models.CharField(max_length=64, unique=True, editable=False)
    nonce = models.CharField(max_length=64, blank=True, editable=False)
    text = models.TextField(blank=True, editable=False)
    subject_uuid = models.UUIDField(null=True, blank=True, db_index=True, editable=False)
    sequence = models.PositiveBigIntegerField(
        unique=True, editable=False, help_text="The access log entry whose justification refers to this text."
    )
    erased_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["sequence"]
        verbose_name = "logged text"
        constraints = [
            models.CheckConstraint(
                condition=Q(erased_at__isnull=True) | Q(text="", nonce=""), name="loggedtext_erased_is_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"Text of entry #{self.sequence}{' (erased)' if self.erased_at else ''}"


class CheckScope(models.TextChoices):
    FULL = "full", "Whole log, from the first entry"
    SINCE_LAST = "since_last", "Entries after the last good check"


class ChainCheck(models.Model):
    """One run of the hash-chain check: which entries it verified and what it found. Append-only, like the log.

    A full check walks the whole log (the nightly job; minutes at millions of entries). A check "since the
    last" starts from the newest entry an earlier check found good (``through_sequence``, ``through_hash``),
    so an on-demand check does bounded work; only a full check can find an alteration before that point.
    """

    append_only = True  # audit/triggers.py refuses UPDATE, DELETE and TRUNCATE in the database

    started_at = models.DateTimeField(editable=False)
    finished_at = models.DateTimeField(editable=False)
    scope = models.CharField(max_length=10, choices=CheckScope.choices, editable=False)
    requested_by = models.CharField(max_length=150, editable=False)
    first_sequence = models.PositiveBigIntegerField(editable=False, help_text="The first entry this check read.")
    checked = models.PositiveBigIntegerField(editable=False, help_text="Entries found good.")
    through_sequence = models.PositiveBigIntegerField(
        null=True, blank=True, editable=False, help_text="The newest entry found good: where the next check starts."
    )
    through_hash = models.CharField(max_length=64, blank=True, editable=False)
    reached_end = models.BooleanField(editable=False, help_text="False when the check stopped at its limit.")
    broken_sequence = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    problem = models.TextField(blank=True, editable=False)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(condition=Q(scope__in=values(CheckScope)), name="chaincheck_scope_valid"),
            models.CheckConstraint(
                condition=Q(broken_sequence__isnull=True, problem="")
                | (Q(broken_sequence__isnull=False) & ~Q(problem="")),
                name="chaincheck_problem_named",
            ),
            models.CheckConstraint(
                condition=Q(through_sequence__isnull=True, through_hash="")
                | (Q(through_sequence__isnull=False) & ~Q(through_hash="")),
                name="chaincheck_checkpoint_complete",
            ),
            models.CheckConstraint(condition=Q(finished_at__gte=F("started_at")), name="chaincheck_times_ordered"),
        ]
        indexes = [
            models.Index(fields=["scope", "-id"], name="chaincheck_latest"),
            models.Index(fields=["-through_sequence"], name="chaincheck_checkpoint"),
        ]

    @property
    def intact(self) -> bool:
        return self.broken_sequence is None

    def __str__(self) -> str:
        state = "intact" if self.intact else f"broken at #{self.broken_sequence}"
        return f"{self.get_scope_display()} check of {written(self.started_at)}: {self.checked} entries, {state}"


class ErasureGate(models.Model):
    """On SQLite, a row here (inside the erasing transaction only) lets history rows be redacted."""

    opened_at = models.DateTimeField()


def one_calendar_month_after(day: date) -> date:
    """The same date next month, or that month's last day when it has no such date (31 Jan → 28/29 Feb).

    The one-month limit for answering a subject access request (DPA 2018 s.45, s.54).
    """
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class SarStatus(models.TextChoices):
    OPEN = "open", "Open"
    COMPLETED = "completed", "Completed: response sent"
    REFUSED = "refused", "Refused"


class SubjectAccessRequest(models.Model):
    """A person's request to see the data held on them (DPA 2018 s.45), tracked against its deadline.

    The applicant is described in free text: they may or may not be anyone on the matrix. The DPO
    records which subjects the request concerns after searching, and how the applicant's identity was
    verified; reports are generated per matched subject (audit.sar) and logged as combinations.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(max_length=16, unique=True, editable=False)
    requester_name = models.CharField("applicant's name", max_length=200)
    requester_contact = models.TextField(
        "applicant's contact details", help_text="Where the response goes: postal address, e-mail or both."
    )
    received_on = models.DateField(
        help_text="When the request (or, if later, the identity information asked for) was received (s.54)."
    )
    due_on = models.DateField(editable=False, help_text="One calendar month after it was received.")
    identity_verified = models.BooleanField(default=False, editable=False)
    identity_method = models.TextField(blank=True, editable=False)
    identity_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    identity_verified_at = models.DateTimeField(null=True, blank=True, editable=False)
    subjects = models.ManyToManyField(
        "matrix.Subject", blank=True, related_name="access_requests", help_text="Records the request concerns."
    )
    status = models.CharField(max_length=10, choices=SarStatus.choices, default=SarStatus.OPEN, editable=False)
    refusal_reason = models.TextField(blank=True, editable=False)
    completed_on = models.DateField(null=True, blank=True, editable=False)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = History(m2m_fields=[subjects])

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = "subject access request"
        permissions = [
            ("generate_subject_access_report", "Generate a report of all data held on a person (DPA 2018 s.45)"),
        ]
        indexes = [models.Index(fields=["status", "due_on"], name="sar_status_due")]
        constraints = [
            models.CheckConstraint(condition=Q(due_on__gt=F("received_on")), name="sar_due_after_received"),
            models.CheckConstraint(condition=Q(status__in=values(SarStatus)), name="sar_status_valid"),
            models.CheckConstraint(condition=~Q(requester_name=""), name="sar_requester_name_present"),
            models.CheckConstraint(condition=~Q(requester_contact=""), name="sar_requester_contact_present"),
            models.CheckConstraint(
                condition=Q(reference__regex=r"^SAR-[0-9]{4}-[0-9]{6,8}$"), name="sar_reference_format"
            ),
            models.CheckConstraint(
                condition=Q(identity_verified=False)
                | (Q(identity_verified_by__isnull=False, identity_verified_at__isnull=False) & ~Q(identity_method="")),
                name="sar_identity_records_who_when_how",
            ),
            models.CheckConstraint(
                condition=(Q(status=SarStatus.OPEN) & Q(completed_on__isnull=True, closed_by__isnull=True))
                | (~Q(status=SarStatus.OPEN) & Q(completed_on__isnull=False, closed_by__isnull=False)),
                name="sar_closed_records_date_and_who",
            ),
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(completed_on__gte=F("received_on")),
                name="sar_completed_after_received",
            ),
            # Nobody's data goes to an applicant whose identity was not checked (a victim's record to an abuser).
            models.CheckConstraint(
                condition=~Q(status=SarStatus.COMPLETED) | Q(identity_verified=True),
                name="sar_completed_needs_identity",
            ),
            models.CheckConstraint(
                condition=~Q(status=SarStatus.REFUSED) | ~Q(refusal_reason=""), name="sar_refusal_has_reason"
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs):
        self.due_on = one_calendar_month_after(self.received_on)
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.status == SarStatus.OPEN

    def is_overdue(self, today: date | None = None) -> bool:
        return self.is_open and self.due_on < (today or timezone.localdate())

    def days_left(self, today: date | None = None) -> int:
        return (self.due_on - (today or timezone.localdate())).days

    def deadline_note(self, today: date | None = None) -> str:
        days = self.days_left(today)
        if days < 0:
            return f"{-days} day{'s' if days != -1 else ''} late"
        return "due today" if days == 0 else f"{days} day{'s' if days != 1 else ''} left"
