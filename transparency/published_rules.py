"""What the public page says about the rules, read from the rules themselves so it cannot drift.

Criteria, lawful bases and the scoring method come from the database (the published versions);
review, retention, disclosure expiry and subject access deadlines come from settings and the code
that enforces them.
"""

from django.conf import settings

from matrix.choices import Classification
from matrix.models import HarmScoringMethod, InclusionCriterion
from sharing.models import LawfulBasis
from sharing.services import DEFAULT_EXPIRY_DAYS


def current_criteria() -> list[dict]:
    labels = dict(Classification.choices)
    return [
        {
            "title": criterion.title,
            "code": criterion.code,
            "version": criterion.version,
            "published_at": criterion.published_at,
            "plain_text": criterion.plain_text,
            "applies_to": [labels.get(value, value) for value in criterion.classifications],
            "lookback_days": criterion.lookback_days,
            "min_items": criterion.min_items,
            "requires_independent_sources": criterion.requires_independent_sources,
        }
        for criterion in InclusionCriterion.objects.current().order_by("title")
    ]


def lawful_bases():
    return LawfulBasis.objects.filter(active=True).order_by("citation")


def current_harm_method():
    return HarmScoringMethod.objects.current().only("version", "published_at", "half_life_days").first()


def timescales() -> dict:
    return {
        "review_period_days": settings.GOVMATRIX_REVIEW_PERIOD_DAYS,
        "retention_days": settings.GOVMATRIX_RETENTION_DAYS,
        "disclosure_expiry_days": DEFAULT_EXPIRY_DAYS,
    }
