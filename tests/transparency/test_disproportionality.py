"""The arithmetic of disproportionality (pure) and the counting query's age bands (database)."""

from datetime import date, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from matrix.choices import Ethnicity, Status
from matrix.models import Subject
from matrix.validators import age_on
from tests.factories import SubjectFactory
from transparency import disproportionality as dp
from transparency.models.population import AGE_BAND_FLOORS, AgeBand, Dimension, population_groups

GROUPS = [("a", "Group A"), ("b", "Group B"), ("c", "Group C")]
group_codes = st.sampled_from([code for code, _ in GROUPS])
counts = st.dictionaries(group_codes, st.integers(min_value=0, max_value=10_000))
populations = st.dictionaries(group_codes, st.integers(min_value=1, max_value=10_000_000), min_size=3)


def by_code(comparison):
    return {row.code: row for row in comparison.groups}


def test_worked_example():
    comparison = dp.compare(GROUPS, {"a": 30, "b": 10, "c": 0}, {"a": 100, "b": 300, "c": 600}, not_known=2)
    a, b, c = comparison.groups
    assert (comparison.counted.value, comparison.not_known, comparison.population) == (40, 2, 1000)
    assert (a.matrix_share, a.population_share, a.ratio) == (Fraction(3, 4), Fraction(1, 10), Fraction(15, 2))
    assert (a.count_text, a.matrix_share_text, a.population_share_text, a.ratio_text) == (
        "30",
        "75.0%",
        "10.0%",
        "7.5×",
    )
    assert b.ratio == Fraction(5, 6) and b.ratio_text == "0.8×"
    assert (c.count_text, c.matrix_share, c.ratio, c.no_ratio_reason) == ("0", 0.0, None, dp.NONE_LISTED)


@given(counts, populations)
def test_shares_of_the_matrix_and_of_the_population_each_sum_to_one(group_counts, population):
    group_counts = {code: count for code, count in group_counts.items() if count == 0 or count >= dp.SMALL_COUNT}
    comparison = dp.compare(GROUPS, group_counts, population)
    assert sum(row.population_share for row in comparison.groups) == pytest.approx(1)
    if comparison.counted.value:
        assert sum(row.matrix_share for row in comparison.groups) == pytest.approx(1)


@given(populations, st.integers(min_value=1, max_value=50))
def test_a_matrix_that_mirrors_the_population_has_every_ratio_at_one(population, scale):
    mirrored = {code: residents * scale * dp.SMALL_COUNT for code, residents in population.items()}
    for row in dp.compare(GROUPS, mirrored, population).groups:
        assert row.ratio == 1
        assert row.ratio_text == "1.0×"


def test_halves_round_up_as_published_statistics_do():
    """0.3 / 0.4 is 0.7499… in floating point; the exact 0.75 is shown as 0.8."""
    a = by_code(dp.compare(GROUPS, {"a": 6, "b": 14}, {"a": 4, "b": 6}))["a"]
    assert (a.ratio, a.ratio_text) == (Fraction(3, 4), "0.8×")
    assert dp.percent(Fraction(1, 8)) == "12.5%" and dp.percent(Fraction(1, 3)) == "33.3%"


@given(counts, populations)
def test_the_ratio_is_the_share_on_the_matrix_over_the_share_of_residents(group_counts, population):
    comparison = dp.compare(GROUPS, group_counts, population)
    for row in comparison.groups:
        if not row.count.hidden and row.count.value:
            expected = (row.count.value / comparison.counted.value) / (row.population / comparison.population)
            assert row.ratio == pytest.approx(expected)
        else:
            assert row.ratio is None and row.no_ratio_reason


@given(counts, populations)
def test_groups_above_parity_are_balanced_by_groups_below(group_counts, population):
    """Population-weighted, the ratios average exactly 1: over-representation somewhere means under elsewhere."""
    group_counts = {code: count for code, count in group_counts.items() if count >= dp.SMALL_COUNT}
    comparison = dp.compare(GROUPS, group_counts, population)
    if comparison.counted.value:
        weighted = sum((row.ratio or 0) * row.population_share for row in comparison.groups)
        assert weighted == pytest.approx(1)


@pytest.mark.parametrize("small", [1, 2, 3, 4])
def test_counts_below_five_are_shown_as_fewer_than_five_with_no_share_and_no_ratio(small):
    row = by_code(dp.compare(GROUPS, {"a": small, "b": 100}, {"a": 10, "b": 10, "c": 10}))["a"]
    assert row.count_text == "fewer than 5"
    assert (row.matrix_share, row.matrix_share_text, row.ratio, row.ratio_text) == (None, "", None, "")
    assert row.no_ratio_reason == dp.TOO_FEW == "Fewer than 5 people: too few for a reliable ratio."
    assert row.population_share == pytest.approx(1 / 3)  # residents' figures are not suppressed


def test_a_count_that_would_give_a_small_one_away_is_hidden_with_its_share():
    """10, 9 and 2 people: shown with their total of 21, the 9 would give the 2 away (21 - 10 - 9)."""
    rows = dp.compare(GROUPS, {"a": 10, "b": 9, "c": 2}, {"a": 1, "b": 1, "c": 1})
    assert [row.count_text for row in rows.groups] == ["10", "hidden", "fewer than 5"]
    assert rows.counted_text == "21"
    b = by_code(rows)["b"]
    assert (b.matrix_share, b.ratio, b.no_ratio_reason) == (None, None, dp.HIDDEN)
    assert by_code(rows)["a"].ratio is not None


@given(counts, populations)
def test_no_hidden_count_can_be_worked_out_from_the_shown_counts_and_total(group_counts, population):
    comparison = dp.compare(GROUPS, group_counts, population)
    shown = [row.count for row in comparison.groups]
    if comparison.counted.hidden:
        return
    hidden = [cell for cell in shown if cell.hidden]
    assert len(hidden) != 1  # one hidden count in a line with a shown total is always recoverable
    assert all(row.matrix_share is None for row in comparison.groups if row.count.hidden)


def test_five_people_are_enough_for_a_ratio():
    assert by_code(dp.compare(GROUPS, {"a": 5, "b": 5}, {"a": 1, "b": 1, "c": 2}))["a"].ratio == pytest.approx(2)


def test_without_a_baseline_counts_are_shown_but_no_ratio():
    comparison = dp.compare(GROUPS, {"a": 50, "b": 50}, None)
    assert not comparison.has_baseline
    a = by_code(comparison)["a"]
    assert (a.matrix_share, a.population, a.population_share, a.ratio) == (0.5, None, None, None)
    assert a.no_ratio_reason == dp.NO_BASELINE


def test_a_group_with_no_residents_in_the_baseline_has_no_ratio():
    rows = by_code(dp.compare(GROUPS, {"a": 50, "b": 50}, {"a": 0, "c": 10}))
    assert rows["a"].no_ratio_reason == rows["b"].no_ratio_reason == dp.NO_POPULATION
    assert rows["a"].population_share == 0 and rows["b"].population_share is None


def test_nobody_on_the_matrix_gives_no_shares():
    comparison = dp.compare(GROUPS, {}, {"a": 1, "b": 1, "c": 1}, not_known=3)
    assert comparison.counted.value == 0 and comparison.not_known_text == "fewer than 5"
    assert all(row.matrix_share is None and row.ratio is None for row in comparison.groups)


def test_detailed_ethnic_groups_fold_into_the_five_broad_groups():
    spec = dp.breakdown_spec(dp.Breakdown.BROAD_ETHNICITY)
    folded = dp.fold({"black_african": 3, "black_caribbean": 4, "white_irish": 5, "not_stated": 9}, spec.fold)
    assert folded == {"black": 7, "white": 5}
    assert {spec.fold[code] for code in spec.fold} == {code for code, _ in dp.BROAD_ETHNIC_GROUPS}
    assert len(spec.fold) == len(Ethnicity.values) - 1  # every detailed group but "not stated"


@pytest.mark.parametrize("breakdown", dp.Breakdown.values)
def test_every_breakdown_leaves_its_not_known_code_out_of_the_shares(breakdown):
    spec = dp.breakdown_spec(breakdown)
    assert spec.not_known not in spec.fold
    assert spec.not_known not in {code for code, _ in spec.groups}


def test_age_bands_are_defined_once_and_cover_every_age():
    floors = sorted(floor for _band, floor in AGE_BAND_FLOORS)
    assert floors[0] == 0
    assert [code for code, _ in population_groups(Dimension.AGE_BAND)] == [
        AgeBand.UNDER_18,
        AgeBand.AGE_18_TO_24,
        AgeBand.AGE_25_TO_34,
        AgeBand.AGE_35_AND_OVER,
    ]


@pytest.mark.parametrize(
    ("on_date", "years", "expected"),
    [
        (date(2026, 6, 15), 18, date(2008, 6, 15)),
        (date(2028, 2, 29), 18, date(2010, 2, 28)),  # no 29 February in 2010
        (date(2028, 2, 29), 20, date(2008, 2, 29)),
    ],
)
def test_latest_birth_date_at_age(on_date, years, expected):
    assert dp.latest_birth_date_at_age(on_date, years) == expected
    assert age_on(expected, on_date) == years
    assert age_on(expected + timedelta(days=1), on_date) == years - 1


def expected_band(date_of_birth, on_date):
    age = age_on(date_of_birth, on_date)
    return next(band for band, floor in AGE_BAND_FLOORS if age >= floor)


@pytest.mark.django_db
@pytest.mark.parametrize("on_date", [date(2026, 6, 15), date(2028, 2, 29), date(2027, 2, 28), date(2027, 3, 1)])
def test_the_database_puts_each_person_in_the_same_age_band_as_age_on(on_date):
    """Birthdays on either side of every band's boundary, leap days included."""
    births = set()
    for _band, floor in AGE_BAND_FLOORS:
        boundary = dp.latest_birth_date_at_age(on_date, floor)
        births |= {boundary + timedelta(days=offset) for offset in (-1, 0, 1)}
    births |= {date(2008, 2, 29), date(2010, 2, 28), date(2010, 3, 1), date(2009, 3, 1)}
    births = {born for born in births if born <= on_date}
    for born in births:
        SubjectFactory(date_of_birth=born)
    banded = Subject.objects.annotate(band=dp.age_band_on(on_date)).values_list("date_of_birth", "band")
    assert {born: band for born, band in banded} == {born: expected_band(born, on_date) for born in births}


@pytest.mark.django_db
def test_the_counting_query_counts_approved_records_only(supervisor):
    today = date.today()
    approved = {"status": Status.APPROVED, "approved_by": supervisor, "review_due": today + timedelta(days=90)}
    SubjectFactory.create_batch(6, ethnicity="black_african", **approved)
    SubjectFactory.create_batch(2, ethnicity="white_irish", **approved)
    SubjectFactory.create_batch(4, ethnicity="black_african")  # drafts: not on the matrix
    spec = dp.breakdown_spec(dp.Breakdown.ETHNICITY)
    assert dp.count_on_matrix(spec, area_code="E09000012", cohort=dp.Cohort.EVERYONE, on_date=today) == {
        "black_african": 6,
        "white_irish": 2,
    }
    assert dp.count_on_matrix(spec, area_code="E09000028", cohort=dp.Cohort.EVERYONE, on_date=today) == {}
