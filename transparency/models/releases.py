"""Published aggregate statistics: one immutable row per run of ``publish_statistics``."""

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from config.formats import written


class StatisticsRelease(models.Model):
    """A release of the public figures, already suppressed. Unsuppressed counts are never stored.

    A release is never changed or deleted (database triggers refuse it too), so anyone who downloaded
    an earlier one can see exactly what was published and when.
    """

    append_only = True  # audit/triggers.py refuses UPDATE, DELETE and TRUNCATE in the database

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    produced_at = models.DateTimeField(editable=False)
    period_start = models.DateField(
        help_text="First day covered by the monthly figures (disclosures, reviews, removals): the day after the "
        "previous release's period, so no month is in two releases."
    )
    period_end = models.DateField(
        help_text="Last day covered by the monthly figures. The figures about who is on the matrix are for the day "
        "the release was produced."
    )
    threshold = models.PositiveSmallIntegerField(help_text="Counts from 1 to this number minus one are hidden.")
    tables = models.JSONField(help_text="The suppressed tables, exactly as published.")

    class Meta:
        ordering = ["-produced_at", "-id"]
        get_latest_by = ["produced_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(period_start__lte=F("period_end")), name="release_period_ordered"),
            # The published rule: counts of 1 to 4 are never shown (a higher threshold hides more).
            models.CheckConstraint(condition=Q(threshold__gte=5), name="release_threshold_at_least_five"),
            models.UniqueConstraint(fields=["period_start"], name="release_periods_do_not_repeat"),
        ]

    def __str__(self) -> str:
        return f"Statistics release of {written(self.produced_at)}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError("A published statistics release is never changed; publish a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError("A published statistics release is never deleted; publish a new one.")
