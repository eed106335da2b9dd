"""The DPIA register: data protection and equality impact assessments, one row per version."""

import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from core.history import History
from matrix.choices import values

VERSION_PATTERN = r"^[0-9]{1,3}(\.[0-9]{1,3}){0,2}$"


class AssessmentKind(models.TextChoices):
    DPIA = "dpia", "Data protection impact assessment"
    EQUALITY = "equality", "Equality impact assessment"


class ImpactAssessment(models.Model):
    """One version of an assessment. Never edited in place: a revised assessment is a new record."""

    append_only = True  # audit/triggers.py refuses UPDATE, DELETE and TRUNCATE in the database

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=AssessmentKind.choices)
    title = models.CharField(max_length=200)
    version = models.CharField(
        max_length=11,
        validators=[RegexValidator(VERSION_PATTERN, "Enter a version number such as 2 or 2.1.")],
        help_text="For example 2 or 2.1. Each version of an assessment kind is recorded once.",
    )
    assessed_on = models.DateField("Date assessed")
    approver_name = models.CharField(max_length=120)
    approver_role = models.CharField(max_length=120)
    residual_risks = models.TextField(help_text="The risks that remain after the mitigations, and who accepted them.")
    summary = models.TextField()
    next_review_on = models.DateField("Next review date")
    recorded_at = models.DateTimeField(default=timezone.now, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", editable=False
    )
    history = History()

    class Meta:
        ordering = ["kind", "-assessed_on", "-recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "version"], name="assessment_version_unique_per_kind"),
            models.CheckConstraint(condition=Q(kind__in=values(AssessmentKind)), name="assessment_kind_valid"),
            models.CheckConstraint(condition=Q(version__regex=VERSION_PATTERN), name="assessment_version_format"),
            models.CheckConstraint(
                condition=Q(next_review_on__gt=F("assessed_on")), name="assessment_review_after_assessment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} version {self.version}"
