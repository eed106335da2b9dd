"""An intelligence item supporting (or not) a subject's inclusion (docs/rules.md, Evidence)."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from core.history import History
from matrix.choices import (
    HandlingCode,
    IntelligenceAssessment,
    Nature,
    SourceEvaluation,
    SourceType,
    Verification,
    values,
)
from matrix.validators import validate_not_future


class EvidenceQuerySet(models.QuerySet):
    def active(self) -> "EvidenceQuerySet":
        return self.filter(withdrawn_at__isnull=True)


class Evidence(models.Model):
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subject = models.ForeignKey("matrix.Subject", on_delete=models.PROTECT, related_name="evidence")
    summary = models.TextField()
    information_date = models.DateField(
        validators=[validate_not_future], help_text="The date the information relates to."
    )
    source_type = models.CharField(max_length=24, choices=SourceType.choices)
    source_reference = models.CharField(
        max_length=100,
        help_text="Identifies the source (report number, source code, agency). Items with different "
        "source references count as independent.",
    )
    source_evaluation = models.CharField(max_length=1, choices=SourceEvaluation.choices)
    intelligence_assessment = models.CharField(max_length=1, choices=IntelligenceAssessment.choices)
    handling_code = models.CharField(max_length=1, choices=HandlingCode.choices)
    handling_conditions = models.TextField(blank=True, help_text="Mandatory for handling code C.")
    nature = models.CharField(max_length=10, choices=Nature.choices)
    offence_type = models.ForeignKey(
        "matrix.OffenceType", null=True, blank=True, on_delete=models.PROTECT, related_name="evidence"
    )
    relates_to_victimisation = models.BooleanField(
        default=False, help_text="The subject was the victim in this item (supports a dual-role record)."
    )
    social_media_url = models.URLField(max_length=500, blank=True)
    social_media_platform = models.CharField(max_length=60, blank=True)
    captured_on = models.DateField(null=True, blank=True, validators=[validate_not_future])
    verification = models.CharField(max_length=12, choices=Verification.choices, default=Verification.NOT_REQUIRED)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)
    verification_method = models.TextField(blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawal_reason = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    history = History()
    objects = EvidenceQuerySet.as_manager()

    class Meta:
        verbose_name_plural = "evidence"
        permissions = [("verify_social_media", "Mark social media evidence as verified, recording the method")]
        ordering = ["-information_date", "pk"]
        indexes = [
            models.Index(fields=["subject", "-information_date"], name="evidence_subject_date"),
            # The "social media awaiting verification" flag: few rows among millions, found without a scan.
            models.Index(
                fields=["subject"],
                condition=Q(
                    source_type=SourceType.SOCIAL_MEDIA, verification=Verification.UNVERIFIED, withdrawn_at__isnull=True
                ),
                name="evidence_unverified_social",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(summary=""), name="evidence_summary_present"),
            models.CheckConstraint(condition=~Q(source_reference=""), name="evidence_source_reference_present"),
            models.CheckConstraint(condition=Q(source_type__in=values(SourceType)), name="evidence_source_type_valid"),
            models.CheckConstraint(
                condition=Q(source_evaluation__in=values(SourceEvaluation)), name="evidence_source_evaluation_valid"
            ),
            models.CheckConstraint(
                condition=Q(intelligence_assessment__in=values(IntelligenceAssessment)),
                name="evidence_assessment_valid",
            ),
            models.CheckConstraint(condition=Q(handling_code__in=values(HandlingCode)), name="evidence_handling_valid"),
            models.CheckConstraint(condition=Q(nature__in=values(Nature)), name="evidence_nature_valid"),
            models.CheckConstraint(
                condition=~Q(handling_code=HandlingCode.CONDITIONS) | ~Q(handling_conditions=""),
                name="evidence_handling_c_needs_conditions",
            ),
            models.CheckConstraint(
                condition=~Q(source_type=SourceType.SOCIAL_MEDIA)
                | (~Q(social_media_url="") & ~Q(social_media_platform="") & Q(captured_on__isnull=False)),
                name="evidence_social_media_needs_capture_details",
            ),
            models.CheckConstraint(
                condition=(
                    Q(source_type=SourceType.SOCIAL_MEDIA)
                    & Q(verification__in=[Verification.UNVERIFIED, Verification.VERIFIED])
                )
                | (~Q(source_type=SourceType.SOCIAL_MEDIA) & Q(verification=Verification.NOT_REQUIRED)),
                name="evidence_verification_only_for_social_media",
            ),
            models.CheckConstraint(
                condition=~Q(verification=Verification.VERIFIED)
                | (Q(verified_by__isnull=False) & Q(verified_at__isnull=False) & ~Q(verification_method="")),
                name="evidence_verified_records_who_when_how",
            ),
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | (Q(withdrawn_by__isnull=False) & ~Q(withdrawal_reason="")),
                name="evidence_withdrawal_records_who_why",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_source_type_display()} {self.grading} ({self.information_date})"

    @property
    def grading(self) -> str:
        return f"{self.source_evaluation}{self.intelligence_assessment}{self.handling_code}"

    @property
    def is_social_media(self) -> bool:
        return self.source_type == SourceType.SOCIAL_MEDIA

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def clean(self):
        errors = {}
        if self.handling_code == HandlingCode.CONDITIONS and not self.handling_conditions.strip():
            errors["handling_conditions"] = "Handling code C needs the conditions that travel with any disclosure."
        if self.is_social_media:
            for field, label in (
                ("social_media_url", "the address (URL) of the material"),
                ("social_media_platform", "the platform"),
                ("captured_on", "the date it was captured"),
            ):
                if not getattr(self, field):
                    errors[field] = f"Social media items need {label}."
        else:
            for field in ("social_media_url", "social_media_platform", "captured_on"):
                if getattr(self, field):
                    errors[field] = "Only social media items carry social media details."
        if errors:
            raise ValidationError(errors)
