from matrix.models.access import BoroughGroupGrant, BoroughUserGrant, SubjectAccessGrant
from matrix.models.evidence import Evidence
from matrix.models.reference import (
    Borough,
    HarmScoringMethod,
    InclusionCriterion,
    OffenceType,
    OffenceWeight,
    ReferenceCounter,
)
from matrix.models.review import ReviewOutcome, SubjectReview
from matrix.models.subject import Address, Subject

__all__ = [
    "Address",
    "Borough",
    "BoroughGroupGrant",
    "BoroughUserGrant",
    "Evidence",
    "HarmScoringMethod",
    "InclusionCriterion",
    "OffenceType",
    "OffenceWeight",
    "ReferenceCounter",
    "ReviewOutcome",
    "Subject",
    "SubjectAccessGrant",
    "SubjectReview",
]
