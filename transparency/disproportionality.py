"""Is any group over-represented on the matrix compared with the people who live in the area?
(docs/purpose.md, Equality monitoring)

For each group: its share of the people on the matrix (approved records only) against its share of
the area's resident population, and the ratio of the two (2.0 = twice as many as in proportion).
The counting is one GROUP BY query (the database aggregates; no subject is loaded into Python) and
the arithmetic is pure, tested on its own.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import models
from django.db.models import Case, Count, F, Q, Value, When

from matrix.choices import (
    BROAD_ETHNIC_GROUPS,
    PERPETRATOR_CLASSIFICATIONS,
    Ethnicity,
    Gender,
    HarmBand,
    Status,
    broad_ethnic_group,
)
from matrix.models import Subject
from matrix.validators import latest_birth_date_at_age
from transparency.models import PopulationBaseline
from transparency.models.population import AGE_BAND_FLOORS, LONDON_CODE, AgeBand, Dimension, population_groups
from transparency.suppression import DEFAULT_THRESHOLD, Cell, fewer_than_text, suppress_one_way

# As on the public page, counts from 1 to 4 are shown as "fewer than 5"; here they also give no share
# or ratio, because a ratio from so few people says nothing reliable about a group.
SMALL_COUNT = DEFAULT_THRESHOLD

NO_BASELINE = "No population baseline is loaded for this area."
NO_POPULATION = "The population baseline counts nobody in this group."
TOO_FEW = f"{fewer_than_text(SMALL_COUNT).capitalize()} people: too few for a reliable ratio."
NONE_LISTED = "Nobody in this group is on the matrix."
HIDDEN = "Hidden, so that a small group beside it cannot be worked out from the total."


# --- What can be compared -----------------------------------------------------------------------


class Breakdown(models.TextChoices):
    BROAD_ETHNICITY = "broad_ethnicity", "Ethnic group (5 broad groups)"
    ETHNICITY = "ethnicity", "Ethnic group (19 detailed groups)"
    AGE_BAND = "age_band", "Age band"
    GENDER = "gender", "Gender"


@dataclass(frozen=True)
class BreakdownSpec:
    dimension: str  # of the population baseline
    subject_field: str  # what the counting query groups by
    not_known: str  # the matrix's code for "not stated / not known", kept out of the shares
    groups: list[tuple[str, str]]  # the rows shown, in order
    fold: dict[str, str]  # baseline and matrix code → row code (identity unless grouping)


def breakdown_spec(breakdown: str) -> BreakdownSpec:
    if breakdown == Breakdown.BROAD_ETHNICITY:
        detailed = population_groups(Dimension.ETHNICITY)
        fold = {code: broad_ethnic_group(code) for code, _ in detailed}
        return BreakdownSpec(Dimension.ETHNICITY, "ethnicity", Ethnicity.NOT_STATED, BROAD_ETHNIC_GROUPS, fold)
    dimension, field, not_known = {
        Breakdown.ETHNICITY: (Dimension.ETHNICITY, "ethnicity", Ethnicity.NOT_STATED),
        Breakdown.AGE_BAND: (Dimension.AGE_BAND, "age_band", AgeBand.UNKNOWN),
        Breakdown.GENDER: (Dimension.GENDER, "gender", Gender.NOT_STATED),
    }[breakdown]
    groups = population_groups(dimension)
    return BreakdownSpec(dimension, field, not_known, groups, {code: code for code, _ in groups})


class Cohort(models.TextChoices):
    EVERYONE = "everyone", "Everyone on the matrix"
    PERPETRATORS = "perpetrators", "Perpetrators (suspected or convicted), any harm band"
    RED = "red", "Perpetrators in the red harm band"
    AMBER = "amber", "Perpetrators in the amber harm band"
    GREEN = "green", "Perpetrators in the green harm band"
    SAFEGUARDING = "safeguarding", "Victims and people at risk"


def cohort_filter(cohort: str) -> Q:
    if cohort == Cohort.EVERYONE:
        return Q()
    perpetrators = Q(classification__in=PERPETRATOR_CLASSIFICATIONS)
    if cohort == Cohort.PERPETRATORS:
        return perpetrators
    if cohort == Cohort.SAFEGUARDING:
        return ~perpetrators
    return perpetrators & Q(harm_band=HarmBand(cohort))


# --- Counting (SQL) --------------------------------------------------------------------------------


def age_band_on(on_date: date) -> Case:
    """Each subject's age band on ``on_date``, computed by the database."""
    whens = [When(date_of_birth__isnull=True, then=Value(AgeBand.UNKNOWN.value))]
    whens += [
        When(date_of_birth__lte=latest_birth_date_at_age(on_date, floor), then=Value(band.value))
        for band, floor in AGE_BAND_FLOORS
        if floor > 0
    ]
    youngest = AGE_BAND_FLOORS[-1][0]
    return Case(*whens, default=Value(youngest.value), output_field=models.CharField())


def count_on_matrix(spec: BreakdownSpec, *, area_code: str, cohort: str, on_date: date) -> dict[str, int]:
    """People on the matrix (approved) per matrix code of ``spec``'s field: one GROUP BY query."""
    subjects = Subject.objects.filter(cohort_filter(cohort), status=Status.APPROVED)
    if area_code != LONDON_CODE:
        subjects = subjects.filter(borough__code=area_code)
    if spec.subject_field == "age_band":
        subjects = subjects.annotate(age_band=age_band_on(on_date))
    rows = subjects.values(code=F(spec.subject_field)).annotate(people=Count("pk")).order_by()
    return {row["code"]: row["people"] for row in rows}


@dataclass(frozen=True)
class Baseline:
    figures: dict[str, int]
    sources: list[str]
    year: int
    loaded_at: datetime


def current_baseline(area_code: str, dimension: str) -> Baseline | None:
    rows = list(PopulationBaseline.objects.current(area_code, dimension))
    if not rows:
        return None
    return Baseline(
        figures={row.group: row.population for row in rows},
        sources=sorted({row.source for row in rows}),
        year=rows[0].year,
        loaded_at=max(row.loaded_at for row in rows),
    )


# --- Arithmetic (pure) ------------------------------------------------------------------------------


@dataclass(frozen=True)
class GroupComparison:
    code: str
    label: str
    count: Cell  # as shown: small counts, and any that would give one away, are hidden
    population: int | None
    matrix_share: Fraction | None  # None when the count is hidden
    population_share: Fraction | None
    ratio: Fraction | None  # exact, so that 0.75 is shown as 0.8 (half up) as published statistics round
    no_ratio_reason: str

    @property
    def count_text(self) -> str:
        return self.count.text

    @property
    def population_text(self) -> str:
        return "" if self.population is None else f"{self.population:,}"

    @property
    def matrix_share_text(self) -> str:
        return percent(self.matrix_share)

    @property
    def population_share_text(self) -> str:
        return percent(self.population_share)

    @property
    def ratio_text(self) -> str:
        return "" if self.ratio is None else f"{one_decimal(self.ratio)}×"


@dataclass(frozen=True)
class Comparison:
    groups: list[GroupComparison]
    counted: Cell  # people on the matrix whose group is known: the denominator of the matrix shares
    not_known: int  # people on the matrix whose group is not stated or not known
    population: int  # the denominator of the population shares
    has_baseline: bool

    @property
    def counted_text(self) -> str:
        return self.counted.text

    @property
    def not_known_text(self) -> str:
        return count_text(self.not_known)


def compare(
    groups: list[tuple[str, str]],
    counts: Mapping[str, int],
    population: Mapping[str, int] | None,
    *,
    not_known: int = 0,
) -> Comparison:
    """Shares and ratios per group. ``counts`` and ``population`` are keyed by the codes of ``groups``.

    The counts are protected as the public statistics are (``suppress_one_way``): counts of 1 to 4 read
    "fewer than 5", and so does, or is hidden, whatever would let one be worked out from the total. A hidden
    count has no share (the share and the total would give it away) and no ratio; a ratio also needs a
    population share above zero.
    """
    protected = suppress_one_way([counts.get(code, 0) for code, _ in groups], SMALL_COUNT)
    counted = protected.total
    population_total = sum(population.values()) if population else 0
    rows = []
    for (code, label), cell in zip(groups, protected.cells):
        residents = population.get(code) if population else None
        matrix_share = Fraction(cell.value, counted.value) if not cell.hidden and counted.value else None
        population_share = Fraction(residents, population_total) if residents is not None and population_total else None
        reason = _no_ratio_reason(cell, counted, population, population_share)
        ratio = matrix_share / population_share if not reason else None
        rows.append(GroupComparison(code, label, cell, residents, matrix_share, population_share, ratio, reason))
    return Comparison(rows, counted, not_known, population_total, bool(population))


def _no_ratio_reason(count: Cell, counted: Cell, population, population_share: Fraction | None) -> str:
    if count.value == 0:
        return NONE_LISTED
    if count.text == fewer_than_text(SMALL_COUNT):
        return TOO_FEW
    if count.hidden or counted.hidden:
        return HIDDEN
    if not population:
        return NO_BASELINE
    if not population_share:
        return NO_POPULATION
    return ""


def fold(figures: Mapping[str, int], mapping: Mapping[str, str]) -> dict[str, int]:
    """Add detailed codes up into the rows shown (e.g. the 19 ethnic groups into the 5 broad ones)."""
    folded: dict[str, int] = {}
    for code, value in figures.items():
        if code in mapping:
            folded[mapping[code]] = folded.get(mapping[code], 0) + value
    return folded


def count_text(count: int) -> str:
    return fewer_than_text(SMALL_COUNT) if 0 < count < SMALL_COUNT else f"{count:,}"


def one_decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def percent(share: Fraction | None) -> str:
    return "" if share is None else f"{one_decimal(share * 100)}%"


RECORDED_AS = {Dimension.ETHNICITY: "ethnic group", Dimension.AGE_BAND: "date of birth", Dimension.GENDER: "gender"}


# --- The whole report for one area -------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    area_code: str
    area_name: str
    breakdown: str
    cohort: str
    on_date: date
    baseline: Baseline | None
    comparison: Comparison

    @property
    def breakdown_label(self) -> str:
        return Breakdown(self.breakdown).label

    @property
    def cohort_label(self) -> str:
        return Cohort(self.cohort).label

    @property
    def recorded_as(self) -> str:
        """What must be recorded for a person to be counted in a group."""
        return RECORDED_AS[breakdown_spec(self.breakdown).dimension]


def report(*, area_code: str, area_name: str, breakdown: str, cohort: str, on_date: date) -> Report:
    """Two queries, the counts and the baseline, whatever the size of the matrix or the area."""
    spec = breakdown_spec(breakdown)
    counts = count_on_matrix(spec, area_code=area_code, cohort=cohort, on_date=on_date)
    baseline = current_baseline(area_code, spec.dimension)
    comparison = compare(
        spec.groups,
        fold(counts, spec.fold),
        fold(baseline.figures, spec.fold) if baseline else None,
        not_known=counts.get(spec.not_known, 0),
    )
    return Report(area_code, area_name, breakdown, cohort, on_date, baseline, comparison)
