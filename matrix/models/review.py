"""Periodic review outcomes (docs/rules.md, Reviews and lapse)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from config.formats import written_day
from core.history import History


class ReviewOutcome(models.TextChoices):
    RETAIN = "retain", "Retain on the matrix"
    REMOVE = "remove", "Remove from the matrix"


class SubjectReview(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject = models.ForeignKey("matrix.Subject", on_delete=models.PROTECT, related_name="reviews")
    outcome = models.CharField(max_length=6, choices=ReviewOutcome.choices)
    justification = models.TextField()
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)
    next_review_due = models.DateField(null=True, blank=True)
    history = History()

    class Meta:
        ordering = ["-reviewed_at"]
        indexes = [models.Index(fields=["subject", "-reviewed_at"], name="review_subject_date")]
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=["retain", "remove"]), name="review_outcome_valid"),
            models.CheckConstraint(condition=~Q(justification=""), name="review_justified"),
            models.CheckConstraint(
                condition=~Q(outcome="retain") | Q(next_review_due__isnull=False), name="review_retain_sets_next_due"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()} ({written_day(self.reviewed_at)})"
