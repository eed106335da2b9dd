"""Reference data the DPO manages: boroughs, inclusion criteria and the harm scoring method."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from core.history import History
from matrix.choices import Classification, IntelligenceAssessment, SourceEvaluation, SourceType, values


class Borough(models.Model):
    """A London local authority area, keyed by its ONS GSS code. Access to subjects is granted per borough."""

    code = models.CharField("ONS GSS code", max_length=9, unique=True)
    name = models.CharField(max_length=64, unique=True)
    history = History()

    class Meta:
        ordering = ["name"]
        permissions = [("access_borough", "Work with subjects held in this borough")]
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^E09[0-9]{6}$"), name="borough_code_is_london_gss"),
        ]

    def __str__(self) -> str:
        return self.name


class ReferenceCounter(models.Model):
    """Allocates human references such as GM-2026-000123 without exposing database keys.

    One row per series (prefix and year), e.g. "GM-2026" for subjects, "DS-2026" for disclosures.
    """

    series = models.CharField(max_length=12, primary_key=True)
    last_number = models.PositiveIntegerField(default=0)


class PublishedVersionQuerySet(models.QuerySet):
    def current(self):
        """The versions in force now (one per criterion code; one harm scoring method)."""
        return self.filter(is_current=True)


class PublishedVersion(models.Model):
    """A rule set that is drafted, then published; once published it is never edited, only superseded."""

    objects = PublishedVersionQuerySet.as_manager()

    version = models.PositiveIntegerField(editable=False)
    is_current = models.BooleanField(default=False, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    superseded_at = models.DateTimeField(null=True, blank=True, editable=False)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )

    class Meta:
        abstract = True

    @property
    def is_draft(self) -> bool:
        return self.published_at is None

    @property
    def state(self) -> str:
        """Where the version is in its life: a draft, the current version, or superseded by a later one."""
        if self.is_draft:
            return "Draft"
        return "Current" if self.is_current else "Superseded"


def current_means_published() -> Q:
    return Q(is_current=False) | Q(published_at__isnull=False, superseded_at__isnull=True)


class InclusionCriterion(PublishedVersion):
    """What makes someone eligible for the matrix, in plain English, with the evidence it needs (docs/rules.md,
    Inclusion criteria)."""

    code = models.SlugField(max_length=50, help_text="Stable name shared by every version of this criterion.")
    title = models.CharField(max_length=200)
    plain_text = models.TextField(help_text="Published on the public page exactly as written here.")
    classifications = models.JSONField(help_text="The classifications this criterion applies to.")
    min_items = models.PositiveSmallIntegerField(default=1)
    min_source_evaluation = models.CharField(
        max_length=1,
        choices=SourceEvaluation.choices,
        default=SourceEvaluation.UNTESTED,
        help_text="The weakest source evaluation accepted.",
    )
    min_intelligence_assessment = models.CharField(
        max_length=1,
        choices=IntelligenceAssessment.choices,
        default=IntelligenceAssessment.INDIRECT,
        help_text="The weakest intelligence assessment accepted (E never counts).",
    )
    allowed_source_types = models.JSONField()
    lookback_days = models.PositiveIntegerField(help_text="Only information from this many days back counts.")
    requires_independent_sources = models.BooleanField(
        default=False, help_text="At least two qualifying items must come from different sources."
    )
    history = History()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name_plural = "inclusion criteria"
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="criterion_code_version_unique"),
            models.UniqueConstraint(
                fields=["code"],
                condition=Q(is_current=True),
                name="one_current_version_per_criterion",
            ),
            models.CheckConstraint(condition=current_means_published(), name="criterion_current_is_published"),
            models.CheckConstraint(condition=Q(min_items__gte=1), name="criterion_min_items_positive"),
            models.CheckConstraint(condition=Q(lookback_days__gte=1), name="criterion_lookback_positive"),
            models.CheckConstraint(
                condition=Q(min_source_evaluation__in=values(SourceEvaluation)), name="criterion_source_eval_valid"
            ),
            models.CheckConstraint(
                condition=Q(min_intelligence_assessment__in=["A", "B", "C", "D"]),
                name="criterion_assessment_never_e",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} (v{self.version})"

    @property
    def classification_labels(self) -> list[str]:
        labels = dict(Classification.choices)
        return [labels.get(value, value) for value in self.classifications]

    @property
    def source_type_labels(self) -> list[str]:
        labels = dict(SourceType.choices)
        return [labels.get(value, value) for value in self.allowed_source_types]

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        allowed_classes = set(values(Classification))
        if (
            not self.classifications
            or not isinstance(self.classifications, list)
            or not set(self.classifications) <= allowed_classes
        ):
            errors["classifications"] = f"Choose one or more of: {', '.join(sorted(allowed_classes))}."
        allowed_sources = set(values(SourceType))
        if (
            not self.allowed_source_types
            or not isinstance(self.allowed_source_types, list)
            or not set(self.allowed_source_types) <= allowed_sources
        ):
            errors["allowed_source_types"] = f"Choose one or more of: {', '.join(sorted(allowed_sources))}."
        if errors:
            raise ValidationError(errors)


class OffenceType(models.Model):
    """An offence category that evidence can relate to; its harm weight lives in the scoring method."""

    code = models.SlugField(max_length=50, unique=True)
    label = models.CharField(max_length=120)
    history = History()

    class Meta:
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class HarmScoringMethod(PublishedVersion):
    """How harm scores are computed. Scores record the version that made them (docs/rules.md, Harm score)."""

    half_life_days = models.PositiveIntegerField(
        default=365, help_text="An offence's weight halves every this many days after it happened."
    )
    amber_threshold = models.DecimalField(max_digits=8, decimal_places=2)
    red_threshold = models.DecimalField(max_digits=8, decimal_places=2)
    notes = models.TextField(blank=True)
    history = History()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["version"], name="harm_method_version_unique"),
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="one_current_harm_method"
            ),
            models.CheckConstraint(condition=current_means_published(), name="harm_method_current_is_published"),
            models.CheckConstraint(condition=Q(half_life_days__gte=1), name="harm_half_life_positive"),
            models.CheckConstraint(
                condition=Q(amber_threshold__gt=0) & Q(red_threshold__gt=models.F("amber_threshold")),
                name="harm_thresholds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"Harm scoring method v{self.version}"


class OffenceWeight(models.Model):
    """Severity weight of one offence type under one scoring method (the harm severity table)."""

    method = models.ForeignKey(HarmScoringMethod, on_delete=models.CASCADE, related_name="weights")
    offence_type = models.ForeignKey(OffenceType, on_delete=models.PROTECT, related_name="weights")
    weight = models.DecimalField(max_digits=6, decimal_places=2)
    history = History()

    class Meta:
        ordering = ["method", "-weight"]
        constraints = [
            models.UniqueConstraint(fields=["method", "offence_type"], name="one_weight_per_offence_per_method"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="offence_weight_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.offence_type}: {self.weight}"
