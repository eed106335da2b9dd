"""Recording impact assessments: one transaction, history with who and why, and an access-log entry.

A record is never edited: a revised assessment is recorded as a new version, so the register shows
what was assessed, when and by whom at every point.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.log import record
from audit.models import Action
from core.history import save_tracked
from transparency import permissions
from transparency.models import AssessmentKind, ImpactAssessment

# What the person recording an assessment gives, in the order the form asks for it.
FIELDS = (
    "kind",
    "title",
    "version",
    "assessed_on",
    "approver_name",
    "approver_role",
    "summary",
    "residual_risks",
    "next_review_on",
)


def _check(assessment: ImpactAssessment) -> None:
    errors = {}
    today = timezone.localdate()
    if assessment.assessed_on and assessment.assessed_on > today:
        errors["assessed_on"] = "The date assessed cannot be in the future."
    if assessment.assessed_on and assessment.next_review_on and assessment.next_review_on <= assessment.assessed_on:
        errors["next_review_on"] = "The next review date must be after the date assessed."
    if ImpactAssessment.objects.filter(kind=assessment.kind, version=assessment.version).exists():
        errors["version"] = (
            f"Version {assessment.version} of the {AssessmentKind(assessment.kind).label.lower()} is already recorded. "
            "A revised assessment needs a new version number."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_assessment(*, acting_user, **fields) -> ImpactAssessment:
    permissions.require(permissions.can_record_assessment(acting_user), "record impact assessments")
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
    assessment = ImpactAssessment(recorded_by=acting_user, **fields)
    assessment.full_clean(exclude=["recorded_by"], validate_unique=False, validate_constraints=False)
    _check(assessment)
    try:
        with transaction.atomic():
            save_tracked(assessment, acting_user=acting_user, reason=f"Recorded version {assessment.version}")
    except IntegrityError as error:  # the same version recorded at the same moment by someone else
        raise ValidationError({"version": "This version was recorded a moment ago. Check the register."}) from error
    record(
        Action.COLLECT,
        actor=acting_user,
        obj=assessment,
        detail=f"Recorded {assessment.get_kind_display().lower()} version {assessment.version}",
    )
    return assessment


def register():
    """Every version of every assessment, newest first within each kind (one query)."""
    return ImpactAssessment.objects.select_related("recorded_by").order_by("kind", "-assessed_on", "-recorded_at")


def published_versions() -> list[dict]:
    """For the public page: each kind's current version (latest assessed) and its earlier versions."""
    by_kind = {value: [] for value in AssessmentKind.values}
    for row in ImpactAssessment.objects.order_by("kind", "-assessed_on", "-recorded_at").values(
        "kind", "title", "version", "assessed_on", "next_review_on"
    ):
        by_kind[row["kind"]].append(row)
    return [
        {"label": AssessmentKind(kind).label, "current": rows[0] if rows else None, "earlier": rows[1:]}
        for kind, rows in by_kind.items()
    ]
