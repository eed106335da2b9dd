"""The inclusion and harm rules of docs/rules.md (Whether an item counts, Inclusion criteria, Harm score) as
pure functions over already-loaded rows.

Nothing here touches the database, so the subject page, the submit step, the nightly review and
the API all reach the same verdict from the same inputs, and every rule is unit-testable alone.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from config.formats import written
from matrix.choices import (
    PERPETRATOR_CLASSIFICATIONS,
    HarmBand,
    IntelligenceAssessment,
    SourceEvaluation,
    SourceType,
    Verification,
)

CENT = Decimal("0.01")


@dataclass(frozen=True)
class ItemVerdict:
    """Whether one evidence item can count at all, why not, and the limits on it when it can."""

    item: object
    counts: bool
    reasons: tuple[str, ...] = ()
    caveats: tuple[str, ...] = ()


def item_verdict(item) -> ItemVerdict:
    reasons = []
    if item.withdrawn_at is not None:
        reasons.append(f"Withdrawn: {item.withdrawal_reason}")
    if item.intelligence_assessment == IntelligenceAssessment.SUSPECTED_FALSE:
        reasons.append("Graded E (suspected to be false or malicious): never counts.")
    if item.source_type == SourceType.SOCIAL_MEDIA and item.verification != Verification.VERIFIED:
        reasons.append("Unverified social media never counts; a supervisor must verify it and record how.")
    caveats = []
    if item.source_type == SourceType.SOCIAL_MEDIA:
        caveats.append("Social media never counts on its own: it needs support from another kind of source.")
    if item.source_evaluation == SourceEvaluation.NOT_RELIABLE:
        caveats.append("Source graded 3 (not reliable): never counts on its own.")
    return ItemVerdict(item=item, counts=not reasons, reasons=tuple(reasons), caveats=tuple(caveats))


def _source_key(item) -> str:
    return " ".join(item.source_reference.split()).casefold()


def _lone_support_reasons(items: list) -> list[str]:
    """Weak kinds of evidence that may support a finding but never make it alone (docs/rules.md, Whether an
    item counts)."""
    reasons = []
    if items and all(i.source_type == SourceType.SOCIAL_MEDIA for i in items):
        reasons.append("Only social media supports it, and social media never counts on its own.")
    if items and all(i.source_evaluation == SourceEvaluation.NOT_RELIABLE for i in items):
        reasons.append("Only sources graded 3 (not reliable) support it, and they never count on their own.")
    return reasons


@dataclass(frozen=True)
class CriterionResult:
    criterion: object
    met: bool
    items: tuple = ()
    reasons: tuple[str, ...] = ()
    excluded: tuple[tuple[object, str], ...] = field(default=())


VICTIMISATION_NEVER_AGAINST = (
    "Records the subject as a victim: it supports the dual-role flag and never counts against them as a perpetrator."
)


def _counts_against_perpetrator(item, classification: str | None) -> bool:
    return not (classification in PERPETRATOR_CLASSIFICATIONS and item.relates_to_victimisation)


def _exclusion_reason(criterion, item, verdict: ItemVerdict, cutoff: date, classification: str | None) -> str | None:
    if not verdict.counts:
        return " ".join(verdict.reasons)
    if not _counts_against_perpetrator(item, classification):
        return VICTIMISATION_NEVER_AGAINST
    if item.source_type not in criterion.allowed_source_types:
        return f"{item.get_source_type_display()} is not a source type this criterion accepts."
    if item.source_evaluation > criterion.min_source_evaluation:
        return (
            f"Source evaluation {item.source_evaluation} is weaker than the {criterion.min_source_evaluation} required."
        )
    if item.intelligence_assessment > criterion.min_intelligence_assessment:
        return (
            f"Intelligence assessment {item.intelligence_assessment} is weaker than the "
            f"{criterion.min_intelligence_assessment} required."
        )
    if item.information_date < cutoff:
        return f"Older than the {criterion.lookback_days}-day look-back window (before {written(cutoff)})."
    return None


def evaluate_criterion(criterion, items: Iterable, today: date, classification: str | None = None) -> CriterionResult:
    """Evaluate one criterion; ``classification`` keeps a perpetrator's own victimisation from counting against them."""
    cutoff = today - timedelta(days=criterion.lookback_days)
    qualifying, excluded = [], []
    for item in items:
        reason = _exclusion_reason(criterion, item, item_verdict(item), cutoff, classification)
        if reason is None:
            qualifying.append(item)
        else:
            excluded.append((item, reason))
    reasons = []
    if len(qualifying) < criterion.min_items:
        reasons.append(f"Needs at least {criterion.min_items} qualifying item(s); {len(qualifying)} found.")
    reasons.extend(_lone_support_reasons(qualifying))
    if criterion.requires_independent_sources and len({_source_key(i) for i in qualifying}) < 2:
        reasons.append("Needs qualifying items from at least two independent sources.")
    return CriterionResult(
        criterion=criterion, met=not reasons, items=tuple(qualifying), reasons=tuple(reasons), excluded=tuple(excluded)
    )


def evaluate_criteria(classification: str, criteria: Iterable, items: Iterable, today: date) -> list[CriterionResult]:
    """Results for every criterion that applies to the classification."""
    items = list(items)
    return [
        evaluate_criterion(criterion, items, today, classification)
        for criterion in criteria
        if classification in criterion.classifications
    ]


def criteria_met(results: Iterable[CriterionResult]) -> bool:
    return any(result.met for result in results)


@dataclass(frozen=True)
class HarmLine:
    item: object
    counted: bool
    reason: str
    weight: Decimal | None = None
    age_days: int | None = None
    decay: Decimal | None = None
    contribution: Decimal = Decimal("0.00")


@dataclass(frozen=True)
class HarmAssessment:
    """A harm score with its item-by-item working. It is an assessment (s.38(2)), never a fact."""

    applicable: bool
    score: Decimal | None
    band: str
    method_version: int | None
    lines: tuple[HarmLine, ...]
    explanation: str

    @property
    def zero_flag(self) -> bool:
        """A perpetrator with nothing scoring against them should be considered for removal."""
        return self.applicable and self.score == 0

    @property
    def description(self) -> str:
        return describe_harm(self.score, self.band)


NO_BAND = "no band: no qualifying offence counts"


def describe_harm(score: Decimal | None, band: str) -> str:
    """How a stored or computed score reads on every page: "12.50 (Amber)", "0.00 (no band: …)", "Never scored"."""
    if score is None:
        return "Never scored"
    return f"{score} ({HarmBand(band).label if band else NO_BAND})"


def band_for(score: Decimal, method) -> str:
    """The band of a score. A score of 0.00 has none: no qualifying offence counts, so there is nothing to
    band, and "green" would read as an assessment of low harm (the zero flag asks for removal review instead)."""
    if score == 0:
        return ""
    if score >= method.red_threshold:
        return HarmBand.RED
    if score >= method.amber_threshold:
        return HarmBand.AMBER
    return HarmBand.GREEN


def _harm_line(item, method, weights: Mapping[int, Decimal], today: date) -> HarmLine:
    verdict = item_verdict(item)
    if not verdict.counts:
        return HarmLine(item=item, counted=False, reason=" ".join(verdict.reasons))
    if item.relates_to_victimisation:
        return HarmLine(item=item, counted=False, reason=VICTIMISATION_NEVER_AGAINST)
    weight = weights.get(item.offence_type_id)
    if weight is None:
        return HarmLine(
            item=item, counted=False, reason=f"Offence type has no weight in scoring method v{method.version}."
        )
    age_days = max((today - item.information_date).days, 0)
    decay = Decimal(str(round(0.5 ** (age_days / method.half_life_days), 4)))
    contribution = (weight * decay).quantize(CENT, rounding=ROUND_HALF_UP)
    return HarmLine(
        item=item,
        counted=True,
        reason=f"Weight {weight} halved every {method.half_life_days} days; {age_days} days old.",
        weight=weight,
        age_days=age_days,
        decay=decay,
        contribution=contribution,
    )


def assess_harm(classification: str, items: Iterable, method, weights: Mapping[int, Decimal], today: date):
    if classification not in PERPETRATOR_CLASSIFICATIONS:
        return HarmAssessment(False, None, "", None, (), "Victims and people at risk are never harm-scored.")
    if method is None:
        return HarmAssessment(True, None, "", None, (), "No harm scoring method has been published yet.")
    items = list(items)
    if not items:
        # A score of 0.00 (green) would read as an assessment that this person is low-harm; nothing has been assessed.
        return HarmAssessment(True, None, "", None, (), "Never scored: no evidence has been recorded yet.")
    lines = [_harm_line(item, method, weights, today) for item in items if item.offence_type_id is not None]
    counted = [line.item for line in lines if line.counted]
    lone_reasons = _lone_support_reasons(counted)
    if lone_reasons:
        lines = [
            HarmLine(item=line.item, counted=False, reason=" ".join(lone_reasons)) if line.counted else line
            for line in lines
        ]
    score = sum((line.contribution for line in lines if line.counted), Decimal("0.00")).quantize(CENT)
    band = band_for(score, method)
    explanation = (
        f"Sum of {sum(1 for line in lines if line.counted)} qualifying offence item(s) under scoring method "
        f"v{method.version}: amber from {method.amber_threshold}, red from {method.red_threshold}."
    )
    return HarmAssessment(True, score, band, method.version, tuple(lines), explanation)
