"""Small-number suppression (transparency/suppression.py): the rule, and that hidden counts stay hidden.

The property tests play the attacker: given everything published — the visible counts, the totals,
which cells are hidden, that a "fewer than 5" cell is 1 to 4 and (knowing the algorithm) that a
"hidden" cell is at least 5 — they search every whole-number table that fits, and check that each
hidden cell could have more than one value.
"""

from itertools import product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transparency import suppression_audit
from transparency.suppression import (
    HIDDEN_TEXT,
    WITHHELD_TEXT,
    Cell,
    LinkedTables,
    bounds,
    fewer_than_text,
    suppress_one_way,
    suppress_two_way,
)
from transparency.suppression_audit import first_recoverable

FEWER = fewer_than_text(5)


def shown(cells: list[Cell]) -> list:
    return [cell.value if cell.value is not None else cell.text for cell in cells]


# --- The rule ---------------------------------------------------------------------------------------


def test_nothing_is_hidden_when_every_count_is_large_or_zero():
    result = suppress_one_way([12, 0, 7])
    assert shown(result.cells) == [12, 0, 7]
    assert result.total == Cell(19, "19")


def test_counts_from_one_to_four_read_fewer_than_five_and_true_zeros_stay_visible():
    result = suppress_one_way([1, 4, 0, 0, 30, 20])
    assert shown(result.cells) == [FEWER, FEWER, 0, 0, 30, 20]


def test_a_single_hidden_count_takes_the_smallest_other_count_with_it():
    # 3 alone could be worked out as 40 - 12 - 25.
    result = suppress_one_way([25, 3, 12])
    assert shown(result.cells) == [25, FEWER, HIDDEN_TEXT]
    assert result.total.value == 40


def test_secondary_suppression_skips_zeros_because_a_hidden_zero_protects_nothing():
    result = suppress_one_way([0, 3, 9, 30])
    assert shown(result.cells) == [0, FEWER, HIDDEN_TEXT, 30]


def test_small_counts_pinned_by_a_small_total_withhold_the_whole_table():
    # Four counts of at least 1 under a total of "fewer than 5" (at most 4) are each exactly 1; no other
    # count is left to hide, so nothing of the table is published but its zeros (hypothesis found this).
    result = suppress_one_way([1, 1, 1, 1, 0])
    assert shown(result.cells) == [WITHHELD_TEXT] * 4 + [0]
    assert result.total == Cell(None, WITHHELD_TEXT)
    cells = [*result.cells, result.total]
    assert_nothing_recoverable(cells, one_way_lines(5), [1, 1, 1, 1, 0, 4])


def test_two_small_counts_that_give_themselves_away_through_the_total_are_protected():
    # 4 + 4 = 8 and each is at most 4: both would be known exactly without a third hidden count.
    result = suppress_one_way([4, 4, 30])
    assert shown(result.cells) == [FEWER, FEWER, HIDDEN_TEXT]


def test_a_total_below_five_is_hidden_with_its_parts():
    result = suppress_one_way([2, 0, 1])
    assert shown(result.cells) == [FEWER, 0, FEWER]
    assert result.total == Cell(None, FEWER)


def test_an_empty_table_is_all_zeros():
    assert suppress_one_way([0, 0]).total == Cell(0, "0")
    assert suppress_two_way([[0, 0], [0, 0]]).grand_total == Cell(0, "0")


def test_two_way_rows_and_columns_are_both_protected():
    result = suppress_two_way([[20, 3, 15], [30, 25, 40], [12, 18, 22]])
    hidden_rows = [[cell.hidden for cell in row] for row in result.cells]
    # The 3 is primary; its row and its column each need a second hidden cell, and they meet in a
    # fourth so that every line through a hidden cell holds two.
    assert hidden_rows[0][1]
    for row in hidden_rows:
        assert sum(row) != 1
    for column in zip(*hidden_rows):
        assert sum(column) != 1
    assert [cell.value for cell in result.row_totals] == [38, 95, 52]
    assert result.grand_total.value == 185


def test_the_threshold_can_be_raised():
    result = suppress_one_way([9, 9, 40], threshold=10)  # 9 + 9 = 18 pins both at 9
    assert shown(result.cells) == ["fewer than 10", "fewer than 10", HIDDEN_TEXT]


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        suppress_one_way([-1, 5])
    with pytest.raises(ValueError):
        suppress_one_way([1, 5], threshold=1)
    with pytest.raises(ValueError):
        suppress_two_way([[1, 2], [3]])


def test_the_exact_audit_finds_what_narrowing_ranges_misses():
    """[[14, 1, 2], [3, 0, 0], [1, 0, 2]] with every small count "fewer than 5" and the rest published: each
    range stays 1 to 4 line by line, but only one whole-number table fits, so the bottom-right 2 is known."""
    counts = [[14, 1, 2], [3, 0, 0], [1, 0, 2]]
    values = [v for row in counts for v in row] + [17, 3, 3] + [18, 1, 4] + [23]
    small = {i: (1, 4) for i, v in enumerate(values) if 0 < v < 5}
    published = {i: v for i, v in enumerate(values) if i not in small}
    narrowed = bounds(published, small, two_way_lines(3, 3))
    assert all(high > low for low, high in narrowed.values())
    assert first_recoverable(values, two_way_lines(3, 3), small) is not None


def test_a_search_that_runs_out_of_steps_counts_as_recoverable(monkeypatch):

    values, lines = [6, 7, 13], one_way_lines(2)
    hidden = {0: (5, float("inf")), 1: (5, float("inf"))}
    assert first_recoverable(values, lines, hidden) is None
    monkeypatch.setattr(suppression_audit, "SEARCH_STEPS", 0)
    assert first_recoverable(values, lines, hidden) == 0


def test_bounds_narrow_a_hidden_count_from_the_total():
    # Parts 0 and 1 hidden, total 13 published: a "fewer than 5" part and a part of at least 5.
    ranges = bounds({2: 13}, {0: (1, 4), 1: (5, float("inf"))}, [((0, 1), 2)])
    assert ranges == {0: (1, 4), 1: (9, 12)}


# --- The attacker -----------------------------------------------------------------------------------


def one_way_lines(n):
    return [(tuple(range(n)), n)]


def two_way_lines(n_rows, n_cols):
    rt, ct = n_rows * n_cols, n_rows * n_cols + n_rows
    gt = ct + n_cols
    return [
        *((tuple(i * n_cols + j for j in range(n_cols)), rt + i) for i in range(n_rows)),
        *((tuple(i * n_cols + j for i in range(n_rows)), ct + j) for j in range(n_cols)),
        (tuple(rt + i for i in range(n_rows)), gt),
        (tuple(ct + j for j in range(n_cols)), gt),
    ]


def flatten_two_way(result):
    return [c for row in result.cells for c in row] + result.row_totals + result.column_totals + [result.grand_total]


def narrow(domains: dict[int, tuple[int, int]], lines) -> bool:
    """Shrink each unknown's (low, high) to what its lines allow; False when some line cannot add up."""
    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            members = [(p, 1) for p in parts] + [(total, -1)]
            for position, sign in members:
                rest_low = sum(domains[m][0] if s > 0 else -domains[m][1] for m, s in members if m != position)
                rest_high = sum(domains[m][1] if s > 0 else -domains[m][0] for m, s in members if m != position)
                low, high = (-rest_high, -rest_low) if sign > 0 else (rest_low, rest_high)
                old_low, old_high = domains[position]
                new = (max(old_low, low), min(old_high, high))
                if new[0] > new[1]:
                    return False
                if new != (old_low, old_high):
                    domains[position], changed = new, True
    return True


def feasible(domains: dict[int, tuple[int, int]], lines) -> bool:
    """Is there a whole-number table within these ranges whose lines all add up? (Split ranges in half.)"""
    domains = dict(domains)
    if not narrow(domains, lines):
        return False
    open_positions = [i for i, (low, high) in domains.items() if low < high]
    if not open_positions:
        return True
    position = min(open_positions, key=lambda i: domains[i][1] - domains[i][0])
    low, high = domains[position]
    middle = (low + high) // 2
    return feasible({**domains, position: (low, middle)}, lines) or feasible(
        {**domains, position: (middle + 1, high)}, lines
    )


def recoverable(cells: list[Cell], lines, true_values) -> list[int]:
    """The hidden positions that no other consistent table gives a different value."""
    ceiling = 2 * sum(true_values) + 10
    domains = {
        i: (v, v)
        if not cell.hidden
        else (1, 4)
        if cell.text == FEWER
        else (1, ceiling)
        if cell.text == WITHHELD_TEXT
        else (5, ceiling)
        for i, (cell, v) in enumerate(zip(cells, true_values))
    }
    pinned = []
    for i, cell in enumerate(cells):
        if not cell.hidden:
            continue
        low, high = domains[i]
        value = true_values[i]
        alternatives = [(low, value - 1), (value + 1, high)]
        if not any(a <= b and feasible({**domains, i: (a, b)}, lines) for a, b in alternatives):
            pinned.append(i)
    return pinned


def assert_nothing_recoverable(cells, lines, true_values):
    assert recoverable(cells, lines, true_values) == []


def assert_only_small_counts_are_marked_fewer(cells, true_values):
    if any(cell.text == WITHHELD_TEXT for cell in cells):  # the whole table withheld: no size is implied
        assert all(cell.text == WITHHELD_TEXT if value else cell.value == 0 for cell, value in zip(cells, true_values))
        return
    for cell, value in zip(cells, true_values):
        if 0 < value < 5:
            assert cell.text == FEWER
        elif cell.hidden:
            assert cell.text == HIDDEN_TEXT and value >= 5
        else:
            assert cell.value == value


small_counts = st.one_of(st.integers(0, 6), st.integers(0, 20))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(small_counts, min_size=1, max_size=6))
def test_no_hidden_count_in_a_one_way_table_can_be_worked_out(counts):
    result = suppress_one_way(counts)
    cells = [*result.cells, result.total]
    true_values = [*counts, sum(counts)]
    assert_only_small_counts_are_marked_fewer(cells, true_values)
    assert_nothing_recoverable(cells, one_way_lines(len(counts)), true_values)


@st.composite
def tables(draw):
    n_rows, n_cols = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return [draw(st.lists(small_counts, min_size=n_cols, max_size=n_cols)) for _ in range(n_rows)]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_no_hidden_count_in_a_two_way_table_can_be_worked_out(counts):
    result = suppress_two_way(counts)
    n_rows, n_cols = len(counts), len(counts[0])
    true_values = (
        [v for row in counts for v in row]
        + [sum(row) for row in counts]
        + [sum(col) for col in zip(*counts)]
        + [sum(map(sum, counts))]
    )
    cells = flatten_two_way(result)
    assert_only_small_counts_are_marked_fewer(cells, true_values)
    assert_nothing_recoverable(cells, two_way_lines(n_rows, n_cols), true_values)


@pytest.mark.parametrize(
    "counts",
    [
        [[20, 3, 15], [30, 25, 40], [12, 18, 22]],
        [[4, 4], [4, 4]],
        [[1, 0, 0], [0, 9, 0], [0, 0, 30]],
        [[6, 6, 1], [0, 0, 0], [7, 2, 9]],
        # Found by the property tests: safe by narrowing ranges alone, recoverable by trying whole numbers.
        [[14, 1, 2], [3, 0, 0], [1, 0, 2]],
        [[4, 6, 0], [0, 0, 4], [10, 16, 4]],
        [[0, 2, 5], [5, 1, 1], [4, 1, 1]],
        [[0, 1, 1], [2, 5, 1], [6, 2, 1]],
    ],
)
def test_known_awkward_tables_are_safe(counts):
    result = suppress_two_way(counts)
    true_values = (
        [v for row in counts for v in row]
        + [sum(row) for row in counts]
        + [sum(col) for col in zip(*counts)]
        + [sum(map(sum, counts))]
    )
    assert_nothing_recoverable(flatten_two_way(result), two_way_lines(len(counts), len(counts[0])), true_values)


def test_every_combination_of_a_small_one_way_table_is_safe():
    for counts in product(range(0, 7), repeat=3):
        result = suppress_one_way(list(counts))
        assert_nothing_recoverable([*result.cells, result.total], one_way_lines(3), [*counts, sum(counts)])


def test_the_attacker_recovers_what_primary_suppression_alone_would_leave_exposed():
    """The property tests are only as good as the attacker: it must catch a single hidden count."""
    cells = [Cell(25, "25"), Cell(None, FEWER), Cell(12, "12"), Cell(40, "40")]
    assert recoverable(cells, one_way_lines(3), [25, 3, 12, 40]) == [1]
    two_fewer = [Cell(None, FEWER), Cell(None, FEWER), Cell(30, "30"), Cell(38, "38")]
    assert recoverable(two_fewer, one_way_lines(3), [4, 4, 30, 38]) == [0, 1]


# --- Tables published together ------------------------------------------------------------------------


def places_of(two_way_places) -> list[int]:
    return [p for row in two_way_places.cells for p in row] + [
        *two_way_places.row_totals,
        *two_way_places.column_totals,
        two_way_places.grand_total,
    ]


def test_tables_protected_one_by_one_give_each_other_away_and_together_do_not():
    """A table by borough and category and a table by gender count the same 11 people. Protected one by one,
    the first hides its total and the second publishes it, which pins a hidden count of the first."""
    by_borough, by_gender = [[1, 2], [0, 8]], [5, 6]
    linked = LinkedTables()
    borough = linked.two_way(by_borough)
    gender = linked.one_way(by_gender, total=borough.grand_total)
    alone_borough, alone_gender = suppress_two_way(by_borough), suppress_one_way(by_gender)
    seen = [None] * len(linked.values)
    for place, cell in zip(places_of(borough), flatten_two_way(alone_borough)):
        seen[place] = cell
    for place, cell in zip(gender.parts, alone_gender.cells):
        seen[place] = cell
    seen[borough.grand_total] = alone_gender.total  # the gender table publishes the total the first one hid
    assert alone_borough.grand_total.hidden and not alone_gender.total.hidden
    assert recoverable(seen, linked.lines, linked.values) != []
    assert_nothing_recoverable(linked.protect(), linked.lines, linked.values)


def test_a_shared_total_is_one_count_shown_the_same_everywhere():
    linked = LinkedTables()
    borough = linked.two_way([[6, 1], [0, 0]])
    age = linked.one_way([7, 0], total=borough.grand_total)
    cells = linked.protect()
    assert age.read(cells).total == borough.read(cells).grand_total


def test_shared_totals_must_agree():
    linked = LinkedTables()
    borough = linked.two_way([[6, 1]])
    with pytest.raises(ValueError):
        linked.one_way([3, 3], total=borough.grand_total)
    with pytest.raises(ValueError):
        linked.sum_of([borough.column_totals[0]], borough.grand_total)


@st.composite
def linked_systems(draw):
    """A two-way table; a second with the same columns; a one-way with the same whole; and a one-way whose
    total is the sum of the first column (like harm bands, which count the suspected and convicted)."""
    n_rows, n_cols = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    first = [draw(st.lists(small_counts, min_size=n_cols, max_size=n_cols)) for _ in range(n_rows)]
    columns = [sum(row[j] for row in first) for j in range(n_cols)]
    second_rows = draw(st.integers(1, 2))
    second = [[0] * n_cols for _ in range(second_rows)]
    for j, column in enumerate(columns):
        for _ in range(column):
            second[draw(st.integers(0, second_rows - 1))][j] += 1
    whole = sum(columns)
    halves = draw(st.integers(0, whole))
    first_column = columns[0]
    split = draw(st.integers(0, first_column))
    return first, second, [halves, whole - halves], [split, first_column - split]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(linked_systems())
def test_no_hidden_count_in_linked_tables_can_be_worked_out_from_any_of_them(system):
    first, second, by_whole, by_first_column = system
    linked = LinkedTables()
    a = linked.two_way(first)
    linked.two_way(second, column_totals=a.column_totals, grand_total=a.grand_total)
    linked.one_way(by_whole, total=a.grand_total)
    part = linked.one_way(by_first_column)
    linked.sum_of([a.column_totals[0]], part.total)
    cells = linked.protect()
    assert_only_small_counts_are_marked_fewer(cells, linked.values)
    assert_nothing_recoverable(cells, linked.lines, linked.values)
