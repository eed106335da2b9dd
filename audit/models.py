"""The DPA 2018 s.62 log: who collected, altered, consulted, disclosed, combined, erased or exported what.

Append-only (database triggers refuse UPDATE and DELETE) and hash-chained (each entry seals the one
before it), so an auditor can prove the record of access has not been altered. Entries hold
identifiers and the stated justification, never personal data itself.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

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
        indexes = [
            models.Index(fields=["actor_id", "-occurred_at"], name="event_actor_time"),
            models.Index(fields=["subject_uuid", "occurred_at"], name="event_subject_time"),
            models.Index(fields=["subject_reference"], name="event_subject_reference"),
            models.Index(fields=["action", "-occurred_at"], name="event_action_time"),
            models.Index(fields=["borough_code", "-occurred_at"], name="event_borough_time"),
            models.Index(fields=["-occurred_at"], name="event_time"),
        ]
        permissions = [("view_audit_log", "Search and export the access log (audit and oversight)")]
        constraints = [
            models.CheckConstraint(condition=Q(action__in=values(Action)), name="event_action_valid"),
            models.CheckConstraint(condition=Q(outcome__in=values(Outcome)), name="event_outcome_valid"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.action} by {self.actor_username or 'anonymous'}"


class ErasureGate(models.Model):
    """On SQLite, a row here (inside the erasing transaction only) lets history rows be redacted."""

    opened_at = models.DateTimeField()
